package backoffice

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/plateward/alpr/internal/browsertest"
)

// chooseKind picks a kind of search in the form, as choosing it in the
// list does (the change event included).
func chooseKind(kind string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`(() => { const k = document.querySelector('select[name="kind"]'); k.value = "` + kind + `"; k.dispatchEvent(new Event("change")); })()`)
}

// stakeoutIn runs a stakeout around abcRead's position through the form.
func stakeoutIn(t *testing.T, f *fixture) context.Context {
	t.Helper()
	ctx := browsertest.Start(t)
	loginIn(ctx, t, f.srv.URL, "analyst1")
	if err := browsertest.Within(ctx, 30*time.Second,
		chromedp.Navigate(f.srv.URL+"/search"),
		chooseKind("stakeout"),
		chromedp.SendKeys(`input[name="lat"]`, "38.9501"),
		chromedp.SendKeys(`input[name="lon"]`, "-92.3301"),
		chromedp.SetValue(`input[name="radius"]`, "300"),
		chromedp.SendKeys(`input[name="reason"]`, "burglary series"),
		chromedp.SendKeys(`input[name="case"]`, "26-5120"),
		chromedp.Click("#run"),
		chromedp.WaitVisible("#results"),
	); err != nil {
		t.Fatalf("stakeout: %v: %s", err, browsertest.Text(ctx, "main"))
	}
	if err := browsertest.Within(ctx, 10*time.Second, chromedp.WaitVisible(`#map[data-ready="true"]`)); err != nil {
		html, _ := browsertest.Eval(ctx, `document.getElementById("map-figure").outerHTML`)
		t.Fatalf("the map: %v: %s", err, html)
	}
	return ctx
}

// TestMapInABrowser: a stakeout's read and circle on a real web map
// (Leaflet), its tiles from the tile server the department configured and
// no other; without one, on a plain ground, the read in the middle of the
// map, not in a corner; no serious accessibility violation either way.
func TestMapInABrowser(t *testing.T) {
	tile := image.NewRGBA(image.Rect(0, 0, 256, 256))
	for i := range tile.Pix {
		tile.Pix[i] = 0xd0
	}
	tile.Set(0, 0, color.Black)
	var pngTile bytes.Buffer
	if err := png.Encode(&pngTile, tile); err != nil {
		t.Fatal(err)
	}
	var tiles atomic.Int64
	gis := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/tiles/") {
			http.NotFound(w, r)
			return
		}
		tiles.Add(1)
		w.Header().Set("Content-Type", "image/png")
		w.Write(pngTile.Bytes())
	}))
	t.Cleanup(gis.Close)

	t.Run("the department's tiles", func(t *testing.T) {
		f := newFixtureWith(t, func(o *Options) {
			o.Map = MapTiles{URL: gis.URL + "/tiles/{z}/{x}/{y}.png", Attribution: "County GIS", MaxZoom: 19}
		})
		abcRead(t, f)
		ctx := stakeoutIn(t, f)
		if err := browsertest.Within(ctx, 20*time.Second, chromedp.WaitVisible(`img.leaflet-tile-loaded`)); err != nil {
			t.Fatalf("no tile shown: %v (%d fetched)", err, tiles.Load())
		}
		if n, _ := browsertest.Eval(ctx, `String(document.querySelectorAll("#map path.map-point").length)`); n != "1" {
			t.Errorf("%s points drawn, want the one read", n)
		}
		if n, _ := browsertest.Eval(ctx, `String(document.querySelectorAll("#map path.map-circle").length)`); n != "1" {
			t.Errorf("%s circles drawn, want the stakeout's", n)
		}
		if src, _ := browsertest.Eval(ctx, `document.querySelector("img.leaflet-tile").src`); !strings.HasPrefix(src, gis.URL+"/tiles/") {
			t.Errorf("a tile from %q", src)
		}
		if got := browsertest.Text(ctx, ".leaflet-control-attribution"); !strings.Contains(got, "County GIS") {
			t.Errorf("attribution %q", got)
		}
		browsertest.AxeClean(t, ctx, "search with a tiled map")
	})
	t.Run("no tile server", func(t *testing.T) {
		before := tiles.Load()
		f := newFixture(t)
		abcRead(t, f)
		ctx := stakeoutIn(t, f)
		if n, _ := browsertest.Eval(ctx, `String(document.querySelectorAll("#map img.leaflet-tile").length)`); n != "0" {
			t.Errorf("%s tiles without a tile server", n)
		}
		if tiles.Load() != before {
			t.Error("tiles fetched without a tile server")
		}
		// The read's place on the map, as a fraction of its width and height.
		at, err := browsertest.Eval(ctx, `(() => { const m = document.getElementById("map").getBoundingClientRect();
			const p = document.querySelector("#map path.map-point").getBoundingClientRect();
			return ((p.x + p.width/2 - m.x) / m.width).toFixed(2) + " " + ((p.y + p.height/2 - m.y) / m.height).toFixed(2); })()`)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range strings.Fields(at) {
			if v, _ := strconv.ParseFloat(s, 64); v < 0.25 || v > 0.75 {
				t.Errorf("the read at %s of the map, want near its middle", at)
			}
		}
		if got := browsertest.Text(ctx, "#map-figure figcaption"); !strings.Contains(got, "No map tiles are configured") {
			t.Errorf("caption %q", got)
		}
		if got := browsertest.Text(ctx, ".leaflet-control-scale"); !strings.Contains(got, "m") {
			t.Errorf("scale %q", got)
		}
		browsertest.AxeClean(t, ctx, "search with a plain map")
		browsertest.Shot(t, ctx, "stakeout-map")
	})
}

// TestSearchFormPerKindInABrowser: the form asks for what the chosen
// search needs and only that: a plate search shows no stakeout, geofence
// or convoy fields; a stakeout shows its point, makes it required and
// the plate optional; a convoy its minutes.
func TestSearchFormPerKindInABrowser(t *testing.T) {
	f := newFixture(t)
	ctx := browsertest.Start(t)
	loginIn(ctx, t, f.srv.URL, "analyst1")
	if err := browsertest.Within(ctx, 20*time.Second, chromedp.Navigate(f.srv.URL+"/search"), chromedp.WaitVisible("#run")); err != nil {
		t.Fatal(err)
	}
	shown := `["Stakeout", "Geofence", "Convoy"].filter(l => [...document.querySelectorAll("legend")].find(x => x.textContent === l).offsetParent !== null).join(" ")`
	for _, tc := range []struct {
		kind, fields, label string
		plateRequired       bool
	}{
		{"plate", "", "Plate", true},
		{"partial", "", "Pattern", true},
		{"stakeout", "Stakeout", "Plate or pattern (optional)", false},
		{"geofence", "Geofence", "Plate or pattern (optional)", false},
		{"convoy", "Convoy", "Plate", true},
	} {
		if err := browsertest.Within(ctx, 10*time.Second, chooseKind(tc.kind)); err != nil {
			t.Fatal(err)
		}
		if got, _ := browsertest.Eval(ctx, shown); got != tc.fields {
			t.Errorf("%s: fields shown %q, want %q", tc.kind, got, tc.fields)
		}
		if got := browsertest.Text(ctx, "#plate-label"); got != tc.label {
			t.Errorf("%s: the plate field is labelled %q", tc.kind, got)
		}
		if got, _ := browsertest.Eval(ctx, `String(document.querySelector('input[name="plate"]').required)`); got != fmt.Sprint(tc.plateRequired) {
			t.Errorf("%s: plate required %s", tc.kind, got)
		}
		if tc.fields != "" {
			req, _ := browsertest.Eval(ctx, `String([...document.querySelectorAll("fieldset:not([hidden]) input")].every(i => i.required))`)
			if req != "true" {
				t.Errorf("%s: its own fields are not all required", tc.kind)
			}
		}
		if got := browsertest.Text(ctx, "#kind-hint"); got == "" {
			t.Errorf("%s: no words on what the search does", tc.kind)
		}
	}
	browsertest.AxeClean(t, ctx, "the search form")
}

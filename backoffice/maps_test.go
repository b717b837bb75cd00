package backoffice

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"strings"
	"testing"
)

func TestMapTilesValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		t    MapTiles
		ok   bool
	}{
		{"none", MapTiles{MaxZoom: 19}, true},
		{"the department's server", MapTiles{URL: "https://gis.example.gov/tiles/{z}/{x}/{y}.png", MaxZoom: 19}, true},
		{"a port, over http", MapTiles{URL: "http://10.1.2.3:8081/{z}/{x}/{y}.png", MaxZoom: 18}, true},
		{"no {y}", MapTiles{URL: "https://gis.example.gov/tiles/{z}/{x}.png", MaxZoom: 19}, false},
		{"subdomains", MapTiles{URL: "https://{s}.tile.example.org/{z}/{x}/{y}.png", MaxZoom: 19}, false},
		{"another scheme", MapTiles{URL: "ftp://gis.example.gov/{z}/{x}/{y}.png", MaxZoom: 19}, false},
		{"a policy in the host", MapTiles{URL: "https://a.gov;script-src*/{z}/{x}/{y}.png", MaxZoom: 19}, false},
		{"zoom 0", MapTiles{URL: "https://gis.example.gov/{z}/{x}/{y}.png", MaxZoom: 0}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.t.Validate()
			if (err == nil) != tc.ok {
				t.Fatalf("Validate() = %v, want ok %v", err, tc.ok)
			}
			if err != nil && tc.t.MaxZoom != 0 && !errors.Is(err, ErrTileURL) {
				t.Errorf("%v is not ErrTileURL", err)
			}
		})
	}
}

// The tile server, and only it, is added to the pages' policy.
func TestMapTilesInThePolicy(t *testing.T) {
	f := newFixtureWith(t, func(o *Options) {
		o.Map = MapTiles{URL: "https://gis.example.gov:8443/tiles/{z}/{x}/{y}.png", MaxZoom: 19}
	})
	resp, err := f.client(t).Get(f.srv.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Content-Security-Policy"); got != "default-src 'self'; img-src 'self' data: https://gis.example.gov:8443; frame-ancestors 'none'" {
		t.Errorf("policy %q", got)
	}
}

// The vendored Leaflet is the npm package's, byte for byte.
func TestLeafletIsPinned(t *testing.T) {
	sums, err := webFS.ReadFile("web/static/leaflet/leaflet.sha256")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	sc := bufio.NewScanner(strings.NewReader(string(sums)))
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok || strings.HasPrefix(sum, "#") {
			continue
		}
		b, err := fs.ReadFile(webFS, "web/static/leaflet/"+name)
		if err != nil {
			t.Fatal(err)
		}
		if s := sha256.Sum256(b); hex.EncodeToString(s[:]) != sum {
			t.Errorf("%s: SHA-256 %x, pinned %s", name, s, sum)
		}
		n++
	}
	if n != 3 {
		t.Errorf("%d files pinned, want leaflet.js, leaflet.css and LICENSE", n)
	}
}

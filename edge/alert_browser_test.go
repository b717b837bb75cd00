package edge

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/plateward/alpr/edge/alert"
	"github.com/plateward/alpr/edge/capture"
	"github.com/plateward/alpr/edge/drive"
	"github.com/plateward/alpr/edge/models"
	"github.com/plateward/alpr/edge/shift"
	"github.com/plateward/alpr/fixtures"
	"github.com/plateward/alpr/internal/browsertest"
)

func eval(ctx context.Context, js string) string {
	c, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	s, _ := chromedp.Run(c, chromedp.Evaluate[string](js))
	return s
}

// TestAlertPageInBrowser replays a synthetic shift with hot plates through
// the reader and the alert page, and works every hit in a real browser:
// the card appears with its tone, logout is refused while a hit is
// pending, and the three steps land on the drive.
func TestAlertPageInBrowser(t *testing.T) {
	fo := fixtures.DefaultOptions()
	fo.Seed, fo.Scenes, fo.VideoCars, fo.HotEntries = 3, 4, 3, 100
	s, err := fixtures.GenerateShift(t.TempDir(), fo)
	if err != nil {
		t.Fatal(err)
	}
	o := DefaultOptions()
	if o.OCR.ModelsDir, err = models.FindDir(); err != nil {
		t.Fatal(err)
	}
	o.Sources = []capture.Spec{
		{Camera: "front", Kind: capture.KindVideo, Target: filepath.Join(s.Dir, fixtures.VideoFile)},
		{Camera: "rear", Kind: capture.KindFolder, Target: filepath.Join(s.Dir, fixtures.ScenesDir)},
	}
	o.Start, o.FolderInterval = fo.Start, fo.SceneInterval
	o.DriveDir, o.Vehicle, o.Officer, o.ShiftID = t.TempDir(), "car7", "4127", "shift-browser"
	o.Hotlists = []shift.HotlistConfig{{Path: filepath.Join(s.Dir, fixtures.HotlistFile), Format: "ncic"}}
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))

	steps := make(chan drive.Record, 64)
	ao := alert.DefaultOptions(o.Officer, o.Vehicle, o.ShiftID)
	ao.Logger = o.Logger
	srv, err := alert.New(ao, func(r drive.Record) error { steps <- r; return nil })
	if err != nil {
		t.Fatal(err)
	}
	ln, err := alert.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sctx, stop := context.WithCancel(context.Background())
	defer stop()
	go func() {
		if err := srv.Serve(sctx, ln); err != nil {
			t.Error(err)
		}
	}()
	o.Alerter, o.Steps, o.Shift = srv, steps, srv
	type result struct {
		st  Stats
		err error
	}
	done := make(chan result, 1)
	go func() { st, err := Run(context.Background(), o); done <- result{st, err} }()

	ctx := browsertest.Start(t)
	url := fmt.Sprintf("http://%s/", ln.Addr())
	if err := browsertest.Within(ctx, 30*time.Second, chromedp.Navigate(url), chromedp.WaitVisible("#status")); err != nil {
		t.Fatalf("page: %v", err)
	}
	// Both cameras have played their replay when the page's alarms say
	// they stopped (a camera that stops is an alarm, not a header note).
	// Each check is its own evaluation: a long in-page poll fails with
	// "cannot find context" when the page's context is replaced meanwhile
	// (seen under a loaded one-core machine).
	played := false
	for end := time.Now().Add(110 * time.Second); !played && time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		played = eval(ctx, `String(document.getElementById("alarms").textContent.split("stopped").length > 2)`) == "true"
	}
	if !played {
		t.Fatalf("page: the replay did not finish (alarms %q, status %q)", eval(ctx, `document.getElementById("alarms").textContent`), browsertest.Text(ctx, "#status"))
	}
	pending := len(srv.Pending())
	t.Logf("%d hits pending", pending)
	if pending == 0 {
		t.Fatal("the replay raised no hit: the fixture's hot plates were not read")
	}

	// A hit is on the card, and its tone started.
	if err := browsertest.Within(ctx, 10*time.Second, chromedp.WaitVisible(chromedp.CSS("#card"))); err != nil {
		t.Fatalf("%v: card hidden=%s pending=%s html=%.600s", err, eval(ctx, `String(document.getElementById("card").hidden)`),
			browsertest.Text(ctx, "#pending-count"), eval(ctx, `document.body.innerHTML`))
	}
	plate := browsertest.Text(ctx, "#card-plate")
	tones := eval(ctx, `document.body.dataset.tones`)
	cardHidden := eval(ctx, `String(document.getElementById("card").hidden)`)
	if tones == "" || tones == "0" || cardHidden != "false" || plate == "" {
		t.Fatalf("card hidden=%s plate=%q tones=%q", cardHidden, plate, tones)
	}
	// The page as the officer sees it now, a hit on the card and the
	// cameras' alarms up: WCAG 2.1 AA (axe-core).
	if v, err := browsertest.Axe(ctx); err != nil {
		t.Fatal(err)
	} else {
		for _, x := range v {
			t.Errorf("alert page with a hit: %s", x)
		}
	}

	// Logout is refused while hits are pending.
	if err := browsertest.Within(ctx, 10*time.Second, chromedp.Click(chromedp.CSS("#card-later"))); err != nil {
		t.Fatalf("later: %v", err)
	}
	if err := browsertest.Within(ctx, 10*time.Second, chromedp.Click(chromedp.CSS("#logout"))); err != nil {
		t.Fatalf("logout: %v", err)
	}
	if err := browsertest.Within(ctx, 10*time.Second, chromedp.WaitVisible(chromedp.CSS("#override"))); err != nil {
		t.Fatalf("override: %v: open=%s msg=%q body=%.300s", err, eval(ctx, `String(document.getElementById("override").open)`),
			browsertest.Text(ctx, "#override-msg"), eval(ctx, `document.body.innerText`))
	}
	msg := browsertest.Text(ctx, "#override-msg")
	if err := browsertest.Within(ctx, 5*time.Second, chromedp.Click(chromedp.CSS("#override-cancel"))); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg, "without a disposition") {
		t.Fatalf("logout refusal says %q", msg)
	}

	// Work every hit: confirm, verify, dispose.
	// A generous bound: under make test's load (two browsers and the
	// recognisers on two cores) one hit once took more than 20 s.
	for i := 0; i < pending; i++ {
		if err := browsertest.Within(ctx, 60*time.Second,
			chromedp.Click(chromedp.CSS("#pending li")),
			chromedp.WaitVisible(chromedp.CSS("#card")),
			chromedp.Click(chromedp.CSS(`button[data-step="confirm"][data-value="match"]`)),
			chromedp.WaitNotPresent(chromedp.CSS("#step-verify.locked")),
			chromedp.Click(chromedp.CSS(`button[data-step="verify"][data-value="wanted"]`)),
			chromedp.WaitNotPresent(chromedp.CSS("#step-disposition.locked")),
			chromedp.SetValue(chromedp.CSS("#code"), "confirmed-stop"),
			chromedp.SetValue(chromedp.CSS("#note"), "stopped at Market and 14th"),
			chromedp.Click(chromedp.CSS(`button[data-step="disposition"]`)),
			chromedp.Poll[chromedp.Void](fmt.Sprintf(`document.getElementById("pending-count").textContent === "%d"`, pending-i-1),
				chromedp.WithPollingTimeout(10*time.Second)),
		); err != nil {
			t.Fatalf("hit %d of %d: %v", i+1, pending, err)
		}
	}
	if err := browsertest.Within(ctx, 15*time.Second, chromedp.Click(chromedp.CSS("#logout")),
		chromedp.Poll[chromedp.Void](`document.body.textContent.includes("Logged out")`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatal(err)
	}
	var res result
	select {
	case res = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the reader did not end at logout")
	}
	if res.err != nil {
		t.Fatal(res.err)
	}

	// On the drive: every alerted hit has confirm, verify and disposition.
	dc := readDrive(t, o.DriveDir)
	hits := dc.hits
	stepsOf := map[string][]string{}
	for _, d := range dc.dispositions {
		stepsOf[d.HitID] = append(stepsOf[d.HitID], d.Step+"="+d.Code)
		if d.Officer != "4127" || d.ShiftID != "shift-browser" {
			t.Errorf("disposition %+v", d)
		}
	}
	if len(hits) != pending {
		t.Fatalf("%d hits on the drive, %d on the page", len(hits), pending)
	}
	for _, h := range hits {
		if got := strings.Join(stepsOf[h.ID], " "); got != "confirm=match verify=wanted disposition=confirmed-stop" {
			t.Errorf("hit %s (%s): steps %q", h.ID, h.Plate, got)
		}
	}
}

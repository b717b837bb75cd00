package alert

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/plateward/alpr/internal/browsertest"
)

// js evaluates an expression in the page and returns it as a string.
func js(t *testing.T, ctx context.Context, expr string) string {
	t.Helper()
	s, err := browsertest.Eval(ctx, expr)
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return s
}

// waitFor polls a page expression until it is true.
func waitFor(t *testing.T, ctx context.Context, expr, what string) {
	t.Helper()
	if err := browsertest.Within(ctx, 10*time.Second, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(9*time.Second))); err != nil {
		t.Fatalf("%s: %v (card %s, pending %s)", what, err, js(t, ctx, `document.getElementById("card-plate").textContent`),
			js(t, ctx, `[...document.querySelectorAll("#pending li")].map(l => l.dataset.priority + " " + l.dataset.hit).join(", ")`))
	}
}

// serve serves the alert page on a loopback port until the test ends and
// returns its address.
func serve(t *testing.T, s *Server) string {
	t.Helper()
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	t.Cleanup(stop)
	go func() {
		if err := s.Serve(ctx, ln); err != nil {
			t.Error(err)
		}
	}()
	return ln.Addr().String()
}

// TestCardBelongsToItsHit drives the officer's page in Chromium through
// hits of mixed priority: the card shows the highest-priority pending hit
// and a lower one never takes it; the list is ordered by priority, newest
// first; the next card's form starts empty (no note, no preset
// disposition) and its crop is its own read's.
func TestCardBelongsToItsHit(t *testing.T) {
	s, sink := newServer(t)
	addr := serve(t, s)
	ctx := browsertest.Start(t)
	if err := browsertest.Within(ctx, 30*time.Second, chromedp.Navigate("http://"+addr+"/"), chromedp.WaitVisible("#status")); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	add := func(id, priority string, dt time.Duration) {
		h := hit(id, priority)
		h.AlertedAt, h.Plate, h.MatchedPlate = t0.Add(dt), "PL"+strings.ToUpper(id), "PL"+strings.ToUpper(id)
		if err := s.Hit(h, []byte("crop of "+id)); err != nil {
			t.Fatal(err)
		}
	}
	shown := `document.getElementById("card-plate").textContent`
	add("low1", "low", 0)
	waitFor(t, ctx, shown+` === "PLLOW1"`, "the first hit takes the card")
	add("med1", "medium", time.Second)
	waitFor(t, ctx, shown+` === "PLMED1"`, "a medium hit outranks a low one")
	add("low2", "low", 2*time.Second)
	add("high1", "high", 3*time.Second)
	waitFor(t, ctx, shown+` === "PLHIGH1"`, "a high hit outranks a medium one")
	add("low3", "low", 4*time.Second)
	time.Sleep(500 * time.Millisecond)
	if got := js(t, ctx, shown); got != "PLHIGH1" {
		t.Fatalf("a low hit took the card from a high one: %s", got)
	}
	order := `[...document.querySelectorAll("#pending li")].map(l => l.dataset.hit).join(" ")`
	if got := js(t, ctx, order); got != "high1 med1 low3 low2 low1" {
		t.Fatalf("pending list %q, want by priority, newest first", got)
	}
	if got := js(t, ctx, `document.getElementById("card-crop").dataset.for`); got != "high1" {
		t.Fatalf("card crop is for %q", got)
	}

	// The card as it first shows (two steps locked), then with the first
	// step done: WCAG 2.1 AA (axe-core) both times.
	browsertest.AxeClean(t, ctx, "a new high hit's card")
	browsertest.Shot(t, ctx, "alert-card")
	if err := browsertest.Within(ctx, 20*time.Second,
		chromedp.Click(chromedp.CSS(`button[data-step="confirm"][data-value="match"]`)),
		chromedp.WaitNotPresent(chromedp.CSS("#step-verify.locked")),
	); err != nil {
		t.Fatal(err)
	}
	browsertest.AxeClean(t, ctx, "the card with its first step done")
	// Work the high hit, with a note; the next card is the medium one, clean.
	if err := browsertest.Within(ctx, 20*time.Second,
		chromedp.Click(chromedp.CSS(`button[data-step="verify"][data-value="wanted"]`)),
		chromedp.WaitNotPresent(chromedp.CSS("#step-disposition.locked")),
		chromedp.Click(chromedp.CSS(`button[data-step="disposition"]`)),
	); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, `document.getElementById("card-error").textContent.includes("Choose a disposition")`, "no preset disposition")
	if err := browsertest.Within(ctx, 20*time.Second,
		chromedp.SetValue(chromedp.CSS("#code"), "confirmed-stop"),
		chromedp.SetValue(chromedp.CSS("#note"), "Driver detained, vehicle towed"),
		chromedp.Click(chromedp.CSS(`button[data-step="disposition"]`)),
	); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, shown+` === "PLMED1"`, "after a disposition the next card is the highest-priority pending hit")
	for expr, want := range map[string]string{
		`document.getElementById("note").value`:                        "",
		`document.getElementById("code").value`:                        "",
		`document.getElementById("card-crop").dataset.for`:             "med1",
		`document.getElementById("card-crop").getAttribute("src")`:     "/crop/r-med1",
		`document.getElementById("card-error").textContent`:            "",
		`document.querySelectorAll("#pending li").length`:              "4",
		`document.querySelector("#pending li").dataset.priority`:       "medium",
		`document.getElementById("step-confirm").className`:            "",
		`document.getElementById("step-disposition").className`:        "locked",
		`document.querySelector("#pending li").textContent.length > 0`: "true",
	} {
		if got := js(t, ctx, expr); got != want {
			t.Errorf("%s = %q, want %q", expr, got, want)
		}
	}
	// The medium hit is a misread: its disposition carries no note of the high one's.
	if err := browsertest.Within(ctx, 20*time.Second,
		chromedp.Click(chromedp.CSS(`button[data-step="confirm"][data-value="misread"]`)),
		chromedp.WaitNotPresent(chromedp.CSS("#step-disposition.locked")),
		chromedp.Click(chromedp.CSS(`button[data-step="disposition"]`)),
	); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, shown+` === "PLLOW3"`, "then the newest low hit")
	sink.mu.Lock()
	defer sink.mu.Unlock()
	var notes []string
	for _, r := range sink.recs {
		notes = append(notes, fmt.Sprintf("%v", r))
	}
	got := strings.Join(notes, "\n")
	if strings.Count(got, "Driver detained") != 1 {
		t.Fatalf("the note was saved %d times:\n%s", strings.Count(got, "Driver detained"), got)
	}
}

// TestOfficerWorksTheCardFromTheKeyboard drives the page as an officer in
// a moving car would: the GPS and camera failures are alarms across the
// page, apart from a list's age; a reload re-sounds the unconfirmed high
// hit; the card is worked with Enter alone, each answered step shows its
// answer and can no longer be pressed; the handled hit stays in the
// shift's history with its disposition; Esc leaves a hit pending.
func TestOfficerWorksTheCardFromTheKeyboard(t *testing.T) {
	s, sink := newServer(t)
	addr := serve(t, s)
	s.Status("gps", "NO GPS FIX: reads carry no position")
	s.Status("camera-rear", "camera rear: stopped")
	s.Status("hotlist-NCIC", "NCIC list 5 minutes old")
	t0 := time.Now()
	for i, id := range []string{"low1", "high1"} {
		h := hit(id, strings.TrimSuffix(id, "1"))
		h.AlertedAt, h.Plate, h.MatchedPlate = t0.Add(time.Duration(i)*time.Second), "PL"+strings.ToUpper(id), "PL"+strings.ToUpper(id)
		if err := s.Hit(h, []byte("crop of "+id)); err != nil {
			t.Fatal(err)
		}
	}
	ctx := browsertest.Start(t)
	shown := `document.getElementById("card-plate").textContent`
	for _, load := range []chromedp.Action[chromedp.Void]{chromedp.Navigate("http://" + addr + "/"), chromedp.Reload()} {
		if err := browsertest.Within(ctx, 30*time.Second, load, chromedp.WaitVisible("#status")); err != nil {
			t.Fatal(err)
		}
		waitFor(t, ctx, shown+` === "PLHIGH1"`, "the high hit has the card")
		waitFor(t, ctx, `document.body.dataset.tones === "1"`, "the unconfirmed high hit sounds on every load")
	}
	for expr, want := range map[string]string{
		`document.getElementById("alarms").textContent.includes("NO GPS FIX")`:              "true",
		`document.getElementById("alarms").textContent.includes("camera rear: stopped")`:    "true",
		`document.getElementById("alarms").textContent.includes("minutes old")`:             "false",
		`document.getElementById("status").textContent.includes("NCIC list 5 minutes old")`: "true",
		`document.getElementById("sound-off").hidden`:                                       "true",
		`document.activeElement.dataset.value`:                                              "match",
		`document.querySelector("#pending li button") !== null`:                             "true",
		// The department's zone (the default, America/Chicago), 24-hour, with its abbreviation.
		`/^\d\d:\d\d:\d\d C[SD]T$/.test(document.getElementById("card-time").textContent)`: "true",
	} {
		if got := js(t, ctx, expr); got != want {
			t.Errorf("%s = %q, want %q", expr, got, want)
		}
	}
	enter := func(what string) {
		t.Helper()
		if err := browsertest.Within(ctx, 10*time.Second, chromedp.KeyEvent("\r")); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	enter("confirm")
	waitFor(t, ctx, `document.getElementById("answer-confirm").textContent === "Answered: yes, it matches"`, "the confirmation shows its answer")
	waitFor(t, ctx, `document.activeElement.dataset.value === "wanted"`, "focus moves to the next step")
	if got := js(t, ctx, `[...document.querySelectorAll("#step-confirm button")].every(b => b.disabled)`); got != "true" {
		t.Fatal("an answered step can still be pressed")
	}
	enter("verify")
	waitFor(t, ctx, `document.getElementById("answer-verify").textContent === "Answered: still wanted"`, "the verification shows its answer")
	waitFor(t, ctx, `document.activeElement.id === "code"`, "focus moves to the disposition")
	if err := browsertest.Within(ctx, 10*time.Second, chromedp.SetValue(chromedp.CSS("#code"), "confirmed-stop"),
		chromedp.Focus(chromedp.CSS(`button[data-step="disposition"]`))); err != nil {
		t.Fatal(err)
	}
	enter("disposition")
	waitFor(t, ctx, shown+` === "PLLOW1"`, "the next pending hit takes the card")
	waitFor(t, ctx, `document.querySelector("#handled li") !== null && document.querySelector("#handled li").textContent.includes("PLHIGH1")`, "the handled hit is in the shift's history")
	label := js(t, ctx, `[...document.getElementById("code").options].find(o => o.value === "confirmed-stop").textContent`)
	if got := js(t, ctx, `document.querySelector("#handled li").textContent`); !strings.Contains(got, label) {
		t.Errorf("history %q does not name the disposition %q", got, label)
	}
	if got := js(t, ctx, `document.getElementById("answer-confirm").textContent`); got != "" {
		t.Errorf("the next card shows the last one's answer %q", got)
	}
	if err := browsertest.Within(ctx, 10*time.Second, chromedp.KeyEvent("\x1b")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, `document.getElementById("card").hidden`, "Esc goes back to the list")
	if got := js(t, ctx, `document.querySelectorAll("#pending li").length`); got != "1" {
		t.Errorf("%s hits pending after Esc, want the low one", got)
	}
	s.Status("gps", "")
	s.Status("camera-rear", "")
	waitFor(t, ctx, `document.getElementById("alarms").children.length === 0 && document.getElementById("status-ok") !== null`, "alarms clear when the GPS and camera are back")
	if steps := strings.Join(sink.steps(), " "); !strings.Contains(steps, "disposition=confirmed-stop") {
		t.Fatalf("steps on the drive: %s", steps)
	}
}

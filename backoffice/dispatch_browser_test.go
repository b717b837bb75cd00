package backoffice

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/plateward/alpr/internal/browsertest"
)

// evalString evaluates an expression in the page.
func evalString(t *testing.T, ctx context.Context, expr string) string {
	t.Helper()
	s, err := browsertest.Eval(ctx, expr)
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return s
}

// TestDispatchBoardInABrowser: the board updates itself without reloading
// the page — a new high-priority hit appears highlighted and sounds while
// the note the dispatcher is typing for another hit stays; after an
// acknowledgement the page is the board again and keeps updating.
func TestDispatchBoardInABrowser(t *testing.T) {
	f := newFixture(t)
	tok := car7Token(t, f)
	at := f.clk.now().Add(-time.Minute).Format(time.RFC3339)
	push := func(id, plate, prio, list string) {
		t.Helper()
		body := `{"id":"` + id + `","alerted_at":"` + at + `","plate":"` + plate + `","matched_plate":"` + plate + `","match_kind":"exact",
			"list_name":"` + list + `","priority":"` + prio + `","reason":"Stolen vehicle","officer":"4127","ncic_number":"R-77","has_fix":true,"lat":38.63,"lon":-90.2}`
		if code := carPost(t, f.srv.URL+"/car/hits", tok, body); code != 202 {
			t.Fatalf("push %s: %d", id, code)
		}
	}
	push("h1", "ABC123", "medium", "LOCAL")
	ctx := browsertest.Start(t)
	loginIn(ctx, t, f.srv.URL, "dispatcher1")
	if err := browsertest.Within(ctx, 30*time.Second, chromedp.Navigate(f.srv.URL+"/dispatch"), chromedp.WaitVisible("#hit-h1"),
		chromedp.SendKeys(`#hit-h1 input[name="note"]`, "unit 12 on the way")); err != nil {
		t.Fatal(err)
	}
	if got := browsertest.Text(ctx, "#hit-h1"); !strings.Contains(got, "record R-77") || strings.Contains(got, "NIC") {
		t.Errorf("a local list's entry: %q, want it called a record, not a NIC", got)
	}
	push("h2", "XYZ789", "high", "NCIC")
	poll := func(expr, what string) {
		t.Helper()
		if err := browsertest.Within(ctx, 15*time.Second, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(14*time.Second))); err != nil {
			t.Fatalf("%s: %v (board: %s)", what, err, browsertest.Text(ctx, "#board"))
		}
	}
	poll(`document.querySelector("#hit-h2.new") !== null`, "a new high hit appears, highlighted, without a reload")
	poll(`document.body.dataset.sounds === "1"`, "and sounds once")
	poll(`document.querySelectorAll("#dispatch-map path.map-point").length === 2 && !document.getElementById("dispatch-map-figure").hidden`,
		"both open hits on the map")
	for expr, want := range map[string]string{
		`document.querySelector('#hit-h1 input[name="note"]').value`: "unit 12 on the way",
		`document.getElementById("open-count").textContent`:          "2",
		`document.querySelector("#board-rows tr").id`:                "hit-h2",
		`performance.getEntriesByType("navigation").length`:          "1",
	} {
		if got := evalString(t, ctx, expr); got != want {
			t.Errorf("%s = %q, want %q", expr, got, want)
		}
	}
	// From the keyboard: the board may move rows under a mouse between two
	// updates, a focused button stays where it is.
	if err := browsertest.Within(ctx, 20*time.Second, chromedp.Focus(`#hit-h1 button`), chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(`#hit-h1[data-acked="yes"]`)); err != nil {
		t.Fatal(err)
	}
	if got := evalString(t, ctx, `location.pathname + location.search`); got != "/dispatch?acked=1" {
		t.Fatalf("after the acknowledgement the page is %s", got)
	}
	if got := browsertest.Text(ctx, "#hit-h1"); !strings.Contains(got, "unit 12 on the way") {
		t.Fatalf("acknowledged row: %q", got)
	}
	push("h3", "QRS456", "low", "NCIC")
	poll(`document.querySelector("#hit-h3") !== null`, "the board keeps updating after an acknowledgement")
	if got := evalString(t, ctx, `document.body.dataset.sounds || "0"`); got != "0" {
		t.Errorf("a low hit sounded (%s)", got)
	}
	poll(`document.getElementById("dispatch-map").dataset.points === "2" && document.querySelectorAll("#dispatch-map path.map-point").length === 2`,
		"the map shows the open hits only: not the acknowledged one")
	browsertest.AxeClean(t, ctx, "the dispatch board with its map")
	browsertest.Shot(t, ctx, "dispatch-board")
}

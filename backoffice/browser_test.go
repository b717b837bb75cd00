package backoffice

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/plateward/alpr/internal/browsertest"
)

// loginIn logs a fresh browser tab in through the login form.
func loginIn(ctx context.Context, t *testing.T, base, user string) {
	t.Helper()
	if err := browsertest.Within(ctx, 30*time.Second,
		chromedp.Navigate(base+"/login"),
		chromedp.SendKeys(`input[name="user"]`, user),
		chromedp.SendKeys(`input[name="password"]`, testPassword),
		chromedp.Click("#login"),
		chromedp.WaitVisible("#daily"),
	); err != nil {
		t.Fatalf("%s: log in: %v", user, err)
	}
}

// searchIn runs a plate search through the search form.
func searchIn(ctx context.Context, t *testing.T, base, plate, reason, caseNo string) {
	t.Helper()
	if err := browsertest.Within(ctx, 30*time.Second,
		chromedp.Navigate(base+"/search"),
		chromedp.SendKeys(`input[name="plate"]`, plate),
		chromedp.SendKeys(`input[name="reason"]`, reason),
		chromedp.SendKeys(`input[name="case"]`, caseNo),
		chromedp.Click("#run"),
		chromedp.WaitVisible("#results"),
	); err != nil {
		t.Fatalf("search for %s: %v", plate, err)
	}
}

// TestBackOfficeInABrowser walks an analyst's plate search in Chromium
// (reason and case, results) and export to another agency, seen in the
// dissemination log; an officer offered no export; IT's audit log showing that search, and a
// records clerk kept from the SQL console.
func TestBackOfficeInABrowser(t *testing.T) {
	f := newFixture(t)
	abcRead(t, f)

	ctx := browsertest.Start(t)
	loginIn(ctx, t, f.srv.URL, "analyst1")
	searchIn(ctx, t, f.srv.URL, "ABC1234", "stolen vehicle follow-up", "26-4471")
	if got := browsertest.Text(ctx, "#count"); !strings.HasPrefix(got, "1 read of ABC1234 (case 26-4471") {
		t.Errorf("result count %q", got)
	}
	if got := browsertest.Text(ctx, "#results tbody tr"); !strings.Contains(got, "2026-11-19 08:30:00 CST") || !strings.Contains(got, "car7") {
		t.Errorf("result row %q: want the read in the department's time", got)
	}

	// The analyst exports the results to another agency; the export is in
	// the dissemination log.
	if err := browsertest.Within(ctx, 30*time.Second,
		chromedp.SendKeys(`#export input[name="recipient"]`, "Boone County Sheriff"),
		chromedp.SendKeys(`#export input[name="purpose"]`, "burglary series"),
		chromedp.Click(`#export input[value="law-enforcement-investigative"]`),
		chromedp.Click("#export-csv"),
	); err != nil {
		t.Fatalf("export: %v", err)
	}
	// The CSV downloads in the background: wait until the server has
	// handled it before leaving the page, or the navigation cancels it.
	for i := 0; i < 300; i++ {
		if log, err := f.store.Disseminations(context.Background(), 0); err == nil && len(log) > 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := browsertest.Within(ctx, 30*time.Second, chromedp.Navigate(f.srv.URL+"/disseminations"), chromedp.WaitVisible("#dissem")); err != nil {
		t.Fatalf("dissemination log: %v", err)
	}
	logRow := browsertest.Text(ctx, "#dissem tbody")
	if !strings.Contains(logRow, "Boone County Sheriff") || !strings.Contains(logRow, "law enforcement, investigative") ||
		!strings.Contains(logRow, "26-4471") {
		t.Errorf("dissemination log %q: want the analyst's export", logRow)
	}

	officer := browsertest.Start(t)
	loginIn(officer, t, f.srv.URL, "officer1")
	searchIn(officer, t, f.srv.URL, "ABC1234", "hit follow-up", "26-4472")
	if got := browsertest.Text(officer, "main"); strings.Contains(got, "Export these results") {
		t.Error("an officer is offered an export")
	}

	it := browsertest.Start(t)
	loginIn(it, t, f.srv.URL, "it1")
	if err := browsertest.Within(it, 30*time.Second, chromedp.Navigate(f.srv.URL+"/audit?case=26-4471"), chromedp.WaitVisible("#audit")); err != nil {
		t.Fatalf("audit page: %v", err)
	}
	if got := browsertest.Text(it, "#audit tbody"); !strings.Contains(got, "analyst1") || !strings.Contains(got, "search.plate") ||
		!strings.Contains(got, "export.plate") ||
		!strings.Contains(got, "stolen vehicle follow-up") {
		t.Errorf("audit row %q: want the analyst's search and export", got)
	}
	if got := browsertest.Text(it, "#chain"); !strings.Contains(got, "entries verify") {
		t.Errorf("chain %q", got)
	}

	clerk := browsertest.Start(t)
	loginIn(clerk, t, f.srv.URL, "clerk1")
	nav := browsertest.Text(clerk, "header")
	if strings.Contains(nav, "SQL console") || strings.Contains(nav, "Search") {
		t.Errorf("clerk's menu offers %q", nav)
	}
	if err := browsertest.Within(clerk, 10*time.Second, chromedp.Navigate(f.srv.URL+"/sql")); err != nil {
		t.Fatal(err)
	}
	body := browsertest.Text(clerk, "body")
	if !strings.Contains(body, "A clerk may not use this page") || !strings.Contains(body, "Back to your dashboard") {
		t.Errorf("clerk at /sql saw %q", body)
	}
}

// TestResultsSortAndFilterInABrowser: an analyst's results sort by a
// column from its header's button (again: reversed, and aria-sort says
// which) and a filter field hides the rows without what is typed.
func TestResultsSortAndFilterInABrowser(t *testing.T) {
	f := newFixture(t)
	for i, cam := range []string{"rear", "front", "left"} {
		if _, err := f.store.DB().Exec(`INSERT INTO reads (id, captured_at, plate, plate_key, confidence, camera, vehicle, officer,
			gps_fix, source_file, loaded_at) VALUES (?, ?, 'ABC1234', 'A8C1234', 0.9, ?, ?, '4127', false, 'f', now())`,
			fmt.Sprintf("r%d", i), time.Date(2026, 11, 19, 14, i, 0, 0, time.UTC), cam, fmt.Sprintf("car%d", 7+i)); err != nil {
			t.Fatal(err)
		}
	}
	ctx := browsertest.Start(t)
	loginIn(ctx, t, f.srv.URL, "analyst1")
	searchIn(ctx, t, f.srv.URL, "ABC1234", "sorting check", "26-0002")
	cams := `[...document.querySelectorAll("#results tbody tr")].filter(r => !r.hidden).map(r => r.cells[4].textContent).join(" ")`
	if got, _ := browsertest.Eval(ctx, cams); got != "left front rear" {
		t.Fatalf("results as they come %q, want newest first", got)
	}
	for _, want := range []struct{ order, sort string }{{"front left rear", "ascending"}, {"rear left front", "descending"}} {
		if err := browsertest.Within(ctx, 10*time.Second, chromedp.Click(`#results th:nth-child(5) button`)); err != nil {
			t.Fatal(err)
		}
		got, _ := browsertest.Eval(ctx, cams)
		aria, _ := browsertest.Eval(ctx, `document.querySelector("#results th:nth-child(5)").getAttribute("aria-sort")`)
		if got != want.order || aria != want.sort {
			t.Errorf("sorted by camera: %q (%s), want %q (%s)", got, aria, want.order, want.sort)
		}
	}
	if err := browsertest.Within(ctx, 10*time.Second, chromedp.SendKeys(`input.filter`, "car8")); err != nil {
		t.Fatal(err)
	}
	if got, _ := browsertest.Eval(ctx, cams); got != "front" {
		t.Errorf("filtered on car8: %q", got)
	}
	if said := browsertest.Text(ctx, `p span[role="status"]`); said != "1 of 3 rows shown" {
		t.Errorf("the filter says %q", said)
	}
}

// abcRead stores the browser tests' read: ABC1234 by car7's front camera
// on 2026-11-19 at 14:30 UTC, with a position.
func abcRead(t *testing.T, f *fixture) {
	t.Helper()
	at := time.Date(2026, 11, 19, 14, 30, 0, 0, time.UTC)
	if _, err := f.store.DB().Exec(`INSERT INTO reads (id, captured_at, plate, plate_key, confidence, camera, vehicle, officer,
		gps_fix, lat, lon, source_file, loaded_at) VALUES ('r1', ?, 'ABC1234', 'A8C1234', 0.93, 'front', 'car7', '4127', true,
		38.95, -92.33, 'f', now())`, at); err != nil {
		t.Fatal(err)
	}
}

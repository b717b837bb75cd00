package backoffice

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plateward/alpr/analytics"
)

// TestTodosPerRole: each role's dashboard lists the work it may act on,
// what waits first, and nothing it may not open.
func TestTodosPerRole(t *testing.T) {
	w := waiting{work: analytics.Work{OpenDispatch: 2, RetroUnreviewed: 0, HoldsEnding: 1, Authorisations: 3, AuthorisationsSoon: 1},
		undisposed: 4, failures: 0, stale: 1}
	for _, tc := range []struct {
		role Role
		want string // href and whether due, in order
	}{
		{Supervisor, "/hits! /dispatch! /retro"},
		{Chief, "/hits! /dispatch! /records! /authorisations!"},
		{Analyst, "/retro"},
		{Dispatcher, "/dispatch!"},
		{Clerk, "/records!"},
		{IT, "/hotlists! /audit"},
		{Officer, "/search"},
	} {
		t.Run(string(tc.role), func(t *testing.T) {
			var got []string
			for _, d := range todos(tc.role, w) {
				s := d.Href
				if d.Due {
					s += "!"
				}
				got = append(got, s)
				if !Allowed(tc.role, Route("GET "+d.Href)) {
					t.Errorf("links to %s, which it may not open", d.Href)
				}
			}
			if strings.Join(got, " ") != tc.want {
				t.Errorf("todos %q, want %q", strings.Join(got, " "), tc.want)
			}
		})
	}
	if got := todos(Supervisor, w)[0].Text; got != "4 hits of the last 14 days without a disposition (order C.2b): enter a late disposition" {
		t.Errorf("supervisor's first line %q", got)
	}
}

// The dispatcher's dashboard counts the board's open hits and links to it.
func TestDashboardCountsTheWork(t *testing.T) {
	f := newFixture(t)
	if _, err := f.store.DB().Exec(`INSERT INTO dispatch_hits (id, vehicle, alerted_at, plate, matched_plate, match_kind, list_name, priority, reason, has_fix, received_at)
		VALUES ('h1', 'car7', ?, 'ABC1234', 'ABC1234', 'exact', 'NCIC', 'high', 'Stolen vehicle', false, ?)`, f.clk.now().Add(-time.Minute), f.clk.now()); err != nil {
		t.Fatal(err)
	}
	c := f.client(t)
	f.login(t, c, "dispatcher1", testPassword)
	code, body, _ := get(t, c, f.srv.URL+"/")
	if code != http.StatusOK || !strings.Contains(body, `<li class="due"><a href="/dispatch">1 hit on the dispatch board not yet acknowledged</a>`) {
		t.Fatalf("dashboard %d:\n%s", code, body)
	}
	if strings.Contains(body, "ABC1234") {
		t.Error("the dashboard shows a plate: counts only")
	}
}

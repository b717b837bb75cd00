package boss

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// IT's audit page shows the cars' failed self-checks, login problems, and
// the audit log filtered by day.
func TestAuditPageShowsEquipmentFailuresAndLoginProblems(t *testing.T) {
	f := newFixture(t)
	now := f.clk.now()
	if _, err := f.store.DB().Exec(`INSERT INTO shift_events (id, shift_id, event_at, event, officer, vehicle, selfcheck_ok, detail, source_file, loaded_at)
		VALUES ('e1', 's1', ?, 'selfcheck', '4127', 'car7', false, 'rear: image black (mean 3)', 'f', ?),
		       ('e2', 's1', ?, 'selfcheck', '4127', 'car7', true, 'front: ok', 'f', ?)`, now.Add(-time.Hour), now, now.Add(-time.Hour), now); err != nil {
		t.Fatal(err)
	}
	bad := f.client(t)
	_, _, tok := get(t, bad, f.srv.URL+"/login")
	post(t, bad, f.srv.URL+"/login", url.Values{"csrf": {tok}, "user": {"clerk1"}, "password": {"wrong"}})
	it := f.client(t)
	f.login(t, it, "it1", testPassword)
	code, body, _ := get(t, it, f.srv.URL+"/audit")
	if code != http.StatusOK || !strings.Contains(body, "rear: image black (mean 3)") || strings.Contains(body, "front: ok") {
		t.Fatalf("equipment section %d:\n%s", code, body)
	}
	if !strings.Contains(body, "<td>clerk1</td><td>login.failed</td>") {
		t.Fatalf("login problems section:\n%s", body)
	}
	// The audit log table (after the two summaries) honours the days.
	logTable := func(body string) string { _, tbl, _ := strings.Cut(body, `id="audit"`); return tbl }
	today := now.In(f.store.Location()).Format("2006-01-02")
	if _, body, _ = get(t, it, f.srv.URL+"/audit?action=login&from="+today+"&to="+today); !strings.Contains(logTable(body), "login.failed") {
		t.Fatal("the day filter lost today's entries")
	}
	if _, body, _ = get(t, it, f.srv.URL+"/audit?action=login&from=2020-01-01&to=2020-01-02"); strings.Contains(logTable(body), "login.failed") {
		t.Fatal("the day filter kept another day's entries")
	}
	if code, _, _ = get(t, it, f.srv.URL+"/audit?from=yesterday"); code != http.StatusOK {
		t.Fatalf("a bad date: %d", code)
	}
}

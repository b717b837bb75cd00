package backoffice

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
	if _, body, _ = get(t, it, f.srv.URL+"/audit?reason=BACK+office"); !strings.Contains(logTable(body), "login.failed") {
		t.Fatal("the reason filter lost the entries whose reason contains it")
	}
	if _, body, _ = get(t, it, f.srv.URL+"/audit?reason=robbery"); strings.Contains(logTable(body), "login.failed") {
		t.Fatal("the reason filter kept entries of another reason")
	}
	if code, _, _ = get(t, it, f.srv.URL+"/audit?from=yesterday"); code != http.StatusOK {
		t.Fatalf("a bad date: %d", code)
	}
}

// The dashboard counts each car's reads, hits without disposition and
// failed self-checks.
func TestDashboardPerCar(t *testing.T) {
	f := newFixture(t)
	now := f.clk.now()
	for _, q := range []string{
		`INSERT INTO reads (id, captured_at, plate, plate_key, camera, vehicle, source_file, loaded_at) VALUES ('r1', $1, 'A1', 'A1', 'front', 'car7', 'f', $1), ('r2', $1, 'A2', 'A2', 'front', 'car7', 'f', $1), ('r3', $1, 'A3', 'A3', 'front', 'car9', 'f', $1)`,
		`INSERT INTO hits (id, read_id, alerted_at, plate, matched_plate, match_kind, list_name, list_code, priority, reason, covert, vehicle, source_file, loaded_at)
			VALUES ('h1', 'r1', $1, 'A1', 'A1', 'exact', 'NCIC', 'V', 'high', 'Stolen', false, 'car7', 'f', $1)`,
		`INSERT INTO shift_events (id, shift_id, event_at, event, vehicle, selfcheck_ok, source_file, loaded_at) VALUES ('e1', 's', $1, 'selfcheck', 'car9', false, 'f', $1)`,
	} {
		if _, err := f.store.DB().Exec(q, now.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	c := f.client(t)
	f.login(t, c, "supervisor1", testPassword)
	_, body, _ := get(t, c, f.srv.URL+"/")
	for _, want := range []string{"1 hits without a disposition (order C.2b), 1 failed camera self-checks",
		`<tr><td>car7</td><td class="n">2</td>`, `<tr><td>car9</td><td class="n">1</td>`} {
		if !strings.Contains(body, want) {
			t.Fatalf("dashboard lacks %q:\n%s", want, body)
		}
	}
}

package backoffice

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// scrape reads one metric's value from a /metrics page (-1 if absent).
func scrape(t *testing.T, body, metric string) float64 {
	t.Helper()
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(metric) + ` ([0-9.e+-]+)$`)
	m := re.FindStringSubmatch(body)
	if m == nil {
		return -1
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestMetricsAreScraped: requests are counted and timed by route, the
// store's counts (searches by kind, audit entries, ingest, destruction,
// jobs, hot lists, hits without disposition) are read at scrape time, and
// the health and readiness answers are served beside them, apart from the
// app.
func TestMetricsAreScraped(t *testing.T) {
	f := newFixture(t)
	m := NewMetrics(f.store)
	// An app with metrics on the fixture's store and accounts.
	o := DefaultOptions()
	o.Now, o.Metrics = f.clk.now, m
	app, err := New(f.store, f.users, o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app)
	defer srv.Close()
	mon := httptest.NewServer(MetricsHandler(m, f.store))
	defer mon.Close()
	ctx := context.Background()
	db := f.store.DB()
	for _, q := range []string{
		`INSERT INTO ingest_manifest VALUES ('s1', 'reads-car1-1.arrows', 'reads', 120, true, NULL, now()), ('s2', 'hits-car1-2.arrows', 'hits', 2, true, NULL, now())`,
		`INSERT INTO ingest_quarantine VALUES ('s3', 'bad.arrows', 'torn', 'quarantine/bad.arrows', now())`,
		`INSERT INTO destruction_log VALUES ('d1', 'r1', now(), 'reads', DATE '2026-05-01', 40, 0, 1, 'job', 'v1', 'x')`,
		`INSERT INTO job_runs VALUES ('retention-purge', now(), now(), now(), false, true, 'ok'), ('retention-purge', now(), now(), now(), false, false, 'disk full')`,
		`INSERT INTO hits (id, read_id, alerted_at, plate, matched_plate, match_kind, list_name, list_code, priority, reason, covert, source_file, loaded_at)
			VALUES ('h1', 'r1', now(), 'ABC123', 'ABC123', 'exact', 'NCIC', 'V', 'high', 'Stolen', false, 'f', now())`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	c := f.client(t)
	fx := &fixture{srv: srv, store: f.store, users: f.users, clk: f.clk}
	_, tok := fx.login(t, c, "analyst1", testPassword)
	for range 2 {
		if code, _ := post(t, c, srv.URL+"/search", url.Values{"csrf": {tok}, "plate": {"ABC123"}, "reason": {"stolen vehicle"}, "case": {"26-1234"}}); code != http.StatusOK {
			t.Fatalf("search answered %d", code)
		}
	}
	if code, _, _ := get(t, c, srv.URL+"/dispatch/..%2Fusers"); code != http.StatusBadRequest {
		t.Fatalf("a bad address answered %d", code)
	}
	resp, err := http.Get(mon.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	body := string(b)
	for metric, want := range map[string]float64{
		`alpr_http_requests_total{code="2xx",route="POST /search"}`:      2,
		`alpr_http_requests_total{code="4xx",route="none"}`:              1,
		`alpr_http_request_duration_seconds_count{route="POST /search"}`: 2,
		`alpr_audit_entries_total{action="search.plate"}`:                2,
		`alpr_ingest_files_total{kind="reads"}`:                          1,
		`alpr_ingest_rows_total{kind="reads"}`:                           120,
		`alpr_ingest_quarantined_files_total`:                            1,
		`alpr_destroyed_records_total{series="reads"}`:                   40,
		`alpr_job_runs_total{job="retention-purge",result="failed"}`:     1,
		`alpr_job_runs_total{job="retention-purge",result="ok"}`:         1,
		`alpr_hits_without_disposition`:                                  1,
		`alpr_store_stats_up`:                                            1,
	} {
		if got := scrape(t, body, metric); got != want {
			t.Errorf("%s = %g, want %g", metric, got, want)
		}
	}
	if !strings.Contains(body, `alpr_audit_entries_total{action="login"}`) || !strings.Contains(body, "go_goroutines") {
		t.Errorf("login audit or Go runtime metrics missing:\n%s", body)
	}
	if strings.Contains(body, "ABC123") || strings.Contains(body, "26-1234") {
		t.Fatal("a record value or a case number is in the metrics")
	}
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200} {
		r, err := http.Get(mon.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != want {
			t.Errorf("%s answered %d", path, r.StatusCode)
		}
	}
	// The monitoring listener is not the app: no page of the app there.
	r, err := http.Get(mon.URL + "/search")
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusNotFound {
		t.Fatalf("the app on the monitoring listener answered %d", r.StatusCode)
	}
}

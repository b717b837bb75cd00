package benchmarks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/backoffice"
)

// ServeResult is the back-office load benchmark's figures.
type ServeResult struct {
	Reads     int     `json:"reads"`
	Analysts  int     `json:"analysts"`
	DurationS float64 `json:"duration_s"`
	Requests  int     `json:"requests"`
	Errors    int     `json:"errors"`
	PerS      float64 `json:"requests_per_s"`
	P50Ms     float64 `json:"latency_ms_p50"`
	P95Ms     float64 `json:"latency_ms_p95"`
	P99Ms     float64 `json:"latency_ms_p99"`
	FillS     float64 `json:"fill_s"`
	FirstErr  string  `json:"first_error,omitempty"`
}

// ServeOptions sizes the benchmark.
type ServeOptions struct {
	Dir      string        // scratch directory for the store
	Reads    int           // reads in the store
	Analysts int           // concurrent logged-in analysts
	Duration time.Duration // how long they search
	Seed     uint64
}

// distinctPlates is how many plates the generated reads carry: about ten
// reads a plate at 10 M reads, as a patrolled city's repeat sightings.
func distinctPlates(reads int) int { return max(1, reads/10) }

// fillStore writes n synthetic reads over 180 days with SQL inside DuckDB.
func fillStore(ctx context.Context, st *analytics.Store, n int, end time.Time) error {
	_, err := st.DB().ExecContext(ctx, `INSERT INTO reads (id, captured_at, plate, plate_key, confidence, camera, vehicle, officer,
		gps_fix, lat, lon, source_file, loaded_at)
		SELECT 'r' || i, ?::TIMESTAMPTZ - to_seconds((hash(i) % (180*86400))::BIGINT),
		       'P' || lpad((hash(i * 7) % ?)::VARCHAR, 6, '0') AS p, p, 0.9, 'front', 'car' || (i % 40), 'o' || (i % 90),
		       true, 38.9 + (hash(i * 3) % 1000) / 10000.0, -92.3 - (hash(i * 5) % 1000) / 10000.0, 'bench', now()
		FROM range(?) t(i)`, end, distinctPlates(n), n)
	return err
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// analyst is one logged-in browser of the benchmark.
type analyst struct {
	c    *http.Client
	base string
	csrf string
}

func (a *analyst) do(req func() (*http.Response, error), want string) error {
	resp, err := req()
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("status %d: %.200s", resp.StatusCode, b)
	}
	if m := csrfRe.FindSubmatch(b); m != nil {
		a.csrf = string(m[1])
	}
	if want != "" && !strings.Contains(string(b), want) {
		return fmt.Errorf("answer lacks %q", want)
	}
	return nil
}

func login(base, user, pw string) (*analyst, error) {
	jar, _ := cookiejar.New(nil)
	a := &analyst{base: base, c: &http.Client{Jar: jar, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if err := a.do(func() (*http.Response, error) { return a.c.Get(base + "/login") }, ""); err != nil {
		return nil, err
	}
	if err := a.do(func() (*http.Response, error) {
		return a.c.PostForm(base+"/login", url.Values{"csrf": {a.csrf}, "user": {user}, "password": {pw}})
	}, ""); err != nil {
		return nil, err
	}
	return a, a.do(func() (*http.Response, error) { return a.c.Get(base + "/search") }, "")
}

// Serve fills a store with o.Reads reads, starts the back office on
// loopback, logs o.Analysts analysts in, and has them run a mix of
// searches back to back for o.Duration: four in five a plate search
// (the day's main question), one in five an SQL console count by car.
// Every request is timed from send to full answer; any non-200 answer,
// or one without the expected result line, is an error.
func Serve(ctx context.Context, o ServeOptions) (ServeResult, error) {
	res := ServeResult{Reads: o.Reads, Analysts: o.Analysts}
	if o.Reads < 1 || o.Analysts < 1 || o.Duration <= 0 {
		return res, errors.New("bench serve: reads, analysts and duration must be positive")
	}
	st, err := analytics.Open(ctx, analytics.DefaultOptions(o.Dir))
	if err != nil {
		return res, err
	}
	defer st.Close()
	now := time.Now()
	t0 := time.Now()
	if err := fillStore(ctx, st, o.Reads, now); err != nil {
		return res, fmt.Errorf("fill store: %w", err)
	}
	res.FillS = time.Since(t0).Seconds()
	users, err := backoffice.OpenUsers(o.Dir)
	if err != nil {
		return res, err
	}
	const pw = "benchmark passphrase"
	for i := range o.Analysts {
		name := fmt.Sprintf("analyst%02d", i)
		if _, err := users.Create(backoffice.User{Name: name, Role: backoffice.Analyst, TrainedOn: "2026-01-01"}, now); err != nil {
			return res, err
		}
		if err := users.SetPassword(name, pw); err != nil {
			return res, err
		}
	}
	bo := backoffice.DefaultOptions()
	bo.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	bo.LoginsPerMinute = o.Analysts + 10 // every analyst logs in from the one loopback address
	app, err := backoffice.New(st, users, bo)
	if err != nil {
		return res, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return res, err
	}
	srv := &http.Server{Handler: app, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }() // ends with srv.Close below
	defer srv.Close()
	base := "http://" + ln.Addr().String()

	var mu sync.Mutex
	var lat []float64
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(o.Duration)
	for i := range o.Analysts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fail := func(err error) {
				mu.Lock()
				defer mu.Unlock()
				res.Errors++
				if res.FirstErr == "" {
					res.FirstErr = err.Error()
				}
			}
			a, err := login(base, fmt.Sprintf("analyst%02d", i), pw)
			if err != nil {
				fail(fmt.Errorf("login: %w", err))
				return
			}
			rng := rand.New(rand.NewPCG(o.Seed, uint64(i))) //nolint:gosec // i is a non-negative worker index
			for time.Now().Before(deadline) && ctx.Err() == nil {
				p := fmt.Sprintf("P%06d", rng.IntN(distinctPlates(o.Reads)))
				form := url.Values{"csrf": {a.csrf}, "reason": {"benchmark"}, "case": {fmt.Sprintf("B-%d", i)}}
				path, want := "/search", "reads of "+p
				if rng.IntN(5) == 0 {
					path, want = "/sql", `id="results"`
					form.Set("query", fmt.Sprintf("SELECT vehicle, count(*) AS n FROM reads WHERE plate = '%s' GROUP BY vehicle", p))
				} else {
					form.Set("plate", p)
				}
				t := time.Now()
				err := a.do(func() (*http.Response, error) { return a.c.PostForm(base+path, form) }, want)
				ms := float64(time.Since(t).Microseconds()) / 1000
				if err != nil {
					fail(err)
					continue
				}
				mu.Lock()
				lat = append(lat, ms)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	res.DurationS = time.Since(start).Seconds()
	res.Requests = len(lat) + res.Errors
	res.PerS = float64(len(lat)) / res.DurationS
	res.P50Ms, res.P95Ms, res.P99Ms = percentile(lat, 50), percentile(lat, 95), percentile(lat, 99)
	return res, nil
}

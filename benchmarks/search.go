package benchmarks

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/fixtures"
)

// SearchStat is one search type's latency.
type SearchStat struct {
	P50Ms float64 `json:"p50_ms"`
	P95Ms float64 `json:"p95_ms"`
}

// SearchResult is the investigations benchmark's figures; the JSON keys
// are fixed by the benchmark's contract.
type SearchResult struct {
	Reads    int        `json:"reads"`
	DBBytes  int64      `json:"db_bytes"`
	Plate    SearchStat `json:"plate"`
	Partial  SearchStat `json:"partial"`
	Misread  SearchStat `json:"misread"`
	Stakeout SearchStat `json:"stakeout"`
	Locate   SearchStat `json:"locate"`
	Convoy   SearchStat `json:"convoy"`
	Hits     SearchStat `json:"hits"`
	// Retro is a hot list's retro hits: RetroPlates plates at once, over
	// the whole store (absent from reports written before it was measured).
	Retro       *SearchStat `json:"retro,omitempty"`
	RetroPlates int         `json:"retro_plates,omitempty"`
	Days        int         `json:"days,omitempty"` // the reads span this many days
	FillS       float64     `json:"fill_s,omitempty"`
	// ConvoyReads is how many reads the convoy targets had on average.
	ConvoyReads float64 `json:"convoy_reads,omitempty"`
}

// SearchOptions sizes the benchmark.
type SearchOptions struct {
	Dir      string // scratch directory for the store
	Reads    int
	Queries  int // timed queries of each type, after one untimed
	Days     int // the reads span this many days; 0: the city's default
	Seed     uint64
	Progress func(done int) // told the reads generated so far
}

// The windows each search is asked for, as an investigator would ask.
const (
	benchRecentDays = 30 // partial, misread and the hit audit: the last month
)

// Search generates a city of o.Reads reads (fixtures.City) in a fresh
// on-disk store and times each investigative search o.Queries times with
// arguments drawn from the data: exact plate and locate over the whole
// store; partial (two characters unknown) and misread-tolerant over the
// last 30 days; a 1 km stakeout over one day; convoy for plates with about
// 50 reads; the hit audit (hits without a disposition) over the last 30
// days. Each query goes through the same audited function the back office
// calls, audit entry included.
func Search(ctx context.Context, o SearchOptions) (SearchResult, error) {
	res := SearchResult{Reads: o.Reads}
	if o.Reads < 1000 || o.Queries < 1 {
		return res, fmt.Errorf("bench search: at least 1000 reads and one query")
	}
	st, err := analytics.Open(ctx, analytics.DefaultOptions(o.Dir))
	if err != nil {
		return res, err
	}
	defer st.Close()
	end := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	co := fixtures.DefaultCityOptions(o.Reads, end)
	co.Seed = o.Seed
	if o.Days > 0 {
		co.Days = o.Days
	}
	res.Days = co.Days
	t0 := time.Now()
	if err := fixtures.City(ctx, st, co, o.Progress); err != nil {
		return res, err
	}
	res.FillS = time.Since(t0).Seconds()
	if fi, err := os.Stat(filepath.Join(o.Dir, analytics.DBFile)); err == nil {
		res.DBBytes = fi.Size()
	}

	rng := rand.New(rand.NewPCG(o.Seed, 11))
	n := o.Queries + 1
	plates, err := samplePlates(ctx, st, n, 1, 1<<30)
	if err != nil {
		return res, err
	}
	convoys, err := samplePlates(ctx, st, n, 40, 60)
	if err != nil {
		return res, err
	}
	// A state list's day of new entries: retroPlates plates, drawn
	// from the store (so that each finds its reads) at a fresh offset per
	// query.
	retro, err := samplePlates(ctx, st, retroPlates+n, 1, 1<<30)
	if err != nil {
		return res, err
	}
	res.Retro, res.RetroPlates = &SearchStat{}, min(retroPlates, len(retro))
	acc := analytics.Access{User: "bench", Reason: "benchmark", Case: "BENCH-1"}
	all := analytics.Window{}
	recent := analytics.Window{From: end.AddDate(0, 0, -benchRecentDays), To: end}
	now := time.Now()
	type kind struct {
		stat *SearchStat
		run  func(i int) (int, error)
	}
	kinds := []kind{
		{&res.Plate, func(i int) (int, error) {
			rs, err := st.PlateReads(ctx, acc, analytics.PlateQuery{Plate: plates[i%len(plates)]}, now)
			return len(rs), err
		}},
		{&res.Partial, func(i int) (int, error) {
			p := []byte(plates[i%len(plates)])
			p[1], p[4] = '?', '?'
			rs, err := st.PartialReads(ctx, acc, string(p), recent, 0, now)
			return len(rs), err
		}},
		{&res.Misread, func(i int) (int, error) {
			rs, err := st.MisreadReads(ctx, acc, plates[i%len(plates)], recent, 0, now)
			return len(rs), err
		}},
		{&res.Stakeout, func(int) (int, error) {
			day := end.AddDate(0, 0, -1-rng.IntN(co.Days-1))
			lat := co.Lat + float64(rng.IntN(200)-100)*0.0009
			rs, err := st.Stakeout(ctx, acc, analytics.StakeoutQuery{Lat: lat, Lon: co.Lon + (rng.Float64()-0.5)*0.2, RadiusM: 1000,
				Window: analytics.Window{From: day, To: day.Add(24 * time.Hour)}}, now)
			return len(rs), err
		}},
		{&res.Locate, func(i int) (int, error) {
			s, err := st.Locate(ctx, acc, plates[i%len(plates)], all, now)
			return len(s.Places), err
		}},
		{&res.Convoy, func(i int) (int, error) {
			as, err := st.Convoy(ctx, acc, analytics.ConvoyQuery{Plate: convoys[i%len(convoys)], Within: time.Minute, MinTimes: 2}, now)
			return len(as), err
		}},
		{res.Retro, func(i int) (int, error) {
			from := i % max(1, len(retro)-res.RetroPlates+1)
			rs, err := st.RetroHits(ctx, acc, retro[from:from+res.RetroPlates], all, 0, now)
			return len(rs), err
		}},
		{&res.Hits, func(int) (int, error) {
			hs, err := st.HitsWithoutDisposition(ctx, acc, recent, "", "", "", now)
			return len(hs), err
		}},
	}
	for _, k := range kinds {
		var ms []float64
		for i := range n {
			t := time.Now()
			if _, err := k.run(i); err != nil {
				return res, err
			}
			if i > 0 { // the first warms the caches
				ms = append(ms, float64(time.Since(t).Microseconds())/1000)
			}
		}
		k.stat.P50Ms, k.stat.P95Ms = percentile(ms, 50), percentile(ms, 95)
	}
	var sum int
	for _, p := range convoys {
		var c int
		if err := st.DB().QueryRowContext(ctx, "SELECT count(*) FROM reads WHERE plate = ?", p).Scan(&c); err != nil {
			return res, err
		}
		sum += c
	}
	res.ConvoyReads = float64(sum) / float64(len(convoys))
	return res, nil
}

// retroPlates is the size of the hot-list update the retro search is
// timed on (issue goal: a 1,000-plate list in 5 s).
const retroPlates = 1000

// samplePlates draws n plates (repeating if the store has fewer) among
// those read between lo and hi times.
func samplePlates(ctx context.Context, st *analytics.Store, n, lo, hi int) ([]string, error) {
	rows, err := st.DB().QueryContext(ctx, `SELECT plate FROM (SELECT plate FROM reads GROUP BY plate HAVING count(*) BETWEEN ? AND ?)
		ORDER BY hash(plate) LIMIT ?`, lo, hi, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("bench search: no plate read %d–%d times", lo, hi)
	}
	return out, nil
}

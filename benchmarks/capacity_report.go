package benchmarks

import (
	"fmt"
	"math"
	"strings"
)

// The capacity table's assumptions: how many reads a day a car and a fixed
// camera make. They are not Plateward's to measure — they are the
// department's traffic — so the table says so and gives the rows for a
// range of fleets; a department replaces them with its own count (the
// station's alpr_ingest_rows_total, or the cars' alpr_edge_reads_total).
const (
	carReadsPerDay   = 2_500  // a patrol car with three cameras over two shifts
	fixedReadsPerDay = 10_000 // a fixed camera on a busy road
	retentionDays    = 183    // six months, the order's retention
)

// CapacityFleet is one row of the capacity table.
type CapacityFleet struct {
	Cars, Fixed int
}

// capacityFleets are the table's rows: a small department to a large city's.
var capacityFleets = []CapacityFleet{{10, 0}, {25, 5}, {50, 10}, {100, 20}, {200, 20}, {400, 40}}

// CapacityRow is a fleet's six months, in the measured store's terms.
type CapacityRow struct {
	Fleet                   CapacityFleet
	ReadsPerDay             int
	Reads                   int     // in six months
	DBGB, ImagesGB, TotalGB float64 // on disk after six months
	Measured                bool    // no more reads than the measured store held
}

// CapacityRows turns the measured store into the table: per-read bytes of
// the database (from the store at c.Search.Reads) and of a crop (c.CropBytes).
func CapacityRows(c *CapacityResult) []CapacityRow {
	dbPerRead := float64(c.Search.DBBytes) / float64(c.Search.Reads)
	var out []CapacityRow
	for _, f := range capacityFleets {
		perDay := f.Cars*carReadsPerDay + f.Fixed*fixedReadsPerDay
		n := perDay * retentionDays
		db, img := float64(n)*dbPerRead/1e9, float64(n)*c.CropBytes/1e9
		out = append(out, CapacityRow{Fleet: f, ReadsPerDay: perDay, Reads: n, DBGB: db, ImagesGB: img, TotalGB: db + img, Measured: n <= c.Search.Reads})
	}
	return out
}

// capacityMarkdown is the report's capacity section.
func capacityMarkdown(c *CapacityResult, ingest *IngestResult) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	s := c.Search
	p("\n## A department's capacity\n\n")
	p("Measured separately, not in this run: `alpr bench capacity --reads %d --days %d` on %s, commit `%s`, %s, took %.0f min (`benchmarks/capacity.json`). ",
		s.Reads, s.Days, c.Started.UTC().Format("2006-01-02 15:04 MST"), c.Commit, c.Machine, c.Took/60)
	p("A generated city of %s reads over %d days — six months of a large department, every read in one store — filled in %.0f min (%s reads/s, index built at the end), %.1f MB a million reads on disk (%.1f GB); peak memory of the whole run %.1f GB. Each search %s: p50 and p95 of the timed runs, through the audited function the back office calls.\n\n",
		millions(s.Reads), s.Days, s.FillS/60, thousands(float64(s.Reads)/math.Max(s.FillS, 1e-9)), float64(s.DBBytes)/1e6/(float64(s.Reads)/1e6), float64(s.DBBytes)/1e9, c.PeakRSSMB/1024, "run 20 times after one untimed")
	p("| search | asked for | p50 ms | p95 ms | goal ms | goal met |\n|---|---|---|---|---|---|\n")
	for _, x := range SearchRows(&s) {
		goal, met := "—", "—"
		if x.Goal > 0 {
			goal, met = fmt.Sprint(x.Goal), "no"
			if x.Stat.P95Ms <= float64(x.Goal) {
				met = "yes"
			}
		}
		p("| %s | %s | %.1f | %.1f | %s | %s |\n", x.Name, x.What, x.Stat.P50Ms, x.Stat.P95Ms, goal, met)
	}
	p("\n### Sizing a station\n\n")
	p("Per read, measured: %.0f bytes in the database (the store above) and %.1f KB of plate crop (JPEG quality 90 of the crop area, as the car stores it, over the %d labelled scenes of the development half). ", float64(s.DBBytes)/float64(s.Reads), c.CropBytes/1e3, c.CropImages)
	p("Reads a day are the department's traffic, not ours to measure: the table assumes %s reads a day a patrol car and %s a fixed camera — replace them with the station's own count (`alpr_ingest_rows_total` on `/metrics`). The order keeps reads %d days; a station holds that window and no more.\n\n", thousands(carReadsPerDay), thousands(fixedReadsPerDay), retentionDays)
	p("| cars | fixed cameras | reads a day | reads in six months | database GB | crops GB | disk GB | within the measured store |\n|---|---|---|---|---|---|---|---|\n")
	for _, r := range CapacityRows(c) {
		m := "yes"
		if !r.Measured {
			m = fmt.Sprintf("no: %.1f× the measured store", float64(r.Reads)/float64(s.Reads))
		}
		p("| %d | %d | %s | %s | %.1f | %.1f | %.1f | %s |\n", r.Fleet.Cars, r.Fleet.Fixed, thousands(float64(r.ReadsPerDay)), fmt.Sprintf("%.1f M", float64(r.Reads)/1e6), r.DBGB, r.ImagesGB, r.TotalGB, m)
	}
	p("\nEvery fleet up to the measured store's size runs on one station like this machine: two cores and %.0f GB of memory (the peak above), every search within its goal where the table above says so. Disk is the crops more than the database; a backup (`alpr backup`) needs as much again on the backup volume. ", math.Ceil(c.PeakRSSMB/1024))
	if ingest != nil && ingest.ReadsPerS > 0 {
		perDay := float64(s.Reads) / float64(max(1, s.Days))
		p("Ingest is not the limit: the measured store's day (%s reads) loads in %.0f s at this run's ingest rate (%s reads/s). ", thousands(perDay), perDay/ingest.ReadsPerS, thousands(ingest.ReadsPerS))
	}
	p("Beyond the measured store nothing here is measured: the searches scan the window they are asked for, so their time grows with the reads in it.\n\n")
	p("A region that shares reads between agencies (order E.1: records are each department's, shared only with other law enforcement for an investigation or on the Chief's authorisation) runs one station per agency, each holding its own six months under its own retention, holds and audit log, and shares by audited export to the named agency (`alpr serve`'s exports, refused without recipient, purpose and authorisation) — not one pooled store, which would make every agency's records one custodian's.\n")
	return b.String()
}

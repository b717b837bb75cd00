package analytics

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/plateward/alpr/edge/plate"
)

// Place is a cluster of a plate's reads: where it was seen and how often.
type Place struct {
	Lat, Lon    float64 // centre of the reads in the cell
	Reads       int
	First, Last time.Time
}

// Sightings is where and when a plate is seen.
type Sightings struct {
	Plate       string
	Reads       int
	First, Last time.Time
	Places      []Place // most reads first
	ByHour      [24]int // department time
	ByWeekday   [7]int  // Sunday first, department time
}

// placeCellDeg groups reads into places: cells of about 100 m.
const placeCellDeg = 0.001

// Locate says where and when a plate was seen: places (reads within about
// 100 m of each other), first and last seen, and counts by hour of day and
// day of week in the department's time zone.
func (s *Store) Locate(ctx context.Context, a Access, plateText string, w Window, now time.Time) (Sightings, error) {
	p := plate.Normalize(plateText)
	out := Sightings{Plate: p}
	if p == "" {
		return out, errors.New("locate: no plate given")
	}
	from, to := w.bounds()
	err := s.auditedRead(ctx, a, "search.locate", map[string]any{"plate": p, "from": w.From, "to": w.To}, now, func(tx queryer) (int, error) {
		rows, err := tx.QueryContext(ctx, `WITH `+plateCTE+`
			SELECT avg(lat), avg(lon), count(*), min(captured_at), max(captured_at)
			FROM k WHERE plate = ? AND gps_fix
			GROUP BY round(lat / ?), round(lon / ?)
			ORDER BY count(*) DESC, min(captured_at)`, plateKey(p), from, to, p, placeCellDeg, placeCellDeg)
		if err != nil {
			return 0, err
		}
		for rows.Next() {
			var pl Place
			if err := rows.Scan(&pl.Lat, &pl.Lon, &pl.Reads, &pl.First, &pl.Last); err != nil {
				rows.Close()
				return 0, err
			}
			out.Places = append(out.Places, pl)
		}
		rows.Close()
		rows, err = tx.QueryContext(ctx, `WITH `+plateCTE+`
			SELECT hour(timezone(?, captured_at)), dayofweek(timezone(?, captured_at)), count(*), min(captured_at), max(captured_at)
			FROM k WHERE plate = ? GROUP BY ALL`, plateKey(p), from, to, s.opts.TimeZone, s.opts.TimeZone, p)
		if err != nil {
			return 0, err
		}
		defer rows.Close()
		for rows.Next() {
			var h, d, n int
			var first, last time.Time
			if err := rows.Scan(&h, &d, &n, &first, &last); err != nil {
				return 0, err
			}
			out.ByHour[h] += n
			out.ByWeekday[d] += n
			out.Reads += n
			if out.First.IsZero() || first.Before(out.First) {
				out.First = first
			}
			if last.After(out.Last) {
				out.Last = last
			}
		}
		return out.Reads, rows.Err()
	})
	return out, err
}

// Associate is a plate seen near a target plate's reads.
type Associate struct {
	Plate    string
	Times    int // target reads it was seen near
	Reads    int
	Vehicles int // distinct cars or cameras that saw them together
}

// ConvoyQuery asks which plates travel with a target.
type ConvoyQuery struct {
	Plate    string
	Window   Window
	Within   time.Duration // seen by the same car within this of a target read
	MinTimes int           // at least this many of the target's reads
	Limit    int
}

// Convoy returns the plates that the same car read within q.Within of the
// target's reads, at least q.MinTimes times, most often first: vehicles
// that travel with the target.
func (s *Store) Convoy(ctx context.Context, a Access, q ConvoyQuery, now time.Time) ([]Associate, error) {
	p := plate.Normalize(q.Plate)
	if p == "" || q.Within <= 0 || q.Within > time.Hour {
		return nil, errors.New("convoy: a plate and a window of 1 s to 1 h are required")
	}
	if q.MinTimes < 1 {
		q.MinTimes = 2
	}
	from, to := q.Window.bounds()
	var out []Associate
	err := s.auditedRead(ctx, a, "search.convoy", map[string]any{"plate": p, "from": q.Window.From, "to": q.Window.To,
		"within_s": q.Within.Seconds(), "min_times": q.MinTimes}, now, func(tx queryer) (int, error) {
		rows, err := tx.QueryContext(ctx, `
			WITH `+plateCTE+`, t AS (SELECT id, captured_at, vehicle FROM k WHERE plate = ?)
			SELECT r.plate, count(DISTINCT t.id) AS times, count(DISTINCT r.id), count(DISTINCT r.vehicle)
			FROM t JOIN reads r ON r.vehicle = t.vehicle
			  AND r.captured_at BETWEEN t.captured_at - to_microseconds(?) AND t.captured_at + to_microseconds(?)
			WHERE r.plate <> ?
			GROUP BY r.plate HAVING count(DISTINCT t.id) >= ?
			ORDER BY times DESC, r.plate
			LIMIT ?`, plateKey(p), from, to, p, q.Within.Microseconds(), q.Within.Microseconds(), p, q.MinTimes, limitOr(q.Limit))
		if err != nil {
			return 0, err
		}
		defer rows.Close()
		for rows.Next() {
			var x Associate
			if err := rows.Scan(&x.Plate, &x.Times, &x.Reads, &x.Vehicles); err != nil {
				return 0, err
			}
			out = append(out, x)
		}
		return len(out), rows.Err()
	})
	return out, err
}

// RetroHits finds the earlier reads of plates just added to a hot list,
// exactly or up to look-alike characters, so investigators learn where a
// newly wanted vehicle was already seen.
func (s *Store) RetroHits(ctx context.Context, a Access, plates []string, w Window, limit int, now time.Time) ([]ReadRow, error) {
	cz := plate.NewCanonicalizer()
	var keys []string
	for _, p := range plates {
		if n := plate.Normalize(p); n != "" {
			keys = append(keys, cz.Canonical(n))
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("retro hits: no plate given")
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	from, to := w.bounds()
	lim := limitOr(limit)
	var out []ReadRow
	err := s.auditedRead(ctx, a, "search.retro", map[string]any{"plates": len(keys), "from": w.From, "to": w.To}, now, func(queryer) (int, error) {
		var err error
		out, err = s.retroReads(ctx, keys, from, to, lim)
		return len(out), err
	})
	return out, err
}

// retroReads finds the reads of keys in two steps: one pass over the
// store's keys and times picks the newest lim reads' row numbers and
// counts them all; then those reads are fetched whole by row number. At
// 20 M reads (the city fixture, about 45 reads a plate, two cores busy
// with other work) the first step took 0.7–1.1 s for 1,000 keys where one
// index lookup a key took 2.7–2.9 s: each lookup fetches its reads one by
// one from wherever they lie, and a thousand of them fetch 45,000. The
// fetch by row number checks the window again, and the keys are checked
// again here: a row number that moved between the two steps (a purge's
// checkpoint) yields no read, never another plate's (checked in SQL, the
// thousand keys cost the fetch 0.7 s more). Every row's Matched is the
// first step's count over all keys.
func (s *Store) retroReads(ctx context.Context, keys []string, from, to time.Time, lim int) ([]ReadRow, error) {
	want := make(map[string]bool, len(keys))
	var keysIn strings.Builder
	for i, k := range keys {
		if strings.Trim(k, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			return nil, fmt.Errorf("retro hits: key %q is not a plate's", k) // canonical keys never are
		}
		if i > 0 {
			keysIn.WriteByte(',')
		}
		keysIn.WriteString("'" + k + "'")
		want[k] = true
	}
	// Keys and row numbers as literal lists, both this function's own
	// (keys checked above, integers it read): DuckDB filters the scan with
	// them, where a bound list would be a join.
	//nolint:gosec // keys are plate characters only, checked above
	pick := `SELECT rowid, count(*) OVER () FROM reads WHERE plate_key IN (` + keysIn.String() + `)
		AND captured_at >= ? AND captured_at < ? ORDER BY captured_at DESC LIMIT ?`
	found, err := s.db.QueryContext(ctx, pick, from, to, lim)
	if err != nil {
		return nil, err
	}
	var rowsIn strings.Builder
	matched, n := 0, 0
	for found.Next() {
		var row int64
		if err := found.Scan(&row, &matched); err != nil {
			found.Close()
			return nil, err
		}
		if n > 0 {
			rowsIn.WriteByte(',')
		}
		rowsIn.WriteString(strconv.FormatInt(row, 10))
		n++
	}
	found.Close()
	if err := found.Err(); err != nil || n == 0 {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, readSelect("r.rowid IN ("+rowsIn.String()+") AND r.captured_at >= ? AND r.captured_at < ?", "0"), from, to, lim)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	all, err := scanReads(rows)
	cz := plate.NewCanonicalizer()
	out := all[:0]
	for _, r := range all {
		if want[cz.Canonical(r.Plate)] {
			r.Matched = matched
			out = append(out, r)
		}
	}
	return out, err
}

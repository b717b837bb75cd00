package analytics

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/plateward/alpr/edge/plate"
)

// DefaultLimit bounds a search's rows unless the query asks otherwise.
const DefaultLimit = 1000

// Window is a time window of a search; zero ends are open.
type Window struct {
	From time.Time // inclusive
	To   time.Time // exclusive
}

func (w Window) bounds() (time.Time, time.Time) {
	from, to := w.From, w.To
	if from.IsZero() {
		from = time.Unix(0, 0)
	}
	if to.IsZero() {
		to = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return from, to
}

// PlateQuery asks for every read of one plate in a time window.
type PlateQuery struct {
	Plate string // normalised before use
	From  time.Time
	To    time.Time
	Limit int // 0 for DefaultLimit
}

// ReadRow is one read as searches return it.
type ReadRow struct {
	ID         string
	CapturedAt time.Time
	Plate      string
	Confidence float32
	State      string
	Camera     string
	Vehicle    string
	Officer    string
	HasFix     bool
	Lat, Lon   float64
	CropPath   string // relative to the image store
	Hits       []string
	DistanceM  float64 // stakeout only: metres from the centre
	// Matched is how many reads the search matched in all, the same on
	// every row: more than the rows returned when the limit cut them.
	Matched int
}

// Matched is how many reads a search matched in all (rows are cut at the
// search's limit): rows[0].Matched, or 0 for no rows.
func Matched(rows []ReadRow) int {
	if len(rows) == 0 {
		return 0
	}
	return rows[0].Matched
}

// readSelect is the select list every read search shares; cond is the
// WHERE condition on reads r, and extra a column appended (or "0"). The
// last column counts every matching read, before the limit (ReadRow.Matched).
// Arguments bind in the order: cond's, extra's, the limit.
//
// The matching reads are a MATERIALIZED CTE: without it DuckDB turns
// ORDER BY … LIMIT into a top-N scan of the whole table and stops using
// the plate index (measured on 1 M reads: 12.7 ms a plate search, 2.1 ms
// with the CTE; the gap grows with the table).
func readSelect(cond, extra string) string { return readSelectFrom("", "reads", cond, extra) }

// plateCTE is the reads of one plate key in a window, as a fence: DuckDB
// looks plate_key up in its index only when no other equality is asked of
// the same scan (plate_key = ? AND plate = ? scans the whole table:
// measured 46 ms on 3 M reads against 2.4 ms), so the exact plate is
// filtered from this CTE's rows afterwards. Its arguments are the key and
// the window.
const plateCTE = `k AS MATERIALIZED (SELECT * FROM reads WHERE plate_key = ? AND captured_at >= ? AND captured_at < ?)`

// readColumns are a read's columns as scanReads takes them, before its
// hits; hitLabel is how a hit h is named in ReadRow.Hits.
const (
	readColumns = `r.id, r.captured_at, r.plate, coalesce(r.confidence, 0), coalesce(r.state, ''), coalesce(r.camera, ''),
		       coalesce(r.vehicle, ''), coalesce(r.officer, ''), coalesce(r.gps_fix, false), coalesce(r.lat, 0), coalesce(r.lon, 0),
		       coalesce(r.crop_path, '')`
	hitLabel = `h.list_code || ' ' || h.reason || ' (' || h.match_kind || ')'`
	// readCTEColumns are the columns the matching reads keep for the
	// select list (and its extra column: a distance uses lat and lon):
	// not all 28, whose fetch for reads scattered over the store cost
	// half again as long (1,000 reads by row number on 20 M: 1.5 s with
	// every column, 1.0 s with these).
	readCTEColumns = `r.id, r.captured_at, r.plate, r.confidence, r.state, r.camera, r.vehicle, r.officer, r.gps_fix, r.lat, r.lon, r.crop_path`
)

// readSelectFrom is readSelect over from (a table or a CTE named in with,
// which ends with a comma).
func readSelectFrom(with, from, cond, extra string) string {
	return `WITH ` + with + ` r AS MATERIALIZED (SELECT ` + readCTEColumns + ` FROM ` + from + ` r WHERE ` + cond + `)
		SELECT ` + readColumns + `,
		       coalesce(list(` + hitLabel + ` ORDER BY h.priority) FILTER (WHERE h.id IS NOT NULL), []),
		       ` + extra + `, count(*) OVER ()
		FROM r LEFT JOIN hits h ON h.read_id = r.id
		GROUP BY ALL
		ORDER BY r.captured_at DESC
		LIMIT ?`
}

func scanReads(rows *sql.Rows) ([]ReadRow, error) {
	var out []ReadRow
	for rows.Next() {
		var r ReadRow
		var hits []any
		if err := rows.Scan(&r.ID, &r.CapturedAt, &r.Plate, &r.Confidence, &r.State, &r.Camera, &r.Vehicle, &r.Officer,
			&r.HasFix, &r.Lat, &r.Lon, &r.CropPath, &hits, &r.DistanceM, &r.Matched); err != nil {
			return nil, err
		}
		for _, h := range hits {
			if s, ok := h.(string); ok {
				r.Hits = append(r.Hits, s)
			}
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// audited runs a query inside a transaction that also appends its audit
// entry: no audit, no answer. params describe the search for the log; run
// returns how many rows the answer has.
func (s *Store) audited(ctx context.Context, a Access, action string, params map[string]any, now time.Time,
	run func(tx *sql.Tx) (int, error)) error {
	if err := a.Validate(); err != nil {
		return err
	}
	s.auditMu.Lock()
	defer s.auditMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	n, err := run(tx)
	if err != nil {
		return fmt.Errorf("%s: %w", action, err)
	}
	return commitAudit(ctx, tx, a, action, params, n, now)
}

// Audited runs a change made outside this package (a dispatcher's
// acknowledgement) in one transaction with its audit entry: both commit
// or neither does. run returns the number of rows it changed; an error
// from run rolls everything back and is returned wrapped in action.
func (s *Store) Audited(ctx context.Context, a Access, action string, params map[string]any, now time.Time,
	run func(tx *sql.Tx) (int, error)) error {
	if params == nil {
		params = map[string]any{}
	}
	return s.audited(ctx, a, action, params, now, run)
}

// auditedRead runs a read-only query, then appends its audit entry: no
// audit, no answer (an error is returned instead of the rows). Unlike
// audited, the query runs outside the audit lock, so searches run side
// by side and only the short append is serialised.
func (s *Store) auditedRead(ctx context.Context, a Access, action string, params map[string]any, now time.Time,
	run func(q queryer) (int, error)) error {
	if err := a.Validate(); err != nil {
		return err
	}
	n, err := run(s.db)
	if err != nil {
		// A failure is an access too: it is audited before the user hears
		// of it, and what the user hears carries no record values.
		class, shown := publicError(err)
		params["failed"] = class
		if aerr := s.Audit(ctx, now, a, action+".failed", auditDetail(params)); aerr != nil {
			return errors.Join(fmt.Errorf("%s: %w", action, shown), fmt.Errorf("audit of the failure: %w", aerr))
		}
		return fmt.Errorf("%s: %w", action, shown)
	}
	s.auditMu.Lock()
	defer s.auditMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return commitAudit(ctx, tx, a, action, params, n, now)
}

// commitAudit appends the audit entry of an access (its parameters and
// the number of rows it answered) in tx and commits tx. The caller holds
// the audit lock.
func commitAudit(ctx context.Context, tx *sql.Tx, a Access, action string, params map[string]any, rows int, now time.Time) error {
	params["rows"] = rows
	detail, _ := json.Marshal(params)
	if err := appendAudit(ctx, tx, now, a, action, string(detail)); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: commit audit: %w", action, err)
	}
	return nil
}

// queryer is a database or a transaction.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// searchReads is the audited form of every read search. extraArgs bind
// the extra column, args the condition and the limit.
func (s *Store) searchReads(ctx context.Context, a Access, action string, params map[string]any, now time.Time,
	cond, extra string, extraArgs []any, args ...any) ([]ReadRow, error) {
	// args are cond's then the limit; extra's go between.
	all := append(append(append([]any{}, args[:len(args)-1]...), extraArgs...), args[len(args)-1])
	return s.searchSQL(ctx, a, action, params, now, readSelect(cond, extra), all...)
}

// searchSQL runs a read-listing query (readSelect's columns) as an audited
// search.
func (s *Store) searchSQL(ctx context.Context, a Access, action string, params map[string]any, now time.Time,
	query string, args ...any) ([]ReadRow, error) {
	var out []ReadRow
	err := s.auditedRead(ctx, a, action, params, now, func(q queryer) (int, error) {
		rows, err := q.QueryContext(ctx, query, args...)
		if err != nil {
			return 0, err
		}
		defer rows.Close()
		out, err = scanReads(rows)
		return len(out), err
	})
	return out, err
}

func limitOr(n int) int {
	if n <= 0 {
		return DefaultLimit
	}
	return n
}

// plateKey is the canonical (look-alike) form of a normalised plate, as
// reads.plate_key holds it. An exact search looks the key up (plate_key has
// the index, see migration 0011; a key has only the plate's look-alikes
// besides it), then keeps the plate's own reads: see plateCTE.
func plateKey(p string) string { return plate.NewCanonicalizer().Canonical(p) }

// PlateReads returns every read of q.Plate, newest first.
func (s *Store) PlateReads(ctx context.Context, a Access, q PlateQuery, now time.Time) ([]ReadRow, error) {
	p := plate.Normalize(q.Plate)
	if p == "" {
		return nil, errors.New("plate search: no plate given")
	}
	from, to := Window{q.From, q.To}.bounds()
	return s.searchSQL(ctx, a, "search.plate", map[string]any{"plate": p, "from": q.From, "to": q.To}, now,
		readSelectFrom(plateCTE+",", "k", "r.plate = ?", "0"), plateKey(p), from, to, p, limitOr(q.Limit))
}

// PartialReads returns the reads whose plate fits a pattern: '?' one
// character, '*' any run ("AB?C*" for a witness's partial plate).
func (s *Store) PartialReads(ctx context.Context, a Access, pattern string, w Window, limit int, now time.Time) ([]ReadRow, error) {
	p := plate.NormalizePattern(pattern)
	if len(strings.Trim(p, "?*")) < 2 {
		return nil, errors.New("partial search: give at least two known characters")
	}
	like := strings.NewReplacer("?", "_", "*", "%").Replace(p)
	from, to := w.bounds()
	return s.searchReads(ctx, a, "search.partial", map[string]any{"pattern": p, "from": w.From, "to": w.To}, now,
		"r.plate LIKE ? AND r.captured_at >= ? AND r.captured_at < ?", "0", nil, like, from, to, limitOr(limit))
}

// MisreadReads returns the reads that may be this plate misread: the same
// up to look-alike characters (O/0, B/8, …) or one character off.
func (s *Store) MisreadReads(ctx context.Context, a Access, plateText string, w Window, limit int, now time.Time) ([]ReadRow, error) {
	p := plate.Normalize(plateText)
	if len(p) < 3 {
		return nil, errors.New("misread search: give at least three characters")
	}
	key := plate.NewCanonicalizer().Canonical(p)
	from, to := w.bounds()
	head, tail := oneOffHalves(key)
	return s.searchReads(ctx, a, "search.misread", map[string]any{"plate": p, "from": w.From, "to": w.To}, now,
		`r.captured_at >= ? AND r.captured_at < ? AND length(r.plate_key) BETWEEN ? AND ?
		 AND (starts_with(r.plate_key, ?) OR ends_with(r.plate_key, ?))
		 AND (r.plate_key = ? OR levenshtein(r.plate_key, ?) <= 1)`, "0", nil,
		from, to, len(key)-1, len(key)+1, head, tail, key, key, limitOr(limit))
}

// oneOffHalves splits key so that every text at most one edit from it
// (one character changed, added or dropped) starts with head or ends with
// tail: an edit at or after head's end leaves head as it was, one before
// it leaves tail. Any split would do; halves make both comparisons
// selective, so that they pass a few reads in ten thousand to the edit
// distance, which is what made the search slow (measured: 1.9 s p95 over
// a month of a 100 M-read store).
func oneOffHalves(key string) (head, tail string) {
	h := len(key) / 2
	return key[:h], key[h:]
}

// StakeoutQuery asks for every read within RadiusM metres of a point.
type StakeoutQuery struct {
	Lat, Lon float64
	RadiusM  float64
	Window   Window
	Pattern  string // optional plate pattern ('?', '*')
	Limit    int
}

// onEarth reports whether lat, lon is a position: in range, and neither
// NaN nor infinite (a NaN compares false with every bound, so a check
// written as "out of range" lets it through).
func onEarth(lat, lon float64) bool { return math.Abs(lat) <= 90 && math.Abs(lon) <= 180 }

// earthRadiusM is the mean Earth radius used by the haversine distance.
const earthRadiusM = 6371008.8

// haversineSQL is the great-circle distance in metres from (?, ?) to the
// read; plain SQL, as no spatial extension can be installed here.
const haversineSQL = `2 * 6371008.8 * asin(sqrt(pow(sin(radians(r.lat - ?) / 2), 2) +
	cos(radians(?)) * cos(radians(r.lat)) * pow(sin(radians(r.lon - ?) / 2), 2)))`

// Stakeout returns the reads near a place in a window, nearest last.
func (s *Store) Stakeout(ctx context.Context, a Access, q StakeoutQuery, now time.Time) ([]ReadRow, error) {
	if !(q.RadiusM > 0 && q.RadiusM <= 50_000) || !onEarth(q.Lat, q.Lon) {
		return nil, errors.New("stakeout: radius must be 1 m to 50 km around a valid position")
	}
	// A bounding box first, so most rows never reach the trigonometry.
	dLat := q.RadiusM / earthRadiusM * 180 / math.Pi
	dLon := dLat / math.Max(0.01, math.Cos(q.Lat*math.Pi/180))
	from, to := q.Window.bounds()
	cond := `r.gps_fix AND r.captured_at >= ? AND r.captured_at < ? AND r.lat BETWEEN ? AND ? AND r.lon BETWEEN ? AND ?
		AND ` + haversineSQL + ` <= ?`
	args := []any{from, to, q.Lat - dLat, q.Lat + dLat, q.Lon - dLon, q.Lon + dLon, q.Lat, q.Lat, q.Lon, q.RadiusM}
	if q.Pattern != "" {
		cond += " AND r.plate LIKE ?"
		args = append(args, strings.NewReplacer("?", "_", "*", "%").Replace(plate.NormalizePattern(q.Pattern)))
	}
	return s.searchReads(ctx, a, "search.stakeout", map[string]any{"lat": q.Lat, "lon": q.Lon, "radius_m": q.RadiusM,
		"from": q.Window.From, "to": q.Window.To, "pattern": q.Pattern}, now, cond, haversineSQL, []any{q.Lat, q.Lat, q.Lon},
		append(args, limitOr(q.Limit))...)
}

// HitRow is a hit as the hit audit lists it.
type HitRow struct {
	ID, Plate, MatchedPlate, MatchKind, Reason, Priority string
	Officer, Vehicle, ShiftID, Camera                    string
	AlertedAt                                            time.Time
	Steps                                                []string // "confirm=match", …, in order
}

// HitsWithoutDisposition lists the hits that have no disposition (order
// C.2b: a disposition for every hit), oldest first, optionally of one
// officer, car or shift.
func (s *Store) HitsWithoutDisposition(ctx context.Context, a Access, w Window, officer, vehicle, shift string, now time.Time) ([]HitRow, error) {
	from, to := w.bounds()
	var out []HitRow
	err := s.auditedRead(ctx, a, "audit.hits-without-disposition", map[string]any{"from": w.From, "to": w.To, "officer": officer, "vehicle": vehicle, "shift": shift}, now,
		func(tx queryer) (int, error) {
			rows, err := tx.QueryContext(ctx, `
				SELECT h.id, h.plate, h.matched_plate, h.match_kind, h.reason, h.priority, coalesce(h.officer, ''),
				       coalesce(h.vehicle, ''), coalesce(h.shift_id, ''), coalesce(h.camera, ''), h.alerted_at,
				       coalesce(list(d.step || '=' || d.code ORDER BY d.event_at) FILTER (WHERE d.id IS NOT NULL), [])
				FROM hits h LEFT JOIN dispositions d ON d.hit_id = h.id
				WHERE h.alerted_at >= ? AND h.alerted_at < ? AND (? = '' OR h.officer = ?) AND (? = '' OR h.vehicle = ?) AND (? = '' OR h.shift_id = ?)
				GROUP BY ALL
				HAVING NOT bool_or(coalesce(d.step = 'disposition', false))
				ORDER BY h.alerted_at`, from, to, officer, officer, vehicle, vehicle, shift, shift)
			if err != nil {
				return 0, err
			}
			defer rows.Close()
			for rows.Next() {
				var h HitRow
				var steps []any
				if err := rows.Scan(&h.ID, &h.Plate, &h.MatchedPlate, &h.MatchKind, &h.Reason, &h.Priority, &h.Officer,
					&h.Vehicle, &h.ShiftID, &h.Camera, &h.AlertedAt, &steps); err != nil {
					return 0, err
				}
				for _, st := range steps {
					if v, ok := st.(string); ok {
						h.Steps = append(h.Steps, v)
					}
				}
				out = append(out, h)
			}
			return len(out), rows.Err()
		})
	return out, err
}

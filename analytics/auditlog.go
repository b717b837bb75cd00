package analytics

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// AuditFilter narrows IT's view of the audit log; empty fields match all.
type AuditFilter struct {
	User   string
	Action string // prefix, e.g. "search." or "login."
	Reason string // words the reason contains, case-insensitive
	Case   string
	From   time.Time
	To     time.Time
	Limit  int // 0 for DefaultLimit
}

// AuditLog returns audit entries, newest first. Reading the audit log is
// not itself a records access; the back office limits it to IT and the
// Chief.
func (s *Store) AuditLog(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	from, to := Window{f.From, f.To}.bounds()
	conds := []string{"event_at >= ?", "event_at < ?"}
	args := []any{from, to}
	if f.User != "" {
		conds, args = append(conds, "user_name = ?"), append(args, f.User)
	}
	if f.Action != "" {
		conds, args = append(conds, "starts_with(action, ?)"), append(args, f.Action)
	}
	if f.Case != "" {
		conds, args = append(conds, "case_number = ?"), append(args, f.Case)
	}
	if f.Reason != "" {
		conds, args = append(conds, "contains(lower(coalesce(reason, '')), lower(?))"), append(args, f.Reason)
	}
	//nolint:gosec // the condition is built from constant fragments; values are bound parameters
	rows, err := s.db.QueryContext(ctx, `SELECT seq, event_at, user_name, action, coalesce(reason, ''), coalesce(case_number, ''),
		coalesce(detail, ''), prev_hash, hash FROM audit_log WHERE `+strings.Join(conds, " AND ")+
		` ORDER BY seq DESC LIMIT ?`, append(args, limitOr(f.Limit))...)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.Seq, &e.At, &e.User, &e.Action, &e.Reason, &e.Case, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// DayCount is one day's reads and hits.
type DayCount struct {
	Day   string // YYYY-MM-DD in the department's zone
	Reads int64
	Hits  int64
}

// Daily returns reads and hits per day over the last days days up to
// now, oldest first, with zero days included. Counts carry no plate, so
// they are not a records access.
func (s *Store) Daily(ctx context.Context, days int, now time.Time) ([]DayCount, error) {
	if days <= 0 {
		return nil, fmt.Errorf("daily counts: %d days", days)
	}
	end := now.In(s.loc)
	start := time.Date(end.Year(), end.Month(), end.Day()-days+1, 0, 0, 0, 0, s.loc)
	out := make([]DayCount, days)
	idx := map[string]int{}
	for i := range out {
		out[i].Day = start.AddDate(0, 0, i).Format(time.DateOnly)
		idx[out[i].Day] = i
	}
	for _, q := range []struct {
		table, col string
		set        func(*DayCount, int64)
	}{
		{"reads", "captured_at", func(d *DayCount, n int64) { d.Reads = n }},
		{"hits", "alerted_at", func(d *DayCount, n int64) { d.Hits = n }},
	} {
		rows, err := s.db.QueryContext(ctx, fmt.Sprintf(`SELECT strftime(timezone(?, %[1]s), '%%Y-%%m-%%d') AS d, count(*)
			FROM %[2]s WHERE %[1]s >= ? GROUP BY d`, q.col, q.table), s.opts.TimeZone, start)
		if err != nil {
			return nil, fmt.Errorf("daily %s: %w", q.table, err)
		}
		for rows.Next() {
			var d string
			var n int64
			if err := rows.Scan(&d, &n); err != nil {
				rows.Close()
				return nil, err
			}
			if i, ok := idx[d]; ok {
				q.set(&out[i], n)
			}
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// EquipmentEvent is a shift event IT watches: a failed self-check, or a
// GPS loss, from a car.
type EquipmentEvent struct {
	At               time.Time
	Vehicle, Officer string
	Event, Detail    string
}

// EquipmentFailures returns the failed pre-shift and in-shift self-checks
// the cars recorded since a time, newest first (order B.5, B.7: equipment
// is inspected before use). They carry no plate.
func (s *Store) EquipmentFailures(ctx context.Context, since time.Time, limit int) ([]EquipmentEvent, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT event_at, coalesce(vehicle, ''), coalesce(officer, ''), event, coalesce(detail, '')
		FROM shift_events WHERE event_at >= ? AND (event = 'selfcheck' AND NOT coalesce(selfcheck_ok, false))
		ORDER BY event_at DESC LIMIT ?`, since, limitOr(limit))
	if err != nil {
		return nil, fmt.Errorf("read self-check failures: %w", err)
	}
	defer rows.Close()
	var out []EquipmentEvent
	for rows.Next() {
		var e EquipmentEvent
		if err := rows.Scan(&e.At, &e.Vehicle, &e.Officer, &e.Event, &e.Detail); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// CarCount is one car's reads and hits over a period, with its hits still
// without a disposition and its failed self-checks.
type CarCount struct {
	Vehicle                 string
	Reads, Hits, Undisposed int64
	SelfCheckFailures       int64
}

// PerCar counts each car's reads, hits, hits without disposition and
// failed self-checks since a time, busiest first. Counts carry no plate.
func (s *Store) PerCar(ctx context.Context, since time.Time) ([]CarCount, error) {
	rows, err := s.db.QueryContext(ctx, `
		WITH r AS (SELECT coalesce(vehicle, '?') AS v, count(*) AS n FROM reads WHERE captured_at >= $1 GROUP BY ALL),
		     h AS (SELECT coalesce(vehicle, '?') AS v, count(*) AS n,
		                  count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM dispositions d WHERE d.hit_id = hits.id AND d.step = 'disposition')) AS u
		           FROM hits WHERE alerted_at >= $1 GROUP BY ALL),
		     c AS (SELECT coalesce(vehicle, '?') AS v, count(*) AS n FROM shift_events
		           WHERE event_at >= $1 AND event = 'selfcheck' AND NOT coalesce(selfcheck_ok, false) GROUP BY ALL),
		     cars AS (SELECT v FROM r UNION SELECT v FROM h UNION SELECT v FROM c)
		SELECT cars.v, coalesce(r.n, 0), coalesce(h.n, 0), coalesce(h.u, 0), coalesce(c.n, 0)
		FROM cars LEFT JOIN r USING (v) LEFT JOIN h USING (v) LEFT JOIN c USING (v)
		ORDER BY 2 DESC, 1`, since)
	if err != nil {
		return nil, fmt.Errorf("per-car counts: %w", err)
	}
	defer rows.Close()
	var out []CarCount
	for rows.Next() {
		var c CarCount
		if err := rows.Scan(&c.Vehicle, &c.Reads, &c.Hits, &c.Undisposed, &c.SelfCheckFailures); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

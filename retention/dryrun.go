package retention

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/plateward/alpr/analytics"
)

// Report is what a run would destroy and what holds keep.
type Report struct {
	Now       time.Time
	Days      []DayPlan
	DueDays   int
	ReadsDue  int64 // reads on due days that no hold keeps
	HitsDue   int64
	ReadsHeld int64 // reads on due days that a hold keeps
	NextDue   time.Time
}

// days returns the records of each local day in the store.
func days(ctx context.Context, st *analytics.Store) ([]Day, error) {
	rows, err := st.DB().QueryContext(ctx, `
		WITH r AS (SELECT strftime(timezone(?, captured_at), '%Y-%m-%d') AS day, count(*) AS n FROM reads GROUP BY ALL),
		     h AS (SELECT strftime(timezone(?, alerted_at), '%Y-%m-%d') AS day, count(*) AS n FROM hits GROUP BY ALL)
		SELECT coalesce(r.day, h.day), coalesce(r.n, 0), coalesce(h.n, 0) FROM r FULL OUTER JOIN h ON r.day = h.day`,
		st.TimeZone(), st.TimeZone())
	if err != nil {
		return nil, fmt.Errorf("count records by day: %w", err)
	}
	defer rows.Close()
	var out []Day
	for rows.Next() {
		var d Day
		if err := rows.Scan(&d.Day, &d.Reads, &d.Hits); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// LoadHolds reads every hold, released or not, oldest first.
func LoadHolds(ctx context.Context, st *analytics.Store) ([]Hold, error) {
	rows, err := st.DB().QueryContext(ctx, `SELECT id, case_number, coalesce(plate, ''), coalesce(read_id, ''),
		from_ts, to_ts, until_ts, released_at IS NOT NULL, requester, reason, created_at, created_by, released_at, coalesce(released_by, '')
		FROM holds ORDER BY created_at`)
	if err != nil {
		return nil, fmt.Errorf("read holds: %w", err)
	}
	defer rows.Close()
	var out []Hold
	for rows.Next() {
		var h Hold
		var from, to, until, released sql.NullTime
		if err := rows.Scan(&h.ID, &h.Case, &h.Plate, &h.ReadID, &from, &to, &until, &h.Released,
			&h.Requester, &h.Reason, &h.CreatedAt, &h.CreatedBy, &released, &h.ReleasedBy); err != nil {
			return nil, err
		}
		h.From, h.To, h.Until, h.ReleasedAt = from.Time, to.Time, until.Time, released.Time
		out = append(out, h)
	}
	return out, rows.Err()
}

// DryRun plans a run at now and counts what it would destroy and keep,
// without changing anything.
func DryRun(ctx context.Context, st *analytics.Store, p Policy, now time.Time) (Report, error) {
	rep := Report{Now: now}
	ds, err := days(ctx, st)
	if err != nil {
		return rep, err
	}
	holds, err := LoadHolds(ctx, st)
	if err != nil {
		return rep, err
	}
	if rep.Days, err = Plan(ds, holds, p, now); err != nil {
		return rep, err
	}
	for _, dp := range rep.Days {
		if !dp.Due {
			if rep.NextDue.IsZero() || dp.DueAt.Before(rep.NextDue) {
				rep.NextDue = dp.DueAt
			}
			continue
		}
		rep.DueDays++
		held, heldHits, err := heldRecords(ctx, st, dp, now)
		if err != nil {
			return rep, err
		}
		rep.ReadsHeld += held
		rep.ReadsDue += dp.Day.Reads - held
		rep.HitsDue += dp.Day.Hits - heldHits
	}
	return rep, nil
}

// heldRecords counts the reads of a day that its holds keep, and the hits
// of those reads, which stay with them.
func heldRecords(ctx context.Context, st *analytics.Store, dp DayPlan, now time.Time) (reads, hits int64, err error) {
	if len(dp.HeldBy) == 0 {
		return 0, 0, nil
	}
	if dp.Whole {
		return dp.Day.Reads, dp.Day.Hits, nil
	}
	cond, args := heldClause(dp.HeldBy, now)
	day := `strftime(timezone(?, %s), '%%Y-%%m-%%d') = ?`
	q := `SELECT count(*) FROM reads WHERE ` + fmt.Sprintf(day, "captured_at") + ` AND (` + cond + `)`
	all := append([]any{st.TimeZone(), dp.Day.Day}, args...)
	if err := st.DB().QueryRowContext(ctx, q, all...).Scan(&reads); err != nil {
		return 0, 0, fmt.Errorf("count held reads of %s: %w", dp.Day.Day, err)
	}
	q = `SELECT count(*) FROM hits h WHERE ` + fmt.Sprintf(day, "h.alerted_at") +
		` AND EXISTS (SELECT 1 FROM reads WHERE reads.id = h.read_id AND (` + cond + `))`
	if err := st.DB().QueryRowContext(ctx, q, all...).Scan(&hits); err != nil {
		return 0, 0, fmt.Errorf("count held hits of %s: %w", dp.Day.Day, err)
	}
	return reads, hits, nil
}

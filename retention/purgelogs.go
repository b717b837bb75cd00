package retention

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/plateward/alpr/analytics"
)

// logSeries is a series kept by its own period rather than with the
// reads: a table and the column that dates its rows, the policy series
// whose period applies, and rows kept regardless (SQL, or "false").
type logSeries struct{ series, table, col, period, keep string }

// SeriesDispatchCopies names, in the destruction log, the dispatch
// board's copies of hits pushed by cars: destroyed with their hit, or past
// the hits' period when the hit never reached the store.
const SeriesDispatchCopies = "dispatch_copies"

func logSeriesTables() []logSeries {
	return []logSeries{
		{SeriesShiftRecords, "shift_events", "event_at", SeriesShiftRecords, "false"},
		{SeriesDisseminationLog, "disseminations", "exported_at", SeriesDisseminationLog, "false"},
		{SeriesDestructionLog, "destruction_log", "event_at", SeriesDestructionLog, "false"},
		// A copy whose hit is still in the store past the period is held
		// with it (the day purge has already taken the unheld ones).
		{SeriesDispatchCopies, "dispatch_hits", "alerted_at", SeriesHits, "id IN (SELECT id FROM hits)"},
	}
}

// rangeHeldClause is a SQL condition on a column true for a row inside an
// active hold on a time range (a hold naming no plate and no read keeps
// every record of its range, of every series).
func rangeHeldClause(col string, holds []Hold, now time.Time) (string, []any) {
	cond := "false"
	var args []any
	for _, h := range holds {
		if !h.Active(now) || h.Plate != "" || h.ReadID != "" {
			continue
		}
		cond += fmt.Sprintf(" OR ((? OR %[1]s >= ?) AND (? OR %[1]s < ?))", col)
		args = append(args, h.From.IsZero(), h.From, h.To.IsZero(), h.To)
	}
	return cond, args
}

// purgeLogs destroys the shift records and the dissemination and
// destruction logs older than their own periods (permanent by default),
// one transaction per series, with a destruction-log row per local day.
func purgeLogs(ctx context.Context, st *analytics.Store, o PurgeOptions, run string, now time.Time, rep *PurgeReport) error {
	holds, err := LoadHolds(ctx, st)
	if err != nil {
		return err
	}
	for _, s := range logSeriesTables() {
		cut, ok := o.Policy.Cutoff(s.period, now)
		if !ok {
			continue
		}
		if err := purgeLog(ctx, st, o, s, cut, holds, run, now, rep); err != nil {
			return fmt.Errorf("purge %s: %w", s.series, err)
		}
	}
	return nil
}

func purgeLog(ctx context.Context, st *analytics.Store, o PurgeOptions, s logSeries, cut time.Time, holds []Hold, run string, now time.Time, rep *PurgeReport) error {
	tx, err := st.DB().BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	held, heldArgs := rangeHeldClause(s.col, holds, now)
	held = "(" + held + ") OR (" + s.keep + ")"
	args := append([]any{st.TimeZone(), cut}, heldArgs...)
	rows, err := tx.QueryContext(ctx, fmt.Sprintf(`SELECT strftime(timezone(?, %[2]s), '%%Y-%%m-%%d'), id FROM %[1]s
		WHERE %[2]s < ? AND NOT (%[3]s) ORDER BY 1, 2`, s.table, s.col, held), args...)
	if err != nil {
		return err
	}
	byDay := map[string][]string{}
	var days []string
	for rows.Next() {
		var day, id string
		if err := rows.Scan(&day, &id); err != nil {
			rows.Close()
			return err
		}
		if _, ok := byDay[day]; !ok {
			days = append(days, day)
		}
		byDay[day] = append(byDay[day], id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(days) == 0 {
		return nil
	}
	var keptHeld int64
	if err := tx.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*) FROM %s WHERE %s < ? AND (%s)`, s.table, s.col, held),
		append([]any{cut}, heldArgs...)...).Scan(&keptHeld); err != nil {
		return err
	}
	var total int64
	var entries []LedgerEntry
	for i, day := range days {
		ids := byDay[day]
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`DELETE FROM %s WHERE id IN (SELECT unnest(?::VARCHAR[])) AND %s < ?`, s.table, s.col), ids, cut); err != nil {
			return err
		}
		h := int64(0)
		if i == len(days)-1 {
			h = keptHeld // the held rows before the cutoff, counted once
		}
		entries = append(entries, LedgerEntry{ID: uuid.Must(uuid.NewV7()).String(), RunID: run, At: now, Series: s.series, Day: day,
			Rows: int64(len(ids)), Held: h, Actor: o.Actor, PolicyVersion: o.PolicyVersion, IDsSHA256: digest(ids), IDs: ids})
		total += int64(len(ids))
	}
	if err := logDestruction(ctx, tx, o.Ledger, entries); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if rep.Series == nil {
		rep.Series = map[string]int64{}
	}
	rep.Series[s.series] += total
	o.Logger.Info("destroyed", "series", s.series, "rows", total, "before", cut.Format("2006-01-02"))
	return nil
}

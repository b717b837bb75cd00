package retention

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/internal/csvsafe"
)

// SeriesLine is one record series in the retention schedule report.
type SeriesLine struct {
	Series    string
	Period    string // under the policy: "6 months" or "permanent"
	Created   int64  // records created in the period (still kept or since destroyed)
	Destroyed int64  // records of the period destroyed so far
	Held      int64  // records of the period a hold keeps
	Overdue   int64  // records past their retention, held by nothing, not yet destroyed: should be 0
	Runs      int    // destruction-log entries for the period
}

// ScheduleReport is the records clerk's retention report for a period
// (order D.2): per series, what was created, destroyed, held and overdue.
type ScheduleReport struct {
	From, To      time.Time // the period, department time
	Now           time.Time
	PolicyVersion string
	Lines         []SeriesLine
	ActiveHolds   []Hold
	Backups       []BackupInfo // on hand, when the station keeps backups (AddBackups)
}

// AddBackups adds a "backups" line (backups taken in the period, destroyed
// in it, and overdue: on hand past o.Keep, which should be none) and the
// list of backups on hand: a backup holds records, so the clerk accounts
// for it like one.
func (r *ScheduleReport) AddBackups(ctx context.Context, st *analytics.Store, o BackupOptions) error {
	bs, err := ListBackups(o.Dir)
	if err != nil {
		return fmt.Errorf("report backups: %w", err)
	}
	r.Backups = bs
	line := SeriesLine{Series: SeriesBackups, Period: fmt.Sprintf("%d days", int(o.Keep.Hours()/24))}
	if err := st.DB().QueryRowContext(ctx, `SELECT count(*) FROM audit_log WHERE action = 'backup' AND event_at >= ? AND event_at < ?`,
		r.From, r.To).Scan(&line.Created); err != nil {
		return fmt.Errorf("report backups: %w", err)
	}
	if err := st.DB().QueryRowContext(ctx, `SELECT count(*) FROM destruction_log WHERE series = ? AND day >= ? AND day < ?`,
		SeriesBackups, r.From.Format("2006-01-02"), r.To.Format("2006-01-02")).Scan(&line.Destroyed); err != nil {
		return fmt.Errorf("report backups: %w", err)
	}
	line.Runs = int(line.Destroyed)
	for _, b := range bs {
		if r.Now.Sub(b.TakenAt) > o.Keep {
			line.Overdue++
		}
	}
	r.Lines = append(r.Lines, line)
	return nil
}

// reportSeries is how the report counts one series: the rows (a FROM
// clause and the column that dates them), the condition under which a hold
// keeps a row, and what the destruction log calls its destruction.
type reportSeries struct {
	series    string
	from, col string
	held      string
	heldArgs  []any
	destroyed string // what to sum over the destruction_log rows of logSeries
	logSeries string
}

// BuildScheduleReport gathers the report for [from, to): for every series
// of the policy, records created in the period, destroyed so far (from the
// destruction log), kept by holds, and overdue (past the series' period,
// held by nothing, still there: should be zero).
func BuildScheduleReport(ctx context.Context, st *analytics.Store, p Policy, policyVersion string, from, to, now time.Time) (ScheduleReport, error) {
	rep := ScheduleReport{From: from, To: to, Now: now, PolicyVersion: policyVersion}
	holds, err := LoadHolds(ctx, st)
	if err != nil {
		return rep, err
	}
	for _, h := range holds {
		if h.Active(now) {
			rep.ActiveHolds = append(rep.ActiveHolds, h)
		}
	}
	cond, args := heldClause(holds, now)
	readHeld := func(alias string) string {
		return "EXISTS (SELECT 1 FROM reads WHERE reads.id = " + alias + " AND (" + cond + "))"
	}
	rangeHeld := func(col string) (string, []any) { return rangeHeldClause(col, holds, now) }
	shiftHeld, shiftArgs := rangeHeld("event_at")
	dissemHeld, dissemArgs := rangeHeld("exported_at")
	destrHeld, destrArgs := rangeHeld("event_at")
	auditHeld, auditArgs := rangeHeld("event_at")
	all := []reportSeries{
		{SeriesReads, "reads", "captured_at", cond, args, "rows_destroyed", "reads"},
		{SeriesPlateImages, "reads WHERE crop_path IS NOT NULL", "captured_at", cond, args, "rows_destroyed", SeriesPlateImages},
		{SeriesOverviewImages, "reads WHERE overview_path IS NOT NULL", "captured_at", cond, args, "rows_destroyed", SeriesOverviewImages},
		{SeriesHits, "hits", "alerted_at", readHeld("hits.read_id"), args, "rows_destroyed", "hits"},
		{SeriesDispositions, "dispositions", "event_at", "EXISTS (SELECT 1 FROM hits WHERE hits.id = dispositions.hit_id AND " +
			readHeld("hits.read_id") + ")", args, "rows_destroyed", "dispositions"},
		{SeriesShiftRecords, "shift_events", "event_at", shiftHeld, shiftArgs, "rows_destroyed", SeriesShiftRecords},
		{SeriesAuditLog, "audit_log", "event_at", auditHeld, auditArgs, "rows_destroyed", SeriesAuditLog},
		{SeriesDisseminationLog, "disseminations", "exported_at", dissemHeld, dissemArgs, "rows_destroyed", SeriesDisseminationLog},
		{SeriesDestructionLog, "destruction_log", "event_at", destrHeld, destrArgs, "rows_destroyed", SeriesDestructionLog},
	}
	db := st.DB()
	for _, s := range all {
		line := SeriesLine{Series: s.series, Period: p.Period(s.series).String()}
		// The first instant still kept; a permanent series is never overdue.
		cut, ok := p.Cutoff(s.series, now)
		if !ok {
			cut = time.Time{}
		}
		where := " WHERE "
		if strings.Contains(s.from, " WHERE ") {
			where = " AND "
		}
		//nolint:gosec // the formatted parts are constant column names and fragments; values are bound
		q := fmt.Sprintf(`SELECT count(*), count(*) FILTER (WHERE %[3]s),
			count(*) FILTER (WHERE %[2]s < ? AND NOT (%[3]s)) FROM %[1]s`+where+`%[2]s >= ? AND %[2]s < ?`, s.from, s.col, s.held)
		// Arguments in order: the held filter, the overdue cutoff and its
		// held filter, the period.
		qa := append(append(append([]any{}, s.heldArgs...), cut), s.heldArgs...)
		qa = append(qa, from, to)
		var kept int64
		if err := db.QueryRowContext(ctx, q, qa...).Scan(&kept, &line.Held, &line.Overdue); err != nil {
			return rep, fmt.Errorf("report %s: %w", s.series, err)
		}
		if err := db.QueryRowContext(ctx, `SELECT coalesce(sum(`+s.destroyed+`), 0), count(*) FROM destruction_log
			WHERE series = ? AND day >= ? AND day < ?`, s.logSeries, from.Format("2006-01-02"), to.Format("2006-01-02")).Scan(&line.Destroyed, &line.Runs); err != nil {
			return rep, fmt.Errorf("report %s: %w", s.series, err)
		}
		line.Created = kept + line.Destroyed
		rep.Lines = append(rep.Lines, line)
	}
	return rep, nil
}

// WriteCSV writes the report as CSV, one row per series.
func (r ScheduleReport) WriteCSV(w io.Writer) error {
	cw := csvsafe.NewWriter(w)
	cw.Write([]string{"period_from", "period_to", "series", "kept_for", "created", "destroyed", "held", "overdue", "destruction_log_entries", "policy"})
	for _, l := range r.Lines {
		cw.Write([]string{r.From.Format("2006-01-02"), r.To.Format("2006-01-02"), l.Series, l.Period, i64(l.Created), i64(l.Destroyed),
			i64(l.Held), i64(l.Overdue), strconv.Itoa(l.Runs), r.PolicyVersion})
	}
	cw.Flush()
	return cw.Error()
}

func i64(n int64) string { return strconv.FormatInt(n, 10) }

// WritePDF writes the report as a one-page PDF with the custodian's
// sign-off line.
func (r ScheduleReport) WritePDF(w io.Writer, department string) error {
	pdf := fpdf.New("P", "mm", "Letter", "")
	pdf.SetTitle("ALPR retention schedule report", false)
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 16)
	pdf.Cell(0, 10, department+": ALPR records retention report")
	pdf.Ln(12)
	pdf.SetFont("Helvetica", "", 11)
	pdf.Cell(0, 6, fmt.Sprintf("Period: %s to %s", r.From.Format("January 2, 2006"), r.To.AddDate(0, 0, -1).Format("January 2, 2006")))
	pdf.Ln(6)
	pdf.Cell(0, 6, "Missouri Police Clerks' Retention Schedule; policy "+r.PolicyVersion)
	pdf.Ln(6)
	pdf.Cell(0, 6, "Prepared "+r.Now.In(r.From.Location()).Format("January 2, 2006 15:04 MST"))
	pdf.Ln(10)
	pdf.SetFont("Helvetica", "B", 11)
	widths := []float64{38, 26, 24, 24, 22, 22, 26}
	for i, h := range []string{"Series", "Kept for", "Created", "Destroyed", "Held", "Overdue", "Log entries"} {
		pdf.CellFormat(widths[i], 8, h, "1", 0, "C", false, 0, "")
	}
	pdf.Ln(-1)
	pdf.SetFont("Helvetica", "", 10)
	for _, l := range r.Lines {
		for i, v := range []string{strings.ReplaceAll(l.Series, "_", " "), l.Period, i64(l.Created), i64(l.Destroyed), i64(l.Held), i64(l.Overdue), strconv.Itoa(l.Runs)} {
			align := "R"
			if i < 2 {
				align = "L"
			}
			pdf.CellFormat(widths[i], 8, v, "1", 0, align, false, 0, "")
		}
		pdf.Ln(-1)
	}
	pdf.Ln(6)
	pdf.Cell(0, 6, fmt.Sprintf("Active holds (evidence or retention requests): %d", len(r.ActiveHolds)))
	pdf.Ln(6)
	for _, h := range r.ActiveHolds {
		what := "plate " + h.Plate
		if h.Plate == "" {
			what = "records in a time range"
		}
		pdf.Cell(0, 6, fmt.Sprintf("  case %s: %s", h.Case, what))
		pdf.Ln(6)
	}
	if len(r.Backups) > 0 {
		pdf.Ln(2)
		pdf.Cell(0, 6, fmt.Sprintf("Backups on hand (encrypted to the offline key): %d", len(r.Backups)))
		pdf.Ln(6)
		for _, b := range r.Backups {
			pdf.Cell(0, 6, fmt.Sprintf("  %s  taken %s, %.1f MB", b.Name, b.TakenAt.In(r.From.Location()).Format("2006-01-02 15:04 MST"), float64(b.Bytes)/1e6))
			pdf.Ln(6)
		}
	}
	overdue := int64(0)
	for _, l := range r.Lines {
		overdue += l.Overdue
	}
	pdf.Ln(4)
	if overdue == 0 {
		pdf.Cell(0, 6, "No record is overdue for destruction.")
	} else {
		pdf.Cell(0, 6, fmt.Sprintf("%d records are overdue for destruction: run the retention job and explain the delay.", overdue))
	}
	pdf.Ln(20)
	pdf.Cell(0, 6, "Custodian of records: ______________________________   Date: ______________")
	return pdf.Output(w)
}

// DestructionEntry is one row of the destruction log.
type DestructionEntry struct {
	RunID         string
	At            time.Time
	Series        string
	Day           string
	Destroyed     int64
	Held          int64
	Actor         string
	PolicyVersion string
	IDsSHA256     string
}

// DestructionLog lists the most recent destruction-log rows, newest first.
func DestructionLog(ctx context.Context, st *analytics.Store, limit int) ([]DestructionEntry, error) {
	rows, err := st.DB().QueryContext(ctx, `SELECT run_id, event_at, series, strftime(day, '%Y-%m-%d'), rows_destroyed, rows_held,
		actor, policy_version, ids_sha256 FROM destruction_log ORDER BY event_at DESC, day DESC, series LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("read destruction log: %w", err)
	}
	defer rows.Close()
	var out []DestructionEntry
	for rows.Next() {
		var e DestructionEntry
		if err := rows.Scan(&e.RunID, &e.At, &e.Series, &e.Day, &e.Destroyed, &e.Held, &e.Actor, &e.PolicyVersion, &e.IDsSHA256); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

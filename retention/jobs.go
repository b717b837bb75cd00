package retention

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/internal/fsutil"
)

// The back office's retention jobs and their default schedules, read in
// the department's zone. 03:15 is clear of the hour a daylight-saving
// change skips or repeats.
const (
	PurgeJobName      = "retention-purge"
	DefaultPurgeSpec  = "15 3 * * *"
	ReportsJobName    = "monthly-reports"
	DefaultReportSpec = "0 6 1 * *"
	BackupJobName     = "backup"
	DefaultBackupSpec = "45 3 * * *" // after the purge, so a backup holds nothing it destroyed
)

// BackupJob is the nightly backup into o.Dir, then the destruction of the
// backups older than o.Keep.
func BackupJob(st *analytics.Store, p Policy, o BackupOptions, spec string) Job {
	return Job{Name: BackupJobName, Spec: spec, Run: func(ctx context.Context, now time.Time) (string, error) {
		info, err := Backup(ctx, st, o, p, now)
		if err != nil {
			return "backup failed", err
		}
		pr, err := PruneBackups(ctx, st, o, "job:"+BackupJobName, now)
		return fmt.Sprintf("%s: %d files, %d bytes; destroyed %d backups older than %s", info.Name, info.Files, info.Bytes, len(pr.Backups), o.Keep), err
	}}
}

// PurgeJob is the nightly purge (order D.1) under the policy.
// ledger records its destructions for restores (nil: a station without
// backups).
func PurgeJob(st *analytics.Store, p Policy, spec string, logger *slog.Logger, ledger Ledger) Job {
	return Job{Name: PurgeJobName, Spec: spec, Run: func(ctx context.Context, now time.Time) (string, error) {
		r, err := Purge(ctx, st, PurgeOptions{Policy: p, Actor: "job:" + PurgeJobName, Logger: logger, Ledger: ledger}, now)
		s := fmt.Sprintf("destroyed %d reads, %d hits, %d images on %d days; kept %d held reads; finished %d interrupted days",
			r.Reads, r.Hits, r.Images, len(r.Days), r.Held, r.Resumed)
		for _, series := range AllSeries() {
			if n, ok := r.Series[series]; ok {
				s += fmt.Sprintf("; %s %d", series, n)
			}
		}
		return s, err
	}}
}

// PreviousMonth is the local calendar month before the one now falls in.
func PreviousMonth(now time.Time, zone *time.Location) (from, to time.Time) {
	l := now.In(zone)
	to = time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, zone)
	return to.AddDate(0, -1, 0), to
}

// ReportsJob writes, on the first of each month, the clerk's retention
// schedule report and the usage report for the month before, as CSV and
// PDF, into dir/YYYY-MM/. Files appear whole; a rerun replaces them.
// backups, when the station keeps them, adds them to the retention report.
func ReportsJob(st *analytics.Store, p Policy, spec, dir, department string, backups *BackupOptions) Job {
	return Job{Name: ReportsJobName, Spec: spec, Run: func(ctx context.Context, now time.Time) (string, error) {
		from, to := PreviousMonth(now, p.Zone)
		files, err := WriteMonthlyReports(ctx, st, p, dir, department, from, to, now, backups)
		return fmt.Sprintf("%d report files for %s in %s", len(files), from.Format("2006-01"), dir), err
	}}
}

// WriteMonthlyReports writes the two reports for [from, to) into
// dir/YYYY-MM/ and audits it; backups (nil: none kept) are accounted for
// in the retention report. It returns the files written.
func WriteMonthlyReports(ctx context.Context, st *analytics.Store, p Policy, dir, department string, from, to, now time.Time, backups *BackupOptions) ([]string, error) {
	month := from.Format("2006-01")
	out := filepath.Join(dir, month)
	if err := os.MkdirAll(out, 0o750); err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	sched, err := BuildScheduleReport(ctx, st, p, p.Version, from, to, now)
	if err != nil {
		return nil, err
	}
	if backups != nil {
		if err := sched.AddBackups(ctx, st, *backups); err != nil {
			return nil, err
		}
	}
	usage, err := BuildUsageReport(ctx, st, from, to)
	if err != nil {
		return nil, err
	}
	var written []string
	for _, f := range []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"retention-" + month + ".csv", func(b *bytes.Buffer) error { return sched.WriteCSV(b) }},
		{"retention-" + month + ".pdf", func(b *bytes.Buffer) error { return sched.WritePDF(b, department) }},
		{"usage-" + month + ".csv", func(b *bytes.Buffer) error { return usage.WriteCSV(b) }},
		{"usage-" + month + ".pdf", func(b *bytes.Buffer) error { return usage.WritePDF(b, department, now) }},
	} {
		var b bytes.Buffer
		if err := f.write(&b); err != nil {
			return written, fmt.Errorf("report %s: %w", f.name, err)
		}
		path := filepath.Join(out, f.name)
		if err := fsutil.WriteFile(path, b.Bytes()); err != nil {
			return written, err
		}
		written = append(written, path)
	}
	return written, st.Audit(ctx, now, analytics.Access{User: "job:" + ReportsJobName, Reason: "monthly clerk reports (order D.2)", Case: "records-schedule"},
		"report.monthly", fmt.Sprintf("retention and usage reports for %s written to %s", month, out))
}

package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/analytics/hotlists"
	"github.com/plateward/alpr/edge/drive"
	"github.com/plateward/alpr/ingest"
	"github.com/plateward/alpr/retention"
)

// serveJobs are the scheduled jobs alpr serve runs: the nightly purge and
// the monthly clerk reports.
type serveJobs struct {
	off        bool
	pol        policyFlag
	purgeAt    string
	reportsAt  string
	reportsDir string
	department string
	hotlists   string // the hot-list sources file
	inbox      string // a folder drives are copied into
	identity   string // the station's age identity, for encrypted drives
	backup     backupFlags
	backupAt   string
}

func (j *serveJobs) add(cmd *cobra.Command) {
	j.pol.add(cmd)
	cmd.Flags().BoolVar(&j.off, "no-jobs", false, "do not run the scheduled jobs (another server runs them)")
	cmd.Flags().StringVar(&j.purgeAt, "purge-at", retention.DefaultPurgeSpec, "cron schedule of the nightly retention purge, in the department's zone")
	cmd.Flags().StringVar(&j.reportsAt, "reports-at", retention.DefaultReportSpec, "cron schedule of the monthly clerk reports, in the department's zone")
	cmd.Flags().StringVar(&j.reportsDir, "reports-dir", "", "where the monthly reports are written (default STORE/reports)")
	cmd.Flags().StringVar(&j.inbox, "inbox", "", "a folder drives are copied into (one subfolder per drive): loaded every minute once settled")
	cmd.Flags().StringVar(&j.identity, "identity", "", "the station's age identity file, for encrypted drives in the inbox")
	cmd.Flags().StringVar(&j.hotlists, "hotlists", "", "hot-list sources file: lists fetched on its schedule (see the hotlists package doc)")
	j.backup.add(cmd)
	cmd.Flags().StringVar(&j.backupAt, "backup-at", retention.DefaultBackupSpec, "cron schedule of the nightly backup (with --backup-dir), in the department's zone")
	cmd.Flags().StringVar(&j.department, "department", "St. Louis Metropolitan Police Department", "the department named on the reports")
}

// start catches up missed runs and runs the jobs under the policy in the
// background; stop ends them.
func (j *serveJobs) start(cmd *cobra.Command, st *analytics.Store, p retention.Policy, hl *hotlists.Config) (stop func(), err error) {
	if j.off {
		return func() {}, nil
	}
	dir := j.reportsDir
	if dir == "" {
		dir = filepath.Join(st.Dir(), "reports")
	}
	o := retention.DefaultSchedulerOptions(st)
	o.Zone, o.Logger = p.Zone, slog.Default()
	ledger, err := j.backup.ledger()
	if err != nil {
		return nil, err
	}
	var bo *retention.BackupOptions
	if ledger != nil {
		o, err := j.backup.options()
		if err != nil {
			return nil, err
		}
		if err := o.Validate(p, time.Now()); err != nil {
			return nil, err
		}
		bo = &o
	}
	jobs := []retention.Job{
		retention.PurgeJob(st, p, j.purgeAt, slog.Default(), ledger),
		retention.ReportsJob(st, p, j.reportsAt, dir, j.department, bo),
	}
	if bo != nil {
		jobs = append(jobs, retention.BackupJob(st, p, *bo, j.backupAt))
		fmt.Fprintf(cmd.OutOrStdout(), "backups %q into %s, kept %s; purges write the destruction ledger there\n", j.backupAt, bo.Dir, bo.Keep)
	}
	if j.inbox != "" {
		iopts := ingest.DefaultOptions()
		if j.identity != "" {
			if iopts.Identities, err = readIdentities(j.identity); err != nil {
				return nil, err
			}
		}
		jobs = append(jobs, inboxJob(st, j.inbox, iopts))
		fmt.Fprintf(cmd.OutOrStdout(), "inbox %s: drives copied there are loaded every minute once settled\n", j.inbox)
	}
	if hl != nil {
		jobs = append(jobs, hotlistJob(st, *hl))
		fmt.Fprintf(cmd.OutOrStdout(), "hot-list refresh %q for %d lists\n", hl.Schedule, len(hl.Lists))
	}
	s, err := retention.NewScheduler(jobs, o)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "scheduled jobs: retention purge %q and monthly reports %q (%s) under policy %s; reports in %s\n",
		j.purgeAt, j.reportsAt, p.Zone, p.Version, dir)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := s.Run(ctx); err != nil {
			slog.Error("scheduled jobs stopped", "err", err)
		}
	}()
	return func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			slog.Default().Warn("a scheduled job was still running at shutdown")
		}
	}, nil
}

// hotlists reads the sources file, if one is given.
func (j *serveJobs) loadHotlists() (*hotlists.Config, error) {
	if j.hotlists == "" {
		return nil, nil
	}
	c, err := hotlists.LoadConfig(j.hotlists)
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// hotlistJob refreshes every list of the sources file.
func hotlistJob(st *analytics.Store, c hotlists.Config) retention.Job {
	r := hotlists.Refresher{St: st, Dir: hotlists.Dir(st.Dir())}
	return retention.Job{Name: "hotlist-refresh", Spec: c.Schedule, Run: func(ctx context.Context, now time.Time) (string, error) {
		out, err := r.RefreshAll(ctx, c, now)
		var parts []string
		for _, o := range out {
			parts = append(parts, o.String())
		}
		return strings.Join(parts, "; "), err
	}}
}

// inboxJob loads, every minute, the drives copied into the inbox.
func inboxJob(st *analytics.Store, dir string, o ingest.Options) retention.Job {
	return retention.Job{Name: "ingest-inbox", Spec: "* * * * *", Run: func(ctx context.Context, now time.Time) (string, error) {
		ds, err := ingest.Inbox(ctx, st, dir, time.Minute, o)
		var loaded, already, quarantined int
		var reads int64
		for _, d := range ds {
			loaded += d.Report.Loaded
			already += d.Report.AlreadyLoaded
			quarantined += len(d.Report.Quarantined)
			reads += d.Report.Rows[drive.KindReads]
		}
		return fmt.Sprintf("%d drives: %d files loaded (%d reads), %d already loaded, %d quarantined", len(ds), loaded, reads, already, quarantined), err
	}}
}

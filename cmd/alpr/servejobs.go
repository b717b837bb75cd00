package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/plateward/alpr/analytics"
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
}

func (j *serveJobs) add(cmd *cobra.Command) {
	j.pol.add(cmd)
	cmd.Flags().BoolVar(&j.off, "no-jobs", false, "do not run the scheduled jobs (another server runs them)")
	cmd.Flags().StringVar(&j.purgeAt, "purge-at", retention.DefaultPurgeSpec, "cron schedule of the nightly retention purge, in the department's zone")
	cmd.Flags().StringVar(&j.reportsAt, "reports-at", retention.DefaultReportSpec, "cron schedule of the monthly clerk reports, in the department's zone")
	cmd.Flags().StringVar(&j.reportsDir, "reports-dir", "", "where the monthly reports are written (default STORE/reports)")
	cmd.Flags().StringVar(&j.department, "department", "St. Louis Metropolitan Police Department", "the department named on the reports")
}

// start catches up missed runs and runs the jobs under the policy in the
// background; stop ends them.
func (j *serveJobs) start(cmd *cobra.Command, st *analytics.Store, p retention.Policy) (stop func(), err error) {
	if j.off {
		return func() {}, nil
	}
	dir := j.reportsDir
	if dir == "" {
		dir = filepath.Join(st.Dir(), "reports")
	}
	o := retention.DefaultSchedulerOptions(st)
	o.Zone, o.Logger = p.Zone, slog.Default()
	s, err := retention.NewScheduler([]retention.Job{
		retention.PurgeJob(st, p, j.purgeAt, slog.Default()),
		retention.ReportsJob(st, p, j.reportsAt, dir, j.department),
	}, o)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "scheduled jobs: retention purge %q and monthly reports %q (%s) under policy %s; reports in %s\n",
		j.purgeAt, j.reportsAt, p.Zone, p.Version, dir)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Run(ctx)
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

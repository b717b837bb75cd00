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
}

func (j *serveJobs) add(cmd *cobra.Command) {
	j.pol.add(cmd)
	cmd.Flags().BoolVar(&j.off, "no-jobs", false, "do not run the scheduled jobs (another server runs them)")
	cmd.Flags().StringVar(&j.purgeAt, "purge-at", retention.DefaultPurgeSpec, "cron schedule of the nightly retention purge, in the department's zone")
	cmd.Flags().StringVar(&j.reportsAt, "reports-at", retention.DefaultReportSpec, "cron schedule of the monthly clerk reports, in the department's zone")
	cmd.Flags().StringVar(&j.reportsDir, "reports-dir", "", "where the monthly reports are written (default STORE/reports)")
	cmd.Flags().StringVar(&j.hotlists, "hotlists", "", "hot-list sources file: lists fetched on its schedule (see the hotlists package doc)")
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
	jobs := []retention.Job{
		retention.PurgeJob(st, p, j.purgeAt, slog.Default()),
		retention.ReportsJob(st, p, j.reportsAt, dir, j.department),
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

package main

import (
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/retention"
)

// policyFlag is the retention policy file flag shared by the commands
// that apply or report on the policy.
type policyFlag struct{ path string }

func (f *policyFlag) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.path, "policy", "", "retention policy file (default: the built-in order D.1 policy; see alpr retention policy --default)")
}

// load reads the policy and, with adopt, records it as adopted in the
// store (a new version is audited).
func (f *policyFlag) load(cmd *cobra.Command, st *analytics.Store, by string, adopt bool) (retention.Policy, error) {
	var p retention.Policy
	body := retention.DefaultPolicyFile()
	var err error
	if f.path == "" {
		p, err = retention.DefaultPolicy()
	} else {
		p, body, err = retention.LoadPolicy(f.path)
	}
	if err != nil || !adopt {
		return p, err
	}
	if _, err := retention.AdoptPolicy(cmd.Context(), st, p, body, by, time.Now()); err != nil {
		return p, err
	}
	return p, nil
}

func newRetentionCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "retention",
		Short: "Destroy records six months after creation unless held (order D.1)",
	}
	var sf storeFlags
	var dry bool
	var at, actor string
	var pol policyFlag
	var bf backupFlags
	run := &cobra.Command{
		Use:   "run [--dry-run]",
		Short: "Destroy the records past their retention that no hold keeps (--dry-run: only report)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			now := time.Now()
			if at != "" {
				t, err := parseTimeFlag("now", at, sf.timeZone)
				if err != nil {
					return err
				}
				now = t
			}
			st, err := sf.open(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			p, err := pol.load(cmd, st, actor, !dry)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if !dry {
				ledger, err := bf.ledger()
				if err != nil {
					return err
				}
				pr, err := retention.Purge(cmd.Context(), st, retention.PurgeOptions{Policy: p,
					Actor: actor, Logger: slog.Default(), Ledger: ledger}, now)
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "retention run %s at %s under policy %s: destroyed %d reads, %d hits and %d images on %d days; kept %d held reads; %d interrupted days finished\n",
					pr.RunID, now.In(p.Zone).Format("2006-01-02 15:04 MST"), p.Version, pr.Reads, pr.Hits, pr.Images, len(pr.Days), pr.Held, pr.Resumed)
				for _, s := range retention.AllSeries() {
					if n, ok := pr.Series[s]; ok {
						fmt.Fprintf(out, "  %s: destroyed %d records past %s\n", s, n, p.Period(s))
					}
				}
				return nil
			}
			rep, err := retention.DryRun(cmd.Context(), st, p, now)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "retention dry run at %s (%d months, %s): nothing was changed\n", now.In(p.Zone).Format("2006-01-02 15:04 MST"), p.ReadsMonths, p.Zone)
			fmt.Fprintf(out, "  due for destruction: %d reads and %d hits on %d days; kept by holds: %d reads\n", rep.ReadsDue, rep.HitsDue, rep.DueDays, rep.ReadsHeld)
			for _, d := range rep.Days {
				state := "kept; due " + d.DueAt.In(p.Zone).Format("2006-01-02 15:04 MST")
				if d.Due {
					state = "DUE"
					if len(d.HeldBy) > 0 {
						state += fmt.Sprintf(" (%d holds)", len(d.HeldBy))
					}
				}
				fmt.Fprintf(out, "  %s  reads %6d  hits %4d  %s\n", d.Day.Day, d.Day.Reads, d.Day.Hits, state)
			}
			return nil
		},
	}
	sf.add(run)
	pol.add(run)
	bf.add(run)
	run.Flags().BoolVar(&dry, "dry-run", false, "only report what would be destroyed")
	run.Flags().StringVar(&at, "now", "", "plan as of this time instead of now (RFC 3339 or YYYY-MM-DD)")
	run.Flags().StringVar(&actor, "actor", "cli:"+currentUser(), "who runs it, for the destruction log")
	cmd.AddCommand(run, newPolicyCmd(), newHoldCmd(), newRetentionReportCmd(), newUsageReportCmd())
	return cmd
}

// periodFlags are a report's store and period.
type periodFlags struct {
	sf       storeFlags
	from, to string
}

func (p *periodFlags) add(cmd *cobra.Command) {
	p.sf.add(cmd)
	cmd.Flags().StringVar(&p.from, "from", "", "first day of the period")
	cmd.Flags().StringVar(&p.to, "to", "", "day after the period")
}

// open reads the period and opens the store.
func (p *periodFlags) open(cmd *cobra.Command) (*analytics.Store, time.Time, time.Time, error) {
	f, err := parseTimeFlag("from", p.from, p.sf.timeZone)
	if err != nil {
		return nil, f, f, err
	}
	t, err := parseTimeFlag("to", p.to, p.sf.timeZone)
	if err != nil {
		return nil, f, t, err
	}
	if f.IsZero() || !t.After(f) {
		return nil, f, t, fmt.Errorf("give a period with --from and --to")
	}
	st, err := p.sf.open(cmd.Context())
	return st, f, t, err
}

func newRetentionReportCmd() *cobra.Command {
	var pf periodFlags
	var pol policyFlag
	var format, out, dept string
	var backupDir string
	var keep time.Duration
	cmd := &cobra.Command{
		Use:   "report --from YYYY-MM-DD --to YYYY-MM-DD [--format csv|pdf] [--out FILE]",
		Short: "The records clerk's retention schedule report: created, destroyed, held and overdue, per series",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, f, t, err := pf.open(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			p, err := pol.load(cmd, st, "cli:"+currentUser(), false)
			if err != nil {
				return err
			}
			rep, err := retention.BuildScheduleReport(cmd.Context(), st, p, p.Version, f, t, time.Now())
			if err != nil {
				return err
			}
			if backupDir != "" {
				if err := rep.AddBackups(cmd.Context(), st, retention.BackupOptions{Dir: backupDir, Keep: keep}); err != nil {
					return err
				}
			}
			w := cmd.OutOrStdout()
			if out != "" {
				fh, err := os.Create(out)
				if err != nil {
					return err
				}
				defer fh.Close()
				w = fh
			}
			switch format {
			case "csv":
				return rep.WriteCSV(w)
			case "pdf":
				if out == "" {
					return fmt.Errorf("report: a PDF needs --out FILE")
				}
				return rep.WritePDF(w, dept)
			}
			return fmt.Errorf("--format %q: want csv or pdf", format)
		},
	}
	pf.add(cmd)
	pol.add(cmd)
	cmd.Flags().StringVar(&format, "format", "csv", "csv or pdf")
	cmd.Flags().StringVar(&out, "out", "", "write to this file (required for pdf)")
	cmd.Flags().StringVar(&dept, "department", "St. Louis Metropolitan Police Department", "the department named on the report")
	cmd.Flags().StringVar(&backupDir, "backup-dir", "", "the station's backup folder: its backups are accounted for in the report")
	cmd.Flags().DurationVar(&keep, "backup-keep", retention.DefaultKeep, "how long the station keeps a backup")
	return cmd
}

func newUsageReportCmd() *cobra.Command {
	var pf periodFlags
	cmd := &cobra.Command{
		Use:   "usage --from YYYY-MM-DD --to YYYY-MM-DD",
		Short: "The usage and transparency report (CSV): reads, hits by list, dispositions, searches by reason, exports by recipient",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, f, t, err := pf.open(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			rep, err := retention.BuildUsageReport(cmd.Context(), st, f, t)
			if err != nil {
				return err
			}
			return rep.WriteCSV(cmd.OutOrStdout())
		},
	}
	pf.add(cmd)
	return cmd
}

func newPolicyCmd() *cobra.Command {
	var sf storeFlags
	var def bool
	var by string
	cmd := &cobra.Command{
		Use:   "policy [FILE] | --default",
		Short: "Check and adopt a retention policy file (audited), or print the built-in one to start from",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			if def {
				_, err := out.Write(retention.DefaultPolicyFile())
				return err
			}
			if len(args) != 1 {
				return fmt.Errorf("give a policy file to adopt, or --default to print the built-in one")
			}
			p, body, err := retention.LoadPolicy(args[0])
			if err != nil {
				return err
			}
			st, err := sf.open(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			adopted, err := retention.AdoptPolicy(cmd.Context(), st, p, body, by, time.Now())
			if err != nil {
				return err
			}
			state := "already in force"
			if adopted {
				state = "adopted (recorded in the audit log)"
			}
			fmt.Fprintf(out, "retention policy %s: %s; days are counted in %s\n", p.Version, state, p.Zone)
			for _, s := range retention.AllSeries() {
				fmt.Fprintf(out, "  %-18s %s\n", s, p.Period(s))
			}
			return nil
		},
	}
	sf.add(cmd)
	cmd.Flags().BoolVar(&def, "default", false, "print the built-in policy file")
	cmd.Flags().StringVar(&by, "by", "cli:"+currentUser(), "who adopts it, for the audit log")
	return cmd
}

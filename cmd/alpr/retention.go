package main

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"github.com/plateward/alpr/retention"
)

// policyVersion names the built-in policy in the destruction log. A
// versioned policy file comes with the clerk's reports.
const policyVersion = "reads-hits-images-6-calendar-months/v1"

func newRetentionCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "retention",
		Short: "Destroy records six months after creation unless held (order D.1)",
	}
	var sf storeFlags
	var dry bool
	var at, actor string
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
			p, err := retention.DefaultPolicy()
			if err != nil {
				return err
			}
			if sf.timeZone != "" {
				if p.Zone, err = time.LoadLocation(sf.timeZone); err != nil {
					return fmt.Errorf("--tz: %w", err)
				}
			}
			st, err := sf.open(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			out := cmd.OutOrStdout()
			if !dry {
				pr, err := retention.Purge(cmd.Context(), st, retention.PurgeOptions{Policy: p, PolicyVersion: policyVersion,
					Actor: actor, Logger: slog.Default()}, now)
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "retention run %s at %s: destroyed %d reads, %d hits and %d images on %d days; kept %d held reads; %d interrupted days finished\n",
					pr.RunID, now.In(p.Zone).Format("2006-01-02 15:04 MST"), pr.Reads, pr.Hits, pr.Images, len(pr.Days), pr.Held, pr.Resumed)
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
	run.Flags().BoolVar(&dry, "dry-run", false, "only report what would be destroyed")
	run.Flags().StringVar(&at, "now", "", "plan as of this time instead of now (RFC 3339 or YYYY-MM-DD)")
	run.Flags().StringVar(&actor, "actor", "cli:"+currentUser(), "who runs it, for the destruction log")
	cmd.AddCommand(run, newHoldCmd())
	return cmd
}

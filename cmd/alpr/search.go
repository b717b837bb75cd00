package main

import (
	"fmt"
	"os/user"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/plateward/alpr/analytics"
)

func newSearchCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "search",
		Short: "Investigative searches (every search needs a reason and a case number, and is audited)",
	}
	cmd.AddCommand(newSearchPlateCmd())
	return cmd
}

// accessFlags are the who and why every search must give.
type accessFlags struct{ a analytics.Access }

// currentUser is the operating-system user, the default actor of the CLI.
func currentUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return ""
}

func (f *accessFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.a.User, "user", currentUser(), "who is acting (recorded in the audit log)")
	cmd.Flags().StringVar(&f.a.Reason, "reason", "", "why: the investigative purpose (required)")
	cmd.Flags().StringVar(&f.a.Case, "case", "", "case or incident number (required)")
}

func newSearchPlateCmd() *cobra.Command {
	var sf storeFlags
	var af accessFlags
	var from, to string
	var limit int
	cmd := &cobra.Command{
		Use:   "plate PLATE --reason TEXT --case NUMBER",
		Short: "Every read of a plate, newest first",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			q := analytics.PlateQuery{Plate: args[0], Limit: limit}
			var err error
			if q.From, err = parseTimeFlag("from", from, sf.timeZone); err != nil {
				return err
			}
			if q.To, err = parseTimeFlag("to", to, sf.timeZone); err != nil {
				return err
			}
			if err := af.a.Validate(); err != nil {
				return err
			}
			st, err := sf.open(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			rows, err := st.PlateReads(cmd.Context(), af.a, q, time.Now())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "%d reads of %s (case %s; this search is in the audit log)\n", len(rows), strings.ToUpper(args[0]), af.a.Case)
			if len(rows) == 0 {
				return nil
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "TIME (local)\tPLATE\tCONF\tCAMERA\tVEHICLE\tOFFICER\tPOSITION\tHITS\tCROP")
			for _, r := range rows {
				pos := "no fix"
				if r.HasFix {
					pos = fmt.Sprintf("%.5f,%.5f", r.Lat, r.Lon)
				}
				fmt.Fprintf(tw, "%s\t%s\t%.2f\t%s\t%s\t%s\t%s\t%s\t%s\n", r.CapturedAt.In(st.Location()).Format("2006-01-02 15:04:05 MST"),
					r.Plate, r.Confidence, r.Camera, r.Vehicle, r.Officer, pos, strings.Join(r.Hits, "; "), r.CropPath)
			}
			return tw.Flush()
		},
	}
	sf.add(cmd)
	af.add(cmd)
	cmd.Flags().StringVar(&from, "from", "", "earliest capture time, RFC 3339 or YYYY-MM-DD (department time)")
	cmd.Flags().StringVar(&to, "to", "", "latest capture time (exclusive), RFC 3339 or YYYY-MM-DD")
	cmd.Flags().IntVar(&limit, "limit", analytics.DefaultLimit, "most rows to return")
	return cmd
}

// parseTimeFlag reads RFC 3339, or a date that means midnight in the
// department's zone tz.
func parseTimeFlag(name, v, tz string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return time.Time{}, fmt.Errorf("time zone %q: %w", tz, err)
	}
	if t, err := time.ParseInLocation("2006-01-02", v, loc); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--%s %q: want RFC 3339 (2026-05-01T13:00:00Z) or YYYY-MM-DD", name, v)
}

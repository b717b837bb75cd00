package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/plateward/alpr/retention"
)

func newHoldCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "hold", Short: "Evidence designations and retention requests: records a hold keeps are never destroyed"}
	var sf storeFlags
	var af accessFlags
	var h retention.NewHold
	var from, to, until string
	add := &cobra.Command{
		Use:   "add --case N --requester NAME --reason TEXT (--plate P | --read ID | --from T --to T)",
		Short: "Keep records from destruction",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if h.From, err = parseTimeFlag("from", from, sf.timeZone); err != nil {
				return err
			}
			if h.To, err = parseTimeFlag("to", to, sf.timeZone); err != nil {
				return err
			}
			if h.Until, err = parseTimeFlag("until", until, sf.timeZone); err != nil {
				return err
			}
			h.Case, h.Reason = af.a.Case, af.a.Reason
			st, err := sf.open(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			sc, err := retention.ScopeHold(cmd.Context(), st, h, time.Now())
			if err != nil {
				return err
			}
			id, err := retention.AddHold(cmd.Context(), st, h, af.a.User, time.Now())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "hold %s added for case %s\n", id, h.Case)
			if sc.Reads == 0 {
				fmt.Fprintf(out, "warning: no read in the store matches it now (plate %q as stored: O is 0); it keeps only matching reads loaded while it is active\n", sc.Plate)
			} else {
				loc := st.Location()
				fmt.Fprintf(out, "it keeps %d reads, %s to %s, and their hits\n", sc.Reads,
					sc.First.In(loc).Format("2006-01-02 15:04 MST"), sc.Last.In(loc).Format("2006-01-02 15:04 MST"))
			}
			return nil
		},
	}
	sf.add(add)
	af.add(add)
	add.Flags().StringVar(&h.Plate, "plate", "", "keep this plate's records")
	add.Flags().StringVar(&h.ReadID, "read", "", "keep this read (and its hits)")
	add.Flags().StringVar(&h.HitID, "hit", "", "keep this hit (and its read)")
	add.Flags().StringVar(&from, "from", "", "start of the records kept")
	add.Flags().StringVar(&to, "to", "", "end of the records kept (exclusive)")
	add.Flags().StringVar(&until, "until", "", "the hold ends then (default: until released)")
	add.Flags().StringVar(&h.Requester, "requester", "", "who asked for the hold (detective, prosecutor)")

	var rsf storeFlags
	var rel accessFlags
	release := &cobra.Command{
		Use:   "release HOLD_ID --reason TEXT",
		Short: "End a hold (it stays in the history)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := rsf.open(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			if err := retention.ReleaseHold(cmd.Context(), st, args[0], rel.a.User, rel.a.Reason, time.Now()); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "hold %s released\n", args[0])
			return nil
		},
	}
	rsf.add(release)
	release.Flags().StringVar(&rel.a.User, "user", currentUser(), "who releases it")
	release.Flags().StringVar(&rel.a.Reason, "reason", "", "why (required)")

	var lsf storeFlags
	list := &cobra.Command{
		Use:   "list",
		Short: "Every hold, active and released",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := lsf.open(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			hs, err := retention.LoadHolds(cmd.Context(), st)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tCASE\tPLATE\tREAD\tFROM\tTO\tUNTIL\tSTATE")
			now := time.Now()
			for _, h := range hs {
				state := "active"
				if !h.Active(now) {
					state = "ended"
				}
				d := func(t time.Time) string {
					if t.IsZero() {
						return "—"
					}
					return t.In(st.Location()).Format("2006-01-02")
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", h.ID, h.Case, h.Plate, h.ReadID, d(h.From), d(h.To), d(h.Until), state)
			}
			return tw.Flush()
		},
	}
	lsf.add(list)
	cmd.AddCommand(add, release, list)
	return cmd
}

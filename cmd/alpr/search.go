package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/user"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/edge/hotlist"
	"github.com/plateward/alpr/internal/csvsafe"
)

func newSearchCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "search",
		Short: "Investigative searches (every search needs a reason and a case number, and is audited)",
	}
	cmd.AddCommand(newSearchPlateCmd(), newSearchPartialCmd(), newSearchMisreadCmd(), newSearchStakeoutCmd(),
		newSearchHitsCmd(), newSearchSQLCmd(), newSearchLocateCmd(), newSearchConvoyCmd(), newSearchRetroCmd(), newSearchGeofenceCmd())
	return cmd
}

// searchFlags are what every search shares: the store, who and why, and
// the time window.
type searchFlags struct {
	sf       storeFlags
	af       accessFlags
	from, to string
	limit    int
}

func (f *searchFlags) add(cmd *cobra.Command) {
	f.sf.add(cmd)
	f.af.add(cmd)
	cmd.Flags().StringVar(&f.from, "from", "", "earliest capture time, RFC 3339 or YYYY-MM-DD (department time)")
	cmd.Flags().StringVar(&f.to, "to", "", "latest capture time (exclusive), RFC 3339 or YYYY-MM-DD")
	cmd.Flags().IntVar(&f.limit, "limit", analytics.DefaultLimit, "most rows to return")
}

// open checks who and why before anything is opened, and reads the window.
func (f *searchFlags) open(cmd *cobra.Command) (*analytics.Store, analytics.Window, error) {
	var w analytics.Window
	if err := f.af.a.Validate(); err != nil {
		return nil, w, err
	}
	var err error
	if w.From, err = parseTimeFlag("from", f.from, f.sf.timeZone); err != nil {
		return nil, w, err
	}
	if w.To, err = parseTimeFlag("to", f.to, f.sf.timeZone); err != nil {
		return nil, w, err
	}
	st, err := f.sf.open(cmd.Context())
	return st, w, err
}

// printReads prints a search's reads as a table.
func printReads(cmd *cobra.Command, st *analytics.Store, what string, caseNo string, rows []analytics.ReadRow, distance bool) error {
	out := cmd.OutOrStdout()
	if m := analytics.Matched(rows); m > len(rows) {
		fmt.Fprintf(out, "%d reads %s match; the newest %d are shown (--limit, or a narrower window, for the others) (case %s; this search is in the audit log)\n",
			m, what, len(rows), caseNo)
	} else {
		fmt.Fprintf(out, "%d reads %s (case %s; this search is in the audit log)\n", len(rows), what, caseNo)
	}
	if len(rows) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	head := "TIME (local)\tPLATE\tCONF\tCAMERA\tVEHICLE\tOFFICER\tPOSITION\tHITS\tCROP"
	if distance {
		head += "\tDISTANCE"
	}
	fmt.Fprintln(tw, head)
	for _, r := range rows {
		pos := "no fix"
		if r.HasFix {
			pos = fmt.Sprintf("%.5f,%.5f", r.Lat, r.Lon)
		}
		line := fmt.Sprintf("%s\t%s\t%.2f\t%s\t%s\t%s\t%s\t%s\t%s", r.CapturedAt.In(st.Location()).Format("2006-01-02 15:04:05 MST"),
			r.Plate, r.Confidence, r.Camera, r.Vehicle, r.Officer, pos, strings.Join(r.Hits, "; "), r.CropPath)
		if distance {
			line += fmt.Sprintf("\t%.0f m", r.DistanceM)
		}
		fmt.Fprintln(tw, line)
	}
	return tw.Flush()
}

func newSearchPartialCmd() *cobra.Command {
	var f searchFlags
	cmd := &cobra.Command{
		Use:   "partial PATTERN --reason TEXT --case NUMBER",
		Short: "Reads of a partial plate: ? one character, * any run (quote it: 'AB?C*')",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, w, err := f.open(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			rows, err := st.PartialReads(cmd.Context(), f.af.a, args[0], w, f.limit, time.Now())
			if err != nil {
				return err
			}
			return printReads(cmd, st, "matching "+args[0], f.af.a.Case, rows, false)
		},
	}
	f.add(cmd)
	return cmd
}

func newSearchMisreadCmd() *cobra.Command {
	var f searchFlags
	cmd := &cobra.Command{
		Use:   "misread PLATE --reason TEXT --case NUMBER",
		Short: "Reads that may be this plate misread: look-alike characters (0/O/D, 8/B, …) or one character off",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, w, err := f.open(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			rows, err := st.MisreadReads(cmd.Context(), f.af.a, args[0], w, f.limit, time.Now())
			if err != nil {
				return err
			}
			return printReads(cmd, st, "that may be "+strings.ToUpper(args[0]), f.af.a.Case, rows, false)
		},
	}
	f.add(cmd)
	return cmd
}

func newSearchStakeoutCmd() *cobra.Command {
	var f searchFlags
	var q analytics.StakeoutQuery
	cmd := &cobra.Command{
		Use:   "stakeout --lat LAT --lon LON --radius METRES --from T --to T --reason TEXT --case NUMBER",
		Short: "Every read within a radius of a place in a time window",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, w, err := f.open(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			q.Window, q.Limit = w, f.limit
			rows, err := st.Stakeout(cmd.Context(), f.af.a, q, time.Now())
			if err != nil {
				return err
			}
			return printReads(cmd, st, fmt.Sprintf("within %.0f m of %.5f,%.5f", q.RadiusM, q.Lat, q.Lon), f.af.a.Case, rows, true)
		},
	}
	f.add(cmd)
	cmd.Flags().Float64Var(&q.Lat, "lat", 0, "latitude of the place")
	cmd.Flags().Float64Var(&q.Lon, "lon", 0, "longitude of the place")
	cmd.Flags().Float64Var(&q.RadiusM, "radius", 500, "radius in metres")
	cmd.Flags().StringVar(&q.Pattern, "plate", "", "only plates matching this pattern (? and *)")
	cmd.MarkFlagRequired("lat")
	cmd.MarkFlagRequired("lon")
	return cmd
}

func newSearchHitsCmd() *cobra.Command {
	var f searchFlags
	var officer, vehicle, shiftID string
	cmd := &cobra.Command{
		Use:   "hits-without-disposition --reason TEXT --case NUMBER",
		Short: "Hit audit (order C.2b): hits that have no disposition, oldest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, w, err := f.open(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			hs, err := st.HitsWithoutDisposition(cmd.Context(), f.af.a, w, officer, vehicle, shiftID, time.Now())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "%d hits without a disposition\n", len(hs))
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			if len(hs) > 0 {
				fmt.Fprintln(tw, "ALERTED (local)\tPLATE\tLISTED\tMATCH\tREASON\tPRIORITY\tOFFICER\tCAR\tSTEPS TAKEN")
			}
			for _, h := range hs {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", h.AlertedAt.In(st.Location()).Format("2006-01-02 15:04 MST"),
					h.Plate, h.MatchedPlate, h.MatchKind, h.Reason, h.Priority, h.Officer, h.Vehicle, strings.Join(h.Steps, ", "))
			}
			return tw.Flush()
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&officer, "officer", "", "only this officer's hits")
	cmd.Flags().StringVar(&vehicle, "vehicle", "", "only this car's hits")
	cmd.Flags().StringVar(&shiftID, "shift", "", "only this shift's hits (its id)")
	return cmd
}

func newSearchSQLCmd() *cobra.Command {
	var f searchFlags
	var format string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "sql 'SELECT ...' --reason TEXT --case NUMBER",
		Short: "An analyst's read-only SQL: one SELECT, bounded rows and time, audited",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, _, err := f.open(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			res, err := st.SQL(cmd.Context(), f.af.a, args[0], f.limit, timeout, time.Now())
			if err != nil {
				return err
			}
			return printSQL(cmd.OutOrStdout(), res, format)
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&format, "format", "table", "table, csv or json")
	cmd.Flags().DurationVar(&timeout, "timeout", 30*time.Second, "stop the query after this long")
	return cmd
}

func printSQL(w io.Writer, res analytics.SQLResult, format string) error {
	switch format {
	case "json":
		var rows []map[string]any
		for _, r := range res.Rows {
			m := map[string]any{}
			for i, c := range res.Columns {
				m[c] = r[i]
			}
			rows = append(rows, m)
		}
		return json.NewEncoder(w).Encode(map[string]any{"columns": res.Columns, "rows": rows, "truncated": res.Truncated})
	case "csv":
		cw := csvsafe.NewWriter(w)
		cw.Write(res.Columns)
		for _, r := range res.Rows {
			rec := make([]string, len(r))
			for i, v := range r {
				rec[i] = fmt.Sprint(v)
			}
			cw.Write(rec)
		}
		cw.Flush()
		return cw.Error()
	case "table":
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(res.Columns, "\t"))
		for _, r := range res.Rows {
			rec := make([]string, len(r))
			for i, v := range r {
				rec[i] = fmt.Sprint(v)
			}
			fmt.Fprintln(tw, strings.Join(rec, "\t"))
		}
		if res.Truncated {
			fmt.Fprintln(tw, "(more rows: raise --limit)")
		}
		return tw.Flush()
	}
	return fmt.Errorf("--format %q: want table, csv or json", format)
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
	var f searchFlags
	cmd := &cobra.Command{
		Use:   "plate PLATE --reason TEXT --case NUMBER",
		Short: "Every read of a plate, newest first",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, w, err := f.open(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			rows, err := st.PlateReads(cmd.Context(), f.af.a, analytics.PlateQuery{Plate: args[0], From: w.From, To: w.To, Limit: f.limit}, time.Now())
			if err != nil {
				return err
			}
			return printReads(cmd, st, "of "+strings.ToUpper(args[0]), f.af.a.Case, rows, false)
		},
	}
	f.add(cmd)
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

func newSearchLocateCmd() *cobra.Command {
	var f searchFlags
	cmd := &cobra.Command{
		Use:   "locate PLATE --reason TEXT --case NUMBER",
		Short: "Where and when a plate is seen: places, first and last seen, hours and days",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, w, err := f.open(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			l, err := st.Locate(cmd.Context(), f.af.a, args[0], w, time.Now())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			loc := st.Location()
			fmt.Fprintf(out, "%s: %d reads", l.Plate, l.Reads)
			if l.Reads > 0 {
				fmt.Fprintf(out, ", first %s, last %s", l.First.In(loc).Format("2006-01-02 15:04 MST"), l.Last.In(loc).Format("2006-01-02 15:04 MST"))
			}
			fmt.Fprintln(out)
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			if len(l.Places) > 0 {
				fmt.Fprintln(tw, "PLACE (about 100 m)\tREADS\tFIRST\tLAST")
			}
			for _, p := range l.Places {
				fmt.Fprintf(tw, "%.5f,%.5f\t%d\t%s\t%s\n", p.Lat, p.Lon, p.Reads, p.First.In(loc).Format("2006-01-02 15:04"), p.Last.In(loc).Format("2006-01-02 15:04"))
			}
			tw.Flush()
			days := []string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
			var hours, wd []string
			for h, n := range l.ByHour {
				if n > 0 {
					hours = append(hours, fmt.Sprintf("%02d:00 %d", h, n))
				}
			}
			for d, n := range l.ByWeekday {
				if n > 0 {
					wd = append(wd, fmt.Sprintf("%s %d", days[d], n))
				}
			}
			fmt.Fprintf(out, "by hour: %s\nby day: %s\n", strings.Join(hours, ", "), strings.Join(wd, ", "))
			return nil
		},
	}
	f.add(cmd)
	return cmd
}

func newSearchConvoyCmd() *cobra.Command {
	var f searchFlags
	q := analytics.ConvoyQuery{Within: time.Minute, MinTimes: 2}
	cmd := &cobra.Command{
		Use:   "convoy PLATE --reason TEXT --case NUMBER",
		Short: "Plates the same car read close in time to the target's reads, again and again",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, w, err := f.open(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			q.Plate, q.Window, q.Limit = args[0], w, f.limit
			as, err := st.Convoy(cmd.Context(), f.af.a, q, time.Now())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "%d plates seen within %s of %s's reads at least %d times\n", len(as), q.Within, strings.ToUpper(args[0]), q.MinTimes)
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			if len(as) > 0 {
				fmt.Fprintln(tw, "PLATE\tTIMES\tREADS\tCARS")
			}
			for _, x := range as {
				fmt.Fprintf(tw, "%s\t%d\t%d\t%d\n", x.Plate, x.Times, x.Reads, x.Vehicles)
			}
			return tw.Flush()
		},
	}
	f.add(cmd)
	cmd.Flags().DurationVar(&q.Within, "within", q.Within, "seen by the same car within this of a target read")
	cmd.Flags().IntVar(&q.MinTimes, "min-times", q.MinTimes, "near at least this many of the target's reads")
	return cmd
}

func newSearchRetroCmd() *cobra.Command {
	var f searchFlags
	var listPath string
	cmd := &cobra.Command{
		Use:   "retro [PLATE ...] [--hotlist NCIC_FILE] --reason TEXT --case NUMBER",
		Short: "Earlier reads of plates just put on a hot list (exact or look-alike)",
		RunE: func(cmd *cobra.Command, args []string) error {
			plates := args
			if listPath != "" {
				fh, err := os.Open(listPath)
				if err != nil {
					return err
				}
				l, err := hotlist.ParseNCIC(fh, "NCIC", listPath, time.Now())
				fh.Close()
				if err != nil {
					return err
				}
				for _, e := range l.Entries {
					plates = append(plates, e.Plate)
				}
			}
			st, w, err := f.open(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			rows, err := st.RetroHits(cmd.Context(), f.af.a, plates, w, f.limit, time.Now())
			if err != nil {
				return err
			}
			return printReads(cmd, st, fmt.Sprintf("of %d listed plates", len(plates)), f.af.a.Case, rows, false)
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&listPath, "hotlist", "", "an NCIC extract whose plates to look for")
	return cmd
}

func newSearchGeofenceCmd() *cobra.Command {
	var f searchFlags
	var polygon, pattern string
	cmd := &cobra.Command{
		Use:   `geofence --polygon "LAT,LON;LAT,LON;LAT,LON;..." --reason TEXT --case NUMBER`,
		Short: "Every read inside a polygon (a rectangle is four corners) in a time window",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var poly []analytics.Point
			for _, pt := range strings.Split(polygon, ";") {
				la, lo, ok := strings.Cut(strings.TrimSpace(pt), ",")
				lat, err1 := strconv.ParseFloat(strings.TrimSpace(la), 64)
				lon, err2 := strconv.ParseFloat(strings.TrimSpace(lo), 64)
				if !ok || err1 != nil || err2 != nil {
					return fmt.Errorf("--polygon: %q is not LAT,LON", pt)
				}
				poly = append(poly, analytics.Point{Lat: lat, Lon: lon})
			}
			st, w, err := f.open(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			rows, err := st.Geofence(cmd.Context(), f.af.a, poly, w, pattern, f.limit, time.Now())
			if err != nil {
				return err
			}
			return printReads(cmd, st, fmt.Sprintf("inside a %d-point polygon", len(poly)), f.af.a.Case, rows, false)
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&polygon, "polygon", "", "the corners, LAT,LON separated by ';'")
	cmd.Flags().StringVar(&pattern, "plate", "", "only plates matching this pattern (? and *)")
	cmd.MarkFlagRequired("polygon")
	return cmd
}

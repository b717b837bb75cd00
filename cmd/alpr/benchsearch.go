package main

import (
	"encoding/json"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/plateward/alpr/benchmarks"
	"github.com/plateward/alpr/fixtures"
	"github.com/plateward/alpr/internal/fsutil"
)

// readsBar returns a progress callback drawing a bar on a terminal's
// stderr, or nil when stderr is not a terminal or quiet is set.
func readsBar(total int, what string, quiet bool) func(int) {
	if quiet || !term.IsTerminal(int(os.Stderr.Fd())) {
		return nil
	}
	bar := progressbar.NewOptions(total, progressbar.OptionSetWriter(os.Stderr),
		progressbar.OptionSetDescription(what), progressbar.OptionClearOnFinish())
	return func(done int) { _ = bar.Set(done) } // a progress bar that cannot draw is no error
}

func newBenchSearchCmd() *cobra.Command {
	var asJSON bool
	var dir string
	o := benchmarks.SearchOptions{Reads: 10_000_000, Queries: 20, Seed: 1}
	cmd := &cobra.Command{
		Use:   "search [--reads 10000000] [--queries 20] [--json]",
		Short: "Investigations on a generated city: p50/p95 of every search type, and the store's size per million reads",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := os.MkdirTemp(dir, "alpr-bench-search-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(d)
			o.Dir, o.Progress = d, readsBar(o.Reads, "generating reads", asJSON)
			res, err := benchmarks.Search(cmd.Context(), o)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return json.NewEncoder(out).Encode(res)
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "store\t%d reads, generated in %.0f s, %.1f MB a million reads\n", res.Reads, res.FillS,
				float64(res.DBBytes)/1e6/(float64(res.Reads)/1e6))
			fmt.Fprintln(tw, "SEARCH\tASKED FOR\tp50 ms\tp95 ms\tGOAL ms")
			for _, r := range benchmarks.SearchRows(&res) {
				goal := "—"
				if r.Goal > 0 {
					goal = fmt.Sprint(r.Goal)
				}
				fmt.Fprintf(tw, "%s\t%s\t%.1f\t%.1f\t%s\n", r.Name, r.What, r.Stat.P50Ms, r.Stat.P95Ms, goal)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().IntVar(&o.Reads, "reads", o.Reads, "reads in the generated store")
	cmd.Flags().IntVar(&o.Queries, "queries", o.Queries, "timed queries of each type")
	cmd.Flags().IntVar(&o.Days, "days", 0, "days the reads span, ending 2026-11-01 (0: the city's two years)")
	cmd.Flags().StringVar(&dir, "dir", "", "scratch directory (default: the system's temporary directory)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return cmd
}

func newFixturesReadsCmd() *cobra.Command {
	var sf storeFlags
	var end string
	var count int
	cmd := &cobra.Command{
		Use:   "reads --count N --store DIR",
		Short: "Generate a city's reads into a fresh store: 40 cars over two years, Zipf-like repeat plates, GPS along streets, hits and dispositions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			t, err := time.Parse("2006-01-02", end)
			if err != nil {
				return fmt.Errorf("--end: %w", err)
			}
			st, err := sf.open(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			start := time.Now()
			if err := fixtures.City(cmd.Context(), st, fixtures.DefaultCityOptions(count, t), readsBar(count, "generating reads", false)); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d reads in %s, generated in %.0f s\n", count, sf.dir, time.Since(start).Seconds())
			return nil
		},
	}
	sf.add(cmd)
	cmd.Flags().IntVar(&count, "count", 1_000_000, "reads to generate")
	cmd.Flags().StringVar(&end, "end", time.Now().Format("2006-01-02"), "the day the reads end (YYYY-MM-DD)")
	return cmd
}

func newBenchCapacityCmd() *cobra.Command {
	var out, dir, dataset string
	o := benchmarks.SearchOptions{Reads: 100_000_000, Days: 183, Queries: 20, Seed: 1}
	cmd := &cobra.Command{
		Use:   "capacity [--reads 100000000] [--days 182] [--out benchmarks/capacity.json]",
		Short: "A department's six months in one store: every search at full size, store and memory, and a real plate crop's size; read by the report",
		Long: "Generates --reads reads over --days days (the order keeps six months) into a fresh store and times every\n" +
			"investigative search on it, as `alpr bench search` does; records the run's peak memory and the mean\n" +
			"JPEG crop of the labelled scenes' plates, and writes it all to --out for `alpr bench report`, which\n" +
			"turns it into the capacity table. At 100 M reads it takes the better part of an hour on two cores.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := os.MkdirTemp(dir, "alpr-bench-capacity-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(d)
			o.Dir, o.Progress = d, readsBar(o.Reads, "generating reads", false)
			res, err := benchmarks.Capacity(cmd.Context(), benchmarks.CapacityOptions{Search: o, Dataset: dataset, Commit: commitOf(), Machine: machine()})
			if err != nil {
				return err
			}
			b, err := json.MarshalIndent(res, "", "  ")
			if err != nil {
				return err
			}
			if err := fsutil.WriteFile(out, append(b, '\n')); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d reads over %d days: %.1f MB a million reads, filled in %.0f s, peak memory %.0f MB; written to %s\n",
				res.Search.Reads, res.Search.Days, float64(res.Search.DBBytes)/1e6/(float64(res.Search.Reads)/1e6), res.Search.FillS, res.PeakRSSMB, out)
			return nil
		},
	}
	cmd.Flags().IntVar(&o.Reads, "reads", o.Reads, "reads in the generated store")
	cmd.Flags().IntVar(&o.Days, "days", o.Days, "days the reads span, ending 2026-11-01")
	cmd.Flags().IntVar(&o.Queries, "queries", o.Queries, "timed queries of each type")
	cmd.Flags().StringVar(&dataset, "dataset", "../shared/datasets/openalpr-us-dev/endtoend-us", "labelled scenes whose plate crops are measured")
	cmd.Flags().StringVar(&out, "out", "benchmarks/capacity.json", "where the result goes (the report reads it)")
	cmd.Flags().StringVar(&dir, "dir", "", "scratch directory (default: the system's temporary directory)")
	return cmd
}

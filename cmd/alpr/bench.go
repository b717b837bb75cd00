package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newBenchCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Benchmarks: accuracy, edge throughput, hot-list matching, ingest",
	}
	for _, b := range []struct{ name, what string }{
		{"accuracy", "recognition accuracy on a labelled dataset"},
		{"edge", "real-time throughput and frame-to-alert latency"},
		{"hotlist", "hot-list load and match speed"},
		{"ingest", "drive-to-DuckDB ingest speed"},
	} {
		cmd.AddCommand(&cobra.Command{
			Use:   b.name,
			Short: "Measure " + b.what,
			RunE: func(*cobra.Command, []string) error {
				return fmt.Errorf("bench %s: %w", b.name, errNotYet)
			},
		})
	}
	return cmd
}

package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/plateward/alpr/analytics"
)

// storeFlags are the flags of every command that opens the store.
type storeFlags struct {
	dir      string
	timeZone string
	memoryMB int
}

func (s *storeFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&s.dir, "store", "var/store", "back-office store directory (DuckDB file and image store)")
	cmd.Flags().StringVar(&s.timeZone, "tz", "America/Chicago", "the department's time zone")
	cmd.Flags().IntVar(&s.memoryMB, "db-memory-mb", 0, "DuckDB's memory limit in MB: a query needing more fails (0: half the machine's memory)")
}

func (s *storeFlags) open(ctx context.Context) (*analytics.Store, error) {
	o := analytics.DefaultOptions(s.dir)
	o.TimeZone, o.MemoryLimitMB = s.timeZone, s.memoryMB
	return analytics.Open(ctx, o)
}

func duckdbVersion() string {
	v, err := analytics.EngineVersion(context.Background())
	if err != nil {
		return "unavailable: " + err.Error()
	}
	return v
}

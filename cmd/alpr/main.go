// Command alpr is Plateward's one binary: the in-car reader, ingest, the
// back office, searches, retention, fixtures and benchmarks. Each
// subcommand is one file here and only wires packages together.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // the department's time zone must resolve on any machine

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Tesseract's OpenMP threads fight the workers for cores: one each.
	os.Setenv("OMP_THREAD_LIMIT", "1")
	root := newRoot()
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "alpr:", err)
		os.Exit(1)
	}
}

type globals struct {
	verbose bool
}

func newRoot() *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:           "alpr",
		Short:         "Plateward automated licence plate recognition",
		Long:          "Plateward reads licence plates in patrol cars, checks them against hot lists, and keeps the\nrecords in a back office under the department's ALPR order.",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRun: func(cmd *cobra.Command, _ []string) {
			lvl := slog.LevelInfo
			if g.verbose {
				lvl = slog.LevelDebug
			}
			slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl})))
		},
	}
	root.PersistentFlags().BoolVarP(&g.verbose, "verbose", "v", false, "log debug detail")
	root.AddCommand(newEdgeCmd(), newIngestCmd(), newServeCmd(), newCarsCmd(), newUsersCmd(), newAgenciesCmd(), newSearchCmd(), newRetentionCmd(), newBackupCmd(), newRestoreCmd(),
		newFixturesCmd(), newBenchCmd(), newModelsCmd(), newKeysCmd(), newAuditCmd(), newEvidenceCmd(), newVersionCmd())
	return root
}

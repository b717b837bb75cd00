package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/otiai10/gosseract/v2"
	"github.com/spf13/cobra"
	"gocv.io/x/gocv"
)

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the versions of alpr and the libraries it uses",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v := "(devel)"
			if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
				v = bi.Main.Version
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "alpr %s %s/%s %s\n", v, runtime.GOOS, runtime.GOARCH, runtime.Version())
			fmt.Fprintf(out, "opencv %s (gocv %s)\n", gocv.OpenCVVersion(), gocv.Version())
			fmt.Fprintf(out, "tesseract %s\n", gosseract.Version())
			fmt.Fprintf(out, "duckdb %s\n", duckdbVersion())
			return nil
		},
	}
}

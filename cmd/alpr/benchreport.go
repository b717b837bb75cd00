package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plateward/alpr/benchmarks"
	"github.com/plateward/alpr/internal/fsutil"
)

func newBenchReportCmd() *cobra.Command {
	o := benchmarks.ReportOptions{Size: "small", Dataset: "../shared/datasets/openalpr-us-dev"}
	var out, dir string
	cmd := &cobra.Command{
		Use:   "report [--size small|full] [--dataset DIR] [--out benchmarks/REPORT.md]",
		Short: "Run every benchmark and write the report: figures, goals, same-run baselines, ratios and plots",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := os.MkdirTemp(dir, "alpr-bench-report-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(d)
			o.Dir, o.Commit, o.Machine, o.Go = d, commitOf(), machine(), runtime.Version()
			o.Log = func(s string) { fmt.Fprintln(cmd.ErrOrStderr(), "bench report:", s) }
			rep, err := benchmarks.RunReport(cmd.Context(), o)
			if err != nil {
				return err
			}
			plotDir := strings.TrimSuffix(filepath.Base(out), filepath.Ext(out)) + "-plots"
			for name, svg := range rep.Plots() {
				if err := os.MkdirAll(filepath.Join(filepath.Dir(out), plotDir), 0o750); err != nil {
					return err
				}
				if err := fsutil.WriteFile(filepath.Join(filepath.Dir(out), plotDir, name), svg); err != nil {
					return err
				}
			}
			if err := fsutil.WriteFile(out, rep.Markdown(plotDir)); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "report in %s (%d benchmarks not measured)\n", out, len(rep.Failed))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Size, "size", o.Size, "small (minutes) or full (each issue's size)")
	f.StringVar(&o.Dataset, "dataset", o.Dataset, "labelled plates for the accuracy benchmark (both halves' layouts)")
	f.StringVar(&o.Models, "models", "var/models", "prepared recognition models (make models)")
	f.StringVar(&out, "out", "benchmarks/REPORT.md", "the report; its plots go beside it")
	f.StringVar(&dir, "dir", "", "scratch directory (default: the system's temporary directory)")
	f.StringVar(&o.Capacity, "capacity", "benchmarks/capacity.json", "a result of alpr bench capacity to include, saying when it was measured (empty: none)")
	return cmd
}

// commitOf names the code measured: the VCS revision built into the
// binary, or git's answer, with "+changes" for a dirty tree.
func commitOf() string {
	out, err := exec.Command("git", "describe", "--always", "--dirty=+changes").Output()
	if err != nil {
		return "unknown (" + runtime.Version() + ")"
	}
	return strings.TrimSpace(string(out))
}

// machine describes the processor, cores and memory.
func machine() string {
	model, mem := "unknown processor", ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				var kb int64
				if _, err := fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb); err == nil {
					mem = fmt.Sprintf(", %.0f GiB", float64(kb)/(1<<20))
				}
			}
		}
	}
	return fmt.Sprintf("%s, %d cores%s, %s/%s", model, runtime.NumCPU(), mem, runtime.GOOS, runtime.GOARCH)
}

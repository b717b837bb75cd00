package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"gocv.io/x/gocv"

	"github.com/plateward/alpr/benchmarks"
	"github.com/plateward/alpr/edge"
)

func newBenchCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Benchmarks: accuracy, edge throughput, hot-list matching, ingest",
	}
	cmd.AddCommand(newBenchAccuracyCmd(), newBenchHotlistCmd(), newBenchIngestCmd())
	for _, b := range []struct{ name, what string }{
		{"edge", "real-time throughput and frame-to-alert latency"},
	} {
		cmd.AddCommand(&cobra.Command{
			Use:   b.name,
			Short: "Measure " + b.what + " (not yet available)",
			RunE: func(*cobra.Command, []string) error {
				return fmt.Errorf("bench %s: %w", b.name, errNotYet)
			},
		})
	}
	return cmd
}

func newBenchAccuracyCmd() *cobra.Command {
	var dataset, errDir string
	var asJSON bool
	var limit int
	o := benchmarks.AccuracyOptions{Recognizer: edge.DefaultRecognizerOptions(), Warmup: 3, Threads: 1}
	cmd := &cobra.Command{
		Use:   "accuracy --dataset DIR [--json] [--errors DIR]",
		Short: "Recognition accuracy on labelled plate images (scenes with NAME.txt, or crops with groundtruth.csv)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			samples, err := benchmarks.LoadDataset(dataset)
			if err != nil {
				return err
			}
			if limit > 0 && limit < len(samples) {
				samples = samples[:limit]
			}
			var w *csv.Writer
			if errDir != "" {
				if err := os.MkdirAll(errDir, 0o750); err != nil {
					return err
				}
				f, err := os.Create(filepath.Join(errDir, "errors.csv"))
				if err != nil {
					return err
				}
				defer f.Close()
				w = csv.NewWriter(f)
				defer w.Flush()
				w.Write([]string{"image", "truth", "best", "detected", "candidates", "crop"})
				o.OnOutcome = func(out benchmarks.Outcome) error {
					if out.Best == out.Sample.Plate {
						return nil
					}
					crop := ""
					if out.Crop != nil {
						base := strings.TrimSuffix(filepath.Base(out.Sample.Path), filepath.Ext(out.Sample.Path))
						crop = base + "_" + out.Sample.Plate + "_" + out.Best + ".png"
						gocv.IMWrite(filepath.Join(errDir, crop), *out.Crop)
					}
					return w.Write([]string{filepath.Base(out.Sample.Path), out.Sample.Plate + "/" + out.Sample.State, out.Best + "/" + out.State,
						fmt.Sprint(out.Detected), strings.Join(out.Candidates, " "), crop})
				}
			}
			res, err := benchmarks.Accuracy(cmd.Context(), samples, o)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return json.NewEncoder(out).Encode(res)
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "dataset\t%s\n", dataset)
			fmt.Fprintf(tw, "images\t%d\n", res.Images)
			fmt.Fprintf(tw, "top-1 exact\t%.1f %%\n", 100*res.Top1)
			fmt.Fprintf(tw, "top-10\t%.1f %%\n", 100*res.TopN)
			fmt.Fprintf(tw, "detection (IoU > 0.4)\t%.1f %%\n", 100*res.Detection)
			fmt.Fprintf(tw, "character accuracy\t%.1f %%\n", 100*res.CharAccuracy)
			if res.StateSamples > 0 {
				fmt.Fprintf(tw, "state (name band)\t%.1f %% of %d\n", 100*res.StateAccuracy, res.StateSamples)
			}
			fmt.Fprintf(tw, "latency p50 / p95\t%.1f / %.1f ms\n", res.LatencyP50, res.LatencyP95)
			fmt.Fprintf(tw, "wall\t%.1f s\n", res.WallS)
			return tw.Flush()
		},
	}
	f := cmd.Flags()
	f.StringVar(&dataset, "dataset", "../shared/datasets/openalpr-us-dev/endtoend-us", "dataset folder")
	f.BoolVar(&asJSON, "json", false, "print one JSON object")
	f.StringVar(&errDir, "errors", "", "write every miss (errors.csv and the crop) to this folder")
	f.IntVar(&limit, "limit", 0, "read only the first N images")
	f.IntVar(&o.Threads, "threads", o.Threads, "OpenCV threads (1: the one-core figure)")
	f.StringVar(&o.Recognizer.OCR.ModelsDir, "models", o.Recognizer.OCR.ModelsDir, "prepared recognition models (make models)")
	f.StringVar(&o.Recognizer.OCR.Engine, "ocr", o.Recognizer.OCR.Engine, "character reader: dnn or tesseract")
	return cmd
}

func newBenchHotlistCmd() *cobra.Command {
	var asJSON bool
	o := benchmarks.DefaultHotlistOptions(os.TempDir())
	cmd := &cobra.Command{
		Use:   "hotlist [--entries N] [--json]",
		Short: "Hot-list load time and match cost (all candidates, exact and look-alike) on one core",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			runtime.GOMAXPROCS(1)
			res, err := benchmarks.Hotlist(o)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return json.NewEncoder(out).Encode(res)
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "entries\t%d\n", res.Entries)
			fmt.Fprintf(tw, "load (parse + index)\t%.3f s\n", res.LoadS)
			fmt.Fprintf(tw, "match, %d candidates\t%.0f ns\n", o.Candidates, res.NsPerMatch)
			fmt.Fprintf(tw, "allocations per match\t%.2f\n", res.AllocsPerMatch)
			return tw.Flush()
		},
	}
	cmd.Flags().IntVar(&o.Entries, "entries", o.Entries, "entries on the generated NCIC extract")
	cmd.Flags().IntVar(&o.Reads, "reads", o.Reads, "reads matched")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return cmd
}

func newBenchIngestCmd() *cobra.Command {
	var asJSON bool
	var dir string
	o := benchmarks.IngestOptions{Reads: 5_000_000, CropSize: 0}
	cmd := &cobra.Command{
		Use:   "ingest [--reads N] [--crop-bytes B] [--json]",
		Short: "Drive-to-DuckDB ingest speed: the Arrow path against the Appender and read_csv, in one run",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := os.MkdirTemp(dir, "alpr-bench-ingest-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(d)
			o.Dir, o.Logger = d, slog.New(slog.NewTextHandler(io.Discard, nil))
			res, err := benchmarks.Ingest(cmd.Context(), o)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return json.NewEncoder(out).Encode(res)
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "reads\t%d (drive %.0f MB, encrypted, crops %d B)\n", res.Reads, res.DriveMB, o.CropSize)
			fmt.Fprintf(tw, "ingest (Arrow view, INSERT ... SELECT)\t%.0f reads/s\t%.1f MB/s\n", res.ReadsPerS, res.MBPerS)
			fmt.Fprintf(tw, "Appender, row by row\t%.0f reads/s\t%.1fx slower\n", res.AppenderReadsPerS, res.ReadsPerS/res.AppenderReadsPerS)
			fmt.Fprintf(tw, "read_csv of the same reads\t%.0f reads/s\n", res.CSVReadsPerS)
			return tw.Flush()
		},
	}
	cmd.Flags().IntVar(&o.Reads, "reads", o.Reads, "reads on the generated drive")
	cmd.Flags().IntVar(&o.CropSize, "crop-bytes", o.CropSize, "plate crop bytes per read (3000 for real crops; 0: no images)")
	cmd.Flags().StringVar(&dir, "dir", "", "scratch directory (default: the system's temporary directory)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return cmd
}

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
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"gocv.io/x/gocv"

	"github.com/plateward/alpr/benchmarks"
	"github.com/plateward/alpr/edge"
	"github.com/plateward/alpr/fixtures"
)

func newBenchCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Benchmarks: accuracy, edge throughput, hot-list matching, ingest",
	}
	cmd.AddCommand(newBenchAccuracyCmd(), newBenchHotlistCmd(), newBenchIngestCmd(), newBenchEdgeCmd(), newBenchSoakCmd(), newBenchServeCmd(), newBenchSearchCmd(), newBenchCapacityCmd(), newBenchReportCmd())
	return cmd
}

func newBenchAccuracyCmd() *cobra.Command {
	var dataset, errDir string
	var asJSON bool
	var limit int
	var scales []float64
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
			for _, k := range scales {
				if k < 0.1 || k > 4 {
					return fmt.Errorf("--scales: %g is not between 0.1 and 4", k)
				}
			}
			samples = benchmarks.AtScales(samples, scales)
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
				if err := w.Write([]string{"image", "truth", "best", "detected", "candidates", "crop", "junk"}); err != nil {
					return err
				}
				o.OnOutcome = func(out benchmarks.Outcome) error {
					if out.Best == out.Sample.Truth() && len(out.Junk) == 0 {
						return nil
					}
					crop, name := "", filepath.Base(out.Sample.Path)+out.Sample.ScaleTag()
					if out.Crop != nil {
						base := strings.TrimSuffix(filepath.Base(out.Sample.Path), filepath.Ext(out.Sample.Path)) + out.Sample.ScaleTag()
						crop = base + "_" + out.Sample.Plate + "_" + out.Best + ".png"
						gocv.IMWrite(filepath.Join(errDir, crop), *out.Crop)
					}
					return w.Write([]string{name, out.Sample.Plate + "/" + out.Sample.State, out.Best + "/" + out.State,
						fmt.Sprint(out.Detected), strings.Join(out.Candidates, " "), crop, strings.Join(out.Junk, " ")})
				}
			}
			res, err := benchmarks.Accuracy(cmd.Context(), samples, o)
			if err != nil {
				return err
			}
			if w != nil {
				if w.Flush(); w.Error() != nil {
					return fmt.Errorf("--errors: %w", w.Error())
				}
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
			if res.JunkPer100 > 0 || !strings.Contains(dataset, "plates") {
				fmt.Fprintf(tw, "junk reads (not the scene's plate) per 100 scenes\t%.1f\n", res.JunkPer100)
			}
			fmt.Fprintf(tw, "latency p50 / p95\t%.1f / %.1f ms\n", res.LatencyP50, res.LatencyP95)
			fmt.Fprintf(tw, "wall\t%.1f s\n", res.WallS)
			if len(res.Folds) > 0 {
				fmt.Fprintf(tw, "\nfold\timages\ttop-1\ttop-10\tdetection\tcharacters\tjunk/100\tp50 ms\n")
				for _, f := range res.Folds {
					fmt.Fprintf(tw, "%d\t%d\t%.1f %%\t%.1f %%\t%.1f %%\t%.1f %%\t%.1f\t%.0f\n", f.Fold, f.Images, 100*f.Top1, 100*f.TopN,
						100*f.Detection, 100*f.CharAccuracy, f.JunkPer100, f.LatencyP50)
				}
			}
			return tw.Flush()
		},
	}
	f := cmd.Flags()
	f.StringVar(&dataset, "dataset", "../shared/datasets/openalpr-us-dev/endtoend-us", "dataset folder")
	f.BoolVar(&asJSON, "json", false, "print one JSON object")
	f.StringVar(&errDir, "errors", "", "write every miss (errors.csv and the crop) to this folder")
	f.IntVar(&limit, "limit", 0, "read only the first N images")
	f.Float64SliceVar(&scales, "scales", nil, "read every image at each of these scales (0.7,1,1.4: cameras of other resolutions, nearer and farther plates); figures pool them, each image in its fold")
	f.IntVar(&o.Folds, "folds", 0, "also score each of N folds (a hash of the file name decides a sample's fold): choose constants on some, report on the others")
	f.IntVar(&o.Threads, "threads", o.Threads, "OpenCV threads (1: the one-core figure)")
	f.StringVar(&o.Recognizer.OCR.ModelsDir, "models", o.Recognizer.OCR.ModelsDir, "prepared recognition models (make models)")
	f.StringVar(&o.Recognizer.OCR.Engine, "ocr", o.Recognizer.OCR.Engine, "character reader: dnn or tesseract")
	f.StringVar(&o.Recognizer.OCR.Runtime, "runtime", o.Recognizer.OCR.Runtime, "where the dnn reader's network runs: onnxruntime or opencv (slower, no extra library)")
	f.BoolVar(&o.Recognizer.SecondLook.Off, "no-second-look", false, "never run the text detector where the first look read nothing")
	f.IntVar(&o.Recognizer.SecondLook.Text.Width, "text-width", o.Recognizer.SecondLook.Text.Width, "the second look scales the frame to this width (a multiple of 32)")
	f.IntVar(&o.Recognizer.Detect.MaxRegions, "max-regions", o.Recognizer.Detect.MaxRegions, "regions of a frame the first look reads, best first")
	f.Float64Var(&o.Recognizer.Detect.MergedPenalty, "merged-penalty", o.Recognizer.Detect.MergedPenalty, "a row found in characters run together (motion blur) scores this times as much; 0: no such rows")
	addPlateNetFlags(f, &o.Recognizer)
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
			fmt.Fprintf(tw, "load (parse + index), median of %d\t%.3f s\n", o.Runs, res.LoadS)
			fmt.Fprintf(tw, "match, %d candidates\t%.0f ns\n", o.Candidates, res.NsPerMatch)
			fmt.Fprintf(tw, "allocations per match\t%.2f\n", res.AllocsPerMatch)
			fmt.Fprintf(tw, "naive scan, same reads (baseline)\t%.1f ms\t%.0fx slower\n", res.NaiveNsPerMatch/1e6, res.NaiveNsPerMatch/res.NsPerMatch)
			return tw.Flush()
		},
	}
	cmd.Flags().IntVar(&o.Entries, "entries", o.Entries, "entries on the generated NCIC extract")
	cmd.Flags().IntVar(&o.Reads, "reads", o.Reads, "reads matched")
	cmd.Flags().IntVar(&o.Runs, "runs", o.Runs, "load-and-match runs; the medians are reported")
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
			fmt.Fprintf(tw, "  of which reading files, images, database, checkpoint\t%.1f s, %.1f s, %.1f s, %.1f s\n", res.ReadS, res.ImagesS, res.InsertS, res.CheckpointS)
			rowsOnly := ""
			if res.WithImages {
				fmt.Fprintf(tw, "  images written\t%.0f MB at %.0f MB/s\tdisk %.0f MB/s (the same bytes to one file, synced)\n", res.ImagesMB, res.ImagesMBPerS, res.DiskMBPerS)
				rowsOnly = " (rows only, no images)"
			}
			fmt.Fprintf(tw, "Appender, row by row%s\t%.0f reads/s\tArrow path %.1fx its speed\n", rowsOnly, res.AppenderReadsPerS, res.ReadsPerS/res.AppenderReadsPerS)
			fmt.Fprintf(tw, "read_csv of the same reads%s\t%.0f reads/s\n", rowsOnly, res.CSVReadsPerS)
			return tw.Flush()
		},
	}
	cmd.Flags().IntVar(&o.Reads, "reads", o.Reads, "reads on the generated drive")
	cmd.Flags().IntVar(&o.CropSize, "crop-bytes", o.CropSize, "plate crop bytes per read (3000 for real crops; 0: no images)")
	cmd.Flags().StringVar(&dir, "dir", "", "scratch directory (default: the system's temporary directory)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return cmd
}

func newBenchEdgeCmd() *cobra.Command {
	var asJSON bool
	var models, configs, roads, stream string
	var cars, fps, gap, workers int
	var flatOut, fuse bool
	var gate, secondLook bool
	var roi edge.ROI
	cmd := &cobra.Command{
		Use:   "edge [--configs 1x720,2x720,1x1080,2x1080] [--json]",
		Short: "Real-time reading: cameras at once at their frame rate; throughput, skipped frames, recall, frame-to-alert latency, memory",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			if !asJSON {
				fmt.Fprintln(tw, "ROAD\tCAMERAS\tWORKERS\tRESOLUTION\tCPU CORES\tFPS/CORE\tSKIPPED\tSTILL\tSECOND LOOKS\tRECALL\tALERT p50/p95/p99 ms\tPEAK RSS MB (RSS a tenth in → at the end)")
			}
			type run struct{ config, road string }
			var runs []run
			for _, road := range strings.Split(roads, ",") {
				for _, c := range strings.Split(configs, ",") {
					runs = append(runs, run{c, strings.TrimSpace(road)})
				}
			}
			for _, rn := range runs {
				c := rn.config
				n, h, ok := strings.Cut(strings.TrimSpace(c), "x")
				cams, err1 := strconv.Atoi(n)
				height, err2 := strconv.Atoi(h)
				if !ok || err1 != nil || err2 != nil || cams < 1 || (height != 720 && height != 1080) {
					return fmt.Errorf("--configs %q: want CAMERASxHEIGHT, height 720 or 1080", c)
				}
				d, err := os.MkdirTemp("", "alpr-bench-edge-")
				if err != nil {
					return err
				}
				res, err := benchmarks.Edge(cmd.Context(), benchmarks.EdgeOptions{Cameras: cams, Width: height * 16 / 9, Height: height,
					FPS: fps, Cars: cars, Models: models, Dir: d, NoMotionGate: !gate, NoSecondLook: !secondLook, ROI: roi, GapFrames: gap, Workers: workers, FlatOut: flatOut, Road: rn.road, Fuse: fuse, Stream: stream})
				os.RemoveAll(d)
				if err != nil {
					return err
				}
				if asJSON {
					if err := json.NewEncoder(out).Encode(res); err != nil {
						return err
					}
					continue
				}
				alert := fmt.Sprintf("%.0f / %.0f / %.0f", res.AlertP50, res.AlertP95, res.AlertP99)
				if res.FlatOut {
					alert = "— (flat out)"
				}
				fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%.2f\t%.1f\t%d\t%d\t%d\t%.2f\t%s\t%.0f (%.0f s replay: %.0f → %.0f)\n", strings.TrimSpace(res.Road+" "+res.Stream), res.Cameras, res.Workers, res.Resolution, res.CPUCores, res.FPSPerCore,
					res.Dropped, res.Still, res.SecondLooks, res.Recall, alert, res.RSSMB, res.ReplayS, res.RSSEarlyMB, res.RSSLateMB)
				if len(res.Missed) > 0 || len(res.Other) > 0 {
					fmt.Fprintf(tw, "\t\tmissed: %s; other reads: %s\n", strings.Join(res.Missed, ", "), strings.Join(res.Other, ", "))
				}
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&configs, "configs", "1x720,2x720,1x1080,2x1080", "configurations: CAMERASxHEIGHT, comma separated")
	cmd.Flags().StringVar(&stream, "stream", "", "rtsp: each camera's video as H.264 over RTSP from GStreamer's server on loopback, read live; latency from the stream's capture times")
	cmd.Flags().BoolVar(&fuse, "fuse", false, "read each track per character position as well as per reading")
	cmd.Flags().StringVar(&roads, "road", "day", "the videos' road conditions, comma separated: "+strings.Join(fixtures.RoadKinds(), ", "))
	cmd.Flags().IntVar(&cars, "cars", 6, "cars in each camera's video")
	cmd.Flags().IntVar(&fps, "fps", 15, "the videos' frame rate")
	cmd.Flags().BoolVar(&flatOut, "flat-out", false, "feed every frame as fast as the reader takes it (the most frames a second; no latency)")
	cmd.Flags().IntVar(&workers, "workers", 0, "recognisers the cameras share (0: one per core)")
	cmd.Flags().IntVar(&gap, "gap-frames", 0, "empty frames between two cars (default the fixture's 6; 60 is a parked car's view)")
	cmd.Flags().BoolVar(&gate, "motion-gate", true, "skip recognising frames in which nothing moved")
	cmd.Flags().BoolVar(&secondLook, "second-look", true, "the text detector's look where the first read nothing, at most once a second a camera")
	cmd.Flags().Var(roiFlag{&roi}, "roi", "recognise only this band of each frame: TOP,BOTTOM as fractions of the height")
	cmd.Flags().StringVar(&models, "models", "var/models", "prepared recognition models")
	cmd.Flags().BoolVar(&asJSON, "json", false, "one JSON object per configuration")
	return cmd
}

func newBenchServeCmd() *cobra.Command {
	var asJSON bool
	var dir string
	o := benchmarks.ServeOptions{Reads: 10_000_000, Analysts: 50, Duration: 60 * time.Second, Seed: 1}
	cmd := &cobra.Command{
		Use:   "serve [--reads 10000000] [--analysts 50] [--duration 60s] [--json]",
		Short: "Back-office load: concurrent analysts searching a large store over loopback; latency percentiles and errors",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := os.MkdirTemp(dir, "alpr-bench-serve-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(d)
			o.Dir = d
			res, err := benchmarks.Serve(cmd.Context(), o)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return json.NewEncoder(out).Encode(res)
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "store\t%d reads (filled in %.1f s)\n", res.Reads, res.FillS)
			fmt.Fprintf(tw, "analysts\t%d for %.0f s: %d requests, %.1f/s, %d errors\n", res.Analysts, res.DurationS, res.Requests, res.PerS, res.Errors)
			fmt.Fprintf(tw, "latency\tp50 %.0f ms\tp95 %.0f ms\tp99 %.0f ms\n", res.P50Ms, res.P95Ms, res.P99Ms)
			if res.FirstErr != "" {
				fmt.Fprintf(tw, "first error\t%s\n", res.FirstErr)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().IntVar(&o.Reads, "reads", o.Reads, "reads in the generated store")
	cmd.Flags().IntVar(&o.Analysts, "analysts", o.Analysts, "concurrent logged-in analysts")
	cmd.Flags().DurationVar(&o.Duration, "duration", o.Duration, "how long they search")
	cmd.Flags().StringVar(&dir, "dir", "", "scratch directory (default: the system's temporary directory)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return cmd
}

// addPlateNetFlags adds the plate net's settings (edge/ocr platenet.go).
func addPlateNetFlags(f *pflag.FlagSet, o *edge.RecognizerOptions) {
	f.BoolVar(&o.OCR.PlateNet, "plate-net", o.OCR.PlateNet, "run Plateward's own plate recogniser beside PP-OCRv4 (ONNX Runtime)")
	f.Float32Var(&o.OCR.NetMargin, "net-margin", o.OCR.NetMargin, "the plate net's reading goes first when its confidence beats PP-OCRv4's by this much (over 1: never)")
	f.Float32Var(&o.OCR.NetPromote, "net-promote", o.OCR.NetPromote, "where the plate net reads one of PP-OCRv4's next two candidates, that reading goes first from this net confidence (over 1: never)")
	f.Float32Var(&o.OCR.NetWeight, "net-weight", o.OCR.NetWeight, "order the candidates by log P(PP-OCRv4) + this × log P(plate net); 0: off")
	f.Float32Var(&o.PlateGate, "plate-gate", o.PlateGate, "regions of a scene whose plate probability is under this are not read (0: none)")
	f.Float64Var(&o.PlateRank, "plate-rank", o.PlateRank, "rank a frame's plates by their plate probability to this power too (0: not at all)")
	f.Float32Var(&o.LastGate, "last-gate", o.LastGate, "unless no region passed: then the likeliest held back from this plate probability is read (over --plate-gate: never)")
}

func newBenchSoakCmd() *cobra.Command {
	var asJSON bool
	o := benchmarks.SoakOptions{Streams: 2, Height: 1080, FPS: 15, Cars: 6, Duration: 10 * time.Minute, Every: 10 * time.Second, Models: "var/models"}
	cmd := &cobra.Command{
		Use:   "soak [--streams 2] [--height 1080] [--duration 10m] [--json]",
		Short: "A long shift on live MJPEG streams from servers on loopback: resident memory, drive queue and goroutines sampled; does anything grow?",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := os.MkdirTemp("", "alpr-bench-soak-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(d)
			o.Width, o.Dir = o.Height*16/9, d
			res, err := benchmarks.Soak(cmd.Context(), o)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return json.NewEncoder(out).Encode(res)
			}
			fmt.Fprintf(out, "%d streams at %s for %.0f s: %d frames read, %d skipped, %d reads\n", res.Streams, res.Resolution, res.DurationS, res.Frames, res.Skipped, res.Reads)
			fmt.Fprintf(out, "RSS %.0f MB a tenth in, %.0f MB at the end (%+.1f %%; goal within 10 %%); drive queue at most %d\n",
				res.RSSTenthMB, res.RSSEndMB, 100*res.Growth, res.QueueMax)
			for _, s := range res.Samples {
				fmt.Fprintf(out, "  %6.0f s  RSS %6.0f MB  queue %3d  goroutines %d\n", s.AtS, s.RSSMB, s.Queue, s.Goroutines)
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&o.Streams, "streams", o.Streams, "live streams at once")
	cmd.Flags().IntVar(&o.Height, "height", o.Height, "the streams' height (16:9)")
	cmd.Flags().IntVar(&o.FPS, "fps", o.FPS, "the streams' frame rate")
	cmd.Flags().IntVar(&o.Cars, "cars", o.Cars, "cars in the looped video")
	cmd.Flags().DurationVar(&o.Duration, "duration", o.Duration, "how long the shift lasts")
	cmd.Flags().DurationVar(&o.Every, "every", o.Every, "sampling interval")
	cmd.Flags().StringVar(&o.Models, "models", o.Models, "prepared recognition models")
	cmd.Flags().BoolVar(&asJSON, "json", false, "the result as JSON")
	return cmd
}

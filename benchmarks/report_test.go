package benchmarks

import (
	"bytes"
	"context"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

// sampleReport is a report with every section and fixed figures.
func sampleReport() *Report {
	at := time.Date(2026, 11, 27, 1, 0, 0, 0, time.UTC)
	sz, _ := sizesFor("small")
	return &Report{
		Opts:    ReportOptions{Size: "small", Dataset: "/data/openalpr-us-dev", Commit: "abc1234", Go: "go1.26", Machine: "Test CPU, 2 cores, 24 GiB, linux/amd64"},
		Started: at, Took: 5 * time.Minute, sizes: sz,
		Scenes:  &AccuracyResult{Images: 114, Top1: 0.62, TopN: 0.7, Detection: 0.79, CharAccuracy: 0.85, LatencyP50: 140, LatencyP95: 190},
		Crops:   &AccuracyResult{Images: 200, Top1: 0.876, TopN: 0.9, Detection: 1, CharAccuracy: 0.96, LatencyP50: 20, LatencyP95: 30},
		Hotlist: &HotlistResult{Entries: 1_000_000, LoadS: 0.7, NsPerMatch: 850, AllocsPerMatch: 0.11, NaiveNsPerMatch: 2.5e8},
		Ingest:  &IngestResult{Reads: 1_000_000, ReadsPerS: 300_000, MBPerS: 59, AppenderReadsPerS: 100_000, CSVReadsPerS: 350_000, DriveMB: 198, IngestS: 3.3, AppenderS: 10, ReadS: 1.1, InsertS: 3},
		IngestImages: &IngestResult{Reads: 200_000, ReadsPerS: 45_000, MBPerS: 146, AppenderReadsPerS: 48_000, CSVReadsPerS: 146_000, DriveMB: 641, IngestS: 4.4,
			ReadS: 2.7, ImagesS: 1.4, InsertS: 2.6, WithImages: true, ImagesMB: 600, ImagesMBPerS: 420, DiskMBPerS: 420},
		Search: &SearchResult{Reads: 1_000_000, DBBytes: 83_000_000, Plate: SearchStat{13, 30}, Partial: SearchStat{35, 42}, Misread: SearchStat{35, 70},
			Stakeout: SearchStat{12, 13}, Locate: SearchStat{13, 31}, Convoy: SearchStat{76, 81}, Hits: SearchStat{10, 12}, FillS: 8, ConvoyReads: 48},
		Serve: &ServeResult{Reads: 1_000_000, Analysts: 10, DurationS: 20, Requests: 2000, PerS: 100, P50Ms: 80, P95Ms: 120, P99Ms: 150},
		Edge: []EdgeResult{{Cameras: 1, Workers: 1, Resolution: "720p", FPSPerCore: 9, Recall: 1, AlertP50: 90, AlertP95: 140, AlertP99: 180, RSSMB: 900, Still: 40, Gate: true, Gap: 6, Alerts: 6, CPUCores: 0.9, ReplayS: 10, RSSEarlyMB: 400, RSSLateMB: 401},
			{Cameras: 2, Workers: 2, Resolution: "1080p", FPSPerCore: 5, Dropped: 30, Recall: 1, AlertP50: 120, AlertP95: 200, AlertP99: 260, RSSMB: 950, Gap: 60, Alerts: 12, CPUCores: 1.95, ReplayS: 31, RSSEarlyMB: 600, RSSLateMB: 602},
			{Cameras: 2, Workers: 2, Resolution: "1080p", FPSPerCore: 8, Recall: 1, RSSMB: 950, Gate: true, Gap: 6, Alerts: 12, CPUCores: 1.9, ReplayS: 12, RSSEarlyMB: 610, RSSLateMB: 611, FlatOut: true}},
		Capacity: &CapacityResult{Search: SearchResult{Reads: 100_000_000, Days: 183, DBBytes: 8_100_000_000, Plate: SearchStat{40, 70}, Partial: SearchStat{300, 420},
			Misread: SearchStat{500, 700}, Stakeout: SearchStat{60, 90}, Locate: SearchStat{50, 80}, Convoy: SearchStat{1500, 2600}, Hits: SearchStat{30, 40},
			Retro: &SearchStat{900, 1400}, RetroPlates: 1000, FillS: 1500, ConvoyReads: 50},
			Started: at.Add(-2 * time.Hour), Took: 2400, Commit: "abc1233", Machine: "Test CPU, 2 cores, 24 GiB, linux/amd64", PeakRSSMB: 9000, CropBytes: 3500, CropImages: 114},
		Failed: map[string]string{"edge 2x1080p": "models not prepared"},
	}
}

func TestReportGolden(t *testing.T) {
	r := sampleReport()
	got := r.Markdown("REPORT-plots")
	golden := filepath.Join("testdata", "report.golden.md")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("report differs from %s (run with -update and review):\n%s", golden, got)
	}
}

func TestReportPlotsAreWellFormedSVG(t *testing.T) {
	plots := sampleReport().Plots()
	for _, name := range []string{"ingest.svg", "search.svg", "edge.svg"} {
		svg, ok := plots[name]
		if !ok {
			t.Fatalf("no %s", name)
		}
		d := xml.NewDecoder(bytes.NewReader(svg))
		for {
			_, err := d.Token()
			if err != nil {
				if err.Error() == "EOF" {
					break
				}
				t.Fatalf("%s: %v", name, err)
			}
		}
		if !bytes.Contains(svg, []byte("<rect")) {
			t.Fatalf("%s has no bars", name)
		}
	}
}

// TestReportSmoke runs the report at its smoke size (seconds): every
// benchmark but accuracy (no dataset given) and edge runs, and the report
// renders what they measured.
func TestReportSmoke(t *testing.T) {
	r, err := RunReport(context.Background(), ReportOptions{Size: "smoke", Dir: t.TempDir(), Commit: "test", Machine: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Hotlist == nil || r.Ingest == nil || r.IngestImages == nil || r.Search == nil || r.Serve == nil {
		t.Fatalf("not measured: %v", r.Failed)
	}
	if _, ok := r.Failed["accuracy scenes"]; !ok || len(r.Failed) != 2 {
		t.Fatalf("failures %v, want only the two accuracy halves (no dataset)", r.Failed)
	}
	md := string(r.Markdown("plots"))
	for _, want := range []string{"hot list match", "ingest, 20 K reads", "ingest with 3 KB crops, 4 K reads", "search plate", "back office", "accuracy crops: no dataset"} {
		if !strings.Contains(md, want) {
			t.Fatalf("report lacks %q:\n%s", want, md)
		}
	}
}

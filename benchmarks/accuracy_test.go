package benchmarks

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/plateward/alpr/edge"
	"github.com/plateward/alpr/edge/models"
	"github.com/plateward/alpr/fixtures"
)

func TestCharAccuracy(t *testing.T) {
	cases := []struct {
		got, want string
		acc       float64
	}{
		{"AB1C2D", "AB1C2D", 1}, {"AB1C2", "AB1C2D", 5.0 / 6}, {"", "AB1C2D", 0}, {"XXXXXXXXXXXX", "AB", 0},
	}
	for _, tc := range cases {
		if got := charAccuracy(tc.got, tc.want); got != tc.acc {
			t.Errorf("charAccuracy(%q, %q) = %v, want %v", tc.got, tc.want, got, tc.acc)
		}
	}
}

// TestAccuracyOnSyntheticScenes writes synthetic scenes in the OpenALPR
// benchmark's layout and checks that the benchmark loads and scores them.
func TestAccuracyOnSyntheticScenes(t *testing.T) {
	o := fixtures.DefaultOptions()
	o.Scenes, o.VideoCars, o.HotEntries, o.Seed = 6, 0, 0, 9
	dir := t.TempDir()
	s, err := fixtures.GenerateShift(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	scenes := filepath.Join(dir, fixtures.ScenesDir)
	for _, tr := range s.Truth {
		b := tr.Plate.Box
		line := fmt.Sprintf("%s\t%d\t%d\t%d\t%d\t%s\n", tr.Source, b.Min.X, b.Min.Y, b.Dx(), b.Dy(), tr.Plate.Text)
		name := tr.Source[:len(tr.Source)-len(filepath.Ext(tr.Source))] + ".txt"
		if err := os.WriteFile(filepath.Join(scenes, name), []byte(line), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	samples, err := LoadDataset(scenes)
	if err != nil || len(samples) != 6 || samples[0].Box.Empty() {
		t.Fatalf("loaded %d samples (%v)", len(samples), err)
	}
	ro := edge.DefaultRecognizerOptions()
	if ro.OCR.ModelsDir, err = models.FindDir(); err != nil {
		t.Fatal(err)
	}
	misses := 0
	res, err := Accuracy(context.Background(), samples, AccuracyOptions{Recognizer: ro, Warmup: 1,
		OnOutcome: func(out Outcome) error {
			if out.Best != out.Sample.Truth() {
				misses++
			}
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", res)
	if res.Images != 6 || res.Top1 < 0.66 || res.Detection < 0.83 || res.TopN < res.Top1 || res.LatencyP50 <= 0 {
		t.Fatalf("synthetic scenes scored %+v", res)
	}
	if want := int((1-res.Top1)*6 + 0.5); misses != want {
		t.Fatalf("%d misses reported, top-1 says %d", misses, want)
	}
}

// TestEdgeBenchmarkMeasures runs the real-time benchmark on a short video:
// frames flow, plates are read, alerts are timed.
func TestEdgeBenchmarkMeasures(t *testing.T) {
	dir, err := models.FindDir()
	if err != nil {
		t.Fatal(err)
	}
	res, err := Edge(context.Background(), EdgeOptions{Cameras: 1, Width: 1280, Height: 720, FPS: 15, Cars: 2, Models: dir, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", res)
	if res.FPSPerCore <= 0 || res.Recall <= 0 || res.AlertP50 <= 0 || res.AlertP99 < res.AlertP50 || res.RSSMB <= 0 {
		t.Fatalf("result %+v", res)
	}
}

package benchmarks

import (
	"context"
	"fmt"
	"math"
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
	samples := syntheticScenes(t, 6)
	ro := edge.DefaultRecognizerOptions()
	var err error
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

// TestAccuracyAtScales reads synthetic scenes at half and at one and a
// half times their size: the truth boxes follow the images (a plate found
// is counted found), and each image keeps its fold at every scale.
func TestAccuracyAtScales(t *testing.T) {
	samples := syntheticScenes(t, 3)
	scaled := AtScales(samples, []float64{0.5, 1.5})
	if len(scaled) != 6 {
		t.Fatalf("%d samples at two scales, want 6", len(scaled))
	}
	for i, s := range scaled {
		orig := samples[i/2]
		if s.Path != orig.Path || FoldOf(s.Path, 5) != FoldOf(orig.Path, 5) {
			t.Fatalf("sample %d is %s, want %s", i, s.Path, orig.Path)
		}
		if w := float64(orig.Box.Dx()) * s.Scale; math.Abs(float64(s.Box.Dx())-w) > 1 {
			t.Fatalf("%s at %g: box %v, want %g wide", s.Path, s.Scale, s.Box, w)
		}
	}
	if got := AtScales(samples, nil); len(got) != 3 || got[0].Scale != 0 || got[0].ScaleTag() != "" {
		t.Fatalf("no scales: %d samples at %g", len(got), got[0].Scale)
	}
	if tag := scaled[0].ScaleTag(); tag != "@0.5" {
		t.Fatalf("tag %q at 0.5, want @0.5", tag)
	}
	ro := edge.DefaultRecognizerOptions()
	var err error
	if ro.OCR.ModelsDir, err = models.FindDir(); err != nil {
		t.Fatal(err)
	}
	sizes := map[float64]int{}
	res, err := Accuracy(context.Background(), scaled, AccuracyOptions{Recognizer: ro,
		OnOutcome: func(out Outcome) error {
			if out.Detected {
				sizes[out.Sample.Scale]++
			}
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	// At 1.5 the plates are larger and plainly found; the box test (IoU >
	// 0.4 with the truth) fails unless the box was scaled with the image.
	if len(res.Scales) != 2 || res.Scales[0] != 0.5 || res.Scales[1] != 1.5 {
		t.Fatalf("result says scales %v, want [0.5 1.5]", res.Scales)
	}
	if sizes[1.5] < 2 {
		t.Fatalf("plates found by scale %v: want at least 2 of 3 at 1.5", sizes)
	}
}

// syntheticScenes writes n synthetic scenes in the OpenALPR benchmark's
// layout and loads them.
func syntheticScenes(t *testing.T, n int) []Sample {
	t.Helper()
	o := fixtures.DefaultOptions()
	o.Scenes, o.VideoCars, o.HotEntries, o.Seed = n, 0, 0, 9
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
	if err != nil || len(samples) != n || samples[0].Box.Empty() {
		t.Fatalf("loaded %d samples (%v)", len(samples), err)
	}
	return samples
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

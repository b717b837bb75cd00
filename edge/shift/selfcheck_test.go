package shift_test

import (
	"image"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gocv.io/x/gocv"

	"github.com/plateward/alpr/edge/shift"
	"github.com/plateward/alpr/fixtures"
)

func TestSelfCheck(t *testing.T) {
	o := fixtures.DefaultOptions()
	o.Scenes, o.VideoCars, o.HotEntries = 1, 0, 0
	dir := t.TempDir()
	if _, err := fixtures.GenerateShift(dir, o); err != nil {
		t.Fatal(err)
	}
	scene := gocv.IMRead(filepath.Join(dir, fixtures.ScenesDir, "scene-0000.jpg"), gocv.IMReadColor)
	defer scene.Close()
	blurred := gocv.NewMat()
	defer blurred.Close()
	gocv.GaussianBlur(scene, &blurred, image.Pt(0, 0), 12, 12, gocv.BorderDefault)
	black := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(3, 3, 3, 0), 720, 1280, gocv.MatTypeCV8UC3)
	defer black.Close()
	white := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(255, 255, 255, 0), 720, 1280, gocv.MatTypeCV8UC3)
	defer white.Close()
	cases := []struct {
		name     string
		frame    gocv.Mat
		interval time.Duration
		problem  string
	}{
		{"good camera", scene, time.Second / 15, ""},
		{"out of focus", blurred, time.Second / 15, "out of focus"},
		{"covered lens", black, time.Second / 15, "obstructed"},
		{"glare", white, time.Second / 15, "over-exposed"},
		{"slow frames", scene, time.Second / 5, "frame rate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := shift.NewChecker("front", 15, shift.DefaultCheckOptions())
			if err != nil {
				t.Fatal(err)
			}
			at := time.Unix(0, 0)
			for !c.Done() {
				c.Add(tc.frame, at)
				at = at.Add(tc.interval)
			}
			r := c.Result()
			t.Log(r)
			if tc.problem == "" && !r.OK() {
				t.Fatalf("good camera failed: %v", r)
			}
			if tc.problem != "" && (r.OK() || !contains(r.Problems, tc.problem)) {
				t.Fatalf("want a %q problem, got %v", tc.problem, r)
			}
		})
	}
}

func contains(ps []string, s string) bool {
	for _, p := range ps {
		if strings.Contains(p, s) {
			return true
		}
	}
	return false
}

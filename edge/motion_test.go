package edge

import (
	"image"
	"image/color"
	"testing"
	"time"

	"gocv.io/x/gocv"
)

// noisyFrame is a 720p street that never changes, with fresh sensor noise
// of sigma grey levels, and a plate-sized box at x when x >= 0.
func noisyFrame(t *testing.T, sigma float64, x int) gocv.Mat {
	t.Helper()
	base := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(90, 100, 110, 0), 720, 1280, gocv.MatTypeCV8UC3)
	defer base.Close()
	gocv.Rectangle(&base, image.Rect(0, 400, 1280, 720), color.RGBA{60, 60, 60, 0}, -1) // the road
	if x >= 0 {
		gocv.Rectangle(&base, image.Rect(x, 300, x+150, 375), color.RGBA{240, 240, 240, 0}, -1)
	}
	noise := gocv.NewMatWithSize(720, 1280, gocv.MatTypeCV16SC3)
	defer noise.Close()
	gocv.RandN(&noise, gocv.NewScalar(0, 0, 0, 0), gocv.NewScalar(sigma, sigma, sigma, 0))
	wide := gocv.NewMat()
	defer wide.Close()
	base.ConvertTo(&wide, gocv.MatTypeCV16SC3)
	gocv.Add(wide, noise, &wide)
	out := gocv.NewMat()
	wide.ConvertTo(&out, gocv.MatTypeCV8UC3)
	return out
}

func TestMotionGate(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	frame := time.Second / 15
	cases := []struct {
		name string
		box  func(i int) int // the box's x in frame i, -1 for none
		want int             // frames of 30 worth recognising
	}{
		// The first frame, then one every 0.3 s (every fifth at 15 fps).
		{"an empty street with noise", func(int) int { return -1 }, 6},
		{"a plate standing still ahead", func(int) int { return 600 }, 6},
		{"a plate moving across", func(i int) int { return 200 + 20*i }, 30},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := newMotionGate(DefaultMotionOptions())
			defer g.Close()
			n := 0
			for i := range 30 {
				m := noisyFrame(t, 7, tc.box(i))
				if g.worth(m, t0.Add(time.Duration(i)*frame)) {
					n++
				}
				m.Close()
			}
			if n != tc.want {
				t.Fatalf("%d of 30 frames recognised, want %d", n, tc.want)
			}
		})
	}
	t.Run("off recognises every frame", func(t *testing.T) {
		g := newMotionGate(MotionOptions{Off: true})
		defer g.Close()
		m := noisyFrame(t, 7, -1)
		defer m.Close()
		for i := range 5 {
			if !g.worth(m, t0.Add(time.Duration(i)*frame)) {
				t.Fatal("a frame was gated with the gate off")
			}
		}
	})
}

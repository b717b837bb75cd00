package shift

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"gocv.io/x/gocv"
)

// CheckOptions are the self-check's limits.
type CheckOptions struct {
	Frames      int     // frames examined per camera
	MinFocus    float64 // variance of the Laplacian below this is out of focus
	MinMean     float64 // mean grey below this is under-exposed (or covered)
	MaxMean     float64 // above this, over-exposed
	MaxClipped  float64 // fraction of pixels at 0 or 255 allowed
	MinContrast float64 // grey standard deviation below this: lens obstructed
	MinFPSRatio float64 // frames must arrive at least at this fraction of the expected rate
}

// DefaultCheckOptions suits daylight and lit night scenes of patrol cameras.
func DefaultCheckOptions() CheckOptions {
	return CheckOptions{Frames: 10, MinFocus: 50, MinMean: 25, MaxMean: 235, MaxClipped: 0.25, MinContrast: 12, MinFPSRatio: 0.8}
}

// Validate reports the first invalid limit.
func (o CheckOptions) Validate() error {
	if o.Frames < 1 || o.MinMean >= o.MaxMean || o.MaxClipped <= 0 || o.MinFPSRatio <= 0 {
		return errors.New("self-check options out of range")
	}
	return nil
}

// CameraCheck is one camera's self-check result.
type CameraCheck struct {
	Camera   string
	Frames   int
	FPS      float64
	Focus    float64 // mean variance of the Laplacian
	Mean     float64 // mean grey
	Contrast float64 // mean grey standard deviation
	Clipped  float64 // mean fraction of clipped pixels
	Problems []string
}

// OK reports whether the camera passed.
func (c CameraCheck) OK() bool { return len(c.Problems) == 0 }

// String describes the result for the officer and the drive.
func (c CameraCheck) String() string {
	s := fmt.Sprintf("%s: focus %.0f, exposure %.0f, contrast %.0f, clipped %.0f%%, %.1f fps", c.Camera, c.Focus, c.Mean, c.Contrast, 100*c.Clipped, c.FPS)
	if !c.OK() {
		s += ": " + strings.Join(c.Problems, "; ")
	}
	return s
}

// Checker measures frames of one camera.
type Checker struct {
	o                                  CheckOptions
	camera                             string
	expected                           float64 // fps
	n                                  int
	first                              time.Time
	last                               time.Time
	gray                               gocv.Mat
	lap                                gocv.Mat
	sumFocus, sumMean, sumStd, sumClip float64
}

// NewChecker starts a self-check of camera, which should deliver fps frames
// a second.
func NewChecker(camera string, fps float64, o CheckOptions) (*Checker, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	return &Checker{o: o, camera: camera, expected: fps, gray: gocv.NewMat(), lap: gocv.NewMat()}, nil
}

// Done reports whether enough frames were seen.
func (c *Checker) Done() bool { return c.n >= c.o.Frames }

// Add measures one frame taken at at.
func (c *Checker) Add(frame gocv.Mat, at time.Time) {
	if c.Done() || frame.Empty() {
		return
	}
	if c.n == 0 {
		c.first = at
	}
	c.last = at
	c.n++
	if frame.Channels() == 3 {
		gocv.CvtColor(frame, &c.gray, gocv.ColorBGRToGray)
	} else {
		frame.CopyTo(&c.gray)
	}
	gocv.Laplacian(c.gray, &c.lap, gocv.MatTypeCV64F, 3, 1, 0, gocv.BorderDefault)
	mean, std := gocv.NewMat(), gocv.NewMat()
	defer mean.Close()
	defer std.Close()
	gocv.MeanStdDev(c.lap, &mean, &std)
	sd := std.GetDoubleAt(0, 0)
	c.sumFocus += sd * sd
	gocv.MeanStdDev(c.gray, &mean, &std)
	c.sumMean += mean.GetDoubleAt(0, 0)
	c.sumStd += std.GetDoubleAt(0, 0)
	px, _ := c.gray.DataPtrUint8()
	clipped := 0
	for _, v := range px {
		if v == 0 || v == 255 {
			clipped++
		}
	}
	if len(px) > 0 {
		c.sumClip += float64(clipped) / float64(len(px))
	}
}

// Result closes the checker and judges what it saw.
func (c *Checker) Result() CameraCheck {
	defer c.gray.Close()
	defer c.lap.Close()
	r := CameraCheck{Camera: c.camera, Frames: c.n}
	if c.n == 0 {
		r.Problems = append(r.Problems, "no frames: camera not delivering")
		return r
	}
	n := float64(c.n)
	r.Focus, r.Mean, r.Contrast, r.Clipped = c.sumFocus/n, c.sumMean/n, c.sumStd/n, c.sumClip/n
	if c.n > 1 && c.last.After(c.first) {
		r.FPS = float64(c.n-1) / c.last.Sub(c.first).Seconds()
	}
	switch {
	case r.Contrast < c.o.MinContrast:
		r.Problems = append(r.Problems, "lens obstructed or covered (no contrast)")
	case r.Focus < c.o.MinFocus:
		r.Problems = append(r.Problems, "out of focus or dirty lens")
	}
	if r.Mean < c.o.MinMean {
		r.Problems = append(r.Problems, "under-exposed")
	}
	if r.Mean > c.o.MaxMean || r.Clipped > c.o.MaxClipped {
		r.Problems = append(r.Problems, "over-exposed or glare")
	}
	if c.expected > 0 && c.n > 1 && r.FPS < c.expected*c.o.MinFPSRatio {
		r.Problems = append(r.Problems, fmt.Sprintf("frame rate %.1f fps, expected %.0f", r.FPS, c.expected))
	}
	return r
}

// Package textdet finds lines of text in a frame with PaddleOCR's PP-OCRv4
// text detector (DBNet), run in ONNX Runtime: the reader's second look at a
// frame in which the character-row detector (package detect) found nothing
// readable — a plate whose characters are fused with its frame, a dim plate
// at night. It is too slow to run on every frame (about 90 ms for a frame
// scaled to 640 wide on one core, about twice that at 960, against 25–45 ms
// for package detect), and finds plates the other misses.
//
// The network returns, for every pixel of the frame scaled to Width, the
// probability that it lies inside a line of text, the lines shrunk by about
// half their height; the lines are the connected regions of the map above
// Threshold, returned as rectangles of the frame (the shrunk cores: the
// caller adds the margin it needs).
//
// A Detector is not safe for concurrent use: give each worker its own.
package textdet

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"path/filepath"

	"gocv.io/x/gocv"

	"github.com/plateward/alpr/edge/models"
	"github.com/plateward/alpr/internal/onnxrt"
)

// Options configures a Detector.
type Options struct {
	ModelsDir string  // prepared models (package models), with ONNX Runtime
	Width     int     // a wider frame is scaled down to this width (a multiple of 32); a narrower one is not enlarged
	Threshold float32 // probability above which a pixel is text
}

// DefaultOptions scales frames down to 960 wide: a 1280-wide frame's
// plates of 70–85 px are 35–43 px at 640, too small for the detector to
// find. As the reader's second look (`alpr bench accuracy --folds 5
// --text-width W`, development scenes, 2026-12-05, narrower frames never
// enlarged, the look keeping its likeliest plate), top-1 / detection /
// junk reads per 100 scenes: 640 wide 83.3 % / 96.5 % / 1.8, 768 84.2 /
// 98.2 / 1.8, 832 85.1 / 98.2 / 2.6, 960 86.8 / 99.1 / 1.8, 1088 84.2 /
// 100 / 1.8. Every fold, choosing on the other four (train/choose.py),
// chose 960, and no fold read fewer plates than at 640: cross-checked
// top-1 86.8 %. It costs the frames that take a second look: scenes p95
// 149 → 210 ms, the median unchanged. (Before the plate net screened the
// regions and the reader kept one read a plate, 960 had cross-checked no
// better than 640; enlarging narrower frames to 960 read 86.0 %.)
func DefaultOptions() Options {
	return Options{ModelsDir: "var/models", Width: 960, Threshold: 0.3}
}

// Validate reports the first invalid option.
func (o Options) Validate() error {
	switch {
	case o.ModelsDir == "":
		return errors.New("textdet options: no models directory")
	case o.Width < 320 || o.Width > 1920 || o.Width%32 != 0:
		return fmt.Errorf("textdet options: width %d must be a multiple of 32 in 320..1920", o.Width)
	case o.Threshold <= 0 || o.Threshold >= 1:
		return fmt.Errorf("textdet options: threshold %g outside 0..1", o.Threshold)
	}
	return nil
}

// Detector finds lines of text.
type Detector struct {
	o                       Options
	sess                    *onnxrt.Session
	small, canvas, rgb, flt gocv.Mat
	in                      []float32
}

// New loads the detector.
func New(o Options) (*Detector, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	lib, sha, err := models.RuntimeLibrary(o.ModelsDir)
	if err != nil {
		return nil, err
	}
	if err := onnxrt.Open(lib, sha); err != nil {
		return nil, err
	}
	// One thread: the worker's own, as the recogniser's.
	sess, err := onnxrt.NewSession(filepath.Join(o.ModelsDir, models.DetORTFile), 1)
	if err != nil {
		return nil, fmt.Errorf("load text detector: %w", err)
	}
	return &Detector{o: o, sess: sess, small: gocv.NewMat(), canvas: gocv.NewMat(), rgb: gocv.NewMat(), flt: gocv.NewMat()}, nil
}

// Close frees the detector.
func (d *Detector) Close() error {
	for _, m := range []*gocv.Mat{&d.small, &d.canvas, &d.rgb, &d.flt} {
		m.Close()
	}
	return d.sess.Close()
}

// width is the width a frame cols wide is scaled to: Width, or for a
// narrower frame its own width rounded down to a multiple of 32 — never
// enlarged, which costs time and thins the lines' cores (a 720-wide
// frame's small plate lost its first character at 960).
func (d *Detector) width(cols int) int {
	return max(32, min(d.o.Width, cols/32*32))
}

// Detect returns the cores of the lines of text in a BGR or grey frame, in
// frame pixels.
func (d *Detector) Detect(frame gocv.Mat) ([]image.Rectangle, error) {
	if frame.Empty() {
		return nil, nil
	}
	W := d.width(frame.Cols())
	h := max(1, frame.Rows()*W/frame.Cols())
	H := (h + 31) / 32 * 32
	gocv.Resize(frame, &d.small, image.Pt(W, h), 0, 0, gocv.InterpolationArea)
	gocv.CopyMakeBorder(d.small, &d.canvas, 0, H-h, 0, 0, gocv.BorderConstant, color.RGBA{})
	switch d.canvas.Channels() {
	case 3:
		gocv.CvtColor(d.canvas, &d.rgb, gocv.ColorBGRToRGB)
	case 1:
		gocv.CvtColor(d.canvas, &d.rgb, gocv.ColorGrayToBGR)
	default:
		return nil, fmt.Errorf("text detector: a frame of %d channels", d.canvas.Channels())
	}
	d.rgb.ConvertTo(&d.flt, gocv.MatTypeCV32FC3)
	px, err := d.flt.DataPtrFloat32()
	if err != nil {
		return nil, fmt.Errorf("text detector input: %w", err)
	}
	n := H * W
	if cap(d.in) < 3*n {
		d.in = make([]float32, 3*n)
	}
	in := d.in[:3*n]
	// PaddleOCR's input normalisation (ImageNet's), planes R, G, B.
	mean := [3]float32{0.485, 0.456, 0.406}
	std := [3]float32{0.229, 0.224, 0.225}
	for i := range n {
		for c := range 3 {
			in[c*n+i] = (px[3*i+c]/255 - mean[c]) / std[c]
		}
	}
	var boxes []image.Rectangle
	scale := float64(frame.Cols()) / float64(W)
	err = d.sess.Run(in, []int64{1, 3, int64(H), int64(W)}, func(out []float32, shape []int64) error {
		if len(shape) != 4 || shape[2] != int64(H) || shape[3] != int64(W) || len(out) < n {
			return fmt.Errorf("text detector output %v, want [1 1 %d %d]", shape, H, W)
		}
		boxes = d.lines(out[:n], H, W, h, scale)
		return nil
	})
	return boxes, err
}

// lines thresholds the probability map and returns each region's bounding
// rectangle in frame pixels (rows below h are the padding).
func (d *Detector) lines(prob []float32, H, W, h int, scale float64) []image.Rectangle {
	bin := gocv.NewMatWithSize(H, W, gocv.MatTypeCV8U)
	defer bin.Close()
	b, err := bin.DataPtrUint8()
	if err != nil {
		return nil
	}
	for i, p := range prob {
		if p > d.o.Threshold {
			b[i] = 255
		} else {
			b[i] = 0
		}
	}
	cs := gocv.FindContours(bin, gocv.RetrievalExternal, gocv.ChainApproxSimple)
	defer cs.Close()
	var out []image.Rectangle
	for i := range cs.Size() {
		r := gocv.BoundingRect(cs.At(i)).Intersect(image.Rect(0, 0, W, h))
		if r.Dy() < 3 || r.Dx() < 6 {
			continue
		}
		f := func(v int) int { return int(float64(v) * scale) }
		out = append(out, image.Rect(f(r.Min.X), f(r.Min.Y), f(r.Max.X), f(r.Max.Y)))
	}
	return out
}

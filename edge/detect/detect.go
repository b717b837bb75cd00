// Package detect finds licence plates in a frame with classical image
// processing (OpenCV through gocv): plate characters are dark strokes on a
// light plate, so a black-hat transform brings them out, a horizontal
// gradient keeps the vertical strokes of characters, and a wide closing
// joins a plate's characters into one blob whose shape is tested.
//
// The result is a ranked list of regions; the OCR decides which of them are
// plates. A Detector reuses its buffers and is not safe for concurrent use:
// give each worker its own.
package detect

import (
	"errors"
	"fmt"
	"image"
	"math"
	"sort"

	"gocv.io/x/gocv"
)

// Options configures a Detector. Sizes are in pixels of the working image,
// which is the frame scaled down to at most MaxWorkWidth wide.
type Options struct {
	MaxWorkWidth  int     // frames wider than this are scaled down first
	MinCharHeight int     // smallest character height considered
	MaxCharHeight int     // largest
	MinAspect     float64 // width/height of a plate's character band
	MaxAspect     float64
	MaxRegions    int // regions returned, best first
}

// DefaultOptions suits 720p–1080p patrol-car cameras.
func DefaultOptions() Options {
	return Options{MaxWorkWidth: 1280, MinCharHeight: 10, MaxCharHeight: 160, MinAspect: 1.4, MaxAspect: 9, MaxRegions: 6}
}

// Validate reports the first invalid option.
func (o Options) Validate() error {
	switch {
	case o.MaxWorkWidth < 320:
		return fmt.Errorf("detect options: work width %d < 320", o.MaxWorkWidth)
	case o.MinCharHeight < 4 || o.MaxCharHeight <= o.MinCharHeight:
		return fmt.Errorf("detect options: character heights %d..%d", o.MinCharHeight, o.MaxCharHeight)
	case o.MinAspect <= 0 || o.MaxAspect <= o.MinAspect:
		return fmt.Errorf("detect options: aspect %g..%g", o.MinAspect, o.MaxAspect)
	case o.MaxRegions < 1:
		return errors.New("detect options: max regions < 1")
	}
	return nil
}

// Region is a place in the frame that may hold a plate.
type Region struct {
	Chars image.Rectangle // the band of characters, frame pixels
	Plate image.Rectangle // the plate around it (estimated), clipped to the frame
	Score float64         // higher is more plate-like
}

// Detector finds plate regions.
type Detector struct {
	opts                 Options
	hatK, closeK, cleanK gocv.Mat
	small, gray, hat, gx gocv.Mat
	mask, tmp            gocv.Mat
}

// New returns a Detector.
func New(opts Options) (*Detector, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	return &Detector{
		opts:   opts,
		hatK:   gocv.GetStructuringElement(gocv.MorphRect, image.Pt(25, 9)),
		closeK: gocv.GetStructuringElement(gocv.MorphRect, image.Pt(17, 5)),
		cleanK: gocv.GetStructuringElement(gocv.MorphRect, image.Pt(3, 3)),
		small:  gocv.NewMat(), gray: gocv.NewMat(), hat: gocv.NewMat(), gx: gocv.NewMat(),
		mask: gocv.NewMat(), tmp: gocv.NewMat(),
	}, nil
}

// Close frees the detector's buffers.
func (d *Detector) Close() {
	for _, m := range []*gocv.Mat{&d.hatK, &d.closeK, &d.cleanK, &d.small, &d.gray, &d.hat, &d.gx, &d.mask, &d.tmp} {
		m.Close()
	}
}

// Detect returns the plate regions of a BGR or grey frame, best first.
func (d *Detector) Detect(frame gocv.Mat) []Region {
	if frame.Empty() {
		return nil
	}
	scale := 1.0
	src := frame
	if frame.Cols() > d.opts.MaxWorkWidth {
		scale = float64(d.opts.MaxWorkWidth) / float64(frame.Cols())
		gocv.Resize(frame, &d.small, image.Pt(d.opts.MaxWorkWidth, int(float64(frame.Rows())*scale)), 0, 0, gocv.InterpolationArea)
		src = d.small
	}
	if src.Channels() == 3 {
		gocv.CvtColor(src, &d.gray, gocv.ColorBGRToGray)
	} else {
		src.CopyTo(&d.gray)
	}
	// Dark characters on a light plate stand out in the black-hat image.
	gocv.MorphologyEx(d.gray, &d.hat, gocv.MorphBlackhat, d.hatK)
	gocv.Sobel(d.hat, &d.tmp, gocv.MatTypeCV32F, 1, 0, 3, 1, 0, gocv.BorderDefault)
	gocv.ConvertScaleAbs(d.tmp, &d.gx, 1, 0)
	gocv.GaussianBlur(d.gx, &d.gx, image.Pt(5, 5), 0, 0, gocv.BorderDefault)
	gocv.MorphologyEx(d.gx, &d.gx, gocv.MorphClose, d.closeK)
	gocv.Threshold(d.gx, &d.mask, 0, 255, gocv.ThresholdBinary|gocv.ThresholdOtsu)
	gocv.Erode(d.mask, &d.mask, d.cleanK)
	gocv.Dilate(d.mask, &d.mask, d.cleanK)
	gocv.MorphologyEx(d.mask, &d.mask, gocv.MorphClose, d.closeK)

	contours := gocv.FindContours(d.mask, gocv.RetrievalExternal, gocv.ChainApproxSimple)
	defer contours.Close()
	bounds := image.Rect(0, 0, frame.Cols(), frame.Rows())
	var out []Region
	for i := range contours.Size() {
		c := contours.At(i)
		r := gocv.BoundingRect(c)
		h, w := r.Dy(), r.Dx()
		if h < d.opts.MinCharHeight || h > d.opts.MaxCharHeight {
			continue
		}
		aspect := float64(w) / float64(h)
		if aspect < d.opts.MinAspect || aspect > d.opts.MaxAspect {
			continue
		}
		fill := gocv.ContourArea(c) / float64(w*h)
		if fill < 0.45 {
			continue
		}
		// Plate-like: a band of characters about 3–6 times as wide as high,
		// solidly filled. Larger, well-filled bands rank first.
		shape := 1 - math.Min(1, math.Abs(math.Log(aspect/3.6))/math.Log(3))
		score := shape*0.6 + fill*0.4 + math.Min(1, float64(h)/40)*0.2
		chars := unscale(r, scale).Intersect(bounds)
		out = append(out, Region{Chars: chars, Plate: plateAround(chars).Intersect(bounds), Score: score})
	}
	out = dropNested(out)
	sort.Slice(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	if len(out) > d.opts.MaxRegions {
		out = out[:d.opts.MaxRegions]
	}
	return out
}

func unscale(r image.Rectangle, s float64) image.Rectangle {
	if s == 1 {
		return r
	}
	f := func(v int) int { return int(math.Round(float64(v) / s)) }
	return image.Rect(f(r.Min.X), f(r.Min.Y), f(r.Max.X), f(r.Max.Y))
}

// plateAround estimates the plate from its character band: on US plates
// the characters take about 80 % of the width and half the height.
func plateAround(c image.Rectangle) image.Rectangle {
	padX := c.Dx() / 8
	padY := c.Dy() / 2
	return image.Rect(c.Min.X-padX, c.Min.Y-padY, c.Max.X+padX, c.Max.Y+padY)
}

// dropNested removes regions that lie mostly inside a larger one: the
// state name inside a plate is not a second plate.
func dropNested(rs []Region) []Region {
	out := rs[:0]
	for i, a := range rs {
		inside := false
		for j, b := range rs {
			if i == j || b.Plate.Dx()*b.Plate.Dy() <= a.Plate.Dx()*a.Plate.Dy() {
				continue
			}
			in := a.Chars.Intersect(b.Plate)
			if in.Dx()*in.Dy()*10 >= a.Chars.Dx()*a.Chars.Dy()*8 {
				inside = true
				break
			}
		}
		if !inside {
			out = append(out, a)
		}
	}
	return out
}

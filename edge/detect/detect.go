// Package detect finds licence plates in a frame with classical image
// processing (OpenCV through gocv): the frame is thresholded locally, the
// connected components shaped like characters are kept, and components of
// one height on one line, close together, are grouped into rows (rows.go).
// A row of five to eight characters is a plate's text; the plate is
// estimated around it.
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
	"slices"
	"sort"

	"gocv.io/x/gocv"
)

// Options configures a Detector. Sizes are in pixels of the working image,
// which is the frame scaled down to at most MaxWorkWidth wide.
type Options struct {
	MaxWorkWidth  int     // frames wider than this are scaled down first
	MinCharHeight int     // smallest character height considered
	MaxCharHeight int     // largest
	MinChars      int     // fewest characters in a plate's row
	BlockSize     int     // adaptive threshold neighbourhood (odd)
	ThresholdC    float32 // adaptive threshold offset, grey levels
	LowContrastC  float32 // offset of a third pass for dim, low-contrast plates (night, shade); 0: no such pass
	MaxGap        float64 // largest gap between two characters of a row, in character heights
	MaxRegions    int     // regions returned, best first
	MinScoreRatio float64 // regions scoring under this fraction of the best are not returned (each costs a read)
	MergedPenalty float64 // a row found in characters run together scores this times as much; 0: no such rows
}

// DefaultOptions suits 720p–1080p patrol-car cameras.
func DefaultOptions() Options {
	return Options{MaxWorkWidth: 1280, MinCharHeight: 8, MaxCharHeight: 120, MinChars: 4, BlockSize: 31, ThresholdC: 10, LowContrastC: 5,
		MaxGap: 1.6, MaxRegions: 4, MinScoreRatio: 0.5, MergedPenalty: 0.6}
}

// Validate reports the first invalid option.
func (o Options) Validate() error {
	switch {
	case o.MaxWorkWidth < 320:
		return fmt.Errorf("detect options: work width %d < 320", o.MaxWorkWidth)
	case o.MinCharHeight < 4 || o.MaxCharHeight <= o.MinCharHeight:
		return fmt.Errorf("detect options: character heights %d..%d", o.MinCharHeight, o.MaxCharHeight)
	case o.MinChars < 2:
		return fmt.Errorf("detect options: min chars %d < 2", o.MinChars)
	case o.BlockSize < 3 || o.BlockSize%2 == 0:
		return fmt.Errorf("detect options: block size %d must be odd and at least 3", o.BlockSize)
	case o.LowContrastC < 0 || o.LowContrastC >= o.ThresholdC:
		return fmt.Errorf("detect options: low-contrast offset %g outside 0..%g", o.LowContrastC, o.ThresholdC)
	case o.MaxRegions < 1:
		return errors.New("detect options: max regions < 1")
	case o.MinScoreRatio < 0 || o.MinScoreRatio > 1:
		return fmt.Errorf("detect options: min score ratio %g outside 0..1", o.MinScoreRatio)
	case o.MergedPenalty < 0 || o.MergedPenalty > 1:
		return fmt.Errorf("detect options: merged penalty %g outside 0..1", o.MergedPenalty)
	}
	return nil
}

// Region is a place in the frame that may hold a plate.
type Region struct {
	Chars image.Rectangle // the row of characters, frame pixels
	Plate image.Rectangle // the plate around it (estimated), clipped to the frame
	Score float64         // higher is more plate-like
}

// Detector finds plate regions.
type Detector struct {
	opts                 Options
	erode                gocv.Mat // 2×2 structuring element
	small, gray, bin     gocv.Mat
	labels, stats, cents gocv.Mat
}

// New returns a Detector.
func New(opts Options) (*Detector, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	return &Detector{opts: opts, erode: gocv.GetStructuringElement(gocv.MorphRect, image.Pt(2, 2)),
		small: gocv.NewMat(), gray: gocv.NewMat(), bin: gocv.NewMat(),
		labels: gocv.NewMat(), stats: gocv.NewMat(), cents: gocv.NewMat()}, nil
}

// Close frees the detector's buffers.
func (d *Detector) Close() {
	for _, m := range []*gocv.Mat{&d.erode, &d.small, &d.gray, &d.bin, &d.labels, &d.stats, &d.cents} {
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
	bounds := image.Rect(0, 0, frame.Cols(), frame.Rows())
	var out []Region
	for _, p := range d.passes() {
		for _, typ := range []gocv.ThresholdType{gocv.ThresholdBinaryInv, gocv.ThresholdBinary} {
			gocv.AdaptiveThreshold(d.gray, &d.bin, 255, gocv.AdaptiveThresholdMean, typ, p.block, p.c)
			if p.erode {
				gocv.Erode(d.bin, &d.bin, d.erode)
			}
			for _, g := range d.rowsOf(d.charComps(d.bin)) {
				u, score := rowScore(g, d.opts.MergedPenalty)
				chars := unscale(u, scale).Intersect(bounds)
				pl := plateAround(chars)
				if !pl.In(bounds) {
					// A plate cut by the frame's edge cannot be read whole;
					// text burned into the picture's corner is not a plate.
					score *= 0.5
				}
				out = append(out, Region{Chars: chars, Plate: pl.Intersect(bounds), Score: score})
			}
		}
	}
	out = dropNested(out)
	sort.Slice(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	out = dropDuplicates(out)
	if len(out) > d.opts.MaxRegions {
		out = out[:d.opts.MaxRegions]
	}
	// Every region returned costs the OCR a read (about 15 ms); rows far
	// below the best are a bumper sticker or a grille. Tuned on the
	// development scenes with the passes above (top-1, detection, median
	// ms): 3 regions within 0.7 of the best 73.7 %, 87.7 %, 82 ms; 4 within
	// 0.5: 74.6 %, 90.4 %, 108 ms; 5 or 6, within 0.5 or 0.3, read no more
	// plates than 4 (measured before the OCR's I prior).
	for i, r := range out {
		if r.Score < d.opts.MinScoreRatio*out[0].Score {
			out = out[:i]
			break
		}
	}
	return out
}

// rowsOf groups components into rows: the separate characters' rows, then
// those that need a piece of characters run together. The second grouping
// only adds rows, so a plate's row is never lost by joining a merged
// blob beside it (a frame's edge, a bumper).
func (d *Detector) rowsOf(cs []comp) [][]comp {
	plain := make([]comp, 0, len(cs))
	for _, c := range cs {
		if !c.merged {
			plain = append(plain, c)
		}
	}
	out := rows(plain, d.opts.MinChars, d.opts.MaxGap)
	if len(plain) == len(cs) {
		return out
	}
	for _, g := range rows(cs, d.opts.MinChars, d.opts.MaxGap) {
		if slices.ContainsFunc(g, func(c comp) bool { return c.merged }) {
			out = append(out, g)
		}
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

// ReadArea is the part of the frame the OCR reads for this region: the row
// of characters with half its height all round. The OCR's band cut
// (ocr.Options.BandCutPct) is tuned to this margin; Plate, fitted to the
// plates' outlines, cuts off characters the row missed at its ends. On the
// development scenes, a side margin of 0.5 character heights read 67.5 %
// exactly, 0.3 and 0.7 read 64.0 % and 65.8 %, an eighth of the row's width
// 64.9 %; a margin above and below of 0.4 and 0.6 heights 66.7 % and 60.5 %.
func (r Region) ReadArea() image.Rectangle {
	return r.Chars.Inset(-r.Chars.Dy() / 2)
}

// CropArea is the picture of the plate kept with a read: the row of
// characters with an eighth of its width each side and half its height
// above and below, a little more than Plate, so that the state's name and
// the characters the row missed at its ends are in the picture the officer
// sees and the state is read from.
func (r Region) CropArea() image.Rectangle {
	c := r.Chars
	padX, padY := c.Dx()/8, c.Dy()/2
	return image.Rect(c.Min.X-padX, c.Min.Y-padY, c.Max.X+padX, c.Max.Y+padY)
}

// plateAround estimates the plate from its row of characters. Fitted to
// the development scenes' truth boxes (medians over 102 plates): the row
// takes 86 % of the plate's width and 55 % of its height, and sits a little
// below its middle (state name above, a smaller slogan below).
func plateAround(c image.Rectangle) image.Rectangle {
	padX := c.Dx() * 8 / 100
	return image.Rect(c.Min.X-padX, c.Min.Y-c.Dy()/2, c.Max.X+padX, c.Max.Y+c.Dy()*32/100)
}

// pass is one thresholding of the frame (both polarities are read).
type pass struct {
	block int     // neighbourhood
	c     float32 // offset
	erode bool    // erode the characters by a pixel
}

// passes returns the thresholdings, in order. Dark characters on a light
// plate and light on dark, each at two neighbourhood sizes, because at one
// size a small plate's characters merge with its frame and at the other a
// large plate's break up. The small neighbourhood's pass is also eroded by
// one pixel, which breaks the thin bridges that join characters to a
// dealer's frame or to each other (measured on the development scenes:
// plates found in the top three regions 92 → 96 of 114, at no extra cost,
// against a plain pass). A third pass with a smaller offset finds the
// characters of dim plates, which the others miss at night or in shade
// (plates found among all regions 100 → 105 of 114, about 10 ms).
func (d *Detector) passes() []pass {
	ps := []pass{{block: d.opts.BlockSize, c: d.opts.ThresholdC}, {block: d.opts.BlockSize/2 | 1, c: d.opts.ThresholdC, erode: true}}
	if d.opts.LowContrastC > 0 {
		ps = append(ps, pass{block: d.opts.BlockSize, c: d.opts.LowContrastC})
	}
	return ps
}

// dropNested removes regions that lie mostly inside a larger one that is
// at least as plate-like: the state name inside a plate is not a second
// plate. A larger row that scores lower — the plate's characters fused
// with a grille or a bumper's edge into a long row — does not hide the
// plate (development scenes: plates among the regions 97 → 100 of 114).
func dropNested(rs []Region) []Region {
	out := rs[:0]
	for i, a := range rs {
		inside := false
		for j, b := range rs {
			if i == j || b.Plate.Dx()*b.Plate.Dy() <= a.Plate.Dx()*a.Plate.Dy() || b.Score < a.Score {
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

// dropDuplicates removes, from regions sorted best first, each whose row
// of characters overlaps a better one's by more than half (intersection
// over union): several passes find the same plate, and a second read of it
// costs the OCR's time and a place among the regions read.
func dropDuplicates(rs []Region) []Region {
	out := rs[:0]
	for _, r := range rs {
		dup := false
		for _, k := range out {
			if IoU(r.Chars, k.Chars) > 0.5 {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, r)
		}
	}
	return out
}

// IoU is the intersection over union of two rectangles (0 for two empty
// ones): the benchmarks' measure of a found plate.
func IoU(a, b image.Rectangle) float64 {
	in := a.Intersect(b)
	i := float64(in.Dx() * in.Dy())
	u := float64(a.Dx()*a.Dy()+b.Dx()*b.Dy()) - i
	if u <= 0 {
		return 0
	}
	return i / u
}

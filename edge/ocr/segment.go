package ocr

import (
	"image"
	"math"
	"unsafe"

	"gocv.io/x/gocv"
)

// comp is a connected component of the binarised plate: a character, part
// of one, or noise.
type comp struct {
	r     image.Rectangle
	label int32
}

// charBand finds the row of plate characters in bin (characters white):
// the largest group of components of about the same height on about the
// same line. The state name and slogan are smaller and the border is long
// and thin, so neither wins. It returns the band and the labels of the
// components in it.
func charBand(bin gocv.Mat, labels, stats, cents *gocv.Mat) (image.Rectangle, []int32) {
	n := gocv.ConnectedComponentsWithStats(bin, labels, stats, cents)
	H, W := bin.Rows(), bin.Cols()
	var cs []comp
	for i := 1; i < n; i++ { // label 0 is the background
		x, y := int(stats.GetIntAt(i, 0)), int(stats.GetIntAt(i, 1))
		w, h := int(stats.GetIntAt(i, 2)), int(stats.GetIntAt(i, 3))
		area := int(stats.GetIntAt(i, 4))
		if h < H/6 || h > H*95/100 || w > W/4 || w < 2 {
			continue
		}
		if ar := float64(h) / float64(w); ar < 0.9 || ar > 8 {
			continue
		}
		if fill := float64(area) / float64(w*h); fill < 0.12 || fill > 0.95 {
			continue
		}
		cs = append(cs, comp{image.Rect(x, y, x+w, y+h), int32(i)})
	}
	bestH := 0
	var band image.Rectangle
	var best, group []int32
	for _, s := range cs {
		sh := s.r.Dy()
		scy := (s.r.Min.Y + s.r.Max.Y) / 2
		var u image.Rectangle
		group = group[:0]
		for _, c := range cs {
			cy := (c.r.Min.Y + c.r.Max.Y) / 2
			if math.Abs(float64(c.r.Dy()-sh)) <= 0.2*float64(sh) && math.Abs(float64(cy-scy)) <= 0.35*float64(sh) {
				u = u.Union(c.r)
				group = append(group, c.label)
			}
		}
		if len(group) > len(best) || (len(group) == len(best) && sh > bestH) {
			best, bestH, band = append(best[:0], group...), sh, u
		}
	}
	if len(best) == 0 {
		return image.Rectangle{}, nil
	}
	mx, my := bestH*3/10, bestH*15/100
	band = image.Rect(band.Min.X-mx, band.Min.Y-my, band.Max.X+mx, band.Max.Y+my).Intersect(image.Rect(0, 0, W, H))
	return band, best
}

// paintLine draws the components of group that fall in band, black on
// white, into dst: the characters alone, without the bolts, frame or
// smudges that share their row.
func paintLine(labels gocv.Mat, band image.Rectangle, group []int32, dst *gocv.Mat) {
	*dst = resize(dst, band.Dy(), band.Dx())
	dst.SetTo(gocv.NewScalar(255, 0, 0, 0))
	out, _ := dst.DataPtrUint8()
	lab := int32s(labels)
	in := make(map[int32]bool, len(group))
	for _, g := range group {
		in[g] = true
	}
	if lab == nil {
		return
	}
	cols := labels.Cols()
	for y := band.Min.Y; y < band.Max.Y; y++ {
		row := lab[y*cols : (y+1)*cols]
		o := out[(y-band.Min.Y)*band.Dx():]
		for x := band.Min.X; x < band.Max.X; x++ {
			if in[row[x]] {
				o[x-band.Min.X] = 0
			}
		}
	}
}

// resize returns m if it is already rows×cols of one byte a pixel, or a new
// such Mat (closing m).
func resize(m *gocv.Mat, rows, cols int) gocv.Mat {
	if m.Rows() == rows && m.Cols() == cols && m.Type() == gocv.MatTypeCV8U {
		return *m
	}
	m.Close()
	return gocv.NewMatWithSize(rows, cols, gocv.MatTypeCV8U)
}

// int32s views the data of a continuous CV_32S Mat (connected-component
// labels), which gocv v0.32 has no accessor for.
func int32s(m gocv.Mat) []int32 {
	b, err := m.DataPtrUint8()
	if err != nil || len(b) < 4 || m.Type() != gocv.MatTypeCV32S {
		return nil
	}
	return unsafe.Slice((*int32)(unsafe.Pointer(&b[0])), len(b)/4)
}

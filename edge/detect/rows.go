package detect

import (
	"image"
	"math"
	"sort"
	"unsafe"

	"gocv.io/x/gocv"
)

// A plate is found by its characters: connected components of a locally
// thresholded image that are shaped like characters, grouped into rows of
// at least MinChars of about the same height on one line, close together.
// Unlike a search for the plate's outline, this works at any scale, on any
// plate colour, and when the plate's frame is hidden by a bumper.
//
// Motion blur runs a plate's characters together into one wide component,
// which no character's shape matches: a plate passed at 45 mph was found in
// 1 of 54 frames of the motion fixture video. Such a component, as tall as
// a character and one to six heights wide, is cut into pieces of a
// character's usual width (0.6 of its height), and rows that need such a
// piece are added to the plain rows, scoring Options.MergedPenalty times
// as much (found in 47 of 54 frames; TestFindsMotionBlurredPlates). The
// penalty keeps them behind real rows: on the development scenes 0.4 and
// 0.6 read as many plates as no such rows (top-1 86.8 %, detection
// 99.1 %), 0.8 lost two (85.1 %).

type comp struct {
	r      image.Rectangle
	cx, cy int
	merged bool // a piece of a component of several characters run together
}

// charComps returns the character-like components of a binary image
// (characters white).
func (d *Detector) charComps(bin gocv.Mat) []comp {
	n := gocv.ConnectedComponentsWithStats(bin, &d.labels, &d.stats, &d.cents)
	st := int32s(d.stats)
	if st == nil {
		return nil
	}
	out := make([]comp, 0, 256)
	for i := 1; i < n; i++ {
		x, y, w, h, area := int(st[5*i]), int(st[5*i+1]), int(st[5*i+2]), int(st[5*i+3]), int(st[5*i+4])
		if h < d.opts.MinCharHeight || h > d.opts.MaxCharHeight || w < 2 {
			continue
		}
		ar, fill := float64(h)/float64(w), float64(area)/float64(w*h)
		if fill < 0.15 || fill > 0.92 || ar > 7 {
			continue
		}
		if ar >= 0.9 {
			out = append(out, comp{r: image.Rect(x, y, x+w, y+h), cx: x + w/2, cy: y + h/2})
			continue
		}
		if d.opts.MergedPenalty == 0 || ar < 1.0/6 || fill < 0.3 {
			continue
		}
		// Characters run together (motion blur, a tight font): cut the
		// component into pieces of a character's usual width.
		k := max(2, int(math.Round(float64(w)/(0.6*float64(h)))))
		for j := range k {
			x0, x1 := x+j*w/k, x+(j+1)*w/k
			out = append(out, comp{r: image.Rect(x0, y, x1, y+h), cx: (x0 + x1) / 2, cy: y + h/2, merged: true})
		}
	}
	return out
}

// rows groups components into character rows: two components join when
// their heights differ by at most 30 %, their centres are within 40 % of a
// height of one line, and the gap between them is at most maxGap heights.
func rows(cs []comp, minChars int, maxGap float64) [][]comp {
	sort.Slice(cs, func(i, j int) bool { return cs[i].r.Min.X < cs[j].r.Min.X })
	parent := make([]int, len(cs))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for i, a := range cs {
		ha := float64(a.r.Dy())
		for j := i + 1; j < len(cs); j++ {
			b := cs[j]
			if float64(b.r.Min.X-a.r.Max.X) > ha*maxGap {
				break // sorted by left edge: every later one is farther
			}
			hb := float64(b.r.Dy())
			if math.Abs(ha-hb) > 0.3*math.Max(ha, hb) || math.Abs(float64(a.cy-b.cy)) > 0.4*math.Max(ha, hb) {
				continue
			}
			if b.r.Min.X < a.r.Min.X+a.r.Dx()/2 {
				continue // overlapping: a character and its hole, not two characters
			}
			parent[find(j)] = find(i)
		}
	}
	groups := map[int][]comp{}
	for i := range cs {
		r := find(i)
		groups[r] = append(groups[r], cs[i])
	}
	var out [][]comp
	for _, g := range groups {
		if len(g) >= minChars {
			out = append(out, g)
		}
	}
	return out
}

// rowScore ranks a row: plates have 5–8 characters of one height, evenly
// spaced, in a row a few times as wide as it is high. A row with pieces of
// merged characters scores mergedPenalty times as much.
func rowScore(g []comp, mergedPenalty float64) (image.Rectangle, float64) {
	var u image.Rectangle
	var hs []float64
	k := 1.0
	for _, c := range g {
		u = u.Union(c.r)
		hs = append(hs, float64(c.r.Dy()))
		if c.merged {
			k = mergedPenalty
		}
	}
	sort.Float64s(hs)
	med := hs[len(hs)/2]
	var dev float64
	for _, h := range hs {
		dev += math.Abs(h-med) / med
	}
	dev /= float64(len(hs))
	n := float64(len(g))
	count := 1 - math.Min(1, math.Abs(n-6.5)/6)
	aspect := float64(u.Dx()) / med
	shape := 1 - math.Min(1, math.Abs(math.Log(aspect/4.5))/math.Log(4))
	return u, k * (0.4*count + 0.3*shape + 0.3*(1-math.Min(1, dev*4)))
}

// int32s views the data of a continuous CV_32S Mat (component statistics),
// which gocv v0.32 has no accessor for.
func int32s(m gocv.Mat) []int32 {
	b, err := m.DataPtrUint8()
	if err != nil || len(b) < 4 || m.Type() != gocv.MatTypeCV32S {
		return nil
	}
	return unsafe.Slice((*int32)(unsafe.Pointer(&b[0])), len(b)/4)
}

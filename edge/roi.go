package edge

import (
	"fmt"
	"image"

	"gocv.io/x/gocv"
)

// ROI is the band of every frame where plates can appear, as fractions of
// the frame's height from its top: the sky above and the patrol car's own
// hood below hold none, and the recogniser need not look there. The zero
// ROI is the whole frame.
type ROI struct {
	Top, Bottom float64
}

// Whole reports whether r is the whole frame.
func (r ROI) Whole() bool { return r.Top == 0 && (r.Bottom == 0 || r.Bottom == 1) }

// Validate reports whether r is a band: 0 ≤ Top < Bottom ≤ 1.
func (r ROI) Validate() error {
	if r.Whole() || (r.Top >= 0 && r.Top < r.Bottom && r.Bottom <= 1) {
		return nil
	}
	return fmt.Errorf("region of interest %v–%v: want 0 ≤ top < bottom ≤ 1", r.Top, r.Bottom)
}

// ParseROI reads "TOP,BOTTOM" (fractions of the height, e.g. "0.3,0.9").
func ParseROI(s string) (ROI, error) {
	var r ROI
	if _, err := fmt.Sscanf(s, "%g,%g", &r.Top, &r.Bottom); err != nil {
		return ROI{}, fmt.Errorf("region of interest %q: want TOP,BOTTOM as fractions of the height", s)
	}
	return r, r.Validate()
}

// rect is the band in a frame of the given size.
func (r ROI) rect(cols, rows int) image.Rectangle {
	if r.Whole() {
		return image.Rect(0, 0, cols, rows)
	}
	return image.Rect(0, int(r.Top*float64(rows)), cols, int(r.Bottom*float64(rows)))
}

// RecognizeIn recognises the plates in the band r of frame, in frame
// coordinates, taking a second look (SecondLookOptions) if secondLook
// allows and the first read nothing; looked reports that it did.
func (rz *Recognizer) RecognizeIn(frame gocv.Mat, r ROI, secondLook bool) (ps []Plate, looked bool, err error) {
	if r.Whole() {
		return rz.recognize(frame, secondLook)
	}
	box := r.rect(frame.Cols(), frame.Rows())
	if box.Empty() {
		return nil, false, nil
	}
	band := frame.Region(box)
	defer band.Close()
	ps, looked, err = rz.recognize(band, secondLook)
	for i := range ps {
		ps[i].Region.Chars = ps[i].Region.Chars.Add(box.Min)
		ps[i].Region.Plate = ps[i].Region.Plate.Add(box.Min)
	}
	return ps, looked, err
}

package edge

import (
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"

	"github.com/plateward/alpr/fixtures"
)

func TestRecognizeInBand(t *testing.T) {
	s, _ := smallShift(t)
	rz := testRecognizer(t, nil)
	// The first scene whose plate the whole frame reads.
	for _, tr := range s.Truth {
		if tr.Source == fixtures.VideoFile {
			continue
		}
		m := gocv.IMRead(filepath.Join(s.Dir, fixtures.ScenesDir, tr.Source), gocv.IMReadColor)
		whole, err := rz.Recognize(m)
		if err != nil || len(whole) == 0 || whole[0].Result.Best().Text != tr.Plate.Text {
			m.Close()
			continue
		}
		h := float64(m.Rows())
		mid := float64(tr.Plate.Box.Min.Y+tr.Plate.Box.Max.Y) / 2 / h
		cases := []struct {
			name  string
			roi   ROI
			found bool
		}{
			{"the whole frame", ROI{}, true},
			{"a band around the plate", ROI{Top: max(0, mid-0.2), Bottom: min(1, mid+0.2)}, true},
			{"a band above the plate", ROI{Top: 0, Bottom: float64(tr.Plate.Box.Min.Y) / h * 0.9}, false},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				ps, _, err := rz.RecognizeIn(m, tc.roi, false)
				if err != nil {
					t.Fatal(err)
				}
				found := len(ps) > 0 && ps[0].Result.Best().Text == tr.Plate.Text
				if found != tc.found {
					t.Fatalf("ROI %+v: found %v, want %v (%d plates)", tc.roi, found, tc.found, len(ps))
				}
				if found && !ps[0].Region.Plate.Overlaps(tr.Plate.Box) {
					t.Fatalf("plate box %v is not in frame coordinates (truth %v)", ps[0].Region.Plate, tr.Plate.Box)
				}
			})
		}
		m.Close()
		return
	}
	t.Fatal("no scene of the shift was read whole: nothing to compare")
}

func TestParseROI(t *testing.T) {
	cases := []struct {
		in string
		ok bool
	}{{"0.3,0.9", true}, {"0,1", true}, {"0.9,0.3", false}, {"-0.1,0.5", false}, {"0.2,1.5", false}, {"half", false}}
	for _, tc := range cases {
		if _, err := ParseROI(tc.in); (err == nil) != tc.ok {
			t.Errorf("ParseROI(%q): %v", tc.in, err)
		}
	}
}

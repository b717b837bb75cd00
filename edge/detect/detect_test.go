package detect

import (
	"image"
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"

	"github.com/plateward/alpr/fixtures"
)

// TestFindsPlatesInScenes checks that a returned region overlaps each
// synthetic plate with IoU > 0.4, the benchmark's convention.
func TestFindsPlatesInScenes(t *testing.T) {
	o := fixtures.DefaultOptions()
	o.Scenes, o.VideoCars, o.HotEntries = 10, 0, 0
	dir := t.TempDir()
	s, err := fixtures.GenerateShift(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	d, err := New(DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	found := 0
	for _, tr := range s.Truth {
		m := gocv.IMRead(filepath.Join(dir, fixtures.ScenesDir, tr.Source), gocv.IMReadColor)
		best := 0.0
		regions := d.Detect(m)
		for _, r := range regions {
			best = max(best, IoU(r.Plate, tr.Plate.Box))
		}
		m.Close()
		if best > 0.4 {
			found++
		} else {
			t.Logf("%s: best IoU %.2f over %d regions (truth %v)", tr.Source, best, len(regions), tr.Plate.Box)
		}
		if len(regions) > DefaultOptions().MaxRegions {
			t.Fatalf("%d regions", len(regions))
		}
	}
	if found < len(s.Truth)*9/10 {
		t.Fatalf("found %d of %d plates", found, len(s.Truth))
	}
}

func TestEmptyFrame(t *testing.T) {
	d, _ := New(DefaultOptions())
	defer d.Close()
	m := gocv.NewMat()
	defer m.Close()
	if r := d.Detect(m); r != nil {
		t.Fatalf("regions in an empty frame: %v", r)
	}
}

// TestAreasAroundTheRow pins the three boxes made from one row of
// characters: the plate's estimate, the OCR's read area and the kept crop.
func TestAreasAroundTheRow(t *testing.T) {
	chars := image.Rect(100, 200, 300, 240) // a row 200 wide, 40 high
	r := Region{Chars: chars, Plate: plateAround(chars)}
	tests := []struct {
		name string
		got  image.Rectangle
		want image.Rectangle
	}{
		{"plate: 8 % each side, half a height above, a third below", r.Plate, image.Rect(84, 180, 316, 252)},
		{"read area: half a height all round", r.ReadArea(), image.Rect(80, 180, 320, 260)},
		{"crop: an eighth of the width each side, half a height above and below", r.CropArea(), image.Rect(75, 180, 325, 260)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Fatalf("got %v, want %v", tc.got, tc.want)
			}
		})
	}
}

// TestFindsMotionBlurredPlates: in a video driven past at 45 mph, the
// blur runs the characters of a plate together; rows cut from such runs
// find the plates that rows of separate characters miss.
func TestFindsMotionBlurredPlates(t *testing.T) {
	o := fixtures.DefaultOptions()
	o.Scenes, o.VideoCars, o.HotEntries, o.Road = 0, 3, 0, fixtures.RoadMotion
	dir := t.TempDir()
	s, err := fixtures.GenerateShift(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	truth := map[int]image.Rectangle{}
	for _, tr := range s.Truth {
		truth[tr.Frame] = tr.Plate.Box
	}
	found := func(penalty float64) int {
		do := DefaultOptions()
		do.MergedPenalty = penalty
		d, err := New(do)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		vc, err := gocv.VideoCaptureFile(filepath.Join(dir, fixtures.VideoFile))
		if err != nil {
			t.Fatal(err)
		}
		defer vc.Close()
		m := gocv.NewMat()
		defer m.Close()
		n := 0
		for i := 0; vc.Read(&m); i++ {
			box, ok := truth[i]
			if !ok {
				continue
			}
			for _, r := range d.Detect(m) {
				if IoU(r.Plate, box) > 0.4 {
					n++
					break
				}
			}
		}
		return n
	}
	without, with := found(0), found(DefaultOptions().MergedPenalty)
	t.Logf("plates found in %d of %d frames without merged rows, %d with", without, len(truth), with)
	if with < len(truth)*3/4 || with <= without {
		t.Fatalf("found in %d of %d frames with merged rows (%d without)", with, len(truth), without)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Options)
		ok   bool
	}{
		{"defaults", func(*Options) {}, true},
		{"no score floor", func(o *Options) { o.MinScoreRatio = 0 }, true},
		{"score ratio above one", func(o *Options) { o.MinScoreRatio = 1.5 }, false},
		{"negative score ratio", func(o *Options) { o.MinScoreRatio = -0.1 }, false},
		{"even block size", func(o *Options) { o.BlockSize = 30 }, false},
		{"no regions", func(o *Options) { o.MaxRegions = 0 }, false},
		{"no low-contrast pass", func(o *Options) { o.LowContrastC = 0 }, true},
		{"low-contrast offset not below the main one", func(o *Options) { o.LowContrastC = o.ThresholdC }, false},
		{"negative low-contrast offset", func(o *Options) { o.LowContrastC = -1 }, false},
		{"no merged rows", func(o *Options) { o.MergedPenalty = 0 }, true},
		{"merged penalty above one", func(o *Options) { o.MergedPenalty = 1.2 }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := DefaultOptions()
			tc.edit(&o)
			if err := o.Validate(); (err == nil) != tc.ok {
				t.Fatalf("Validate() = %v, want ok %v", err, tc.ok)
			}
		})
	}
}

// region makes a region from its row of characters, the plate estimated
// around it as the detector does.
func region(x0, y0, x1, y1 int, score float64) Region {
	c := image.Rect(x0, y0, x1, y1)
	return Region{Chars: c, Plate: plateAround(c), Score: score}
}

func TestDropNested(t *testing.T) {
	tests := []struct {
		name string
		in   []Region
		want int // regions kept
	}{
		{"a state name inside a better plate goes", []Region{region(100, 100, 300, 140, 0.9), region(150, 85, 250, 95, 0.6)}, 1},
		{"a plate inside a long, worse row stays", []Region{region(0, 100, 600, 150, 0.4), region(200, 105, 320, 140, 0.8)}, 2},
		{"two rows side by side stay", []Region{region(0, 0, 100, 20, 0.8), region(300, 0, 400, 20, 0.8)}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := dropNested(tc.in); len(got) != tc.want {
				t.Fatalf("kept %v, want %d regions", got, tc.want)
			}
		})
	}
}

func TestDropDuplicates(t *testing.T) {
	best := region(100, 100, 300, 140, 0.9)
	tests := []struct {
		name string
		in   []Region
		want []float64 // scores kept, in order
	}{
		{"the same row from two passes: the better stays", []Region{best, region(102, 101, 301, 141, 0.8)}, []float64{0.9}},
		{"a row overlapping by less than half stays", []Region{best, region(220, 100, 420, 140, 0.7)}, []float64{0.9, 0.7}},
		{"distinct rows stay in order", []Region{best, region(0, 400, 100, 420, 0.5), region(500, 0, 600, 30, 0.4)}, []float64{0.9, 0.5, 0.4}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := dropDuplicates(tc.in)
			if len(got) != len(tc.want) {
				t.Fatalf("kept %v, want scores %v", got, tc.want)
			}
			for i, r := range got {
				if r.Score != tc.want[i] {
					t.Fatalf("kept %v, want scores %v", got, tc.want)
				}
			}
		})
	}
}

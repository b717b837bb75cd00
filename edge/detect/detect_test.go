package detect

import (
	"image"
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"

	"github.com/plateward/alpr/fixtures"
)

func iou(a, b image.Rectangle) float64 {
	in := a.Intersect(b)
	i := float64(in.Dx() * in.Dy())
	u := float64(a.Dx()*a.Dy()+b.Dx()*b.Dy()) - i
	return i / u
}

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
			best = max(best, iou(r.Plate, tr.Plate.Box))
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

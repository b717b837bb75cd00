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

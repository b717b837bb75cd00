package edge

import (
	"image"
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"

	"github.com/plateward/alpr/fixtures"
)

// TestSecondLookReadsWhatTheFirstMisses blinds the row detector (it asks
// for rows of more characters than a plate has) so that the first look
// finds nothing: the second look must still read the synthetic scenes'
// plates, in the right place, and with it turned off nothing is read.
func TestSecondLookReadsWhatTheFirstMisses(t *testing.T) {
	s, _ := smallShift(t)
	newRz := func(off bool) *Recognizer {
		return testRecognizer(t, func(o *RecognizerOptions) {
			o.Detect.MinChars = 12 // no plate has a row this long
			o.SecondLook.Off = off
		})
	}
	second, blind := newRz(false), newRz(true)
	scenes, read := 0, 0
	for _, tr := range s.Truth {
		if tr.Source == fixtures.VideoFile {
			continue
		}
		scenes++
		m := gocv.IMRead(filepath.Join(s.Dir, fixtures.ScenesDir, tr.Source), gocv.IMReadColor)
		ps, looked, err := second.RecognizeIn(m, ROI{}, true)
		if err != nil {
			t.Fatal(err)
		}
		if !looked {
			t.Fatalf("%s: no second look after a first that found nothing", tr.Source)
		}
		for _, p := range ps {
			if p.Result.Best().Text == tr.Plate.Text && p.Region.Plate.Overlaps(tr.Plate.Box) {
				read++
				break
			}
		}
		if ps, looked, err := second.RecognizeIn(m, ROI{}, false); err != nil || looked || len(ps) > 0 {
			t.Fatalf("%s: second look not allowed, yet looked %v, read %d (%v)", tr.Source, looked, len(ps), err)
		}
		if ps, looked, err := blind.RecognizeIn(m, ROI{}, true); err != nil || looked || len(ps) > 0 {
			t.Fatalf("%s: second look off, yet looked %v, read %d (%v)", tr.Source, looked, len(ps), err)
		}
		m.Close()
	}
	// Measured here: 4 of 6. At least half, so that another CPU's
	// rounding cannot fail it.
	if scenes == 0 || read < (scenes+1)/2 {
		t.Fatalf("the second look read %d of %d scenes' plates", read, scenes)
	}
	t.Logf("the second look read %d of %d scenes' plates", read, scenes)
}

func TestPlateLines(t *testing.T) {
	lines := []image.Rectangle{
		image.Rect(0, 0, 100, 20),    // 2.8 wide for high with its margin: a plate's row
		image.Rect(0, 50, 300, 70),   // 7.8: a wide plate row
		image.Rect(0, 100, 20, 120),  // 0.7: a square blob, not a row
		image.Rect(0, 150, 900, 160), // a long caption: too wide
		image.Rect(0, 200, 60, 220),  // 2.0
	}
	got := plateLines(lines, 2)
	if len(got) != 2 || got[0].Chars != lines[1] || got[1].Chars != lines[0] {
		t.Fatalf("plate lines %v", got)
	}
	if p := got[1].Plate; p != image.Rect(-10, -10, 110, 30) {
		t.Fatalf("plate around %v: %v", got[1].Chars, p)
	}
	if all := plateLines(lines, 10); len(all) != 3 {
		t.Fatalf("%d plate-shaped lines, want 3", len(all))
	}
}

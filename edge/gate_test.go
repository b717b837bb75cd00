package edge

import (
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"

	"github.com/plateward/alpr/fixtures"
)

// TestHeldBackRegionsAreReadLast: regions the plate gate holds back are
// not read unless no region passed; then the likeliest one over LastGate
// is, and with LastGate over PlateGate none is. With the gate at 1 nearly
// every region is held back, so each synthetic scene whose plate the
// default recogniser reads yields one plate from the held-back regions.
func TestHeldBackRegionsAreReadLast(t *testing.T) {
	s, _ := smallShift(t)
	newRz := func(gate, last float32) *Recognizer {
		return testRecognizer(t, func(o *RecognizerOptions) {
			o.SecondLook.Off = true
			if gate > 0 {
				o.PlateGate, o.LastGate = gate, last
			}
		})
	}
	def, last, never := newRz(0, 0), newRz(1, 0), newRz(1, 1.5)
	scenes := 0
	for _, tr := range s.Truth {
		if tr.Source == fixtures.VideoFile {
			continue
		}
		m := gocv.IMRead(filepath.Join(s.Dir, fixtures.ScenesDir, tr.Source), gocv.IMReadColor)
		want, err := def.Recognize(m)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 || want[0].Result.Best().Text != tr.Plate.Text {
			m.Close()
			continue
		}
		scenes++
		for _, tc := range []struct {
			name string
			rz   *Recognizer
			held int // plates read from held-back regions
		}{{"last gate 0", last, 1}, {"last gate over the gate", never, 0}} {
			ps, err := tc.rz.Recognize(m)
			if err != nil {
				t.Fatal(err)
			}
			passed := 0 // a region the net is wholly sure of passes a gate of 1
			for _, p := range ps {
				if p.Result.Plate >= 1 {
					passed++
				}
			}
			if passed == 0 && len(ps) != tc.held {
				t.Errorf("%s, %s: %d plates from held-back regions, want %d", tr.Source, tc.name, len(ps), tc.held)
			}
			if passed > 0 && passed != len(ps) {
				t.Errorf("%s, %s: a held-back region read beside %d that passed", tr.Source, tc.name, passed)
			}
		}
		m.Close()
	}
	if scenes == 0 {
		t.Fatal("the default recogniser read no scene's plate")
	}
}

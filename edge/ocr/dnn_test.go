package ocr

import (
	"image"
	"testing"

	"github.com/plateward/alpr/fixtures"
)

// TestIPrior decodes made-up network outputs over four classes (blank, A,
// I, 1): an upright stroke the network is unsure of reads as 1, a clear I
// stays an I, and the weight taken from I never turns a stroke into an
// extra 1.
func TestIPrior(t *testing.T) {
	alnum := []byte{0, 'A', 'I', '1'}
	r := &recogniser{width: 160, alnum: alnum, cols: foldClasses(alnum), rareI: []int{2}}
	tests := []struct {
		name  string
		steps [][4]float32 // per step: blank, A, I, 1
		want  string
	}{
		{"unsure I reads 1", [][4]float32{{0, 1, 0, 0}, {0.05, 0, 0.6, 0.35}, {1, 0, 0, 0}}, "A1"},
		{"clear I stays I", [][4]float32{{0, 1, 0, 0}, {0.02, 0, 0.95, 0.03}, {1, 0, 0, 0}}, "AI"},
		{"a faint I beside a blank is dropped, not made a 1", [][4]float32{{0, 1, 0, 0}, {0.45, 0, 0.55, 0}, {1, 0, 0, 0}}, "A"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var probs []float32
			for _, s := range tc.steps {
				probs = append(probs, s[:]...)
			}
			syms := r.decode(probs, len(tc.steps), 160, true).syms
			if got := symText(syms); got != tc.want {
				t.Fatalf("read %q, want %q", got, tc.want)
			}
		})
	}
}

// TestIPriorOnlyOnPlates reads an unsure I in a line that is not a plate —
// a state's name band, ILLINOIS — as the network saw it.
func TestIPriorOnlyOnPlates(t *testing.T) {
	alnum := []byte{0, 'A', 'I', '1'}
	r := &recogniser{width: 160, alnum: alnum, cols: foldClasses(alnum), rareI: []int{2}}
	probs := []float32{0, 1, 0, 0, 0.05, 0, 0.6, 0.35, 1, 0, 0, 0}
	if syms := r.decode(probs, 3, 160, false).syms; symText(syms) != "AI" {
		t.Fatalf("read %q, want %q", symText(syms), "AI")
	}
}

// TestHooklessJIsAJ renders plates ending and starting in the fixtures'
// hookless J, which PP-OCRv4 reads as a bracket: the reader reads J.
// (Between two characters it is still read 1 at times: 7J3805 as 713805
// in two styles of four.)
func TestHooklessJIsAJ(t *testing.T) {
	r := newReader(t, EngineDNN+"/"+RuntimeONNX)
	f, err := fixtures.NewFonts()
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"CB4H9J", "J4K821"} {
		for i, st := range fixtures.PlateStyles() {
			m := renderMat(t, f, text, st)
			res, err := r.Read(m, image.Rect(0, 0, m.Cols(), m.Rows()))
			if err != nil {
				t.Fatalf("%s, style %d: %v", text, i, err)
			}
			if got := res.Best().Text; got != text {
				t.Errorf("%s, style %d read %s", text, i, got)
			}
		}
	}
}

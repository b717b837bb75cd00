package ocr

import (
	"errors"
	"image"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gocv.io/x/gocv"

	"github.com/plateward/alpr/edge/models"
	"github.com/plateward/alpr/fixtures"
)

// newReader returns a reader of the engine named "dnn/RUNTIME" or
// "tesseract".
func newReader(t testing.TB, engine string) *Reader {
	t.Helper()
	return newReaderWith(t, engine, DefaultOptions())
}

// newReaderWith is newReader with other options.
func newReaderWith(t testing.TB, engine string, o Options) *Reader {
	t.Helper()
	o.Engine, o.Runtime, _ = strings.Cut(engine, "/")
	dir, err := models.FindDir()
	if err != nil {
		t.Fatal(err)
	}
	o.ModelsDir = dir
	r, err := NewReader(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

var engines = []string{EngineDNN + "/" + RuntimeONNX, EngineDNN + "/" + RuntimeOpenCV, EngineTesseract}

func renderMat(t testing.TB, f *fixtures.Fonts, text string, st fixtures.PlateStyle) gocv.Mat {
	t.Helper()
	m, err := gocv.ImageToMatRGB(f.RenderPlate(text, st))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// TestReadsRenderedPlates reads clean renders of random plates of every
// style. Clean renders are the easy case: nearly all must be exact.
func TestReadsRenderedPlates(t *testing.T) {
	for _, e := range engines {
		t.Run(e, func(t *testing.T) { readsRenderedPlates(t, newReader(t, e)) })
	}
}

// TestRuntimesAgree reads the same renders with the recogniser in ONNX
// Runtime and in OpenCV: the runtime must not change what the network
// computes, only how fast.
func TestRuntimesAgree(t *testing.T) {
	// The plate net runs in ONNX Runtime only: compare PP-OCRv4 alone.
	o := DefaultOptions()
	o.PlateNet = false
	ort, cv := newReaderWith(t, EngineDNN+"/"+RuntimeONNX, o), newReaderWith(t, EngineDNN+"/"+RuntimeOpenCV, o)
	f, err := fixtures.NewFonts()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 9))
	styles := fixtures.PlateStyles()
	for i := range 20 {
		st := styles[i%len(styles)]
		text := fixtures.PlateText(rng, st.Pattern)
		m := renderMat(t, f, text, st)
		whole := image.Rect(0, 0, m.Cols(), m.Rows())
		a, errA := ort.Read(m, whole)
		b, errB := cv.Read(m, whole)
		if !errors.Is(errA, errB) {
			t.Fatalf("%s: onnxruntime %v, opencv %v", text, errA, errB)
		}
		if len(a.Candidates) != len(b.Candidates) {
			t.Fatalf("%s: onnxruntime %v, opencv %v", text, a.Candidates, b.Candidates)
		}
		for j := range a.Candidates {
			ca, cb := a.Candidates[j], b.Candidates[j]
			if ca.Text != cb.Text || math.Abs(float64(ca.Confidence-cb.Confidence)) > 1e-3 {
				t.Fatalf("%s candidate %d: onnxruntime %v, opencv %v", text, j, ca, cb)
			}
		}
	}
}

func readsRenderedPlates(t *testing.T, r *Reader) {
	f, err := fixtures.NewFonts()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 7))
	styles := fixtures.PlateStyles()
	const n = 40
	exact := 0
	for i := range n {
		st := styles[i%len(styles)]
		text := fixtures.PlateText(rng, st.Pattern)
		m := renderMat(t, f, text, st)
		res, err := r.Read(m, image.Rect(0, 0, m.Cols(), m.Rows()))
		if err != nil {
			t.Logf("%s: %v (raw %q)", text, err, res.Raw)
			continue
		}
		if res.Best().Text == text {
			exact++
		} else {
			t.Logf("%s read as %s", text, res.Best().Text)
		}
	}
	if exact < n*9/10 {
		t.Fatalf("%d of %d clean plates read exactly, want at least 90%%", exact, n)
	}
}

func TestStateNameIsNotRead(t *testing.T) {
	for _, e := range engines {
		t.Run(e, func(t *testing.T) { stateNameIsNotRead(t, newReader(t, e)) })
	}
}

func stateNameIsNotRead(t *testing.T, r *Reader) {
	f, _ := fixtures.NewFonts()
	m := renderMat(t, f, "AB1C2D", fixtures.PlateStyles()[0])
	res, err := r.Read(m, image.Rect(0, 0, m.Cols(), m.Rows()))
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Best().Text; got != "AB1C2D" {
		t.Fatalf("read %q (raw %q): the state name or slogan leaked in", got, res.Raw)
	}
	// Swapped characters keep the length; the recogniser's own next
	// readings (beam search) may drop or add one, never a band of text.
	for _, c := range res.Candidates {
		if d := len(c.Text) - 6; d < -1 || d > 1 {
			t.Fatalf("candidate %q is more than a character longer or shorter", c.Text)
		}
	}
}

func TestBlankRegionIsNoPlate(t *testing.T) {
	for _, e := range engines {
		t.Run(e, func(t *testing.T) { blankRegionIsNoPlate(t, newReader(t, e)) })
	}
}

func blankRegionIsNoPlate(t *testing.T, r *Reader) {
	m := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(200, 200, 200, 0), 100, 200, gocv.MatTypeCV8UC3)
	defer m.Close()
	if _, err := r.Read(m, image.Rect(0, 0, 200, 100)); !errors.Is(err, ErrNoPlate) {
		t.Fatalf("blank region: err %v, want ErrNoPlate", err)
	}
}

func TestFitsFormat(t *testing.T) {
	cases := []struct {
		name, in string
		want     bool
	}{
		{"Missouri", "AB1C2D", true},
		{"California", "7CID930", true},
		{"S where Missouri has a digit", "RASK9D", false},
		{"vanity", "HELLO", false},
		{"too long for any", "ABC12345", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := fitsFormat(tc.in); got != tc.want {
				t.Fatalf("fitsFormat(%q) = %v", tc.in, got)
			}
		})
	}
}

func TestPreferFormat(t *testing.T) {
	syms := func(text string, confs ...float32) []sym {
		out := make([]sym, len(text))
		for i := range out {
			out[i] = sym{ch: text[i], conf: confs[i]}
		}
		return out
	}
	cands := func(ts ...string) []Candidate {
		var out []Candidate
		for _, t := range ts {
			out = append(out, Candidate{Text: t})
		}
		return out
	}
	cases := []struct {
		name  string
		cands []Candidate
		syms  []sym
		want  string
	}{
		{"unsure I becomes 1 (Missouri)", cands("MJ3RIV", "MJ3R1V"), syms("MJ3RIV", .99, .99, .99, .99, .55, .99), "MJ3R1V"},
		{"sure character is kept", cands("MJ3RIV", "MJ3R1V"), syms("MJ3RIV", .99, .99, .99, .99, .95, .99), "MJ3RIV"},
		{"best already fits", cands("AC0M2V", "AC0MZV"), syms("AC0M2V", .99, .99, .99, .99, .4, .99), "AC0M2V"},
		{"looks no further than the third", cands("MJ3RIV", "MJ3RIN", "HJ3RIV", "MJ3R1V"), syms("MJ3RIV", .5, .99, .99, .99, .5, .99), "MJ3RIV"},
		{"vanity plate stays", cands("HELLO", "HELL0"), syms("HELLO", .9, .9, .9, .9, .3), "HELLO"},
		{"one candidate", cands("ABC"), syms("ABC", .3, .3, .3), "ABC"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n := len(tc.cands)
			got := preferFormat(tc.cands, tc.syms)
			if got[0].Text != tc.want || len(got) != n {
				t.Fatalf("first %q of %d, want %q of %d", got[0].Text, len(got), tc.want, n)
			}
		})
	}
}

func TestMatchState(t *testing.T) {
	cases := []struct{ text, code string }{
		{"MISSOURI", "MO"}, {"SHOWMESTATEMISSOUR", "MO"}, {"ILLIN0IS", "MO"[:0] + "IL"}, {"NEWYORK", "NY"},
		{"WESTVIRGINIA", "WV"}, {"XQZ", ""},
	}
	for _, tc := range cases {
		s := matchState(lettersOnly(tc.text))
		if s.Score < 0.6 {
			s.Code = ""
		}
		if s.Code != tc.code {
			t.Errorf("matchState(%q) = %s (%.2f), want %q", tc.text, s.Code, s.Score, tc.code)
		}
	}
}

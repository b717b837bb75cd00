package ocr

import (
	"errors"
	"fmt"
	"image"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/plateward/alpr/fixtures"
)

func syms(text string, conf float32) []sym {
	out := make([]sym, len(text))
	for i := range text {
		out[i] = sym{ch: text[i], conf: conf}
	}
	return out
}

func texts(cs []Candidate) string {
	var b []string
	for _, c := range cs {
		b = append(b, fmt.Sprintf("%s:%.2f", c.Text, c.Confidence))
	}
	return strings.Join(b, " ")
}

// TestCombine: how the plate net's reading joins PP-OCRv4's.
func TestCombine(t *testing.T) {
	ppocr := Result{Candidates: []Candidate{{"CB4H9", 0.9}, {"CB4H9J", 0.8}, {"CB4H91", 0.7}, {"C84H9", 0.1}}}
	o := DefaultOptions()
	for _, tc := range []struct {
		name             string
		margin, promote  float32
		in               Result
		inErr            error
		net              netRead
		want             string
		wantErr          error
		wantPlate, wantN string
	}{
		{name: "agreement raises the confidence", margin: 2, promote: 2, in: ppocr,
			net: netRead{syms: syms("CB4H9", 0.5), plate: 0.9}, want: "CB4H9:0.95 CB4H9J:0.80 CB4H91:0.70 C84H9:0.10"},
		{name: "a different reading is second", margin: 2, promote: 2, in: ppocr,
			net: netRead{syms: syms("CB4H8", 0.99), plate: 0.9}, want: "CB4H9:0.90 CB4H8:0.99 CB4H9J:0.80 CB4H91:0.70 C84H9:0.10"},
		{name: "a far surer reading is first", margin: 0.05, promote: 2, in: ppocr,
			net: netRead{syms: syms("CB4H8", 0.99), plate: 0.9}, want: "CB4H8:0.99 CB4H9:0.90 CB4H9J:0.80 CB4H91:0.70 C84H9:0.10"},
		{name: "agreement on the second candidate promotes it", margin: 2, promote: 0.8, in: ppocr,
			net: netRead{syms: syms("CB4H9J", 0.9), plate: 0.9}, want: "CB4H9J:0.98 CB4H9:0.90 CB4H91:0.70 C84H9:0.10"},
		{name: "an unsure agreement does not", margin: 2, promote: 0.95, in: ppocr,
			net: netRead{syms: syms("CB4H9J", 0.9), plate: 0.9}, want: "CB4H9:0.90 CB4H9J:0.90 CB4H91:0.70 C84H9:0.10"},
		{name: "agreement past the third candidate is not promoted", margin: 2, promote: 0.5, in: ppocr,
			net: netRead{syms: syms("C84H9", 0.9), plate: 0.9}, want: "CB4H9:0.90 C84H9:0.90 CB4H9J:0.80 CB4H91:0.70"},
		{name: "too short a reading is not a candidate", margin: 0, promote: 0, in: ppocr,
			net: netRead{syms: syms("CB4", 0.99), plate: 0.2}, want: "CB4H9:0.90 CB4H9J:0.80 CB4H91:0.70 C84H9:0.10"},
		{name: "nothing read by PP-OCRv4 stays nothing", margin: 0, promote: 0, inErr: ErrNoPlate,
			net: netRead{syms: syms("ESTATE", 0.99), plate: 0.05}, wantErr: ErrNoPlate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o.NetMargin, o.NetPromote = tc.margin, tc.promote
			in := tc.in
			in.Candidates = append([]Candidate(nil), tc.in.Candidates...)
			got, err := combine(o, in, tc.inErr, tc.net)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
			if got.Plate != tc.net.plate {
				t.Fatalf("plate %g, want the net's %g", got.Plate, tc.net.plate)
			}
			if err == nil && texts(got.Candidates) != tc.want {
				t.Fatalf("candidates\n%s\nwant\n%s", texts(got.Candidates), tc.want)
			}
		})
	}
}

// TestPlateNetTellsPlatesFromLegends renders plates with the fixtures'
// renderer (not the training renderer) and asks the net about the row of
// characters and about the state's name band: the row is a plate, the name
// band is not, and the row reads right.
func TestPlateNetTellsPlatesFromLegends(t *testing.T) {
	r := newReader(t, EngineDNN+"/"+RuntimeONNX)
	if r.net == nil {
		t.Fatal("the default reader runs no plate net")
	}
	f, err := fixtures.NewFonts()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 11))
	styles := fixtures.PlateStyles()
	var plates, bands, read int
	const n = 24
	for i := range n {
		st := styles[i%len(styles)]
		text := fixtures.PlateText(rng, st.Pattern)
		m := renderMat(t, f, text, st)
		row, err := r.net.read(m.Region(image.Rect(10, 30, fixtures.PlateW-10, 150)))
		if err != nil {
			t.Fatal(err)
		}
		band, err := r.net.read(m.Region(image.Rect(40, 10, fixtures.PlateW-40, 46)))
		if err != nil {
			t.Fatal(err)
		}
		if row.plate > 0.5 {
			plates++
		}
		if band.plate < 0.5 {
			bands++
		}
		row.decode()
		if symText(row.syms) == text {
			read++
		}
	}
	// The net's own reading is a second opinion (PLATENET.md: 79.5 % of
	// the real crops alone); a third read exactly tells a working model
	// from a broken one, which reads none.
	if plates < n*9/10 || bands < n*9/10 || read < n/3 {
		t.Fatalf("of %d renders: %d rows taken for plates, %d name bands for not plates, %d read exactly; want 90 %%, 90 %% and a third", n, plates, bands, read)
	}
}

// BenchmarkPlateNet is the net's cost per region on one core.
func BenchmarkPlateNet(b *testing.B) {
	r := newReader(b, EngineDNN+"/"+RuntimeONNX)
	f, err := fixtures.NewFonts()
	if err != nil {
		b.Fatal(err)
	}
	m := renderMat(b, f, "AB1C2D", fixtures.PlateStyles()[0])
	roi := m.Region(image.Rect(10, 30, fixtures.PlateW-10, 150))
	defer roi.Close()
	b.ResetTimer()
	for range b.N {
		if _, err := r.net.read(roi); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/region")
}

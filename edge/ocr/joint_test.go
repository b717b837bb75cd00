package ocr

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// collapse is CTC's many-to-one map: repeats merged, blanks dropped.
func collapse(path []int) string {
	var b strings.Builder
	prev := 0
	for _, c := range path {
		if c != 0 && c != prev {
			b.WriteByte(plateAlphabet[c-1])
		}
		prev = c
	}
	return b.String()
}

// bruteLogLik sums, over every path of classes (blank, A, B) through the
// steps of m, the probability of those that read text.
func bruteLogLik(m ctcMatrix, text string) float64 {
	classes := []int{0, 1 + indexOf('A'), 1 + indexOf('B')}
	total := 0.0
	var walk func(path []int, p float64)
	walk = func(path []int, p float64) {
		if len(path) == len(m) {
			if collapse(path) == text {
				total += p
			}
			return
		}
		for _, c := range classes {
			walk(append(path, c), p*float64(m[len(path)][c]))
		}
	}
	walk(nil, 1)
	return math.Log(total)
}

// TestCTCLogLikSumsEveryAlignment checks the forward algorithm against
// brute force over every path, on random three-class matrices.
func TestCTCLogLikSumsEveryAlignment(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 7))
	for trial := range 40 {
		m := make(ctcMatrix, 3+trial%4)
		for i := range m {
			a, b, c := rng.Float32()+0.01, rng.Float32()+0.01, rng.Float32()+0.01
			s := a + b + c
			m[i][0], m[i][1+indexOf('A')], m[i][1+indexOf('B')] = a/s, b/s, c/s
		}
		for _, text := range []string{"A", "AB", "BA", "AA", "ABA", "B"} {
			got, want := ctcLogLik(m, text), bruteLogLik(m, text)
			if math.IsInf(want, -1) != math.IsInf(got, -1) || (!math.IsInf(want, -1) && math.Abs(got-want) > 1e-6) {
				t.Fatalf("T=%d %q: %g, brute force %g", len(m), text, got, want)
			}
		}
	}
}

func TestCTCLogLikImpossible(t *testing.T) {
	m := steps(map[byte]float32{'A': 1}, map[byte]float32{'A': 1})
	for _, tc := range []struct {
		name, text string
	}{
		{"empty", ""}, {"not in the alphabet", "A-"}, {"a letter O", "AO"},
		{"a repeat needs a blank between", "AAA"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ctcLogLik(m, tc.text); !math.IsInf(got, -1) && got > -50 {
				t.Fatalf("log P(%q) = %g, want impossible", tc.text, got)
			}
		})
	}
}

// TestJointOrderTrimmedOnce: the reader trimmed PP-OCRv4's first
// character (F) as an intruder, the net read it as the plate's. The
// candidate that holds it is judged as the line FZR, not FFZR.
func TestJointOrderTrimmedOnce(t *testing.T) {
	sure := func(ch byte) map[byte]float32 { return map[byte]float32{ch: 0.98, '_': 0.02} }
	blank := map[byte]float32{'_': 0.98, 'A': 0.02}
	line := lineCTC{m: steps(sure('F'), blank, sure('Z'), blank, sure('R'), blank), pre: "F"}
	net := steps(sure('F'), blank, sure('Z'), blank, sure('R'), blank)
	got := jointOrder([]Candidate{{"ZR", 0.9}, {"FZR", 0.8}}, line, net, 0.3)
	if got[0].Text != "FZR" {
		t.Fatalf("first %q, want FZR: the trimmed F counted twice", got[0].Text)
	}
	if a, b := line.logLik("FZR"), line.logLik("ZR"); math.Abs(a-b) > 1e-9 {
		t.Fatalf("line log P: FZR %g, ZR %g; both are the line FZR", a, b)
	}
}

// TestJointOrder: the readers' joint belief orders the candidates.
func TestJointOrder(t *testing.T) {
	sure := func(ch byte) map[byte]float32 { return map[byte]float32{ch: 0.98, '_': 0.02} }
	blank := map[byte]float32{'_': 0.98, 'A': 0.02}
	either := map[byte]float32{'H': 0.5, 'W': 0.45, '_': 0.05}
	// PP-OCRv4 is torn between H and W and sees an emblem (X) before the
	// row, which the reader trimmed; the net reads the region and is sure
	// of W. A candidate dropping the middle character loses.
	line := steps(sure('X'), blank, sure('A'), blank, either, blank, sure('1'), blank)
	net := steps(blank, sure('A'), blank, map[byte]float32{'W': 0.9, 'H': 0.08, '_': 0.02}, blank, sure('1'), blank)
	cands := []Candidate{{"AH1", 0.9}, {"AW1", 0.4}, {"A1", 0.3}}
	for _, tc := range []struct {
		name   string
		weight float32
		line   lineCTC
		want   string
	}{
		{"the net breaks PP-OCRv4's near tie", 1, lineCTC{m: line, pre: "X"}, "AW1 AH1 A1"},
		{"a tiny weight leaves PP-OCRv4's order", 0.01, lineCTC{m: line, pre: "X"}, "AH1 AW1 A1"},
		{"no line: as they were", 1, lineCTC{}, "AH1 AW1 A1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := jointOrder(append([]Candidate(nil), cands...), tc.line, net, tc.weight)
			var b []string
			for _, c := range got {
				b = append(b, c.Text)
			}
			if strings.Join(b, " ") != tc.want {
				t.Fatalf("order %s, want %s", strings.Join(b, " "), tc.want)
			}
			if got[0].Text != cands[0].Text && (got[0].Confidence <= 0.5 || got[0].Confidence > 1) {
				t.Fatalf("promoted %s at confidence %g: want its joint share, over half", got[0].Text, got[0].Confidence)
			}
		})
	}
}

package ocr

import (
	"strings"
	"testing"
)

// steps builds a folded CTC matrix: each step is a map from character
// ('_' for blank) to probability.
func steps(ss ...map[byte]float32) ctcMatrix {
	m := make(ctcMatrix, len(ss))
	for t, s := range ss {
		for ch, p := range s {
			if ch == '_' {
				m[t][0] = p
			} else {
				m[t][1+indexOf(ch)] = p
			}
		}
	}
	return m
}

func greedy(m ctcMatrix) string {
	var out []byte
	prev := 0
	for _, row := range m {
		best := 0
		for c := 1; c < ctcClasses; c++ {
			if row[c] > row[best] {
				best = c
			}
		}
		if best != 0 && best != prev {
			out = append(out, plateAlphabet[best-1])
		}
		prev = best
	}
	return string(out)
}

func TestBeamSearch(t *testing.T) {
	sure := func(ch byte) map[byte]float32 { return map[byte]float32{ch: 0.99, '_': 0.01} }
	blank := map[byte]float32{'_': 0.99, 'A': 0.01}
	tests := []struct {
		name       string
		m          ctcMatrix
		greedy     string
		want       string
		wantAlign  []int
		alignWorks bool
	}{
		{"a character spread over two steps under the blank",
			steps(sure('A'), map[byte]float32{'_': 0.56, 'W': 0.43}, map[byte]float32{'_': 0.52, 'W': 0.47}, sure('B')),
			"AB", "AWB", []int{0, 2, 3}, true},
		{"a repeat needs a blank between", steps(sure('1'), blank, sure('1')), "11", "11", []int{0, 2}, true},
		{"one character over two steps is one", steps(sure('1'), sure('1'), blank), "1", "1", []int{0}, true},
		{"only blanks", steps(blank, blank), "", "", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if g := greedy(tc.m); g != tc.greedy {
				t.Fatalf("greedy %q, want %q (the case is not what it says)", g, tc.greedy)
			}
			b := beamSearch(tc.m)
			if len(b) == 0 || b[0].text != tc.want {
				t.Fatalf("beam search: %+v, want %q first", b, tc.want)
			}
			at := align(tc.m, tc.want)
			if (at != nil) != tc.alignWorks {
				t.Fatalf("align %v", at)
			}
			for i := range tc.wantAlign {
				if at[i] != tc.wantAlign[i] {
					t.Fatalf("align %v, want %v", at, tc.wantAlign)
				}
			}
		})
	}
}

func TestAlignRefusesWhatDoesNotFit(t *testing.T) {
	m := steps(map[byte]float32{'A': 1}, map[byte]float32{'A': 1})
	if at := align(m, "AA"); at != nil {
		t.Fatalf("two A's need three steps, got an alignment in two: %v", at)
	}
}

func TestWithAlternatives(t *testing.T) {
	r := &Reader{opts: DefaultOptions()}
	r.opts.MaxCandidates = 4
	syms := func(text string) []sym {
		out := make([]sym, len(text))
		for i := range text {
			out[i] = sym{ch: text[i], conf: 0.5}
		}
		return out
	}
	cands := []Candidate{{"CK0A1F", 0.9}, {"CKDA1F", 0.1}, {"CK0AIF", 0.1}}
	tests := []struct {
		name string
		alts [][]sym
		want []string
	}{
		{"after the first, before the swaps, capped", [][]sym{syms("CK0A1E"), syms("CK0A")}, []string{"CK0A1F", "CK0A1E", "CK0A", "CKDA1F"}},
		{"a reading already there keeps its place", [][]sym{syms("CK0AIF")}, []string{"CK0A1F", "CKDA1F", "CK0AIF"}},
		{"too short or too long for a plate", [][]sym{syms("CK0"), syms("CK0A1F2G3")}, []string{"CK0A1F", "CKDA1F", "CK0AIF"}},
		{"none", nil, []string{"CK0A1F", "CKDA1F", "CK0AIF"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := r.withAlternatives(append([]Candidate(nil), cands...), tc.alts)
			var texts []string
			for _, c := range got {
				texts = append(texts, c.Text)
			}
			if strings.Join(texts, " ") != strings.Join(tc.want, " ") {
				t.Fatalf("got %v, want %v", texts, tc.want)
			}
		})
	}
}

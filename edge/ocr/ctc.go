package ocr

import (
	"math"
	"sort"
)

// CTC decoding over the plate alphabet. The recogniser's 6,625 classes are
// folded into blank and the 35 plate characters (O is read as 0): every
// class that is not a plate character counts as blank, a separator.
//
// Greedy decoding takes the likeliest class at each step, so a character
// the network spreads over two steps each slightly under the blank — a W
// at 0.43 and 0.47 beside 0.56 and 0.52 — is lost, though the network
// thinks it likelier than not (1 − 0.56 × 0.52 = 0.71). Prefix beam search
// sums every alignment of a reading instead, and forced alignment then
// finds where each of its characters stands and how sure the network was.

// plateAlphabet is the recogniser's alphabet for plates.
const plateAlphabet = "ABCDEFGHIJKLMNPQRSTUVWXYZ0123456789"

const (
	ctcClasses = 1 + len(plateAlphabet) // blank, then plateAlphabet
	beamWidth  = 10
	minCharP   = 1e-3 // characters less likely than this at a step are not tried there
)

// ctcMatrix is the folded output: p[t][0] blank, p[t][1+i] plateAlphabet[i].
type ctcMatrix [][ctcClasses]float32

// foldClasses maps each recogniser class to its ctcMatrix column.
func foldClasses(alnum []byte) []uint8 {
	idx := map[byte]uint8{}
	for i := range len(plateAlphabet) {
		idx[plateAlphabet[i]] = uint8(1 + i)
	}
	out := make([]uint8, len(alnum))
	for c, a := range alnum {
		out[c] = idx[a] // 0 (blank) for blank, space and every other script
	}
	return out
}

// fold sums the recogniser's probabilities into a ctcMatrix.
func fold(probs []float32, T, C int, cols []uint8) ctcMatrix {
	m := make(ctcMatrix, T)
	for t := range T {
		row := probs[t*C : (t+1)*C]
		for c, p := range row {
			m[t][cols[c]] += p
		}
	}
	return m
}

type beam struct {
	text    string
	pb, pnb float64 // ending in blank, ending in the last character
}

// beamSearch returns the likeliest readings, best first, with their
// probabilities (summed over every alignment).
func beamSearch(m ctcMatrix) []beam {
	beams := []beam{{pb: 1}}
	for t := range m {
		p := &m[t]
		next := map[string]*beam{}
		get := func(s string) *beam {
			b := next[s]
			if b == nil {
				b = &beam{text: s}
				next[s] = b
			}
			return b
		}
		for _, b := range beams {
			total := b.pb + b.pnb
			get(b.text).pb += total * float64(p[0])
			var last int
			if b.text != "" {
				last = 1 + indexOf(b.text[len(b.text)-1])
				get(b.text).pnb += b.pnb * float64(p[last])
			}
			for c := 1; c < ctcClasses; c++ {
				if p[c] < minCharP {
					continue
				}
				nb := get(b.text + plateAlphabet[c-1:c])
				if c == last {
					nb.pnb += b.pb * float64(p[c]) // a repeat needs a blank between
				} else {
					nb.pnb += total * float64(p[c])
				}
			}
		}
		beams = beams[:0]
		for _, b := range next {
			beams = append(beams, *b)
		}
		sort.Slice(beams, func(i, j int) bool {
			pi, pj := beams[i].pb+beams[i].pnb, beams[j].pb+beams[j].pnb
			if pi != pj {
				return pi > pj
			}
			return beams[i].text < beams[j].text
		})
		if len(beams) > beamWidth {
			beams = beams[:beamWidth]
		}
	}
	return beams
}

func indexOf(ch byte) int {
	for i := range len(plateAlphabet) {
		if plateAlphabet[i] == ch {
			return i
		}
	}
	return -1
}

// align finds the likeliest alignment of text to the steps (CTC Viterbi)
// and returns, for each character, the step where the network was surest
// of it.
func align(m ctcMatrix, text string) []int {
	n := len(text)
	if n == 0 || len(m) == 0 {
		return nil
	}
	S := 2*n + 1 // blank, c1, blank, c2, …, cn, blank
	label := func(s int) int {
		if s%2 == 0 {
			return 0
		}
		return 1 + indexOf(text[s/2])
	}
	lp := func(t, s int) float64 { return math.Log(float64(m[t][label(s)]) + 1e-12) }
	T := len(m)
	score := make([][]float64, T)
	from := make([][]int, T)
	for t := range T {
		score[t] = make([]float64, S)
		from[t] = make([]int, S)
		for s := range S {
			score[t][s] = math.Inf(-1)
		}
	}
	score[0][0] = lp(0, 0)
	if S > 1 {
		score[0][1] = lp(0, 1)
	}
	for t := 1; t < T; t++ {
		for s := range S {
			best, arg := score[t-1][s], s
			if s >= 1 && score[t-1][s-1] > best {
				best, arg = score[t-1][s-1], s-1
			}
			if s >= 2 && s%2 == 1 && label(s) != label(s-2) && score[t-1][s-2] > best {
				best, arg = score[t-1][s-2], s-2
			}
			score[t][s], from[t][s] = best+lp(t, s), arg
		}
	}
	s := S - 1
	if S >= 2 && score[T-1][S-2] > score[T-1][S-1] {
		s = S - 2
	}
	at := make([]int, n)
	for i := range at {
		at[i] = -1
	}
	if math.IsInf(score[T-1][s], -1) {
		return nil // the reading does not fit in the steps
	}
	for t := T - 1; t >= 0; t-- {
		if s%2 == 1 {
			i := s / 2
			if at[i] < 0 || m[t][label(s)] >= m[at[i]][label(s)] {
				at[i] = t
			}
		}
		if t > 0 {
			s = from[t][s]
		}
	}
	return at
}

// alignedSyms turns a reading and its alignment into symbols: each
// character's confidence and runner-up at its surest step, and its
// position as a fraction of the line's width, stepFrac being the fraction
// one step spans (the canvas is padded right of the line).
func alignedSyms(m ctcMatrix, text string, at []int, stepFrac float32) []sym {
	out := make([]sym, len(text))
	for i := range text {
		t := at[i]
		c := 1 + indexOf(text[i])
		s := sym{ch: text[i], conf: m[t][c], x: (float32(t) + 0.5) * stepFrac}
		for k := 1; k < ctcClasses; k++ {
			if k != c && m[t][k] > s.altConf {
				s.alt, s.altConf = plateAlphabet[k-1], m[t][k]
			}
		}
		out[i] = s
	}
	return out
}

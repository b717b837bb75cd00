package ocr

import (
	"math"
	"sort"
	"strings"
)

// Joint scoring: both networks judge every candidate. Each is a CTC
// network, so each gives the probability of a reading summed over every
// alignment of it to the network's steps; two readers that err on
// different characters rarely both like the same wrong reading. A
// candidate's score is
//
//	log P_PP-OCRv4(pre + text + suf) + NetWeight · log P_platenet(text)
//
// PP-OCRv4 reads the line without the plate's bands but with whatever stands
// beside the characters (an emblem, stacked letters), which the reader trims
// (readDNN): pre and suf are what it trimmed from its reading, so that a
// candidate is judged against everything PP-OCRv4 saw on the line — one
// that drops a character it saw clearly scores low. The plate net reads the
// whole region and was trained to read the plate's characters only: its
// term is the plain CTC probability. The candidates stay those the reader
// made (PP-OCRv4's reading, its next readings and look-alikes, the net's
// reading): joint scoring only orders them.

// lineCTC is PP-OCRv4's folded output for a plate's line, and the
// characters the reader trimmed from either end of its reading.
type lineCTC struct {
	m        ctcMatrix
	pre, suf string
}

// ctcLogLik returns the natural log of the probability that m reads text,
// summed over every CTC alignment (the forward algorithm). A text with a
// character outside the plate alphabet, or too long for the steps, is
// impossible (−Inf).
func ctcLogLik(m ctcMatrix, text string) float64 {
	n, T := len(text), len(m)
	if n == 0 || T == 0 {
		return math.Inf(-1)
	}
	labels := make([]int, 2*n+1) // blank, c1, blank, …, cn, blank
	for i := range n {
		k := indexOf(text[i])
		if k < 0 {
			return math.Inf(-1)
		}
		labels[2*i+1] = 1 + k
	}
	S := len(labels)
	lp := func(t, s int) float64 { return math.Log(float64(m[t][labels[s]]) + 1e-30) }
	prev := make([]float64, S)
	cur := make([]float64, S)
	for s := range prev {
		prev[s] = math.Inf(-1)
	}
	prev[0], prev[1] = lp(0, 0), lp(0, 1)
	for t := 1; t < T; t++ {
		for s := range S {
			a := prev[s]
			if s >= 1 {
				a = logAdd(a, prev[s-1])
			}
			if s >= 2 && labels[s] != 0 && labels[s] != labels[s-2] {
				a = logAdd(a, prev[s-2])
			}
			cur[s] = a + lp(t, s)
		}
		prev, cur = cur, prev
	}
	return logAdd(prev[S-1], prev[S-2])
}

// logLik is PP-OCRv4's log probability of the line for a candidate: the
// candidate with what the reader trimmed put back. A candidate that already
// holds the trimmed characters at its start or end (the plate net read a
// character the reader took for an intruder) is not given them twice:
// it is judged as the line it would make either way, whichever is likelier.
func (l lineCTC) logLik(text string) float64 {
	pres, sufs := []string{l.pre}, []string{l.suf}
	if l.pre != "" && strings.HasPrefix(text, l.pre) {
		pres = append(pres, "")
	}
	if l.suf != "" && strings.HasSuffix(text, l.suf) {
		sufs = append(sufs, "")
	}
	best := math.Inf(-1)
	for _, p := range pres {
		for _, s := range sufs {
			best = max(best, ctcLogLik(l.m, p+text+s))
		}
	}
	return best
}

func logAdd(a, b float64) float64 {
	if math.IsInf(a, -1) {
		return b
	}
	if math.IsInf(b, -1) {
		return a
	}
	if a < b {
		a, b = b, a
	}
	return a + math.Log1p(math.Exp(b-a))
}

// jointOrder orders cands by their joint score (see above), best first,
// keeping the order among equals. Where the best is no longer the first,
// its confidence becomes its share of the candidates' joint probability:
// the two readers' agreement on it, not one reader's certainty. line or net
// nil leaves cands as they are.
func jointOrder(cands []Candidate, line lineCTC, net ctcMatrix, weight float32) []Candidate {
	if len(cands) < 2 || line.m == nil || net == nil {
		return cands
	}
	score := make(map[string]float64, len(cands))
	for _, c := range cands {
		score[c.Text] = line.logLik(c.Text) + float64(weight)*ctcLogLik(net, c.Text)
	}
	first := cands[0].Text
	out := append([]Candidate(nil), cands...)
	sort.SliceStable(out, func(i, j int) bool { return score[out[i].Text] > score[out[j].Text] })
	if out[0].Text == first {
		return out
	}
	top, sum := score[out[0].Text], 0.0
	if math.IsInf(top, -1) {
		return cands
	}
	for _, c := range out {
		sum += math.Exp(score[c.Text] - top)
	}
	out[0].Confidence = float32(1 / sum)
	return out
}

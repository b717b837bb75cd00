package ocr

// Plate formats as a prior: L a letter, D a digit. When the best reading
// fits no format, a reading among the next few candidates that fits one
// goes first — if it differs from the best only where the network was
// unsure. A prior, never a filter: vanity and special plates fit no format
// and are still read as read.
//
// Measured on the development half (candidates 2–3, unsure under 0.7):
// scenes top-1 67.5 % → 69.3 %, crops 90.0 % → 90.3 %. Moving the reading
// to a format by look-alike swaps alone (S→5 where a digit must be),
// whatever the network's confidence, lost on both: scenes 64.0 %, crops
// 76.1 % — the crops come from fifty states, most of whose formats are not
// in the list, and a confident character is nearly always right.

// Formats returns the standard passenger formats the prior knows, the
// department's state first.
func Formats() []string {
	return []string{
		"LLDLDL",  // Missouri
		"DDDLLL",  // Missouri (older), Kansas
		"LLDDDDD", // Illinois
		"LDDDDDD", // Illinois
		"LLLDDD",  // many states
		"LLLDDDD", // many states
		"DLLLDDD", // California
	}
}

const (
	// formatLookahead is how many candidates, the best included, the
	// prior looks at.
	formatLookahead = 3
	// unsureConf is the confidence under which the prior may change a
	// character.
	unsureConf = 0.7
)

// fitsFormat reports whether text fits one of Formats exactly.
func fitsFormat(text string) bool {
	for _, f := range Formats() {
		if len(f) != len(text) {
			continue
		}
		fits := true
		for i := 0; i < len(f) && fits; i++ {
			digit := text[i] >= '0' && text[i] <= '9'
			fits = (f[i] == 'D') == digit
		}
		if fits {
			return true
		}
	}
	return false
}

// preferFormat moves to the front the first of the next candidates that
// fits a format, when the best does not and the two differ only at
// characters of syms (the best reading's) read with confidence under
// unsureConf.
func preferFormat(cands []Candidate, syms []sym) []Candidate {
	if len(cands) == 0 || fitsFormat(cands[0].Text) {
		return cands
	}
	best := cands[0].Text
	for i := 1; i < min(formatLookahead, len(cands)); i++ {
		t := cands[i].Text
		if len(t) != len(best) || len(t) != len(syms) || !fitsFormat(t) {
			continue
		}
		unsure := true
		for p := range t {
			if t[p] != best[p] && syms[p].conf >= unsureConf {
				unsure = false
			}
		}
		if unsure {
			c := cands[i]
			copy(cands[1:i+1], cands[:i])
			cands[0] = c
			return cands
		}
	}
	return cands
}

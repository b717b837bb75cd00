package ocr

// Plate formats as a prior: L a letter, D a digit. A reading that fits no
// format but fits one after swapping look-alike characters (S→5 where a
// digit must be) gains that reading as a candidate ranked first; the raw
// reading stays a candidate. A prior, never a filter: vanity and special
// plates fit no format and are still read.

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

// asDigit and asLetter give the look-alike of a character in the other
// class, or 0.
func asDigit(c byte) byte {
	switch c {
	case 'O', 'D', 'Q':
		return '0'
	case 'I', 'L':
		return '1'
	case 'Z':
		return '2'
	case 'S':
		return '5'
	case 'B':
		return '8'
	case 'G':
		return '6'
	}
	return 0
}

func asLetter(c byte) byte {
	switch c {
	case '0':
		return 'D'
	case '1':
		return 'I'
	case '2':
		return 'Z'
	case '5':
		return 'S'
	case '8':
		return 'B'
	case '6':
		return 'G'
	}
	return 0
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// fitFormat returns text changed by look-alike swaps to fit a format, the
// number of swaps, and whether any format fits. A text that already fits
// returns itself with zero swaps. Of several fits, the fewest swaps win.
func fitFormat(text string) (string, int, bool) {
	best, bestSwaps, ok := "", len(text)+1, false
	for _, f := range Formats() {
		if len(f) != len(text) {
			continue
		}
		b := []byte(text)
		swaps := 0
		fits := true
		for i := range b {
			switch {
			case f[i] == 'D' && !isDigit(b[i]):
				if d := asDigit(b[i]); d != 0 {
					b[i] = d
					swaps++
				} else {
					fits = false
				}
			case f[i] == 'L' && isDigit(b[i]):
				if l := asLetter(b[i]); l != 0 {
					b[i] = l
					swaps++
				} else {
					fits = false
				}
			}
			if !fits {
				break
			}
		}
		if fits && swaps < bestSwaps {
			best, bestSwaps, ok = string(b), swaps, true
		}
	}
	return best, bestSwaps, ok
}

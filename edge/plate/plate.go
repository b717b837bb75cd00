// Package plate holds the plate-text model shared by the OCR, the hot-list
// matcher and the investigative searches: normalisation and the classes of
// characters that OCR confuses. Every package that compares plate text uses
// these, so "possible" matches mean the same thing everywhere.
package plate

import "strings"

// Normalize upper-cases s and keeps only A–Z and 0–9, and writes the
// letter O as the digit 0: "ab-1 c2d" → "AB1C2D", "bo55" → "B055".
//
// Most US plates print O and 0 with one glyph, and many states issue no O
// at all, so a reader cannot tell them apart and neither can an officer.
// Plateward spells the round glyph 0 everywhere (reads, hot lists,
// searches), as the OpenALPR benchmark's ground truth does; exact matches
// stay exact whichever way a list wrote it.
func Normalize(s string) string {
	if isNormal(s) {
		return s // the common case costs no allocation
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == 'O' || c == 'o':
			b.WriteByte('0')
		case c >= 'a' && c <= 'z':
			b.WriteByte(c - 'a' + 'A')
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isNormal(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter, digit := c >= 'A' && c <= 'Z' && c != 'O', c >= '0' && c <= '9'
		if !letter && !digit {
			return false
		}
	}
	return true
}

// NormalizePattern normalises a hot-list plate that may hold wildcards:
// '?' stands for one character and '*' for any run, and both are kept.
func NormalizePattern(s string) string {
	var b strings.Builder
	for _, part := range strings.SplitAfter(s, "") {
		switch part {
		case "?", "*":
			b.WriteString(part)
		default:
			b.WriteString(Normalize(part))
		}
	}
	return b.String()
}

// IsPattern reports whether a normalised hot-list plate holds wildcards.
func IsPattern(s string) bool { return strings.ContainsAny(s, "?*") }

// Glob reports whether text matches pattern, where '?' matches one
// character and '*' any run (including none). Both are normalised.
func Glob(pattern, text string) bool {
	// Iterative matching with one backtrack point: linear for one '*',
	// never exponential.
	p, t := 0, 0
	star, mark := -1, 0
	for t < len(text) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == text[t]):
			p++
			t++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, t
			p++
		case star >= 0:
			p = star + 1
			mark++
			t = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// ConfusionClasses are the groups of characters OCR mistakes for one
// another on plates. The first character of each is its representative.
// Part of the matching contract: changing them changes which reads match.
func ConfusionClasses() []string {
	return []string{"0ODQ", "1IL", "2Z", "5S", "8B", "6G"}
}

// canonTable maps each byte to its class representative.
type canonTable [256]byte

func newCanonTable() canonTable {
	var t canonTable
	for i := range t {
		t[i] = byte(i)
	}
	for _, cls := range ConfusionClasses() {
		for j := 0; j < len(cls); j++ {
			t[cls[j]] = cls[0]
		}
	}
	return t
}

// MaxKeyLen is the longest plate a Key packs: NCIC's plate field is ten
// characters wide.
const MaxKeyLen = 10

// Canonicalizer maps normalised plate text to its canonical form, where
// every character is replaced by its confusion-class representative. Two
// plates are OCR-equivalent when their canonical forms are equal.
type Canonicalizer struct {
	t canonTable
	// code gives each byte of normalised text the 6-bit code (1–36) of its
	// class representative, 0 for a byte a key cannot hold.
	code [256]uint8
}

// NewCanonicalizer returns a Canonicalizer for ConfusionClasses.
func NewCanonicalizer() *Canonicalizer {
	c := &Canonicalizer{t: newCanonTable()}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	for i := 0; i < 256; i++ {
		if j := strings.IndexByte(alphabet, c.t[i]); j >= 0 {
			c.code[i] = uint8(j + 1) //nolint:gosec // j is an index into a 36-character alphabet
		}
	}
	return c
}

// Key packs the canonical form of normalised text s into a uint64, six
// bits a character, so that two plates are OCR-equivalent exactly when
// their keys are equal. ok is false for text a key cannot hold: empty,
// longer than MaxKeyLen, or with a byte outside A–Z0–9 (a wildcard).
func (c *Canonicalizer) Key(s string) (key uint64, ok bool) {
	if len(s) == 0 || len(s) > MaxKeyLen {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		v := c.code[s[i]]
		if v == 0 {
			return 0, false
		}
		key = key<<6 | uint64(v)
	}
	return key, true
}

// Canonical returns the canonical form of normalised text s.
func (c *Canonicalizer) Canonical(s string) string {
	b := make([]byte, len(s))
	for i := 0; i < len(s); i++ {
		b[i] = c.t[s[i]]
	}
	return string(b)
}

// AppendCanonical appends the canonical form of s to dst, for callers that
// reuse a buffer on a hot path.
func (c *Canonicalizer) AppendCanonical(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		dst = append(dst, c.t[s[i]])
	}
	return dst
}

// Equivalent reports whether a and b are the same plate up to confusions.
func (c *Canonicalizer) Equivalent(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if c.t[a[i]] != c.t[b[i]] {
			return false
		}
	}
	return true
}

// TranslateArgs returns the from and to strings of a SQL translate() that
// maps plate text to its canonical form, as Canonical does.
func TranslateArgs() (from, to string) {
	var f, t strings.Builder
	for _, cls := range ConfusionClasses() {
		for j := 1; j < len(cls); j++ {
			f.WriteByte(cls[j])
			t.WriteByte(cls[0])
		}
	}
	return f.String(), t.String()
}

// Alternatives returns the other members of ch's confusion class.
func Alternatives(ch byte) string {
	for _, cls := range ConfusionClasses() {
		if i := strings.IndexByte(cls, ch); i >= 0 {
			return cls[:i] + cls[i+1:]
		}
	}
	return ""
}

// Levenshtein returns the edit distance between a and b (insertions,
// deletions and substitutions of bytes).
func Levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

package hotlist

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/plateward/alpr/edge/plate"
)

// ParseNCIC reads an NCIC license-plate-reader extract. file names the
// source in error messages; loadedAt is recorded as the version's time.
//
// The extract is read whole (a million entries is about 60 MB) and every
// field of every entry is a substring of it: a line costs no allocation
// beyond its entry.
func ParseNCIC(r io.Reader, name, file string, loadedAt time.Time) (*List, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	sum := sha256.Sum256(data)
	text := string(data)
	l := &List{Name: name, Source: file, LoadedAt: loadedAt, SHA256: hex.EncodeToString(sum[:])}
	l.Entries = make([]Entry, 0, len(text)/56+1) // a line is at least 56 bytes with its newline
	var p ncicParser
	for line := 1; len(text) > 0; line++ {
		var s string
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			s, text = text[:i], text[i+1:]
		} else {
			s, text = text, ""
		}
		if line == 1 {
			continue // header
		}
		s = strings.TrimSuffix(s, "\r")
		if strings.TrimSpace(s) == "" {
			continue
		}
		e, msg := p.line(s)
		if msg != "" {
			l.Skipped = append(l.Skipped, LineError{File: file, Line: line, Msg: msg})
			continue
		}
		e.List = name
		l.Entries = append(l.Entries, e)
	}
	if len(l.Entries) == 0 {
		return nil, fmt.Errorf("%s: %w (%d lines skipped: %s)", file, ErrNoEntries, len(l.Skipped), FirstErrors(l.Skipped, 3))
	}
	return l, nil
}

// field returns s[from:to] without surrounding blanks; the result shares
// s's memory, so a line costs one allocation however many fields it has.
func field(s string, from, to int) string {
	if from >= len(s) {
		return ""
	}
	if to > len(s) || to < 0 {
		to = len(s)
	}
	return strings.TrimSpace(s[from:to])
}

// ncicParser parses lines; it remembers the last date it parsed, since an
// extract's entries share few dates.
type ncicParser struct {
	lastDate string
	lastTime time.Time
}

func digits(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func (p *ncicParser) date(s string) (time.Time, bool) {
	if s == p.lastDate && s != "" {
		return p.lastTime, true
	}
	if len(s) != 8 {
		return time.Time{}, false
	}
	y, ok1 := digits(s[:4])
	m, ok2 := digits(s[4:6])
	d, ok3 := digits(s[6:])
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, false // 31 April
	}
	p.lastDate, p.lastTime = s, t
	return t, true
}

func (p *ncicParser) line(s string) (Entry, string) {
	if len(s) < 39 {
		return Entry{}, fmt.Sprintf("line is %d bytes, an entry needs at least 39 (NIC, ORI, date, plate, state)", len(s))
	}
	var e Entry
	e.NIC = field(s, 0, 10)
	if e.NIC == "" {
		return e, "empty NCIC number"
	}
	info, ok := NCICCode(e.NIC[0])
	if !ok {
		return e, fmt.Sprintf("unknown list code %q in NCIC number %q", e.NIC[0], e.NIC)
	}
	e.Code, e.Reason, e.Priority = info.Code, info.Reason, info.Priority
	e.ORI = field(s, 10, 19)
	d, ok := p.date(field(s, 19, 27))
	if !ok {
		return e, fmt.Sprintf("bad entry date %q (want YYYYMMDD)", field(s, 19, 27))
	}
	e.EnteredOn = d
	raw := field(s, 27, 37)
	e.Plate = plate.Normalize(raw)
	if e.Plate == "" {
		return e, fmt.Sprintf("empty plate %q", raw)
	}
	e.State = field(s, 37, 39)
	if y := field(s, 39, 43); y != "" {
		n, ok := digits(y)
		if !ok || n < 1900 || n > 2200 {
			return e, fmt.Sprintf("bad plate expiry year %q", y)
		}
		e.ExpiryYear = n
	}
	e.PlateType = field(s, 43, 45)
	e.VehYear = field(s, 45, 49)
	e.Make = field(s, 49, 53)
	e.Model = field(s, 53, 56)
	e.Style = field(s, 56, 58)
	e.Colour = field(s, 58, -1)
	return e, ""
}

// FormatNCIC writes entries in the NCIC fixed-width layout with a header.
// Fixtures and tests use it; it is the inverse of ParseNCIC.
func FormatNCIC(w io.Writer, entries []Entry) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%-10s%-9s%-8s%-10s%-2s%-4s%-2s%-4s%-4s%-3s%-2s%s\n", "NIC", "ORI", "DATE", "LIC", "LS", "LIY", "LT", "VYR", "VMA", "VMO", "VS", "VCO")
	for _, e := range entries {
		y := ""
		if e.ExpiryYear > 0 {
			y = fmt.Sprint(e.ExpiryYear)
		}
		fmt.Fprintf(bw, "%-10.10s%-9.9s%-8s%-10.10s%-2.2s%-4.4s%-2.2s%-4.4s%-4.4s%-3.3s%-2.2s%s\n",
			e.NIC, e.ORI, e.EnteredOn.Format("20060102"), e.Plate, e.State, y, e.PlateType,
			e.VehYear, e.Make, e.Model, e.Style, e.Colour)
	}
	return bw.Flush()
}

package hotlist

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
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
	text, sum, err := readAll(r)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	l := &List{Name: name, Source: file, LoadedAt: loadedAt, SHA256: sum}
	l.Entries = make([]Entry, 0, len(text)/56+1) // a line is at least 56 bytes with its newline
	var p ncicParser
	var rec NCICRecord
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
		// Every field is checked now, so a bad line is reported at load;
		// the entry keeps what matching needs and the line for the rest.
		if msg := p.record(s, &rec); msg != "" {
			l.Skipped = append(l.Skipped, LineError{File: file, Line: line, Msg: msg})
			continue
		}
		info, _ := NCICCode(rec.NIC[0])
		l.Entries = append(l.Entries, Entry{List: name, Code: info.Code, NIC: rec.NIC, Plate: rec.Plate, State: rec.State,
			Reason: info.Reason, Priority: info.Priority, ncic: s})
	}
	if len(l.Entries) == 0 {
		return nil, fmt.Errorf("%s: %w (%d lines skipped: %s)", file, ErrNoEntries, len(l.Skipped), FirstErrors(l.Skipped, 3))
	}
	return l, nil
}

// readAll reads r whole into one string and hashes it on the way: one
// buffer, sized up front when r knows its size, and no copy into a string
// afterwards (a million-entry extract is some 60 MB).
func readAll(r io.Reader) (text, sha string, err error) {
	var sb strings.Builder
	switch v := r.(type) {
	case interface{ Stat() (fs.FileInfo, error) }:
		if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() {
			sb.Grow(int(fi.Size()))
		}
	case interface{ Len() int }:
		sb.Grow(v.Len())
	}
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(&sb, h), r); err != nil {
		return "", "", err
	}
	return sb.String(), hex.EncodeToString(h.Sum(nil)), nil
}

// field returns s[from:to] without surrounding blanks (spaces and tabs,
// the only padding a fixed-width extract has); the result shares s's
// memory, so a field costs no allocation.
func field(s string, from, to int) string {
	if from >= len(s) {
		return ""
	}
	if to > len(s) || to < 0 {
		to = len(s)
	}
	for from < to && (s[from] == ' ' || s[from] == '\t') {
		from++
	}
	for to > from && (s[to-1] == ' ' || s[to-1] == '\t') {
		to--
	}
	return s[from:to]
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

// NCICRecord is one entry of an NCIC extract, field by field (see the
// package doc for the layout).
type NCICRecord struct {
	NIC        string
	ORI        string
	EnteredOn  time.Time
	Plate      string // normalised
	State      string
	ExpiryYear int // 0 when blank
	PlateType  string
	VehYear    string
	Make       string
	Model      string
	Style      string
	Colour     string
}

// VehicleDesc describes the vehicle: "2015 TOYT CAM 4D BLK".
func (r NCICRecord) VehicleDesc() string {
	return strings.Join(strings.Fields(strings.Join([]string{r.VehYear, r.Make, r.Model, r.Style, r.Colour}, " ")), " ")
}

// record parses one entry line into r, or says what is wrong with it.
func (p *ncicParser) record(s string, r *NCICRecord) string {
	*r = NCICRecord{}
	if len(s) < 39 {
		return fmt.Sprintf("line is %d bytes, an entry needs at least 39 (NIC, ORI, date, plate, state)", len(s))
	}
	r.NIC = field(s, 0, 10)
	if r.NIC == "" {
		return "empty NCIC number"
	}
	if _, ok := NCICCode(r.NIC[0]); !ok {
		return fmt.Sprintf("unknown list code %q in NCIC number %q", r.NIC[0], r.NIC)
	}
	r.ORI = field(s, 10, 19)
	d, ok := p.date(field(s, 19, 27))
	if !ok {
		return fmt.Sprintf("bad entry date %q (want YYYYMMDD)", field(s, 19, 27))
	}
	r.EnteredOn = d
	raw := field(s, 27, 37)
	r.Plate = plate.Normalize(raw)
	if r.Plate == "" {
		return fmt.Sprintf("empty plate %q", raw)
	}
	r.State = field(s, 37, 39)
	if y := field(s, 39, 43); y != "" {
		n, ok := digits(y)
		if !ok || n < 1900 || n > 2200 {
			return fmt.Sprintf("bad plate expiry year %q", y)
		}
		r.ExpiryYear = n
	}
	r.PlateType = field(s, 43, 45)
	r.VehYear = field(s, 45, 49)
	r.Make = field(s, 49, 53)
	r.Model = field(s, 53, 56)
	r.Style = field(s, 56, 58)
	r.Colour = field(s, 58, -1)
	return ""
}

// FormatNCIC writes records in the NCIC fixed-width layout with a header.
// Fixtures and tests use it; it is the inverse of ParseNCIC.
func FormatNCIC(w io.Writer, entries []NCICRecord) error {
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

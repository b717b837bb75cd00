package hotlist

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/plateward/alpr/edge/plate"
)

// ErrNoEntries is a hot-list file in which no line is a valid entry.
var ErrNoEntries = errors.New("hot list has no valid entry")

// Entry is one plate on a hot list.
type Entry struct {
	List       string // the list's name
	Code       byte   // NCIC list code
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
	Reason     string
	Priority   Priority
	Covert     bool
}

// VehicleDesc describes the vehicle for the officer: "2015 TOYT CAM 4D BLK".
func (e Entry) VehicleDesc() string {
	return strings.Join(strings.Fields(strings.Join([]string{e.VehYear, e.Make, e.Model, e.Style, e.Colour}, " ")), " ")
}

// LineError is a line of a hot-list file that could not be used.
type LineError struct {
	File string
	Line int
	Msg  string
}

// Error implements error.
func (e LineError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// List is a parsed hot list.
type List struct {
	Name     string
	Source   string // file name or URL it came from
	Covert   bool   // matches are recorded but the car does not alert
	SHA256   string // of the bytes parsed
	LoadedAt time.Time
	Entries  []Entry
	Skipped  []LineError
}

// Version identifies exactly which list a shift used: name, content hash
// and load time.
func (l *List) Version() string {
	return fmt.Sprintf("%s@%s/%s", l.Name, l.SHA256[:12], l.LoadedAt.UTC().Format(time.RFC3339))
}

// ParseNCIC reads an NCIC license-plate-reader extract. file names the
// source in error messages; loadedAt is recorded as the version's time.
func ParseNCIC(r io.Reader, name, file string, loadedAt time.Time) (*List, error) {
	h := sha256.New()
	sc := bufio.NewScanner(io.TeeReader(r, h))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	l := &List{Name: name, Source: file, LoadedAt: loadedAt}
	line := 0
	for sc.Scan() {
		line++
		if line == 1 {
			continue // header
		}
		text := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" {
			continue
		}
		e, msg := parseNCICLine(text)
		if msg != "" {
			l.Skipped = append(l.Skipped, LineError{File: file, Line: line, Msg: msg})
			continue
		}
		e.List = name
		l.Entries = append(l.Entries, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s at line %d: %w", file, line+1, err)
	}
	if len(l.Entries) == 0 {
		return nil, fmt.Errorf("%s: %w (%d lines skipped)", file, ErrNoEntries, len(l.Skipped))
	}
	l.SHA256 = hex.EncodeToString(h.Sum(nil))
	return l, nil
}

func field(s string, from, to int) string {
	if from >= len(s) {
		return ""
	}
	if to > len(s) || to < 0 {
		to = len(s)
	}
	return strings.TrimSpace(s[from:to])
}

func parseNCICLine(s string) (Entry, string) {
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
	d, err := time.Parse("20060102", field(s, 19, 27))
	if err != nil {
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
		n := 0
		if _, err := fmt.Sscanf(y, "%4d", &n); err != nil || n < 1900 || n > 2200 {
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

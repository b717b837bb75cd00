package hotlist

import (
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/plateward/alpr/edge/plate"
	"github.com/plateward/alpr/internal/strictjson"
)

// Mapping describes a state or local hot list delivered as CSV (MULES,
// REJIS, the department's own entries): the list's name and standing, and
// which header names hold which fields. It is kept as JSON beside the list:
//
//	{"name": "MULES", "priority": "high", "covert": false,
//	 "columns": {"plate": "LIC", "state": "LIS", "reason": "REASON",
//	             "expires": "EXPIRES", "record": "RECORD_ID", "vehicle": "VEH"},
//	 "expires_layout": "2006-01-02", "max_wildcards": 100}
type Mapping struct {
	Name          string            `json:"name"`
	Priority      string            `json:"priority"`       // high, medium or low
	Covert        bool              `json:"covert"`         // matches recorded, the car does not alert
	DefaultReason string            `json:"default_reason"` // when the list has no reason column
	Columns       map[string]string `json:"columns"`        // field → header name
	ExpiresLayout string            `json:"expires_layout"` // Go time layout of the expires column
	MaxWildcards  int               `json:"max_wildcards"`  // wildcard entries allowed (default 100)
}

// ErrMapping is a mapping file that cannot be used.
var ErrMapping = errors.New("bad hot-list mapping")

// mappingFields are the fields a mapping may name. Only plate is required.
func mappingFields() []string {
	return []string{"plate", "state", "reason", "expires", "record", "vehicle"}
}

// ParsePriority reads "high", "medium" or "low".
func ParsePriority(s string) (Priority, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "high":
		return PriorityHigh, nil
	case "medium", "":
		return PriorityMedium, nil
	case "low":
		return PriorityLow, nil
	}
	return 0, fmt.Errorf("priority %q: want high, medium or low", s)
}

// Validate reports the first problem of a mapping.
func (m Mapping) Validate() error {
	if strings.TrimSpace(m.Name) == "" {
		return fmt.Errorf("%w: no list name", ErrMapping)
	}
	if _, err := ParsePriority(m.Priority); err != nil {
		return fmt.Errorf("%w: %w", ErrMapping, err)
	}
	if m.Columns["plate"] == "" {
		return fmt.Errorf("%w: no plate column", ErrMapping)
	}
	known := strings.Join(mappingFields(), " ")
	for f := range m.Columns {
		if !strings.Contains(" "+known+" ", " "+f+" ") {
			return fmt.Errorf("%w: unknown field %q (known: %s)", ErrMapping, f, known)
		}
	}
	if m.Columns["expires"] != "" && m.ExpiresLayout == "" {
		return fmt.Errorf("%w: an expires column needs expires_layout", ErrMapping)
	}
	if m.MaxWildcards < 0 {
		return fmt.Errorf("%w: max_wildcards %d < 0", ErrMapping, m.MaxWildcards)
	}
	return nil
}

// LoadMapping reads a mapping file.
func LoadMapping(path string) (Mapping, error) {
	var m Mapping
	if err := strictjson.ReadFile(path, &m); err != nil {
		return m, fmt.Errorf("%w: %w", ErrMapping, err)
	}
	if m.MaxWildcards == 0 {
		m.MaxWildcards = 100
	}
	if err := m.Validate(); err != nil {
		return m, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// ParseCSV reads a CSV hot list with a header row, as the mapping says.
// Entries that expired before now are not loaded (they are counted).
func ParseCSV(r io.Reader, m Mapping, file string, now time.Time) (*List, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	prio, _ := ParsePriority(m.Priority)
	h := sha256.New()
	cr := csv.NewReader(io.TeeReader(r, h))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s:1: read header: %w", file, err)
	}
	col := map[string]int{}
	for f, name := range m.Columns {
		col[f] = -1
		for i, hname := range header {
			if strings.EqualFold(strings.TrimSpace(hname), name) {
				col[f] = i
			}
		}
		if col[f] < 0 {
			return nil, fmt.Errorf("%s:1: no column %q for %s (header: %s)", file, name, f, strings.Join(header, ","))
		}
	}
	get := func(rec []string, f string) string {
		i, ok := col[f]
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	l := &List{Name: m.Name, Source: file, Covert: m.Covert, LoadedAt: now}
	wild := 0
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				l.Skipped = append(l.Skipped, LineError{File: file, Line: pe.Line, Msg: pe.Err.Error()})
				continue
			}
			return nil, fmt.Errorf("%s:%d: %w", file, line, err)
		}
		line, _ = cr.FieldPos(0)
		raw := get(rec, "plate")
		e := Entry{List: m.Name, Plate: plate.NormalizePattern(raw), State: get(rec, "state"), NIC: get(rec, "record"),
			Reason: get(rec, "reason"), Priority: prio, Covert: m.Covert, Vehicle: get(rec, "vehicle")}
		if e.Reason == "" {
			e.Reason = m.DefaultReason
		}
		if strings.Trim(e.Plate, "?*") == "" {
			l.Skipped = append(l.Skipped, LineError{File: file, Line: line, Msg: fmt.Sprintf("empty plate %q", raw)})
			continue
		}
		if x := get(rec, "expires"); x != "" {
			t, err := time.ParseInLocation(m.ExpiresLayout, x, now.Location())
			if err != nil {
				l.Skipped = append(l.Skipped, LineError{File: file, Line: line, Msg: fmt.Sprintf("bad expiry %q (layout %s)", x, m.ExpiresLayout)})
				continue
			}
			if !t.After(now) {
				l.Expired++
				continue
			}
			e.Expires = t
		}
		if plate.IsPattern(e.Plate) {
			if wild >= m.MaxWildcards {
				l.Skipped = append(l.Skipped, LineError{File: file, Line: line,
					Msg: fmt.Sprintf("wildcard entry %q over the list's limit of %d", raw, m.MaxWildcards)})
				continue
			}
			if len(strings.Trim(e.Plate, "?*")) < 3 {
				l.Skipped = append(l.Skipped, LineError{File: file, Line: line,
					Msg: fmt.Sprintf("wildcard entry %q has fewer than 3 known characters: it would match too much", raw)})
				continue
			}
			wild++
			e.Wildcard = true
		}
		l.Entries = append(l.Entries, e)
	}
	if len(l.Entries) == 0 {
		return nil, fmt.Errorf("%s: %w (%d lines skipped, %d expired: %s)", file, ErrNoEntries, len(l.Skipped), l.Expired, FirstErrors(l.Skipped, 3))
	}
	l.SHA256 = hex.EncodeToString(h.Sum(nil))
	return l, nil
}

package hotlist

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrNoEntries is a hot-list file in which no line is a valid entry.
var ErrNoEntries = errors.New("hot list has no valid entry")

// Entry is one plate on a hot list: what matching and the alert card
// need. An entry from an NCIC extract keeps its whole line, and NCIC
// parses the record's other fields (agency, dates, vehicle) when a hit
// shows them; a million entries are loaded at the start of every shift,
// and most are never matched.
type Entry struct {
	List     string // the list's name
	Code     byte   // NCIC list code
	NIC      string
	Plate    string // normalised
	State    string
	Vehicle  string // free-text description, for lists that give one
	Reason   string
	Priority Priority
	Covert   bool
	Wildcard bool      // Plate holds '?' (one character) or '*' (any run)
	Expires  time.Time // zero: no expiry; an entry past it is not loaded
	ncic     string    // the NCIC extract's line, for entries from one
}

// NCIC returns the NCIC record the entry was loaded from; ok is false for
// an entry from another kind of list.
func (e *Entry) NCIC() (rec NCICRecord, ok bool) {
	if e.ncic == "" {
		return NCICRecord{}, false
	}
	var p ncicParser
	if msg := p.record(e.ncic, &rec); msg != "" {
		return NCICRecord{}, false // cannot happen: the line was checked at load
	}
	return rec, true
}

// VehicleDesc describes the vehicle for the officer: "2015 TOYT CAM 4D BLK".
func (e *Entry) VehicleDesc() string {
	if e.Vehicle != "" {
		return e.Vehicle
	}
	if rec, ok := e.NCIC(); ok {
		return rec.VehicleDesc()
	}
	return ""
}

// LineError is a line of a hot-list file that could not be used.
type LineError struct {
	File string
	Line int
	Msg  string
}

// Error implements error.
func (e LineError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// FirstErrors joins the first n line errors, and says how many more.
func FirstErrors(errs []LineError, n int) string {
	var parts []string
	for i, e := range errs {
		if i == n {
			parts = append(parts, fmt.Sprintf("and %d more", len(errs)-n))
			break
		}
		parts = append(parts, e.Error())
	}
	return strings.Join(parts, "; ")
}

// List is a parsed hot list.
type List struct {
	Name     string
	Source   string // file name or URL it came from
	Covert   bool   // matches are recorded but the car does not alert
	SHA256   string // of the bytes parsed
	LoadedAt time.Time
	Entries  []Entry
	Skipped  []LineError
	Expired  int // entries dropped at load because they had expired
}

// Version identifies exactly which list a shift used: name, content hash
// and load time.
func (l *List) Version() string {
	return fmt.Sprintf("%s@%s/%s", l.Name, l.SHA256[:12], l.LoadedAt.UTC().Format(time.RFC3339))
}

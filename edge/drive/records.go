package drive

import (
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
)

// Candidate is one reading of a plate with its confidence (0–1).
type Candidate struct {
	Text       string
	Confidence float32
}

// Position is a GPS fix. A zero Position (Fix false) means no fix: the
// read says so rather than carrying a made-up place.
type Position struct {
	Fix        bool
	Lat        float64
	Lon        float64
	At         time.Time // time of the fix itself, UTC
	Quality    int32     // 1 GPS, 2 DGPS, …; 0 unknown
	SpeedMps   float32
	HeadingDeg float32
}

// Box is a plate's bounding box in frame pixels.
type Box struct {
	X, Y, W, H int32
}

// Read is one plate read: a track of frames reduced to its best reading.
type Read struct {
	ID           string
	CapturedAt   time.Time
	Plate        string
	RawText      string
	Confidence   float32
	Candidates   []Candidate // best first, Candidates[0].Text == Plate
	State        string      // two-letter code, empty when unknown
	Camera       string
	Vehicle      string
	Officer      string
	ShiftID      string
	Position     Position
	Box          Box
	CropJPEG     []byte
	OverviewJPEG []byte // optional
}

// Kind implements Record.
func (Read) Kind() Kind { return KindReads }

// Hit is a read that matched a hot-list entry.
type Hit struct {
	ID           string
	ReadID       string
	AlertedAt    time.Time
	Plate        string // what was read
	MatchedPlate string // what the list holds
	MatchKind    string // "exact" or "equivalent"
	ListName     string
	ListCode     string
	NCICNumber   string
	Priority     string
	Reason       string
	ListState    string
	VehicleDesc  string
	Covert       bool
	Camera       string
	Vehicle      string
	Officer      string
	ShiftID      string
}

// Kind implements Record.
func (Hit) Kind() Kind { return KindHits }

// Disposition is one step an officer took on a hit: visual confirmation,
// verification of wanted status, or the final disposition.
type Disposition struct {
	ID      string
	HitID   string
	At      time.Time
	Step    string // "confirm", "verify", "disposition"
	Code    string
	Note    string
	Officer string
	Vehicle string
	ShiftID string
}

// Kind implements Record.
func (Disposition) Kind() Kind { return KindDispositions }

// ShiftEvent is a login, logout or self-check of a shift.
type ShiftEvent struct {
	ID             string
	ShiftID        string
	At             time.Time
	Event          string // "login", "logout", "selfcheck", "gps", "hotlist" (a list updated during the shift), "camera" (lost, back, gone)
	Officer        string
	Vehicle        string
	Cameras        []string
	HotlistVersion string
	SelfCheckOK    bool
	Detail         string
}

// Kind implements Record.
func (ShiftEvent) Kind() Kind { return KindShifts }

// Record is a value of one of the record kinds.
type Record interface {
	Kind() Kind
	appendTo(b *array.RecordBuilder)
}

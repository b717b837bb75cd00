package drive

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/plateward/alpr/edge/plate"
)

// PushedHit is a hit as a car with a network sends it to the back
// office's dispatch board (POST /car/hits, JSON): the hit and the car's
// position at the time, when it has a fix. The drive keeps the full
// record; this copy is for dispatch to act on now. Its JSON names are
// frozen like the drive format: the back office refuses unknown fields.
type PushedHit struct {
	ID           string    `json:"id"`
	AlertedAt    time.Time `json:"alerted_at"`
	Plate        string    `json:"plate"`
	MatchedPlate string    `json:"matched_plate"`
	MatchKind    string    `json:"match_kind"`
	ListName     string    `json:"list_name"`
	ListCode     string    `json:"list_code"`
	NCICNumber   string    `json:"ncic_number"`
	Priority     string    `json:"priority"`
	Reason       string    `json:"reason"`
	VehicleDesc  string    `json:"vehicle_desc"`
	Camera       string    `json:"camera"`
	Officer      string    `json:"officer"`
	HasFix       bool      `json:"has_fix"`
	Lat          float64   `json:"lat"`
	Lon          float64   `json:"lon"`
	// CropJPEG is the plate's crop as the car read it (JPEG, at most
	// MaxPushedCropBytes; base64 in the JSON), for dispatch to see what the
	// officer sees; none when the car had none or it was larger.
	CropJPEG []byte `json:"crop_jpeg,omitempty"`
}

// MaxPushedHitBytes bounds a pushed hit's JSON, its crop included (the back
// office reads no more than 64 KB of a body before it knows the sender).
const MaxPushedHitBytes = 60 << 10

// MaxPushedCropBytes bounds a pushed hit's crop: a plate's crop averages
// 3.5 KB (benchmarks/capacity.json); a larger one is not pushed, the hit
// is.
const MaxPushedCropBytes = 40 << 10

// ErrPushedHit is a pushed hit the back office refuses.
var ErrPushedHit = errors.New("bad pushed hit")

// DecodePushedHit reads one pushed hit (at most MaxPushedHitBytes of JSON,
// no unknown field) and checks it: an id, a plate, a list, a reason, a
// time, a position on Earth when it says it has one, and a crop that is a
// JPEG of at most MaxPushedCropBytes when there is one.
func DecodePushedHit(r io.Reader) (PushedHit, error) {
	var h PushedHit
	dec := json.NewDecoder(io.LimitReader(r, MaxPushedHitBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil {
		return h, fmt.Errorf("%w: a hit as JSON: %w", ErrPushedHit, err)
	}
	switch {
	case !validID(h.ID):
		return h, fmt.Errorf("%w: a hit's id is 1 to 64 letters, digits, - and _", ErrPushedHit)
	case plate.Normalize(h.Plate) == "" || h.ListName == "" || h.Reason == "" || h.AlertedAt.IsZero():
		return h, fmt.Errorf("%w: a hit needs its plate, list, reason and time", ErrPushedHit)
	case h.HasFix && !(math.Abs(h.Lat) <= 90 && math.Abs(h.Lon) <= 180):
		return h, fmt.Errorf("%w: a position out of range", ErrPushedHit)
	case len(h.CropJPEG) > MaxPushedCropBytes || len(h.CropJPEG) > 0 && !isJPEG(h.CropJPEG):
		return h, fmt.Errorf("%w: a crop is a JPEG of at most %d bytes", ErrPushedHit, MaxPushedCropBytes)
	}
	return h, nil
}

// isJPEG reports whether b starts and ends as a JPEG file does (SOI, EOI):
// the board shows it as image/jpeg, so nothing else is kept.
func isJPEG(b []byte) bool {
	return len(b) >= 4 && b[0] == 0xFF && b[1] == 0xD8 && b[len(b)-2] == 0xFF && b[len(b)-1] == 0xD9
}

// validID reports whether id is a record id as the car makes them
// (UUIDs): letters, digits, - and _, at most 64. An id also becomes part of
// the back office's addresses (/dispatch/<id>): "../users/admin" must not.
func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	const idChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
	return strings.IndexFunc(id, func(c rune) bool { return !strings.ContainsRune(idChars, c) }) < 0
}

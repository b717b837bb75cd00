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
}

// MaxPushedHitBytes bounds a pushed hit's JSON.
const MaxPushedHitBytes = 16 << 10

// ErrPushedHit is a pushed hit the back office refuses.
var ErrPushedHit = errors.New("bad pushed hit")

// DecodePushedHit reads one pushed hit (at most MaxPushedHitBytes of JSON,
// no unknown field) and checks it: an id, a plate, a list, a reason, a
// time, and a position on Earth when it says it has one.
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
	}
	return h, nil
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

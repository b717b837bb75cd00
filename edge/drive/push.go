package drive

import "time"

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

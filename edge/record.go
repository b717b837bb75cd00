package edge

import (
	"time"

	"github.com/plateward/alpr/edge/drive"
	"github.com/plateward/alpr/edge/gps"
	"github.com/plateward/alpr/edge/hotlist"
	"github.com/plateward/alpr/edge/shift"
	"github.com/plateward/alpr/edge/track"
)

// recordWriter turns finished tracks into reads and hits on the drive.
type recordWriter struct {
	o     Options
	ix    *hotlist.Index
	gps   gps.Locator
	fix   int // last fix state: 0 unknown, 1 fix, -1 none
	rec   *drive.Recorder
	shift string
	last  time.Time // latest time a read ended, the replay's clock
}

func (w *recordWriter) write(tr track.Read, st *Stats) error {
	b := tr.Best
	// The hit fires when the track ends: in a replay that is the time of
	// its last frame, live it is now.
	alertAt := w.o.Now()
	if !w.o.Start.IsZero() {
		alertAt = tr.Last
	}
	if tr.Last.After(w.last) {
		w.last = tr.Last
	}
	r := drive.Read{
		ID: newID(), CapturedAt: b.At, Plate: tr.Plate, RawText: b.Candidates[0].Text, Confidence: tr.Confidence,
		State: tr.State, Camera: tr.Camera, Vehicle: w.o.Vehicle, Officer: w.o.Officer, ShiftID: w.shift,
		Box:      drive.Box{X: int32(b.Box.Min.X), Y: int32(b.Box.Min.Y), W: int32(b.Box.Dx()), H: int32(b.Box.Dy())},
		CropJPEG: b.Crop,
	}
	texts := make([]string, len(tr.Candidates))
	for i, c := range tr.Candidates {
		r.Candidates = append(r.Candidates, drive.Candidate{Text: c.Text, Confidence: c.Confidence})
		texts[i] = c.Text
	}
	if w.gps != nil {
		f, ok := w.gps.At(b.At)
		if ok {
			r.Position = drive.Position{Fix: true, Lat: f.Lat, Lon: f.Lon, At: f.At, Quality: int32(f.Quality),
				SpeedMps: float32(f.SpeedMps), HeadingDeg: float32(f.HeadingDeg)}
		}
		if err := w.fixState(ok, b.At); err != nil {
			return err
		}
	}
	// The officer is alerted first; the drive is written after, so a slow
	// drive never delays an alert.
	matches := w.ix.Match(texts)
	hits := make([]drive.Hit, 0, len(matches))
	for _, m := range matches {
		e := m.Entry
		h := drive.Hit{
			ID: newID(), ReadID: r.ID, AlertedAt: alertAt, Plate: r.Plate, MatchedPlate: e.Plate,
			MatchKind: string(m.Kind), ListName: e.List, ListCode: string(e.Code), NCICNumber: e.NIC,
			Priority: e.Priority.String(), Reason: e.Reason, ListState: e.State, VehicleDesc: e.VehicleDesc(),
			Covert: e.Covert, Camera: r.Camera, Vehicle: r.Vehicle, Officer: r.Officer, ShiftID: w.shift,
		}
		hits = append(hits, h)
		if w.o.Alerter != nil {
			if err := w.o.Alerter.Hit(h, r.CropJPEG); err != nil {
				return err
			}
		}
		st.Hits++
		if !e.Covert {
			st.Alerts++
		}
		w.o.Logger.Info("HIT", "plate", r.Plate, "matched", e.Plate, "match", m.Kind, "list", e.List,
			"reason", e.Reason, "priority", e.Priority.String(), "ncic", e.NIC, "camera", r.Camera)
	}
	if w.o.Alerter != nil {
		w.o.Alerter.Read(r)
	}
	if err := w.rec.Add(r); err != nil {
		return err
	}
	st.Reads++
	for _, h := range hits {
		if err := w.rec.Add(h); err != nil {
			return err
		}
	}
	return nil
}

// selfCheck records a camera's self-check and shows a failure to the
// officer (order B.5, B.7); supervisors see it in the back office.
func (w *recordWriter) selfCheck(c shift.CameraCheck) error {
	if w.o.Alerter != nil && !c.OK() {
		w.o.Alerter.Status("selfcheck-"+c.Camera, "CAMERA CHECK FAILED: "+c.String())
	}
	if !c.OK() {
		w.o.Logger.Warn("camera self-check failed", "camera", c.Camera, "result", c.String())
	}
	return w.rec.Add(drive.ShiftEvent{ID: newID(), ShiftID: w.shift, At: w.last, Event: "selfcheck", Officer: w.o.Officer,
		Vehicle: w.o.Vehicle, Cameras: []string{c.Camera}, SelfCheckOK: c.OK(), Detail: c.String()})
}

// fixState records the loss and the recovery of the GPS fix on the drive,
// and shows it to the officer: reads without a fix carry no position.
func (w *recordWriter) fixState(ok bool, at time.Time) error {
	state := -1
	if ok {
		state = 1
	}
	if state == w.fix {
		return nil
	}
	first := w.fix == 0
	w.fix = state
	if first && ok {
		return nil
	}
	detail, status := "GPS fix regained", ""
	if !ok {
		detail, status = "GPS fix lost: reads carry no position", "NO GPS FIX: reads carry no position"
	}
	if w.o.Alerter != nil {
		w.o.Alerter.Status("gps", status)
	}
	w.o.Logger.Warn(detail)
	return w.rec.Add(drive.ShiftEvent{ID: newID(), ShiftID: w.shift, At: at, Event: "gps", Officer: w.o.Officer,
		Vehicle: w.o.Vehicle, Detail: detail})
}

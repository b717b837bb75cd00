package edge

import (
	"fmt"
	"strings"
	"time"

	"github.com/plateward/alpr/edge/capture"
	"github.com/plateward/alpr/edge/drive"
	"github.com/plateward/alpr/edge/gps"
	"github.com/plateward/alpr/edge/hotlist"
	"github.com/plateward/alpr/edge/shift"
	"github.com/plateward/alpr/edge/track"
)

// recordWriter turns finished tracks into reads and hits on the drive.
type recordWriter struct {
	o    Options
	ix   *hotlist.Index
	push *pusher // nil: hits stay on the drive only
	gps  gps.Locator
	fix  int // last fix state: 0 unknown, 1 fix, -1 none
	// alerted holds the hits raised on a track's sightings, by track id,
	// until the track's read is written with them.
	alerted map[string][]drive.Hit
	rec     *driveQueue
	shift   string
	last    time.Time // latest time a read ended, the replay's clock
}

// hitFor makes the hit of a match of a read (or of a track's sighting).
func (w *recordWriter) hitFor(m hotlist.Match, readID, plateText, camera string, at time.Time) drive.Hit {
	e := m.Entry
	return drive.Hit{
		ID: newID(), ReadID: readID, AlertedAt: at, Plate: plateText, MatchedPlate: e.Plate,
		MatchKind: string(m.Kind), ListName: e.List, ListCode: string(e.Code), NCICNumber: e.NIC,
		Priority: e.Priority.String(), Reason: e.Reason, ListState: e.State, VehicleDesc: e.VehicleDesc(),
		Covert: e.Covert, Camera: camera, Vehicle: w.o.Vehicle, Officer: w.o.Officer, ShiftID: w.shift,
	}
}

// alert raises a hit for the officer, logs it, and counts it.
func (w *recordWriter) alert(h drive.Hit, crop []byte, st *Stats) error {
	if w.o.Alerter != nil {
		if err := w.o.Alerter.Hit(h, crop); err != nil {
			return err
		}
	}
	st.Hits++
	// A live frame's time is when it arrived; a replay's is the replayed
	// shift's, and says nothing of latency.
	w.o.Metrics.hit(w.o.Now().Sub(h.AlertedAt), w.o.Start.IsZero())
	if !h.Covert {
		st.Alerts++
	}
	if w.push != nil {
		var pos drive.Position
		if w.gps != nil {
			if f, ok := w.gps.At(h.AlertedAt); ok {
				pos = drive.Position{Fix: true, Lat: f.Lat, Lon: f.Lon, At: f.At}
			}
		}
		w.push.offer(h, pos, crop)
	}
	w.o.Logger.Info("HIT", "id", h.ID, "plate", h.Plate, "matched", h.MatchedPlate, "match", h.MatchKind, "list", h.ListName,
		"reason", h.Reason, "priority", h.Priority, "ncic", h.NCICNumber, "camera", h.Camera)
	return nil
}

// sight checks one frame's confident reading against the hot lists and
// alerts at once; the hit goes to the drive at once, its read (the same id
// as the track) when the track ends.
func (w *recordWriter) sight(s sighting, st *Stats) error {
	if len(s.obs.Candidates) == 0 || s.obs.Candidates[0].Confidence < w.o.AlertConfidence {
		return nil
	}
	texts := make([]string, len(s.obs.Candidates))
	for i, c := range s.obs.Candidates {
		texts[i] = c.Text
	}
	at := w.o.Now()
	if !w.o.Start.IsZero() {
		at = s.obs.At
	}
	for _, m := range w.ix.Match(texts) {
		if alreadyAlerted(w.alerted[s.track], m.Entry) {
			continue
		}
		h := w.hitFor(m, s.track, texts[0], s.camera, at)
		if err := w.alert(h, s.obs.Crop, st); err != nil {
			return err
		}
		w.alerted[s.track] = append(w.alerted[s.track], h)
		// On the drive at once (fsynced): the read follows when the track ends.
		if err := w.rec.Add(h); err != nil {
			return err
		}
	}
	return nil
}

func alreadyAlerted(hs []drive.Hit, e *hotlist.Entry) bool {
	for _, h := range hs {
		if h.NCICNumber == e.NIC && h.MatchedPlate == e.Plate && h.ListName == e.List {
			return true
		}
	}
	return false
}

func (w *recordWriter) write(tr track.Read, st *Stats) error {
	b := tr.Best
	// A hit no single sighting raised fires when the track ends: in a
	// replay that is the time of its last frame, live it is now.
	alertAt := w.o.Now()
	if !w.o.Start.IsZero() {
		alertAt = tr.Last
	}
	if tr.Last.After(w.last) {
		w.last = tr.Last
	}
	r := drive.Read{
		ID: tr.ID, CapturedAt: b.At, Plate: tr.Plate, RawText: b.Candidates[0].Text, Confidence: tr.Confidence,
		State: tr.State, Camera: tr.Camera, Vehicle: w.o.Vehicle, Officer: w.o.Officer, ShiftID: w.shift,
		Box:      drive.Box{X: int32(b.Box.Min.X), Y: int32(b.Box.Min.Y), W: int32(b.Box.Dx()), H: int32(b.Box.Dy())}, //nolint:gosec // pixel coordinates of a frame fit int32
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
			r.Position = drive.Position{Fix: true, Lat: f.Lat, Lon: f.Lon, At: f.At, Quality: int32(f.Quality), //nolint:gosec // a GPS fix quality is a small enum
				SpeedMps: float32(f.SpeedMps), HeadingDeg: float32(f.HeadingDeg)}
		}
		if err := w.fixState(ok, b.At); err != nil {
			return err
		}
	}
	// The officer is alerted first; the drive is written after, so a slow
	// drive never delays an alert. Hits raised on the track's sightings
	// are kept; a match only the whole track shows alerts now.
	early := w.alerted[tr.ID]
	delete(w.alerted, tr.ID)
	var hits []drive.Hit
	for _, m := range w.ix.Match(texts) {
		if alreadyAlerted(early, m.Entry) {
			continue // raised, and written, on a sighting
		}
		h := w.hitFor(m, r.ID, r.Plate, r.Camera, alertAt)
		if err := w.alert(h, r.CropJPEG, st); err != nil {
			return err
		}
		hits = append(hits, h)
	}
	if w.o.Alerter != nil {
		w.o.Alerter.Read(r)
	}
	if err := w.rec.Add(r); err != nil {
		return err
	}
	st.Reads++
	w.o.Metrics.read()
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

// cameraState records a live camera lost, back or gone on the drive and
// shows it to the officer: lost and gone are alarms (no reads come from
// it), back is a note in the header.
func (w *recordWriter) cameraState(c camState) error {
	var detail, alarm, note string
	switch c.state {
	case capture.StateLost:
		detail = fmt.Sprintf("camera %s lost (%v): reconnecting", c.camera, c.err)
		alarm = "CAMERA " + strings.ToUpper(c.camera) + " LOST: no reads from it; reconnecting"
	case capture.StateBack:
		detail = "camera " + c.camera + " back"
		note = "camera " + c.camera + " back"
	case capture.StateGone:
		detail = "camera " + c.camera + " gone: not back in time; no reads from it until it is fixed and the shift restarted"
		alarm = "CAMERA " + strings.ToUpper(c.camera) + " GONE: check its cable and power"
	}
	w.o.Metrics.camera(c.camera, c.state == capture.StateBack)
	if w.o.Alerter != nil {
		w.o.Alerter.Status("camera-"+c.camera, alarm)
		w.o.Alerter.Status("camera-"+c.camera+"-note", note)
	}
	w.o.Logger.Warn(detail)
	return w.rec.Add(drive.ShiftEvent{ID: newID(), ShiftID: w.shift, At: c.at, Event: "camera", Officer: w.o.Officer,
		Vehicle: w.o.Vehicle, Cameras: []string{c.camera}, Detail: detail})
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
	w.o.Metrics.fix(ok)
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

package edge

import (
	"time"

	"github.com/plateward/alpr/edge/drive"
	"github.com/plateward/alpr/edge/gps"
	"github.com/plateward/alpr/edge/hotlist"
	"github.com/plateward/alpr/edge/track"
)

// recordWriter turns finished tracks into reads and hits on the drive.
type recordWriter struct {
	o     Options
	ix    *hotlist.Index
	gps   *gps.Track
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
		Camera: tr.Camera, Vehicle: w.o.Vehicle, Officer: w.o.Officer, ShiftID: w.shift,
		Box:      drive.Box{X: int32(b.Box.Min.X), Y: int32(b.Box.Min.Y), W: int32(b.Box.Dx()), H: int32(b.Box.Dy())},
		CropJPEG: b.Crop,
	}
	texts := make([]string, len(tr.Candidates))
	for i, c := range tr.Candidates {
		r.Candidates = append(r.Candidates, drive.Candidate{Text: c.Text, Confidence: c.Confidence})
		texts[i] = c.Text
	}
	if w.gps != nil {
		if f, ok := w.gps.At(b.At); ok {
			r.Position = drive.Position{Fix: true, Lat: f.Lat, Lon: f.Lon, At: f.At}
		}
	}
	if err := w.rec.Add(r); err != nil {
		return err
	}
	st.Reads++
	for _, m := range w.ix.Match(texts) {
		e := m.Entry
		h := drive.Hit{
			ID: newID(), ReadID: r.ID, AlertedAt: alertAt, Plate: r.Plate, MatchedPlate: e.Plate,
			MatchKind: string(m.Kind), ListName: e.List, ListCode: string(e.Code), NCICNumber: e.NIC,
			Priority: e.Priority.String(), Reason: e.Reason, ListState: e.State, VehicleDesc: e.VehicleDesc(),
			Covert: e.Covert, Camera: r.Camera, Vehicle: r.Vehicle, Officer: r.Officer, ShiftID: w.shift,
		}
		if err := w.rec.Add(h); err != nil {
			return err
		}
		st.Hits++
		if !e.Covert {
			st.Alerts++
		}
		w.o.Logger.Info("HIT", "plate", r.Plate, "matched", e.Plate, "match", m.Kind, "list", e.List,
			"reason", e.Reason, "priority", e.Priority.String(), "ncic", e.NIC, "camera", r.Camera)
	}
	return nil
}

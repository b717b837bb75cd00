package drive

import (
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// The decoders assume a batch whose schema passed CheckSchema, so the
// known columns sit at their frozen positions.

func col[T any](rec arrow.RecordBatch, i int) T { return rec.Column(i).(T) }

func tm(a *array.Timestamp, i int) time.Time {
	if a.IsNull(i) {
		return time.Time{}
	}
	return time.UnixMicro(int64(a.Value(i))).UTC()
}

func optStr(a *array.String, i int) string {
	if a.IsNull(i) {
		return ""
	}
	return a.Value(i)
}

func strList(a *array.List, i int) []string {
	start, end := a.ValueOffsets(i)
	vals := a.ListValues().(*array.String)
	out := make([]string, 0, end-start)
	for j := start; j < end; j++ {
		out = append(out, vals.Value(int(j)))
	}
	return out
}

// DecodeReads returns the reads in a batch of kind reads.
func DecodeReads(rec arrow.RecordBatch) []Read {
	n := int(rec.NumRows())
	out := make([]Read, n)
	cands := col[*array.List](rec, 5)
	confs := col[*array.List](rec, 6)
	confVals := confs.ListValues().(*array.Float32)
	lat, lon := col[*array.Float64](rec, 13), col[*array.Float64](rec, 14)
	crop, over := col[*array.Binary](rec, 20), col[*array.Binary](rec, 21)
	for i := range n {
		r := &out[i]
		r.ID = col[*array.String](rec, 0).Value(i)
		r.CapturedAt = tm(col[*array.Timestamp](rec, 1), i)
		r.Plate = col[*array.String](rec, 2).Value(i)
		r.RawText = col[*array.String](rec, 3).Value(i)
		r.Confidence = col[*array.Float32](rec, 4).Value(i)
		texts := strList(cands, i)
		cs, ce := confs.ValueOffsets(i)
		for j, t := range texts {
			var c float32
			if int(cs)+j < int(ce) { // the two lists are written together; a damaged file may disagree
				c = confVals.Value(int(cs) + j)
			}
			r.Candidates = append(r.Candidates, Candidate{Text: t, Confidence: c})
		}
		r.State = optStr(col[*array.String](rec, 7), i)
		r.Camera = col[*array.String](rec, 8).Value(i)
		r.Vehicle = col[*array.String](rec, 9).Value(i)
		r.Officer = col[*array.String](rec, 10).Value(i)
		r.ShiftID = col[*array.String](rec, 11).Value(i)
		if col[*array.Boolean](rec, 12).Value(i) {
			r.Position = Position{Fix: true, Lat: lat.Value(i), Lon: lon.Value(i), At: tm(col[*array.Timestamp](rec, 15), i)}
			if rec.NumCols() > 24 { // format 1.1
				r.Position.Quality = col[*array.Int32](rec, 22).Value(i)
				r.Position.SpeedMps = col[*array.Float32](rec, 23).Value(i)
				r.Position.HeadingDeg = col[*array.Float32](rec, 24).Value(i)
			}
		}
		r.Box = Box{
			X: col[*array.Int32](rec, 16).Value(i), Y: col[*array.Int32](rec, 17).Value(i),
			W: col[*array.Int32](rec, 18).Value(i), H: col[*array.Int32](rec, 19).Value(i),
		}
		r.CropJPEG = append([]byte(nil), crop.Value(i)...)
		if !over.IsNull(i) {
			r.OverviewJPEG = append([]byte(nil), over.Value(i)...)
		}
	}
	return out
}

// DecodeHits returns the hits in a batch of kind hits.
func DecodeHits(rec arrow.RecordBatch) []Hit {
	n := int(rec.NumRows())
	out := make([]Hit, n)
	s := func(c, i int) string { return optStr(col[*array.String](rec, c), i) }
	for i := range n {
		out[i] = Hit{
			ID: s(0, i), ReadID: s(1, i), AlertedAt: tm(col[*array.Timestamp](rec, 2), i),
			Plate: s(3, i), MatchedPlate: s(4, i), MatchKind: s(5, i), ListName: s(6, i),
			ListCode: s(7, i), NCICNumber: s(8, i), Priority: s(9, i), Reason: s(10, i),
			ListState: s(11, i), VehicleDesc: s(12, i), Covert: col[*array.Boolean](rec, 13).Value(i),
			Camera: s(14, i), Vehicle: s(15, i), Officer: s(16, i), ShiftID: s(17, i),
		}
	}
	return out
}

// DecodeDispositions returns the dispositions in a batch of kind dispositions.
func DecodeDispositions(rec arrow.RecordBatch) []Disposition {
	n := int(rec.NumRows())
	out := make([]Disposition, n)
	s := func(c, i int) string { return optStr(col[*array.String](rec, c), i) }
	for i := range n {
		out[i] = Disposition{
			ID: s(0, i), HitID: s(1, i), At: tm(col[*array.Timestamp](rec, 2), i),
			Step: s(3, i), Code: s(4, i), Note: s(5, i), Officer: s(6, i), Vehicle: s(7, i), ShiftID: s(8, i),
		}
	}
	return out
}

// DecodeShiftEvents returns the shift events in a batch of kind shifts.
func DecodeShiftEvents(rec arrow.RecordBatch) []ShiftEvent {
	n := int(rec.NumRows())
	out := make([]ShiftEvent, n)
	s := func(c, i int) string { return optStr(col[*array.String](rec, c), i) }
	cams := col[*array.List](rec, 6)
	for i := range n {
		out[i] = ShiftEvent{
			ID: s(0, i), ShiftID: s(1, i), At: tm(col[*array.Timestamp](rec, 2), i),
			Event: s(3, i), Officer: s(4, i), Vehicle: s(5, i), Cameras: strList(cams, i),
			HotlistVersion: s(7, i), SelfCheckOK: col[*array.Boolean](rec, 8).Value(i), Detail: s(9, i),
		}
	}
	return out
}

package drive

import (
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

func ts(t time.Time) arrow.Timestamp { return arrow.Timestamp(t.UTC().UnixMicro()) }

func putStr(b *array.RecordBuilder, i int, s string) {
	b.Field(i).(*array.StringBuilder).Append(s)
}

// putOptStr writes s, or null when s is empty.
func putOptStr(b *array.RecordBuilder, i int, s string) {
	sb := b.Field(i).(*array.StringBuilder)
	if s == "" {
		sb.AppendNull()
		return
	}
	sb.Append(s)
}

func putTime(b *array.RecordBuilder, i int, t time.Time) {
	b.Field(i).(*array.TimestampBuilder).Append(ts(t))
}

func putBool(b *array.RecordBuilder, i int, v bool) {
	b.Field(i).(*array.BooleanBuilder).Append(v)
}

func putStrList(b *array.RecordBuilder, i int, ss []string) {
	lb := b.Field(i).(*array.ListBuilder)
	lb.Append(true)
	vb := lb.ValueBuilder().(*array.StringBuilder)
	for _, s := range ss {
		vb.Append(s)
	}
}

func (r Read) appendTo(b *array.RecordBuilder) {
	putStr(b, 0, r.ID)
	putTime(b, 1, r.CapturedAt)
	putStr(b, 2, r.Plate)
	putStr(b, 3, r.RawText)
	b.Field(4).(*array.Float32Builder).Append(r.Confidence)
	texts := make([]string, len(r.Candidates))
	lc := b.Field(6).(*array.ListBuilder)
	lc.Append(true)
	cb := lc.ValueBuilder().(*array.Float32Builder)
	for j, c := range r.Candidates {
		texts[j] = c.Text
		cb.Append(c.Confidence)
	}
	putStrList(b, 5, texts)
	putOptStr(b, 7, r.State)
	putStr(b, 8, r.Camera)
	putStr(b, 9, r.Vehicle)
	putStr(b, 10, r.Officer)
	putStr(b, 11, r.ShiftID)
	putBool(b, 12, r.Position.Fix)
	lat, lon, at := b.Field(13).(*array.Float64Builder), b.Field(14).(*array.Float64Builder), b.Field(15).(*array.TimestampBuilder)
	if r.Position.Fix {
		lat.Append(r.Position.Lat)
		lon.Append(r.Position.Lon)
		at.Append(ts(r.Position.At))
	} else {
		lat.AppendNull()
		lon.AppendNull()
		at.AppendNull()
	}
	for j, v := range []int32{r.Box.X, r.Box.Y, r.Box.W, r.Box.H} {
		b.Field(16 + j).(*array.Int32Builder).Append(v)
	}
	b.Field(20).(*array.BinaryBuilder).Append(r.CropJPEG)
	ob := b.Field(21).(*array.BinaryBuilder)
	if r.OverviewJPEG == nil {
		ob.AppendNull()
	} else {
		ob.Append(r.OverviewJPEG)
	}
	q, sp, hd := b.Field(22).(*array.Int32Builder), b.Field(23).(*array.Float32Builder), b.Field(24).(*array.Float32Builder)
	if r.Position.Fix {
		q.Append(r.Position.Quality)
		sp.Append(r.Position.SpeedMps)
		hd.Append(r.Position.HeadingDeg)
	} else {
		q.AppendNull()
		sp.AppendNull()
		hd.AppendNull()
	}
}

func (h Hit) appendTo(b *array.RecordBuilder) {
	putStr(b, 0, h.ID)
	putStr(b, 1, h.ReadID)
	putTime(b, 2, h.AlertedAt)
	putStr(b, 3, h.Plate)
	putStr(b, 4, h.MatchedPlate)
	putStr(b, 5, h.MatchKind)
	putStr(b, 6, h.ListName)
	putStr(b, 7, h.ListCode)
	putOptStr(b, 8, h.NCICNumber)
	putStr(b, 9, h.Priority)
	putStr(b, 10, h.Reason)
	putOptStr(b, 11, h.ListState)
	putOptStr(b, 12, h.VehicleDesc)
	putBool(b, 13, h.Covert)
	putStr(b, 14, h.Camera)
	putStr(b, 15, h.Vehicle)
	putStr(b, 16, h.Officer)
	putStr(b, 17, h.ShiftID)
}

func (d Disposition) appendTo(b *array.RecordBuilder) {
	putStr(b, 0, d.ID)
	putStr(b, 1, d.HitID)
	putTime(b, 2, d.At)
	putStr(b, 3, d.Step)
	putStr(b, 4, d.Code)
	putOptStr(b, 5, d.Note)
	putStr(b, 6, d.Officer)
	putStr(b, 7, d.Vehicle)
	putStr(b, 8, d.ShiftID)
}

func (s ShiftEvent) appendTo(b *array.RecordBuilder) {
	putStr(b, 0, s.ID)
	putStr(b, 1, s.ShiftID)
	putTime(b, 2, s.At)
	putStr(b, 3, s.Event)
	putStr(b, 4, s.Officer)
	putStr(b, 5, s.Vehicle)
	putStrList(b, 6, s.Cameras)
	putStr(b, 7, s.HotlistVersion)
	putBool(b, 8, s.SelfCheckOK)
	putOptStr(b, 9, s.Detail)
}

package ingest

import (
	"errors"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/plateward/alpr/analytics/imagepack"
	"github.com/plateward/alpr/edge/drive"
)

// The reads columns packImages reads, by position in the frozen schema.
const (
	colID       = 0
	colCaptured = 1
	colCrop     = 20
	colOverview = 21
)

// packImages writes a reads file's plate crops and overview images into
// the image store, one pack a capture day (the day in the department's
// zone, as retention removes them), named after the file's SHA-256. It
// replaces the batches' crop_jpeg and overview_jpeg columns with crop_ref
// and overview_ref: each image's reference, NULL where the read has none.
// It returns the number of images and durable, which syncs the packs and
// gives them their names: the caller runs it while the database inserts
// the rows, and waits for it before the commit that points at them. A
// crash before that commit leaves packs without rows, which the re-run
// writes again, the same bytes under the same names.
//
// The references take the place of the image columns in the batches: the
// database never sees the image bytes, and the view keeps one column a
// field of the file, every one of which the insert reads (see insertSQL).
func (l *loader) packImages(f *drive.File) (n int64, durable func() error, err error) {
	packs := map[string]*imagepack.Writer{}
	defer func() {
		if err != nil {
			for _, w := range packs {
				err = errors.Join(err, w.Abort())
			}
		}
	}()
	days := dayCache{loc: l.st.Location()}
	add := func(b *array.StringBuilder, id string, at time.Time, k imagepack.Kind, img []byte) error {
		day := days.of(at)
		w := packs[day]
		if w == nil {
			var err error
			if w, err = imagepack.Create(l.st.ImageRoot(), day, f.SHA256[:16]); err != nil {
				return err
			}
			packs[day] = w
		}
		ref, err := w.Add(id, k, img)
		if err != nil {
			return err
		}
		b.Append(ref)
		n++
		return nil
	}
	fields := f.Schema.Fields()
	fields[colCrop] = arrow.Field{Name: "crop_ref", Type: arrow.BinaryTypes.String, Nullable: true}
	fields[colOverview] = arrow.Field{Name: "overview_ref", Type: arrow.BinaryTypes.String, Nullable: true}
	schema := arrow.NewSchema(fields, nil)
	out := make([]arrow.RecordBatch, 0, len(f.Batches))
	defer func() {
		if err != nil {
			for _, b := range out {
				b.Release()
			}
		}
	}()
	for _, b := range f.Batches {
		ids := b.Column(colID).(*array.String)
		ats := b.Column(colCaptured).(*array.Timestamp)
		crops := b.Column(colCrop).(*array.Binary)
		overs := b.Column(colOverview).(*array.Binary)
		cb, ob := array.NewStringBuilder(memory.DefaultAllocator), array.NewStringBuilder(memory.DefaultAllocator)
		for i := range int(b.NumRows()) {
			at := ats.Value(i).ToTime(arrow.Microsecond)
			if c := crops.Value(i); len(c) > 0 {
				if err := add(cb, ids.Value(i), at, imagepack.Crop, c); err != nil {
					cb.Release()
					ob.Release()
					return n, nil, err
				}
			} else {
				cb.AppendNull()
			}
			if !overs.IsNull(i) {
				if err := add(ob, ids.Value(i), at, imagepack.Overview, overs.Value(i)); err != nil {
					cb.Release()
					ob.Release()
					return n, nil, err
				}
			} else {
				ob.AppendNull()
			}
		}
		cr, or := cb.NewArray(), ob.NewArray()
		cb.Release()
		ob.Release()
		cols := append([]arrow.Array(nil), b.Columns()...)
		cols[colCrop], cols[colOverview] = cr, or
		out = append(out, array.NewRecordBatch(schema, cols, b.NumRows()))
		cr.Release()
		or.Release()
	}
	for _, w := range packs {
		if err := w.Flush(); err != nil {
			return n, nil, fmt.Errorf("image pack: %w", err)
		}
	}
	f.Release()
	f.Schema, f.Batches = schema, out
	ws := make([]*imagepack.Writer, 0, len(packs))
	for _, w := range packs {
		ws = append(ws, w)
	}
	return n, func() error {
		for i, w := range ws {
			if err := w.Commit(); err != nil {
				for _, rest := range ws[i+1:] {
					err = errors.Join(err, rest.Abort())
				}
				return fmt.Errorf("image pack: %w", err)
			}
		}
		return nil
	}, nil
}

// dayCache answers the department's day of a time, remembering the last
// day's bounds: a file's reads come in time order.
type dayCache struct {
	loc        *time.Location
	day        string
	start, end time.Time
}

func (c *dayCache) of(t time.Time) string {
	if c.day != "" && !t.Before(c.start) && t.Before(c.end) {
		return c.day
	}
	l := t.In(c.loc)
	c.start = time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, c.loc)
	c.end = c.start.AddDate(0, 0, 1)
	c.day = l.Format("2006-01-02")
	return c.day
}

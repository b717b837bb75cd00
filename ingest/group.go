package ingest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/plateward/alpr/edge/drive"
	"github.com/plateward/alpr/edge/plate"
)

// DefaultGroupRows is how many rows ingest gathers from consecutive files
// of one kind into one transaction and one INSERT. A car's file holds fewer
// rows than a DuckDB row group (90,000 reads in 15 minutes against
// 122,880); committed one file at a time, its rows wait in the write-ahead
// log, uncompressed, for a checkpoint to store them. A million reads of
// car-sized files: 180–198 K reads/s a file a transaction (checkpoint
// 1.9 s), 287–291 K grouped (checkpoint 0.2 s), side by side in alpr bench
// ingest on 2026-11-27.
const DefaultGroupRows = 1 << 20

// pending is a file ready to insert: read, checked, its images in packs.
type pending struct {
	r        readFile
	lo, hi   time.Time // the records' time window
	vehicles []string  // nil: unknown (no vehicle column)
	durable  func() error
}

// group is the files of one kind that go into the next transaction.
type group struct {
	files []*pending
	rows  int64
	shas  map[string]bool
}

func (g *group) kind() drive.Kind { return g.files[0].r.f.Kind }

func (g *group) release() {
	for _, p := range g.files {
		p.r.release()
	}
	g.files, g.rows, g.shas = nil, 0, nil
}

// overlapping reports whether two of the group's files may hold the same
// record: a vehicle in common and time windows that meet.
func (g *group) overlapping() bool {
	for i, a := range g.files {
		for _, b := range g.files[i+1:] {
			if a.vehicles == nil || b.vehicles == nil {
				return true
			}
			if a.lo.After(b.hi) || b.lo.After(a.hi) {
				continue
			}
			for _, v := range a.vehicles {
				for _, w := range b.vehicles {
					if v == w {
						return true
					}
				}
			}
		}
	}
	return false
}

// withSourceFile adds a source_file column (the file's name on every row)
// to a file's batches: the rows of a group's files go in one INSERT.
func withSourceFile(f *drive.File) {
	fields := append(f.Schema.Fields(), arrow.Field{Name: "source_file", Type: arrow.BinaryTypes.String})
	schema := arrow.NewSchema(fields, nil)
	out := make([]arrow.RecordBatch, 0, len(f.Batches))
	for _, b := range f.Batches {
		sb := array.NewStringBuilder(memory.DefaultAllocator)
		sb.Reserve(int(b.NumRows()))
		sb.ReserveData(int(b.NumRows()) * len(f.Info.Name))
		for range b.NumRows() {
			sb.Append(f.Info.Name)
		}
		a := sb.NewArray()
		sb.Release()
		out = append(out, array.NewRecordBatch(schema, append(append([]arrow.Array(nil), b.Columns()...), a), b.NumRows()))
		a.Release()
	}
	f.Release()
	f.Schema, f.Batches = schema, out
}

// insertGroup loads a group's rows and their manifest rows in one
// transaction, committed once every file's images are durable. Where the
// store may hold some of the records already, or two of the files may
// hold the same record, each file is inserted in turn with the per-row
// check (see mayHoldCopies); otherwise all the files in one INSERT.
func (l *loader) insertGroup(ctx context.Context, g *group) (err error) {
	if _, err := l.conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return err
	}
	var waited bool
	defer func() {
		if !waited {
			for _, p := range g.files {
				err = errors.Join(err, p.durable())
			}
		}
		if err != nil {
			if _, rerr := l.conn.ExecContext(context.Background(), "ROLLBACK"); rerr != nil {
				err = errors.Join(err, fmt.Errorf("rollback: %w", rerr))
			}
		}
	}()
	kind := g.kind()
	lo, hi := g.files[0].lo, g.files[0].hi
	var vehicles []string
	known := true
	for _, p := range g.files {
		lo, hi = minTime(lo, p.lo), maxTime(hi, p.hi)
		vehicles = append(vehicles, p.vehicles...)
		known = known && p.vehicles != nil
	}
	copies := !known || g.overlapping()
	if !copies {
		if copies, err = l.mayHoldCopies(ctx, kind, vehicles, lo, hi); err != nil {
			return err
		}
	}
	now := l.o.Now().UTC()
	if copies {
		for _, p := range g.files {
			n, err := l.insertRows(ctx, p.r.f.Schema, p.r.f.Batches, kind, now, true, p.lo, p.hi)
			if err != nil {
				return fmt.Errorf("load %s: %w", p.r.fi.Name, err)
			}
			if n < p.r.f.Rows {
				l.o.Logger.Warn("records already in the store were not loaded again", "file", p.r.fi.Name, "skipped", p.r.f.Rows-n)
			}
		}
	} else {
		var batches []arrow.RecordBatch
		for _, p := range g.files {
			batches = append(batches, p.r.f.Batches...)
		}
		if _, err := l.insertRows(ctx, g.files[0].r.f.Schema, batches, kind, now, false, lo, hi); err != nil {
			return fmt.Errorf("load %d %s files from %s: %w", len(g.files), kind, g.files[0].r.fi.Name, err)
		}
	}
	for _, p := range g.files {
		f := p.r.f
		tail := sql.NullString{}
		if f.Tail != nil {
			tail = sql.NullString{String: f.Tail.Error(), Valid: true}
		}
		if _, err := l.conn.ExecContext(ctx, `INSERT INTO ingest_manifest (sha256, file_name, kind, rows, sealed, tail, loaded_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, f.SHA256, f.Info.Name, string(f.Kind), f.Rows, f.Info.Sealed, tail, now); err != nil {
			return fmt.Errorf("record %s in manifest: %w", f.Info.Name, err)
		}
	}
	waited = true
	for _, p := range g.files {
		err = errors.Join(err, p.durable())
	}
	if err != nil {
		return err
	}
	_, err = l.conn.ExecContext(ctx, "COMMIT")
	return err
}

// insertRows inserts batches of one kind (with their source_file column)
// through a registered view and returns the rows inserted.
func (l *loader) insertRows(ctx context.Context, schema *arrow.Schema, batches []arrow.RecordBatch, kind drive.Kind, now time.Time, dedupe bool, lo, hi time.Time) (int64, error) {
	rr, err := array.NewRecordReader(schema, batches)
	if err != nil {
		return 0, fmt.Errorf("record reader: %w", err)
	}
	defer rr.Release()
	release, err := l.arrow.RegisterView(rr, "drive_batch")
	if err != nil {
		return 0, fmt.Errorf("register arrow view: %w", err)
	}
	defer release()
	args := []any{now}
	if kind == drive.KindReads {
		from, to := plate.TranslateArgs()
		args = append(args, from, to)
	}
	if dedupe {
		args = append(args, lo, hi)
	}
	res, err := l.conn.ExecContext(ctx, insertSQL(kind, schema, dedupe), args...)
	if err != nil {
		return 0, fmt.Errorf("insert %s: %w", kind, err)
	}
	return res.RowsAffected()
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

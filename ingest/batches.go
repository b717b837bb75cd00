package ingest

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/plateward/alpr/edge/drive"
)

// loadBatchRows is the size of the batches ingest hands the database. A
// car writes small batches (256 reads by default, so that a power cut
// loses little), and DuckDB scans an Arrow stream a batch at a time, each
// batch on one of its threads. A drive of car-sized files (256-row
// batches, 90,000 reads a file) loaded at 209 K reads/s as written and at
// 236–271 K joined into 16,384-row batches; 8,192 and 32,768 were no better,
// and 122,880 (a row group) left a file in one batch on one thread: 219 K
// (alpr bench ingest --reads 1000000, 2026-11-27, two cores).
const loadBatchRows = 16384

// coalesce joins a file's batches into batches of up to rows rows,
// releasing the ones it replaces. Batches already that large are kept.
func coalesce(f *drive.File, rows int64) error {
	var out, run []arrow.RecordBatch
	var n int64
	flush := func() error {
		switch len(run) {
		case 0:
			return nil
		case 1:
			out = append(out, run[0])
		default:
			cols := make([]arrow.Array, f.Schema.NumFields())
			for c := range cols {
				parts := make([]arrow.Array, len(run))
				for i, b := range run {
					parts[i] = b.Column(c)
				}
				a, err := array.Concatenate(parts, memory.DefaultAllocator)
				if err != nil {
					for _, done := range cols[:c] {
						done.Release()
					}
					return fmt.Errorf("join batches: %w", err)
				}
				cols[c] = a
			}
			out = append(out, array.NewRecordBatch(f.Schema, cols, n))
			for _, a := range cols {
				a.Release()
			}
			for _, b := range run {
				b.Release()
			}
		}
		run, n = run[:0], 0
		return nil
	}
	for i, b := range f.Batches {
		if n > 0 && n+b.NumRows() > rows {
			if err := flush(); err != nil {
				f.Batches = append(out, append(run, f.Batches[i:]...)...)
				return err
			}
		}
		run = append(run, b)
		n += b.NumRows()
	}
	if err := flush(); err != nil {
		f.Batches = append(out, run...)
		return err
	}
	f.Batches = out
	return nil
}

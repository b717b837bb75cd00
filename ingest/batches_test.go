package ingest

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/plateward/alpr/edge/drive"
)

// batchedFile writes reads in batches of the given sizes and reads the
// file back.
func batchedFile(t *testing.T, sizes []int) *drive.File {
	t.Helper()
	dir := t.TempDir()
	w, err := drive.CreateFile(filepath.Join(dir, "reads-car7-a-000001"+drive.FileExt), drive.KindReads)
	if err != nil {
		t.Fatal(err)
	}
	from := 0
	for _, n := range sizes {
		for _, r := range reads(n, from) {
			if err := w.Append(r); err != nil {
				t.Fatal(err)
			}
		}
		from += n
		if err := w.Flush(false); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Seal(); err != nil {
		t.Fatal(err)
	}
	fis, err := drive.List(dir)
	if err != nil {
		t.Fatal(err)
	}
	f, err := drive.ReadFile(fis[0])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Release)
	return f
}

func TestCoalesce(t *testing.T) {
	tests := []struct {
		name string
		in   []int
		rows int64
		want []int64
	}{
		{"small batches joined", []int{3, 3, 3, 3}, 6, []int64{6, 6}},
		{"remainder kept", []int{3, 3, 3}, 7, []int64{6, 3}},
		{"large batch alone", []int{2, 9, 2}, 4, []int64{2, 9, 2}},
		{"one batch", []int{5}, 16, []int64{5}},
		{"all into one", []int{1, 2, 3, 4}, 16, []int64{10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := batchedFile(t, tt.in)
			if len(f.Batches) != len(tt.in) {
				t.Fatalf("file has %d batches, want %d", len(f.Batches), len(tt.in))
			}
			if err := coalesce(f, tt.rows); err != nil {
				t.Fatal(err)
			}
			var got []int64
			var ids []string
			for _, b := range f.Batches {
				got = append(got, b.NumRows())
				if !b.Schema().Equal(f.Schema) {
					t.Errorf("batch schema %v, want the file's", b.Schema())
				}
				col := b.Column(0).(*array.String)
				for i := range col.Len() {
					ids = append(ids, col.Value(i))
				}
				// Every column agrees with the others on each row.
				plates := b.Column(2).(*array.String)
				cands := b.Column(5).(*array.List)
				texts := cands.ListValues().(*array.String)
				for i := range plates.Len() {
					s, e := cands.ValueOffsets(i)
					if e-s != 1 || texts.Value(int(s)) != plates.Value(i) {
						t.Errorf("row %d: candidates %d from %d, want one, its plate %s", i, e-s, s, plates.Value(i))
					}
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("batches of %v rows, want %v", got, tt.want)
			}
			var want []string
			for _, r := range reads(len(ids), 0) {
				want = append(want, r.ID)
			}
			if !slices.Equal(ids, want) {
				t.Errorf("ids %v, want %v in order", ids, want)
			}
		})
	}
}

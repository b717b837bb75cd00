package ingest

import (
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/plateward/alpr/edge/drive"
)

// TestInsertReadsEveryColumn: DuckDB pushes a projection into an Arrow
// view's scan, and duckdb-go's view then reads the wrong columns or
// crashes; every insert must read every column of its view.
func TestInsertReadsEveryColumn(t *testing.T) {
	for _, k := range drive.Kinds() {
		schema, err := drive.Schema(k)
		if err != nil {
			t.Fatal(err)
		}
		if k == drive.KindReads {
			fields := schema.Fields()
			fields[colCrop].Name, fields[colOverview].Name = "crop_ref", "overview_ref"
			schema = arrow.NewSchema(fields, nil)
		}
		for _, dedupe := range []bool{false, true} {
			q := insertSQL(k, schema, dedupe)
			for _, f := range schema.Fields() {
				if !regexp.MustCompile(`\b` + f.Name + `\b`).MatchString(q) {
					t.Errorf("%s insert (dedupe %v) does not read %s", k, dedupe, f.Name)
				}
			}
		}
	}
}

// TestRowsWaitForTheirImages: a file's rows commit only once its image
// packs are durable; if they cannot be made so, nothing of the file is
// committed and a second attempt loads it whole.
func TestRowsWaitForTheirImages(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	dir := t.TempDir()
	if _, err := drive.WriteRecords(filepath.Join(dir, "reads-car7-a-000001"+drive.FileExt), drive.KindReads, reads(10, 0)); err != nil {
		t.Fatal(err)
	}
	fis, err := drive.List(dir)
	if err != nil {
		t.Fatal(err)
	}
	l, err := newLoader(ctx, s, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	defer l.close()
	load := func(failSync bool) error {
		f, err := drive.ReadFile(fis[0])
		if err != nil {
			t.Fatal(err)
		}
		defer f.Release()
		n, commitPacks, err := l.packImages(f)
		if err != nil || n != 10 {
			t.Fatalf("packImages: %d images, %v", n, err)
		}
		durable := commitPacks
		if failSync {
			durable = func() error { return errors.Join(errors.New("the store's disk went away"), commitPacks()) }
		}
		return l.insert(ctx, f, durable)
	}
	if err := load(true); err == nil {
		t.Fatal("insert committed although its images did not reach the disk")
	}
	if n := count(t, s, "SELECT count(*) FROM reads"); n != 0 {
		t.Fatalf("%d reads committed without their images", n)
	}
	if n := count(t, s, "SELECT count(*) FROM ingest_manifest"); n != 0 {
		t.Fatalf("file in the manifest without its rows")
	}
	if err := load(false); err != nil {
		t.Fatal(err)
	}
	for id, p := range cropPaths(t, s) {
		if b, err := s.ReadImage(p); err != nil || string(b) != "jpeg-"+id {
			t.Errorf("image of %s: %q %v", id, b, err)
		}
	}
	if n := count(t, s, "SELECT count(*) FROM reads"); n != 10 {
		t.Fatalf("%d reads after the second attempt, want 10", n)
	}
}

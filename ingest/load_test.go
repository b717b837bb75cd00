package ingest

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"testing"
	"time"

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
		fields := append(schema.Fields(), arrow.Field{Name: "source_file", Type: arrow.BinaryTypes.String})
		if k == drive.KindReads {
			fields[colCrop].Name, fields[colOverview].Name = "crop_ref", "overview_ref"
		}
		schema = arrow.NewSchema(fields, nil)
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
		rep := Report{Rows: map[drive.Kind]int64{}}
		p, err := l.prepare(ctx, readFile{fi: fis[0], f: f}, &rep)
		if err != nil || p == nil || rep.Images != 10 {
			t.Fatalf("prepare: %v, %d images, %v", p, rep.Images, err)
		}
		if failSync {
			commitPacks := p.durable
			p.durable = func() error { return errors.Join(errors.New("the store's disk went away"), commitPacks()) }
		}
		return l.insertGroup(ctx, &group{files: []*pending{p}})
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

// TestGroupedFilesKeepTheirSourceFile: files loaded in one INSERT each
// keep their own name on their rows.
func TestGroupedFilesKeepTheirSourceFile(t *testing.T) {
	dir := t.TempDir()
	for i := range 3 {
		rs := reads(4, i*10) // apart in time: no copies, one INSERT
		if _, err := drive.WriteRecords(filepath.Join(dir, fmt.Sprintf("reads-car7-g-%06d%s", i+1, drive.FileExt)), drive.KindReads, rs); err != nil {
			t.Fatal(err)
		}
	}
	s := openStore(t)
	rep, err := Drive(context.Background(), s, dir, testOpts())
	if err != nil || rep.Loaded != 3 {
		t.Fatalf("loaded %d: %v", rep.Loaded, err)
	}
	rows, err := s.DB().Query("SELECT id, source_file FROM reads")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id, src string
		if err := rows.Scan(&id, &src); err != nil {
			t.Fatal(err)
		}
		var k int
		if _, err := fmt.Sscanf(id[:8], "%x", &k); err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("reads-car7-g-%06d%s", k/10+1, drive.FileExt); src != want {
			t.Errorf("read %s: source %s, want %s", id, src, want)
		}
		n++
	}
	if n != 12 {
		t.Errorf("%d reads, want 12", n)
	}
	if m := count(t, s, "SELECT count(*) FROM ingest_manifest"); m != 3 {
		t.Errorf("%d files in the manifest, want 3", m)
	}
}

func TestGroupOverlapping(t *testing.T) {
	at := func(m int) time.Time { return base.Add(time.Duration(m) * time.Minute) }
	// No vehicles given: a file without a vehicle column (nil).
	file := func(lo, hi int, vs ...string) *pending { return &pending{lo: at(lo), hi: at(hi), vehicles: vs} }
	tests := []struct {
		name  string
		files []*pending
		want  bool
	}{
		{"one file", []*pending{file(0, 10, "car7")}, false},
		{"same car, apart", []*pending{file(0, 10, "car7"), file(11, 20, "car7")}, false},
		{"same car, windows meet", []*pending{file(0, 10, "car7"), file(10, 20, "car7")}, true},
		{"other cars, same window", []*pending{file(0, 10, "car7"), file(0, 10, "car8")}, false},
		{"third file overlaps the first", []*pending{file(0, 10, "car7"), file(11, 20, "car8"), file(5, 6, "car9", "car7")}, true},
		{"vehicles unknown", []*pending{file(0, 10), file(20, 30, "car7")}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := &group{files: tt.files}
			if got := g.overlapping(); got != tt.want {
				t.Errorf("overlapping = %v, want %v", got, tt.want)
			}
		})
	}
}

package drive

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

var update = flag.Bool("update", false, "rewrite golden files")

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func sampleRead(i int) Read {
	at := time.Date(2026, 5, 1, 14, 0, i, 0, time.UTC)
	return Read{
		ID: fmt.Sprintf("r%03d", i), CapturedAt: at, Plate: "AB1C2D", RawText: "AB1C2D.", Confidence: 0.9,
		Candidates: []Candidate{{"AB1C2D", 0.9}, {"A81C2D", 0.05}}, State: "MO",
		Camera: "front", Vehicle: "car7", Officer: "1234", ShiftID: "s1",
		Position: Position{Fix: true, Lat: 38.6, Lon: -90.2, At: at.Add(-time.Second), Quality: 1, SpeedMps: 11, HeadingDeg: 270},
		Box:      Box{10, 20, 120, 60}, CropJPEG: []byte{0xff, 0xd8, byte(i)},
	}
}

// fakeClock is a clock the test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time { return c.t }

func TestRoundTripEveryKind(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2026, 5, 1, 14, 0, 0, 0, time.UTC)
	reads := []Read{sampleRead(1), sampleRead(2)}
	reads[1].Position = Position{}
	reads[1].State = ""
	hits := []Hit{{ID: "h1", ReadID: "r001", AlertedAt: at, Plate: "AB1C2D", MatchedPlate: "AB1C2D", MatchKind: "exact",
		ListName: "NCIC", ListCode: "V", NCICNumber: "V123456789", Priority: "high", Reason: "Stolen vehicle",
		Camera: "front", Vehicle: "car7", Officer: "1234", ShiftID: "s1"}}
	disps := []Disposition{{ID: "d1", HitID: "h1", At: at, Step: "disposition", Code: "misread", Officer: "1234", Vehicle: "car7", ShiftID: "s1"}}
	shifts := []ShiftEvent{{ID: "e1", ShiftID: "s1", At: at, Event: "login", Officer: "1234", Vehicle: "car7", Cameras: []string{"front", "rear"}, HotlistVersion: "abc", SelfCheckOK: true}}

	cases := []struct {
		name   string
		write  func(p string) (Sealed, error)
		decode func(b arrow.RecordBatch) any
		want   any
	}{
		{"reads", func(p string) (Sealed, error) { return WriteRecords(p, KindReads, reads) }, func(b arrow.RecordBatch) any { return DecodeReads(b) }, reads},
		{"hits", func(p string) (Sealed, error) { return WriteRecords(p, KindHits, hits) }, func(b arrow.RecordBatch) any { return DecodeHits(b) }, hits},
		{"dispositions", func(p string) (Sealed, error) { return WriteRecords(p, KindDispositions, disps) }, func(b arrow.RecordBatch) any { return DecodeDispositions(b) }, disps},
		{"shifts", func(p string) (Sealed, error) { return WriteRecords(p, KindShifts, shifts) }, func(b arrow.RecordBatch) any { return DecodeShiftEvents(b) }, shifts},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name+"-car7-x-000001"+FileExt)
			s, err := tc.write(p)
			if err != nil {
				t.Fatal(err)
			}
			files, err := List(dir)
			if err != nil {
				t.Fatal(err)
			}
			var info FileInfo
			for _, fi := range files {
				if fi.Path == p {
					info = fi
				}
			}
			if !info.Sealed {
				t.Fatalf("file not listed as sealed: %+v", files)
			}
			f, err := ReadFile(info)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Release()
			if f.SHA256 != s.SHA256 || f.Tail != nil || len(f.Batches) != 1 {
				t.Fatalf("sha %s vs %s, tail %v, batches %d", f.SHA256, s.SHA256, f.Tail, len(f.Batches))
			}
			if got := tc.decode(f.Batches[0]); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("round trip:\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// minuteRecorder returns a recorder in a new directory that writes
// batches of batchRows and rotates files after a minute of its fake clock.
func minuteRecorder(t *testing.T, batchRows int) (string, *fakeClock, *Recorder) {
	t.Helper()
	dir := t.TempDir()
	clk := &fakeClock{t: time.Date(2026, 5, 1, 14, 0, 0, 0, time.UTC)}
	opts := DefaultOptions(dir, "car7")
	opts.BatchRows, opts.MaxFileAge, opts.Now, opts.Logger = batchRows, time.Minute, clk.Now, quiet()
	rec, err := NewRecorder(opts)
	if err != nil {
		t.Fatal(err)
	}
	return dir, clk, rec
}

func TestRecorderRotatesAndFlushesHitsAtOnce(t *testing.T) {
	dir, clk, rec := minuteRecorder(t, 4)
	for i := range 10 {
		if err := rec.Add(sampleRead(i)); err != nil {
			t.Fatal(err)
		}
		clk.t = clk.t.Add(10 * time.Second) // rotation after 60 s: reads 0-5, then 6-9
	}
	if err := rec.Add(Hit{ID: "h1", ReadID: "r001", AlertedAt: clk.t}); err != nil {
		t.Fatal(err)
	}
	// The hit is on disk (in the temporary file) before any Close.
	tmp, _ := filepath.Glob(filepath.Join(dir, "hits-*"+FileExt+".tmp"))
	if len(tmp) != 1 {
		t.Fatalf("hit file while open: %v", tmp)
	}
	if st, _ := os.Stat(tmp[0]); st.Size() < 200 {
		t.Fatalf("hit not flushed: %d bytes", st.Size())
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	var rows int64
	kinds := map[Kind]int{}
	for _, s := range rec.Sealed() {
		rows += s.Rows
		kinds[s.Kind]++
	}
	if rows != 11 || kinds[KindReads] != 2 || kinds[KindHits] != 1 {
		t.Fatalf("sealed %d rows, kinds %v: %+v", rows, kinds, rec.Sealed())
	}
}

// TestClockJumpBackSealsTheOpenFile turns the car's clock back an hour
// (an RTC reset corrected by GPS the other way) in the middle of a file:
// the file is sealed at once instead of staying open until the clock has
// caught up, names stay unique, and every read is on the drive once.
func TestClockJumpBackSealsTheOpenFile(t *testing.T) {
	dir, clk, rec := minuteRecorder(t, 2)
	for i := range 12 {
		if i == 4 || i == 8 {
			clk.t = clk.t.Add(-time.Hour)
		}
		if err := rec.Add(sampleRead(i)); err != nil {
			t.Fatal(err)
		}
		clk.t = clk.t.Add(time.Second)
		if i == 5 && len(rec.Sealed()) != 1 {
			t.Fatalf("after the clock went back: %d files sealed, want the one open at the jump", len(rec.Sealed()))
		}
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	if n := len(rec.Sealed()); n != 3 {
		t.Fatalf("%d files sealed, want 3 (one per jump, one at close)", n)
	}
	ids := readIDs(t, dir)
	for i := range 12 {
		if id := fmt.Sprintf("r%03d", i); ids[id] != 1 {
			t.Fatalf("read %s on the drive %d times", id, ids[id])
		}
	}
}

// crash writes a reads file the way a recorder does, then cuts it.
func crashAfter(t *testing.T, dir string, batches int) string {
	t.Helper()
	p := filepath.Join(dir, "reads-car7-20260501T140000Z-000001"+FileExt)
	w, err := CreateFile(p, KindReads)
	if err != nil {
		t.Fatal(err)
	}
	for i := range batches {
		if err := w.Append(sampleRead(i)); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(true); err != nil {
			t.Fatal(err)
		}
	}
	return p + ".tmp" // never sealed: the power went
}

func TestSalvageKeepsCompleteBatchesOfTornTail(t *testing.T) {
	cases := []struct {
		name     string
		batches  int
		cutBytes int
		wantRows int64
		wantFile bool
	}{
		{"clean stop after three batches", 3, 0, 3, true},
		{"cut inside the last batch", 3, 40, 2, true},
		{"cut inside the schema", 0, 0, 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tmp := crashAfter(t, dir, tc.batches)
			data, _ := os.ReadFile(tmp)
			cut := len(data) - tc.cutBytes
			if tc.batches == 0 {
				cut = len(data) / 2
			}
			if err := os.WriteFile(tmp, data[:cut], 0o640); err != nil {
				t.Fatal(err)
			}
			got, err := Salvage(dir, quiet())
			if err != nil {
				t.Fatal(err)
			}
			if (len(got) == 1) != tc.wantFile {
				t.Fatalf("salvaged %v", got)
			}
			if !tc.wantFile {
				return
			}
			files, _ := List(dir)
			if len(files) != 1 || files[0].Sealed {
				t.Fatalf("want one unsealed file, got %+v", files)
			}
			f, err := ReadFile(files[0])
			if err != nil {
				t.Fatal(err)
			}
			defer f.Release()
			if f.Rows != tc.wantRows {
				t.Fatalf("rows %d, want %d (tail %v)", f.Rows, tc.wantRows, f.Tail)
			}
			if tc.cutBytes > 0 && !errors.Is(f.Tail, ErrTornTail) {
				t.Fatalf("tail %v, want ErrTornTail", f.Tail)
			}
		})
	}
}

func TestCorruptSealedFileIsRefused(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "reads-car7-x-000001"+FileExt)
	if _, err := WriteRecords(p, KindReads, []Read{sampleRead(1)}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(p)
	data[len(data)/2] ^= 0x01
	if err := os.WriteFile(p, data, 0o640); err != nil {
		t.Fatal(err)
	}
	files, _ := List(dir)
	_, err := ReadFile(files[0])
	if !errors.Is(err, ErrChecksum) || !IsQuarantine(err) {
		t.Fatalf("flipped bit: err %v, want ErrChecksum", err)
	}
}

func TestUnknownMajorVersionIsNamed(t *testing.T) {
	s, _ := Schema(KindReads)
	md := arrow.NewMetadata([]string{MetaFormat, MetaVersion, MetaKind}, []string{FormatName, "2.0", "reads"})
	_, err := CheckSchema(arrow.NewSchema(s.Fields(), &md))
	if !errors.Is(err, ErrUnknownVersion) || !strings.Contains(err.Error(), `"2.0"`) {
		t.Fatalf("err %v", err)
	}
	md = arrow.NewMetadata([]string{MetaFormat, MetaVersion, MetaKind}, []string{FormatName, "1.7", "reads"})
	if k, err := CheckSchema(arrow.NewSchema(s.Fields(), &md)); err != nil || k != KindReads {
		t.Fatalf("a newer minor version must be readable: %v %v", k, err)
	}
}

// TestSchemaGolden freezes the format: a change to any column shows here.
func TestSchemaGolden(t *testing.T) {
	var b bytes.Buffer
	for _, k := range Kinds() {
		s, _ := Schema(k)
		fmt.Fprintf(&b, "%s\n", s)
	}
	golden := filepath.Join("testdata", "schema_v1.golden")
	if *update {
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if !bytes.Equal(want, b.Bytes()) {
		t.Fatalf("drive schema changed; format version 1 is frozen.\n got:\n%s\nwant:\n%s", b.Bytes(), want)
	}
}

// TestReadsVersion10FileStillReads: a drive written before the motion
// columns (format 1.0) is read, with no motion.
func TestReadsVersion10FileStillReads(t *testing.T) {
	s, _ := Schema(KindReads)
	md := arrow.NewMetadata([]string{MetaFormat, MetaVersion, MetaKind}, []string{FormatName, "1.0", "reads"})
	old := arrow.NewSchema(s.Fields()[:22], &md)
	if k, err := CheckSchema(old); err != nil || k != KindReads {
		t.Fatalf("1.0 schema: %v %v", k, err)
	}
	md11 := arrow.NewMetadata([]string{MetaFormat, MetaVersion, MetaKind}, []string{FormatName, "1.1", "reads"})
	if _, err := CheckSchema(arrow.NewSchema(s.Fields()[:22], &md11)); !errors.Is(err, ErrSchemaMismatch) {
		t.Fatalf("a 1.1 file without the 1.1 columns: %v", err)
	}
}

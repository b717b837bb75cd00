package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/edge/drive"
)

func testOpts() Options {
	o := DefaultOptions()
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	return o
}

func openStore(t *testing.T) *analytics.Store {
	t.Helper()
	s, err := analytics.Open(context.Background(), analytics.DefaultOptions(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// 2026-05-01 03:30 UTC is still April 30 in Chicago: the image day follows
// the department's zone.
var base = time.Date(2026, 5, 1, 3, 30, 0, 0, time.UTC)

func reads(n, from int) []drive.Read {
	out := make([]drive.Read, n)
	for i := range out {
		id := fmt.Sprintf("0000%04x-0000-7000-8000-%012x", from+i, from+i)
		out[i] = drive.Read{ID: id, CapturedAt: base.Add(time.Duration(from+i) * time.Minute), Plate: fmt.Sprintf("AB%04d", from+i),
			RawText: "x", Confidence: 0.9, Candidates: []drive.Candidate{{Text: fmt.Sprintf("AB%04d", from+i), Confidence: 0.9}},
			Camera: "front", Vehicle: "car7", Officer: "4127", ShiftID: "s1", CropJPEG: []byte("jpeg-" + id)}
	}
	return out
}

func writeDrive(t *testing.T, dir string) {
	t.Helper()
	if _, err := drive.WriteRecords(filepath.Join(dir, "reads-car7-a-000001.arrows"), drive.KindReads, reads(10, 0)); err != nil {
		t.Fatal(err)
	}
	hits := []drive.Hit{{ID: "00000000-0000-7000-8000-0000000000aa", ReadID: reads(1, 3)[0].ID, AlertedAt: base, Plate: "AB0003",
		MatchedPlate: "AB0003", MatchKind: "exact", ListName: "NCIC", ListCode: "V", Priority: "medium", Reason: "Stolen vehicle"}}
	if _, err := drive.WriteRecords(filepath.Join(dir, "hits-car7-a-000002.arrows"), drive.KindHits, hits); err != nil {
		t.Fatal(err)
	}
}

// cropPaths returns every read's crop path by read id.
func cropPaths(t *testing.T, s *analytics.Store) map[string]string {
	t.Helper()
	rows, err := s.DB().Query("SELECT id, crop_path FROM reads")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, p string
		if err := rows.Scan(&id, &p); err != nil {
			t.Fatal(err)
		}
		out[id] = p
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func count(t *testing.T, s *analytics.Store, q string) int {
	t.Helper()
	var n int
	if err := s.DB().QueryRow(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestIngestExactlyOnce(t *testing.T) {
	dir := t.TempDir()
	writeDrive(t, dir)
	s := openStore(t)
	ctx := context.Background()
	rep, err := Drive(ctx, s, dir, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Loaded != 2 || rep.Rows[drive.KindReads] != 10 || rep.Rows[drive.KindHits] != 1 || rep.Images != 10 {
		t.Fatalf("first ingest: %+v", rep)
	}
	rep, err = Drive(ctx, s, dir, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Loaded != 0 || rep.AlreadyLoaded != 2 {
		t.Fatalf("second ingest loaded again: %+v", rep)
	}
	if n := count(t, s, "SELECT count(*) FROM reads"); n != 10 {
		t.Fatalf("reads %d after two ingests", n)
	}
	// Every row's image is where its crop_path says, under its local day.
	for id, p := range cropPaths(t, s) {
		if !strings.HasPrefix(p, "2026-04-30/") {
			t.Errorf("crop path %s: want the Chicago day 2026-04-30", p)
		}
		b, err := s.ReadImage(p)
		if err != nil || string(b) != "jpeg-"+id {
			t.Errorf("image of %s: %q %v", id, b, err)
		}
	}
}

func TestIngestBadFiles(t *testing.T) {
	cases := []struct {
		name       string
		spoil      func(t *testing.T, dir string)
		loaded     int
		reads      int
		quarantine string // substring of the reason, "" for none
		tail       bool
	}{
		{"flipped bit in a sealed file", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "reads-car7-a-000001.arrows")
			b, _ := os.ReadFile(p)
			b[len(b)/2] ^= 0x10
			if err := os.WriteFile(p, b, 0o640); err != nil {
				t.Fatal(err)
			}
		}, 1, 0, "checksum mismatch", false},
		{"torn tail of an unsealed file", func(t *testing.T, dir string) {
			tornFile(t, dir)
		}, 3, 13, "", true},
		{"unknown major version", func(t *testing.T, dir string) {
			futureFile(t, dir)
		}, 2, 10, `version "2.0"`, false},
		{"read id that would escape the image store", func(t *testing.T, dir string) {
			r := reads(1, 50)
			r[0].ID = "../../etc/passwd"
			if _, err := drive.WriteRecords(filepath.Join(dir, "reads-car7-b-000003.arrows"), drive.KindReads, r); err != nil {
				t.Fatal(err)
			}
		}, 2, 10, "not a hex identifier", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeDrive(t, dir)
			tc.spoil(t, dir)
			s := openStore(t)
			rep, err := Drive(context.Background(), s, dir, testOpts())
			if err != nil {
				t.Fatal(err)
			}
			if rep.Loaded != tc.loaded {
				t.Fatalf("loaded %d, want %d: %+v", rep.Loaded, tc.loaded, rep)
			}
			if n := count(t, s, "SELECT count(*) FROM reads"); n != tc.reads {
				t.Fatalf("reads %d, want %d", n, tc.reads)
			}
			if tc.quarantine == "" && len(rep.Quarantined) > 0 {
				t.Fatalf("quarantined %v", rep.Quarantined)
			}
			if tc.quarantine != "" {
				if len(rep.Quarantined) != 1 || !strings.Contains(rep.Quarantined[0], tc.quarantine) {
					t.Fatalf("quarantine %v, want one with %q", rep.Quarantined, tc.quarantine)
				}
				if n := count(t, s, "SELECT count(*) FROM ingest_quarantine"); n != 1 {
					t.Fatalf("quarantine rows %d", n)
				}
				// A second run sets the same bytes aside once, not twice.
				if _, err := Drive(context.Background(), s, dir, testOpts()); err != nil {
					t.Fatal(err)
				}
				if n := count(t, s, "SELECT count(*) FROM ingest_quarantine"); n != 1 {
					t.Fatalf("quarantine rows %d after a re-run", n)
				}
			}
			if tc.tail != (len(rep.Tails) == 1) {
				t.Fatalf("tails %v", rep.Tails)
			}
		})
	}
}

// tornFile leaves an unsealed reads file whose last batch is cut short:
// 3 complete batches of 1 read each, then half a batch.
func tornFile(t *testing.T, dir string) {
	p := filepath.Join(dir, "reads-car7-c-000004.arrows")
	w, err := drive.CreateFile(p, drive.KindReads)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reads(4, 100) {
		if err := w.Append(r); err != nil {
			t.Fatal(err)
		}
		w.Flush(true)
	}
	b, _ := os.ReadFile(p + ".tmp")
	if err := os.WriteFile(p, b[:len(b)-50], 0o640); err != nil {
		t.Fatal(err)
	}
	os.Remove(p + ".tmp")
}

// futureFile writes a reads file that claims format version 2.0.
func futureFile(t *testing.T, dir string) {
	s, _ := drive.Schema(drive.KindReads)
	md := arrow.NewMetadata([]string{drive.MetaFormat, drive.MetaVersion, drive.MetaKind}, []string{drive.FormatName, "2.0", "reads"})
	schema := arrow.NewSchema(s.Fields(), &md)
	f, err := os.Create(filepath.Join(dir, "reads-car7-d-000005.arrows"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := ipc.NewWriter(f, ipc.WithSchema(schema))
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	rec := b.NewRecordBatch()
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	rec.Release()
	w.Close()
}

func TestIngestEncryptedDrive(t *testing.T) {
	station, _ := age.GenerateX25519Identity()
	thief, _ := age.GenerateX25519Identity()
	dir := t.TempDir()
	w, err := drive.CreateFile(filepath.Join(dir, "reads-car7-e-000001"+drive.EncExt), drive.KindReads, station.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reads(5, 200) {
		if err := w.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Seal(); err != nil {
		t.Fatal(err)
	}
	// A file encrypted to someone else's key is set aside, not loaded.
	w2, _ := drive.CreateFile(filepath.Join(dir, "reads-car7-e-000002"+drive.EncExt), drive.KindReads, thief.Recipient())
	if err := w2.Append(reads(1, 300)[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := w2.Seal(); err != nil {
		t.Fatal(err)
	}
	s := openStore(t)
	o := testOpts()
	o.Identities = []age.Identity{station}
	rep, err := Drive(context.Background(), s, dir, o)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Loaded != 1 || rep.Rows[drive.KindReads] != 5 || len(rep.Quarantined) != 1 || !strings.Contains(rep.Quarantined[0], "cannot decrypt") {
		t.Fatalf("report %+v", rep)
	}
	if _, err := Drive(context.Background(), s, dir, testOpts()); !errors.Is(err, drive.ErrNoIdentity) {
		t.Fatalf("ingest without the station key: %v", err)
	}
}

// TestRecordInTwoFilesLoadsOnce: a car whose drive failed rewrote a file's
// reads to its own disk; the drive's salvaged tail holds some of them too.
func TestRecordInTwoFilesLoadsOnce(t *testing.T) {
	dir := t.TempDir()
	rs := reads(10, 0)
	if _, err := drive.WriteRecords(filepath.Join(dir, "reads-car7-a-000001"+drive.FileExt), drive.KindReads, rs[:6]); err != nil {
		t.Fatal(err)
	}
	if _, err := drive.WriteRecords(filepath.Join(dir, "reads-car7-b-000002"+drive.FileExt), drive.KindReads, rs); err != nil {
		t.Fatal(err)
	}
	s := openStore(t)
	if _, err := Drive(context.Background(), s, dir, testOpts()); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, "SELECT count(*) FROM reads"); n != 10 {
		t.Fatalf("%d reads, want each of 10 once", n)
	}
}

// TestCopiesAreLookedForOnlyWhereTheyCanBe: the per-row check for records
// already loaded runs only when the store holds rows of the file's car in
// the file's time window; another car's rows in the same window, or the
// same car's rows at another time, cannot be copies.
func TestCopiesAreLookedForOnlyWhereTheyCanBe(t *testing.T) {
	s := openStore(t)
	dir := t.TempDir()
	if _, err := drive.WriteRecords(filepath.Join(dir, "reads-car7-a-000001"+drive.FileExt), drive.KindReads, reads(10, 0)); err != nil {
		t.Fatal(err)
	}
	if _, err := Drive(context.Background(), s, dir, testOpts()); err != nil {
		t.Fatal(err)
	}
	otherCar := reads(10, 0)
	for i := range otherCar {
		otherCar[i].ID = strings.Replace(otherCar[i].ID, "-8000-", "-9000-", 1)
		otherCar[i].Vehicle = "car8"
	}
	tests := []struct {
		name string
		rs   []drive.Read
		want bool
	}{
		{"same car, same window", reads(10, 5), true},
		{"same car, one record in the window", reads(10, 9), true},
		{"same car, later window", reads(10, 10), false},
		{"other car, same window", otherCar, false},
	}
	l, err := newLoader(context.Background(), s, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	defer l.close()
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmp := t.TempDir()
			if _, err := drive.WriteRecords(filepath.Join(tmp, fmt.Sprintf("reads-car-x-%06d%s", i+2, drive.FileExt)), drive.KindReads, tt.rs); err != nil {
				t.Fatal(err)
			}
			fis, err := drive.List(tmp)
			if err != nil || len(fis) != 1 {
				t.Fatalf("list: %v %v", fis, err)
			}
			f, err := drive.ReadFile(fis[0])
			if err != nil {
				t.Fatal(err)
			}
			defer f.Release()
			lo, hi := timeWindow(f)
			vs, _ := fileVehicles(f)
			got, err := l.mayHoldCopies(context.Background(), f.Kind, vs, lo, hi)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("may hold copies: %v, want %v", got, tt.want)
			}
		})
	}
	// Loaded, every record is there once: the other car's ten, and car7's
	// 0–19 whichever way each file was loaded.
	for i, tt := range tests {
		if _, err := drive.WriteRecords(filepath.Join(dir, fmt.Sprintf("reads-car-y-%06d%s", i+2, drive.FileExt)), drive.KindReads, tt.rs); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Drive(context.Background(), s, dir, testOpts()); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, "SELECT count(*) FROM reads"); n != 30 {
		t.Errorf("%d reads, want 30 (car7's 20 and car8's 10, each once)", n)
	}
	if n := count(t, s, "SELECT count(DISTINCT id) FROM reads"); n != 30 {
		t.Errorf("%d distinct ids, want 30", n)
	}
}

// TestEveryKindLoadsOnceFromTwoFiles: a record of each kind in two files
// (a salvaged tail and the car's rewrite of it, which goes on) is loaded
// once, and the car's next record in the same window, a new one, is loaded
// too.
func TestEveryKindLoadsOnceFromTwoFiles(t *testing.T) {
	rd := reads(1, 0)[0]
	id := func(n int) string { return fmt.Sprintf("00000000-0000-7000-8000-%012x", 0xf00+n) }
	at := func(n int) time.Time { return base.Add(time.Duration(n) * time.Second) }
	tests := []struct {
		kind  drive.Kind
		table string
		write func(path string, ns []int) error
	}{
		{drive.KindReads, "reads", func(p string, ns []int) error {
			var rs []drive.Read
			for _, n := range ns {
				r := rd
				r.ID, r.CapturedAt = id(n), at(n)
				rs = append(rs, r)
			}
			_, err := drive.WriteRecords(p, drive.KindReads, rs)
			return err
		}},
		{drive.KindHits, "hits", func(p string, ns []int) error {
			var hs []drive.Hit
			for _, n := range ns {
				hs = append(hs, drive.Hit{ID: id(n), ReadID: rd.ID, AlertedAt: at(n), Plate: "AB0000", MatchedPlate: "AB0000", MatchKind: "exact",
					ListName: "NCIC", ListCode: "V", Priority: "medium", Reason: "Stolen vehicle", Vehicle: "car7"})
			}
			_, err := drive.WriteRecords(p, drive.KindHits, hs)
			return err
		}},
		{drive.KindDispositions, "dispositions", func(p string, ns []int) error {
			var ds []drive.Disposition
			for _, n := range ns {
				ds = append(ds, drive.Disposition{ID: id(n), HitID: id(0), At: at(n), Step: "confirm", Code: "confirmed", Vehicle: "car7"})
			}
			_, err := drive.WriteRecords(p, drive.KindDispositions, ds)
			return err
		}},
		{drive.KindShifts, "shift_events", func(p string, ns []int) error {
			var es []drive.ShiftEvent
			for _, n := range ns {
				es = append(es, drive.ShiftEvent{ID: id(n), ShiftID: "s1", At: at(n), Event: "gps", Officer: "4127", Vehicle: "car7", Cameras: []string{"front"}})
			}
			_, err := drive.WriteRecords(p, drive.KindShifts, es)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			dir := t.TempDir()
			// The tail holds records 0 and 1; the rewrite 0, 1, 2 and 4;
			// the next file 3, inside the rewrite's window.
			for i, ns := range [][]int{{0, 1}, {0, 1, 2, 4}, {3}} {
				if err := tt.write(filepath.Join(dir, fmt.Sprintf("%s-car7-a-%06d%s", tt.kind, i+1, drive.FileExt)), ns); err != nil {
					t.Fatal(err)
				}
			}
			s := openStore(t)
			rep, err := Drive(context.Background(), s, dir, testOpts())
			if err != nil {
				t.Fatal(err)
			}
			if rep.Loaded != 3 {
				t.Fatalf("%d files loaded, want 3: %+v", rep.Loaded, rep)
			}
			if n := count(t, s, "SELECT count(*) FROM "+tt.table); n != 5 {
				t.Errorf("%d rows in %s, want 5 (records 0 to 4, each once)", n, tt.table)
			}
		})
	}
}

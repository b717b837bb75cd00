package retention

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/edge/drive"
	"github.com/plateward/alpr/ingest"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// shiftStore loads, through ingest, reads with crops on two days (March
// 10 and November 20, Chicago), overview images on every other read, a hit
// on each read of AB1C2D, and a disposition on each hit.
func shiftStore(t *testing.T) *analytics.Store {
	t.Helper()
	st, err := analytics.Open(context.Background(), analytics.DefaultOptions(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	dir := t.TempDir()
	var reads []drive.Read
	var hits []drive.Hit
	var disps []drive.Disposition
	for d, day := range []time.Time{time.Date(2026, 3, 10, 18, 0, 0, 0, time.UTC), time.Date(2026, 11, 20, 18, 0, 0, 0, time.UTC)} {
		for i, p := range []string{"AB1C2D", "AB1C2D", "XYZ123", "QRS456"} {
			id := fmt.Sprintf("0000%d%03d-0000-7000-8000-000000000000", d, i)
			at := day.Add(time.Duration(i) * time.Minute)
			r := drive.Read{ID: id, CapturedAt: at, Plate: p, Camera: "front", Vehicle: "car7", Officer: "4127",
				ShiftID: "s", CropJPEG: []byte("jpeg " + id), Candidates: []drive.Candidate{{Text: p, Confidence: 1}}}
			if i%2 == 0 {
				r.OverviewJPEG = []byte("overview " + id) // reads 0 (held) and 2 (not) have one
			}
			reads = append(reads, r)
			if p == "AB1C2D" {
				hid := fmt.Sprintf("0000%d%03d-0000-7000-8000-0000000000aa", d, i)
				hits = append(hits, drive.Hit{ID: hid, ReadID: id, AlertedAt: at, Plate: p, MatchedPlate: p, MatchKind: "exact",
					ListName: "NCIC", ListCode: "V", Priority: "medium", Reason: "Stolen vehicle"})
				disps = append(disps, drive.Disposition{ID: fmt.Sprintf("0000%d%03d-0000-7000-8000-0000000000dd", d, i), HitID: hid,
					At: at.Add(time.Minute), Step: "disposition", Code: "misread"})
			}
		}
	}
	if _, err := drive.WriteRecords(filepath.Join(dir, "reads-car7-a-000001"+drive.FileExt), drive.KindReads, reads); err != nil {
		t.Fatal(err)
	}
	if _, err := drive.WriteRecords(filepath.Join(dir, "hits-car7-a-000002"+drive.FileExt), drive.KindHits, hits); err != nil {
		t.Fatal(err)
	}
	if _, err := drive.WriteRecords(filepath.Join(dir, "dispositions-car7-a-000003"+drive.FileExt), drive.KindDispositions, disps); err != nil {
		t.Fatal(err)
	}
	io := ingest.DefaultOptions()
	io.Logger = quiet()
	if _, err := ingest.Drive(context.Background(), st, dir, io); err != nil {
		t.Fatal(err)
	}
	return st
}

func count(t *testing.T, st *analytics.Store, q string, args ...any) int {
	t.Helper()
	var n int
	if err := st.DB().QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func purgeOpts(t *testing.T) PurgeOptions {
	p, _ := DefaultPolicy()
	return PurgeOptions{Policy: p, PolicyVersion: "default-v1", Actor: "test", Logger: quiet()}
}

func TestPurgeKeepsHeldRecordsAndLogsDestruction(t *testing.T) {
	st := shiftStore(t)
	ctx := context.Background()
	if _, err := st.DB().Exec(`INSERT INTO holds (id, case_number, plate, requester, reason, created_at, created_by)
		VALUES ('h1', '26-77', 'AB1C2D', 'det.smith', 'robbery evidence', now(), 'clerk')`); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	rep, err := Purge(ctx, st, purgeOpts(t), now)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Reads != 2 || rep.Held != 2 || rep.Hits != 0 || len(rep.Days) != 1 || rep.Days[0] != "2026-03-10" {
		t.Fatalf("report %+v", rep)
	}
	if n := count(t, st, "SELECT count(*) FROM reads"); n != 6 {
		t.Fatalf("%d reads left, want the 4 recent and the 2 held", n)
	}
	if n := count(t, st, "SELECT count(*) FROM hits"); n != 4 {
		t.Fatalf("%d hits left: the held reads' hits must stay", n)
	}
	// Held reads point at their evidence copies, crops and overviews; the
	// day folder is gone.
	rows, _ := st.DB().Query("SELECT crop_path, coalesce(overview_path, '') FROM reads WHERE plate = 'AB1C2D' AND captured_at < '2026-06-01'")
	overviews := 0
	for rows.Next() {
		var crop, over string
		if err := rows.Scan(&crop, &over); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{crop, over} {
			if p == "" {
				continue
			}
			if !strings.HasPrefix(p, EvidenceDir+"/") {
				t.Errorf("held read's image %s is not in the evidence store", p)
			}
			if _, err := os.Stat(filepath.Join(st.ImageRoot(), p)); err != nil {
				t.Errorf("held read's image %s: %v", p, err)
			}
		}
		if over != "" {
			overviews++
		}
	}
	rows.Close()
	if overviews != 1 {
		t.Fatalf("%d held overviews, want 1", overviews)
	}
	// Destroyed images are logged per series: reads 2 and 3 had crops, read
	// 2 an overview.
	for series, want := range map[string]int{SeriesPlateImages: 2, SeriesOverviewImages: 1} {
		if n := count(t, st, "SELECT coalesce(sum(rows_destroyed), 0) FROM destruction_log WHERE series = ?", series); n != want {
			t.Errorf("%s destroyed %d, want %d", series, n, want)
		}
	}
	if rep.Images != 3 {
		t.Errorf("report says %d images destroyed, want 3", rep.Images)
	}
	if _, err := os.Stat(filepath.Join(st.ImageRoot(), "2026-03-10")); !os.IsNotExist(err) {
		t.Fatalf("day folder still there: %v", err)
	}
	var sha string
	var destroyed int
	if err := st.DB().QueryRow("SELECT ids_sha256, rows_destroyed FROM destruction_log WHERE series = 'reads'").Scan(&sha, &destroyed); err != nil {
		t.Fatal(err)
	}
	if want := digest([]string{"00000002-0000-7000-8000-000000000000", "00000003-0000-7000-8000-000000000000"}); sha != want || destroyed != 2 {
		t.Fatalf("destruction log %s %d, want %s 2", sha, destroyed, want)
	}
}

func TestHoldPlacedDuringPurgeIsHonoured(t *testing.T) {
	st := shiftStore(t)
	o := purgeOpts(t)
	o.beforeSweep = func() {
		if _, err := st.DB().Exec(`INSERT INTO holds (id, case_number, plate, requester, reason, created_at, created_by)
			VALUES ('late', '26-99', 'XYZ123', 'det.jones', 'placed while the purge ran', now(), 'clerk')`); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Purge(context.Background(), st, o, time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if n := count(t, st, "SELECT count(*) FROM reads WHERE plate = 'XYZ123'"); n != 2 {
		t.Fatalf("the late hold's reads: %d left, want both", n)
	}
}

func TestCrashMidPurgeIsResumed(t *testing.T) {
	st := shiftStore(t)
	o := purgeOpts(t)
	o.crashAfter = "rows"
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	if _, err := Purge(context.Background(), st, o, now); err == nil {
		t.Fatal("the simulated crash did not stop the purge")
	}
	// After the crash: rows gone, images still there (never the other way).
	if n := count(t, st, "SELECT count(*) FROM reads WHERE captured_at < '2026-06-01'"); n != 0 {
		t.Fatalf("%d old reads after the crash", n)
	}
	if _, err := os.Stat(filepath.Join(st.ImageRoot(), "2026-03-10")); err != nil {
		t.Fatalf("the crash should leave the image folder: %v", err)
	}
	rep, err := Purge(context.Background(), st, purgeOpts(t), now)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Resumed != 1 {
		t.Fatalf("resumed %d days, want 1", rep.Resumed)
	}
	if _, err := os.Stat(filepath.Join(st.ImageRoot(), "2026-03-10")); !os.IsNotExist(err) {
		t.Fatalf("image folder not removed by the resumed run: %v", err)
	}
	if n := count(t, st, "SELECT count(*) FROM destruction_log WHERE series = 'reads'"); n != 1 {
		t.Fatalf("%d destruction log rows for reads, want one", n)
	}
}

func TestPurgeWithoutHoldsTakesHitsAndDispositions(t *testing.T) {
	st := shiftStore(t)
	rep, err := Purge(context.Background(), st, purgeOpts(t), time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Reads != 4 || rep.Hits != 2 || rep.Images != 6 { // 4 crops, 2 overviews
		t.Fatalf("report %+v", rep)
	}
	for table, want := range map[string]int{"reads": 4, "hits": 2, "dispositions": 2} {
		if n := count(t, st, "SELECT count(*) FROM "+table); n != want {
			t.Errorf("%s: %d left, want %d (the recent day's)", table, n, want)
		}
	}
	// A second run the same night destroys nothing more.
	rep, err = Purge(context.Background(), st, purgeOpts(t), time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	if err != nil || rep.Reads != 0 || len(rep.Days) != 0 {
		t.Fatalf("second run: %+v %v", rep, err)
	}
}

// A hold on a hit keeps the hit and its read, and only those.
func TestHoldOnAHitKeepsItsRead(t *testing.T) {
	st := shiftStore(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	if _, err := AddHold(ctx, st, NewHold{Case: "26-8", HitID: "no-such-hit", Requester: "det", Reason: "x"}, "clerk", now); err == nil {
		t.Fatal("a hold on an unknown hit was accepted")
	}
	hit := "00000000-0000-7000-8000-0000000000aa" // March 10, read 0
	if _, err := AddHold(ctx, st, NewHold{Case: "26-8", HitID: hit, Requester: "det", Reason: "stolen car recovered"}, "clerk", now); err != nil {
		t.Fatal(err)
	}
	rep, err := Purge(ctx, st, purgeOpts(t), now)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Reads != 3 || rep.Held != 1 || rep.Hits != 1 {
		t.Fatalf("report %+v: want 3 reads and 1 hit destroyed, 1 read held", rep)
	}
	if n := count(t, st, "SELECT count(*) FROM hits WHERE id = ?", hit); n != 1 {
		t.Fatal("the held hit is gone")
	}
	if n := count(t, st, "SELECT count(*) FROM reads WHERE id = '00000000-0000-7000-8000-000000000000'"); n != 1 {
		t.Fatal("the held hit's read is gone")
	}
}

// The dispatch board's copy of a hit goes with the hit; a copy whose hit
// never reached the store goes when the hits' period ends.
func TestDispatchCopiesAreDestroyed(t *testing.T) {
	st := shiftStore(t)
	ctx := context.Background()
	for _, c := range []struct {
		id string
		at time.Time
	}{
		{"00000000-0000-7000-8000-0000000000aa", time.Date(2026, 3, 10, 18, 0, 0, 0, time.UTC)}, // March's hit, in the store
		{"orphan-march", time.Date(2026, 3, 11, 18, 0, 0, 0, time.UTC)},                         // its drive never loaded
		{"orphan-november", time.Date(2026, 11, 21, 18, 0, 0, 0, time.UTC)},                     // recent
	} {
		if _, err := st.DB().Exec(`INSERT INTO dispatch_hits (id, vehicle, alerted_at, plate, matched_plate, match_kind, list_name, priority, reason, has_fix, received_at)
			VALUES (?, 'car7', ?, 'AB1C2D', 'AB1C2D', 'exact', 'NCIC', 'medium', 'Stolen vehicle', false, ?)`, c.id, c.at, c.at); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Purge(ctx, st, purgeOpts(t), time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	var left []string
	rows, _ := st.DB().Query(`SELECT id FROM dispatch_hits ORDER BY id`)
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		left = append(left, id)
	}
	rows.Close()
	if len(left) != 1 || left[0] != "orphan-november" {
		t.Fatalf("dispatch copies left %v, want only the recent one", left)
	}
	if n := count(t, st, `SELECT count(*) FROM destruction_log WHERE series = ?`, SeriesDispatchCopies); n != 1 {
		t.Fatalf("%d destruction-log rows for the orphan copy", n)
	}
}

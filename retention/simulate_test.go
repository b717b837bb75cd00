package retention

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/analytics/imagepack"
	"github.com/plateward/alpr/edge/drive"
	"github.com/plateward/alpr/ingest"
)

// fakeClock is the simulation's time.
type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time                       { return c.now }
func (c *fakeClock) After(time.Duration) <-chan time.Time { return nil }

// storeBytes is the size of the store's files: database and image store.
func storeBytes(t *testing.T, dir string) (db, images int64) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if rel, _ := filepath.Rel(dir, p); filepath.Dir(rel) == "." {
			db += info.Size()
		} else {
			images += info.Size()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return db, images
}

// dayDrive writes one simulated shift's drive: readsPerDay reads with
// plate crops and one hit with its disposition, in the afternoon of day.
func dayDrive(t *testing.T, dir string, day time.Time, n int, plates func(i int) string) {
	t.Helper()
	var reads []drive.Read
	var hits []drive.Hit
	var disps []drive.Disposition
	crop := make([]byte, 2048)
	for i := range n {
		id := fmt.Sprintf("%08x-%04x-7000-8000-000000000000", day.Unix()/86400, i)
		at := day.Add(14*time.Hour + time.Duration(i)*time.Minute)
		p := plates(i)
		reads = append(reads, drive.Read{ID: id, CapturedAt: at, Plate: p, Camera: "front", Vehicle: "car7", Officer: "4127",
			ShiftID: "s", CropJPEG: crop, Candidates: []drive.Candidate{{Text: p, Confidence: 1}}})
		if i == 0 {
			hid := id[:len(id)-2] + "aa"
			hits = append(hits, drive.Hit{ID: hid, ReadID: id, AlertedAt: at, Plate: p, MatchedPlate: p, MatchKind: "exact",
				ListName: "NCIC", ListCode: "V", Priority: "medium", Reason: "Stolen vehicle"})
			disps = append(disps, drive.Disposition{ID: id[:len(id)-2] + "dd", HitID: hid, At: at.Add(time.Minute), Step: "disposition", Code: "misread"})
		}
	}
	name := func(kind string, seq int) string {
		return filepath.Join(dir, fmt.Sprintf("%s-car7-%s-%06d%s", kind, day.Format("20060102"), seq, drive.FileExt))
	}
	if _, err := drive.WriteRecords(name("reads", 1), drive.KindReads, reads); err != nil {
		t.Fatal(err)
	}
	if _, err := drive.WriteRecords(name("hits", 2), drive.KindHits, hits); err != nil {
		t.Fatal(err)
	}
	if _, err := drive.WriteRecords(name("dispositions", 3), drive.KindDispositions, disps); err != nil {
		t.Fatal(err)
	}
}

// Twenty-four months of daily ingest through the real ingest path and a
// nightly purge run by the scheduler on a simulated clock: the reads, the
// image store and the database settle near six months of data, and a held
// read survives the whole time.
func TestTwentyFourMonthsSettleNearSixMonths(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := analytics.Open(ctx, analytics.DefaultOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p, err := DefaultPolicy()
	if err != nil {
		t.Fatal(err)
	}
	chi := p.Zone
	clock := &fakeClock{}
	so := DefaultSchedulerOptions(st)
	so.Clock, so.Logger = clock, quiet()
	sched, err := NewScheduler([]Job{PurgeJob(st, p, DefaultPurgeSpec, quiet(), nil)}, so)
	if err != nil {
		t.Fatal(err)
	}
	io := ingest.DefaultOptions()
	io.Logger = quiet()
	const perDay = 4
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, chi)
	var sizes []int64 // database + images at the end of each month
	var heldID string
	var purgeTime time.Duration
	for d := 0; d < 730; d++ {
		day := start.AddDate(0, 0, d)
		drv := t.TempDir()
		dayDrive(t, drv, day, perDay, func(i int) string { return fmt.Sprintf("SIM%03d", (d*perDay+i)%997) })
		if _, err := ingest.Drive(ctx, st, drv, io); err != nil {
			t.Fatal(err)
		}
		os.RemoveAll(drv)
		if d == 10 {
			// A detective holds the first read of day 10 as evidence.
			heldID = fmt.Sprintf("%08x-%04x-7000-8000-000000000000", day.Unix()/86400, 0)
			if _, err := AddHold(ctx, st, NewHold{Case: "25-0111", ReadID: heldID, Requester: "det.ruiz", Reason: "burglary evidence"}, "clerk", day.Add(20*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		next := day.AddDate(0, 0, 1)
		clock.now = time.Date(next.Year(), next.Month(), next.Day(), 3, 20, 0, 0, chi) // after 03:15
		t0 := time.Now()
		if err := sched.Tick(ctx, clock.now, false); err != nil {
			t.Fatal(err)
		}
		purgeTime += time.Since(t0)
		// After the first six months and a day, the store holds the
		// days not yet due, between 181 and 185 (month lengths), and the
		// held read.
		if kept := count(t, st, `SELECT count(*) FROM reads`); d >= 190 && (kept < 181*perDay || kept > 185*perDay+1) {
			t.Fatalf("day %d (%s): %d reads kept, want 181–185 days' worth and the held one", d, day.Format("2006-01-02"), kept)
		}
		if next := day.AddDate(0, 0, 1); next.Day() == 1 {
			db, img := storeBytes(t, dir)
			sizes = append(sizes, db+img)
		}
	}
	if n := count(t, st, `SELECT count(*) FROM reads WHERE id = ?`, heldID); n != 1 {
		t.Fatalf("the held read is gone after 24 months")
	}
	var crop string
	if err := st.DB().QueryRow(`SELECT crop_path FROM reads WHERE id = ?`, heldID).Scan(&crop); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ReadImage(crop); err != nil {
		t.Fatalf("the held read's crop is gone: %v", err)
	}
	// Images are files (evidence copies) or entries of day packs.
	imgs := 0
	if err := filepath.WalkDir(st.ImageRoot(), func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir():
		case strings.HasSuffix(p, imagepack.Ext):
			es, err := imagepack.Scan(p)
			imgs += len(es)
			return err
		default:
			imgs++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	reads := count(t, st, `SELECT count(*) FROM reads`)
	if imgs != reads {
		t.Fatalf("%d images for %d reads", imgs, reads)
	}
	if runs := count(t, st, `SELECT count(*) FROM job_runs WHERE job = ? AND ok`, PurgeJobName); runs != 730 {
		t.Fatalf("%d nightly purges ran, want 730", runs)
	}
	// The store settles instead of growing with the months: its largest
	// size in the second year stays within 25 % of its largest in months
	// 7–12 (a store that kept everything would double). Sizes at a month
	// end move with DuckDB's block reuse, hence the maxima. Measured:
	// months 7–12 at most 8.9 MB, months 13–24 at most 9.9 MB (the
	// ingest manifest, job runs and destruction log grow by a few small
	// rows a day, by design).
	peak := func(ms []int64) int64 { return slices.Max(ms) }
	first, second := peak(sizes[6:12]), peak(sizes[12:])
	t.Logf("nightly purges took %s in all", purgeTime)
	t.Logf("store bytes at each month end: %v; %d reads and %d images kept", sizes, reads, imgs)
	if float64(second) > 1.25*float64(first) {
		t.Fatalf("store grew from at most %d bytes in months 7–12 to %d in the second year", first, second)
	}
}

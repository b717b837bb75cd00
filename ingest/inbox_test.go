package ingest

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/plateward/alpr/edge/drive"
)

// Two drives copied into the inbox: the one that settled loads and its
// folder empties; the one still being copied waits; a copy of the first
// arriving again loads nothing.
func TestInboxLoadsSettledDrivesOnce(t *testing.T) {
	inbox := t.TempDir()
	s := openStore(t)
	ctx := context.Background()
	now := time.Now()
	settled, copying := filepath.Join(inbox, "car7-1126"), filepath.Join(inbox, "car9-1126")
	for _, d := range []string{settled, copying} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			t.Fatal(err)
		}
		writeDrive(t, d)
	}
	// The settled drive's files were written two minutes ago.
	if err := filepath.Walk(settled, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Chtimes(p, now.Add(-2*time.Minute), now.Add(-2*time.Minute))
	}); err != nil {
		t.Fatal(err)
	}
	o := testOpts()
	o.Now = func() time.Time { return now }
	ds, err := Inbox(ctx, s, inbox, time.Minute, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].Dir != settled || ds[0].Report.Loaded != 2 || ds[0].Report.Rows[drive.KindReads] != 10 {
		t.Fatalf("first pass %+v", ds)
	}
	if _, err := os.Stat(settled); !os.IsNotExist(err) {
		t.Fatalf("the loaded drive's folder is still in the inbox: %v", err)
	}
	if _, err := os.Stat(copying); err != nil {
		t.Fatal("the drive still being copied was touched")
	}
	// The same drive copied in again, settled: nothing loads twice.
	if err := os.MkdirAll(settled, 0o750); err != nil {
		t.Fatal(err)
	}
	writeDrive(t, settled)
	o.Now = func() time.Time { return now.Add(5 * time.Minute) }
	ds, err = Inbox(ctx, s, inbox, time.Minute, o)
	if err != nil {
		t.Fatal(err)
	}
	loaded := 0
	for _, d := range ds {
		loaded += d.Report.Loaded
	}
	// car9's drive is the same test drive: its files are already loaded too.
	if len(ds) != 2 || loaded != 0 || count(t, s, "SELECT count(*) FROM reads") != 10 {
		t.Fatalf("second pass loaded %d files: %+v", loaded, ds)
	}
	if left, _ := os.ReadDir(inbox); len(left) != 0 {
		t.Fatalf("the inbox still holds %d entries", len(left))
	}
}

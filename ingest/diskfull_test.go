package ingest

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/edge/drive"
	"github.com/plateward/alpr/internal/testmount"
)

// TestStoreDiskFullThenFreed loads a drive into a store whose disk fills
// up half-way: the ingest fails with the disk's error, every file it did
// load is whole (its rows and its images), and once IT frees space the
// same ingest loads the rest, every read exactly once.
func TestStoreDiskFullThenFreed(t *testing.T) {
	const files, per = 10, 200
	driveDir, storeDir := t.TempDir(), t.TempDir()
	for f := range files {
		rs := reads(per, f*per)
		for i := range rs {
			rs[i].CropJPEG = make([]byte, 8<<10) // 1.6 MB of crops a file
			copy(rs[i].CropJPEG, rs[i].ID)
		}
		if _, err := drive.WriteRecords(filepath.Join(driveDir, fmt.Sprintf("reads-car7-a-%06d.arrows", f+1)), drive.KindReads, rs); err != nil {
			t.Fatal(err)
		}
	}
	testmount.Tmpfs(t, storeDir, "8m")
	ctx := context.Background()
	s, err := analytics.Open(ctx, analytics.DefaultOptions(storeDir))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rep, err := Drive(ctx, s, driveDir, testOpts())
	if err == nil {
		t.Fatalf("a 16 MB drive loaded into an 8 MB disk without an error: %+v", rep)
	}
	t.Logf("disk full: %v (%d files loaded)", err, rep.Loaded)
	whole := func(want int) {
		t.Helper()
		if n := count(t, s, "SELECT count(*) FROM reads"); n != want {
			t.Fatalf("%d reads in the store, want %d (whole files only)", n, want)
		}
		if n := count(t, s, "SELECT count(DISTINCT id) FROM reads"); n != want {
			t.Fatalf("%d distinct reads, want %d", n, want)
		}
		for id, p := range cropPaths(t, s) {
			b, err := s.ReadImage(p)
			if err != nil || len(b) != 8<<10 || string(b[:len(id)]) != id {
				t.Fatalf("image of %s: %d bytes, %v", id, len(b), err)
			}
		}
	}
	whole(rep.Loaded * per)
	testmount.Remount(t, storeDir, "size=256m")
	rep, err = Drive(ctx, s, driveDir, testOpts())
	if err != nil {
		t.Fatalf("after space was freed: %v", err)
	}
	whole(files * per)
	if len(rep.Quarantined) > 0 {
		t.Fatalf("quarantined after a full disk: %v", rep.Quarantined)
	}
}

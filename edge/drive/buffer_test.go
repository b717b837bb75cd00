package drive

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/plateward/alpr/internal/testmount"
)

// tmpfsDrive makes base/drive a tmpfs of size: a real drive that fills
// up or turns read-only.
func tmpfsDrive(t *testing.T, size string) (base, driveDir string) {
	t.Helper()
	base = t.TempDir()
	driveDir = filepath.Join(base, "drive")
	if err := os.MkdirAll(driveDir, 0o750); err != nil {
		t.Fatal(err)
	}
	testmount.Tmpfs(t, driveDir, size)
	return base, driveDir
}

// bufferedRecorder records to driveDir in batches of 5, with the car's
// buffer under base, probing the drive every second of its fake clock.
func bufferedRecorder(t *testing.T, base, driveDir string) (*Recorder, *fakeClock, Options) {
	t.Helper()
	clk := &fakeClock{t: time.Date(2026, 5, 1, 14, 0, 0, 0, time.UTC)}
	opts := DefaultOptions(driveDir, "car7")
	opts.BatchRows, opts.Now, opts.Logger = 5, clk.Now, quiet()
	opts.BufferDir, opts.ProbeEvery = filepath.Join(base, "buffer"), time.Second
	rec, err := NewRecorder(opts)
	if err != nil {
		t.Fatal(err)
	}
	return rec, clk, opts
}

// addReadAndHit records read i and a hit on it, as rNNNNN and hNNNNN.
func addReadAndHit(t *testing.T, rec *Recorder, i int, at time.Time) {
	t.Helper()
	r := sampleRead(i)
	r.ID = fmt.Sprintf("r%05d", i)
	if err := rec.Add(r); err != nil {
		t.Fatalf("read %d: %v", i, err)
	}
	if err := rec.Add(Hit{ID: fmt.Sprintf("h%05d", i), ReadID: r.ID, AlertedAt: at}); err != nil {
		t.Fatalf("hit %d: %v", i, err)
	}
}

// closeAndCheckOnce closes rec, salvages what is left on the drive, and
// checks that each of the first n reads and hits of addReadAndHit is on
// it exactly once.
func closeAndCheckOnce(t *testing.T, rec *Recorder, driveDir string, n int) {
	t.Helper()
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := Salvage(driveDir, quiet()); err != nil {
		t.Fatal(err)
	}
	ids := readIDs(t, driveDir)
	for i := range n {
		for _, id := range []string{fmt.Sprintf("r%05d", i), fmt.Sprintf("h%05d", i)} {
			if ids[id] != 1 {
				t.Fatalf("%s on the drive %d times", id, ids[id])
			}
		}
	}
}

// readIDs reads every file of a drive (with the identities, if encrypted)
// and counts the IDs of its reads and hits.
func readIDs(t *testing.T, dir string, idents ...age.Identity) map[string]int {
	t.Helper()
	files, err := List(dir)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int{}
	for _, fi := range files {
		f, err := ReadFile(fi, idents...)
		if err != nil {
			t.Fatalf("%s: %v", fi.Name, err)
		}
		for _, b := range f.Batches {
			switch f.Kind {
			case KindReads:
				for _, r := range DecodeReads(b) {
					ids[r.ID]++
				}
			case KindHits:
				for _, h := range DecodeHits(b) {
					ids[h.ID]++
				}
			}
		}
		f.Release()
	}
	return ids
}

// TestDriveFullThenReplaced fills a 1 MiB drive, keeps recording to the
// car's disk, then gets a new drive: every read and hit ends on the drive
// exactly once.
func TestDriveFullThenReplaced(t *testing.T) {
	base, driveDir := tmpfsDrive(t, "1m")
	clk := &fakeClock{t: time.Date(2026, 5, 1, 14, 0, 0, 0, time.UTC)}
	opts := DefaultOptions(driveDir, "car7")
	opts.BatchRows, opts.Now, opts.Logger = 20, clk.Now, quiet()
	opts.BufferDir, opts.ProbeEvery = filepath.Join(base, "buffer"), time.Second
	var states []State
	opts.OnState = func(s State) { states = append(states, s) }
	rec, err := NewRecorder(opts)
	if err != nil {
		t.Fatal(err)
	}
	add := func(i int) {
		t.Helper()
		r := sampleRead(i)
		r.ID = fmt.Sprintf("r%05d", i)
		r.CropJPEG = make([]byte, 3000)
		if err := rec.Add(r); err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
		if i%50 == 0 {
			if err := rec.Add(Hit{ID: fmt.Sprintf("h%05d", i), ReadID: r.ID, AlertedAt: clk.t}); err != nil {
				t.Fatalf("hit %d: %v", i, err)
			}
		}
		clk.t = clk.t.Add(100 * time.Millisecond)
	}
	for i := range 600 { // about 1.8 MB of crops: the drive fills
		add(i)
	}
	if !rec.State().Buffering || len(states) == 0 {
		t.Fatalf("a full drive did not switch to the buffer: %+v", rec.State())
	}
	// The officer swaps in a new, empty drive.
	if err := exec.Command("umount", driveDir).Run(); err != nil {
		t.Fatal(err)
	}
	testmount.Tmpfs(t, driveDir, "64m")
	for i := 600; i < 700; i++ {
		add(i)
	}
	if rec.State().Buffering {
		t.Fatal("the new drive was not taken back")
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	ids := readIDs(t, driveDir)
	for i := range 700 {
		id := fmt.Sprintf("r%05d", i)
		if ids[id] != 1 {
			t.Fatalf("read %s is on the new drive %d times", id, ids[id])
		}
	}
	left, _ := os.ReadDir(opts.BufferDir)
	if len(left) != 0 {
		t.Fatalf("buffer not emptied: %d files", len(left))
	}
}

// TestDriveReadOnly is a write-protected USB stick (or one the kernel
// mounted read-only after an I/O error) at the start of a shift, made
// writable later: the reader buffers on the car's disk meanwhile, and
// every read and hit ends on the drive exactly once. (A file system
// cannot be turned read-only under open files: the kernel refuses.)
func TestDriveReadOnly(t *testing.T) {
	base, driveDir := tmpfsDrive(t, "16m")
	testmount.Remount(t, driveDir, "ro")
	rec, clk, opts := bufferedRecorder(t, base, driveDir)
	const n = 30
	for i := range n {
		if i == 20 {
			if !rec.State().Buffering {
				t.Fatalf("a read-only drive did not switch to the buffer: %+v", rec.State())
			}
			testmount.Remount(t, driveDir, "rw")
		}
		addReadAndHit(t, rec, i, clk.t)
		clk.t = clk.t.Add(2 * time.Second)
	}
	if rec.State().Buffering {
		t.Fatal("the drive, writable again, was not taken back")
	}
	closeAndCheckOnce(t, rec, driveDir, n)
	if left, _ := os.ReadDir(opts.BufferDir); len(left) != 0 {
		t.Fatalf("buffer not emptied: %d files", len(left))
	}
}

// TestDriveMissingThenBack pulls the drive (its folder disappears) and
// puts it back.
func TestDriveMissingThenBack(t *testing.T) {
	base := t.TempDir()
	driveDir := filepath.Join(base, "drive")
	rec, clk, _ := bufferedRecorder(t, base, driveDir)
	for i := range 12 {
		if i == 7 {
			if err := os.Rename(driveDir, driveDir+".pulled"); err != nil { // the drive is pulled
				t.Fatal(err)
			}
		}
		if i == 10 {
			if err := os.Rename(driveDir+".pulled", driveDir); err != nil { // and plugged back in
				t.Fatal(err)
			}
			clk.t = clk.t.Add(2 * time.Second)
		}
		addReadAndHit(t, rec, i, clk.t)
	}
	closeAndCheckOnce(t, rec, driveDir, 12)
}

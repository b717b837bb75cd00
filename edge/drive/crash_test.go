package drive

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"filippo.io/age"
)

// TestMain lets the test binary play a patrol car's recorder that the crash
// test kills: it records reads and, every seventh read, a hit, and prints
// each hit's ID once Add has returned (the hit is then on the drive).
func TestMain(m *testing.M) {
	if dir := os.Getenv("ALPR_DRIVE_CHILD_DIR"); dir != "" {
		os.Exit(recorderChild(dir, os.Getenv("ALPR_DRIVE_CHILD_RUN"), os.Getenv("ALPR_DRIVE_CHILD_RECIPIENT")))
	}
	os.Exit(m.Run())
}

func recorderChild(dir, run, recipient string) int {
	opts := DefaultOptions(dir, "car7")
	if recipient != "" {
		r, err := age.ParseX25519Recipient(recipient)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		opts.Recipients = []age.Recipient{r}
	}
	// Small files and batches: rotations, seals and batch flushes happen
	// many times a second, so a kill lands in the middle of each.
	opts.BatchRows, opts.MaxFileBytes, opts.Logger = 8, 16<<10, quiet()
	rec, err := NewRecorder(opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	out := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		r := sampleRead(i % 1000)
		r.ID = fmt.Sprintf("%s-r%d", run, i)
		if err := rec.Add(r); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 3
		}
		if i%7 == 0 {
			h := Hit{ID: fmt.Sprintf("%s-h%d", run, i), ReadID: r.ID, AlertedAt: r.CapturedAt, Plate: r.Plate, Vehicle: "car7"}
			if err := rec.Add(h); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 3
			}
			fmt.Fprintln(out, h.ID)
			out.Flush()
		}
	}
}

// TestKilledRecorderLosesNoHit kills a recording car with SIGKILL at random
// moments, again and again, restarting it on the same drive each time (the
// restart salvages what the kill left). Afterwards every file on the drive
// must read — sealed ones whole, salvaged tails up to their last complete
// batch — every hit whose Add returned must be there exactly once, and no
// read may be there twice.
func TestKilledRecorderLosesNoHit(t *testing.T) {
	if testing.Short() {
		t.Skip("crash loop")
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	t.Run("plain", func(t *testing.T) { killRecorderLoop(t, nil) })
	t.Run("encrypted", func(t *testing.T) { killRecorderLoop(t, id) })
}

func killRecorderLoop(t *testing.T, id *age.X25519Identity) {
	dir := t.TempDir()
	recipient := ""
	var ids []age.Identity
	if id != nil {
		recipient, ids = id.Recipient().String(), []age.Identity{id}
	}
	rng := rand.New(rand.NewPCG(11, 12))
	var acked []string
	const runs = 8
	for run := range runs {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "ALPR_DRIVE_CHILD_DIR="+dir, fmt.Sprintf("ALPR_DRIVE_CHILD_RUN=k%d", run),
			"ALPR_DRIVE_CHILD_RECIPIENT="+recipient)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan []string, 1)
		go func() {
			var ids []string
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				ids = append(ids, sc.Text())
			}
			_, _ = io.Copy(io.Discard, stdout) // drain whatever the killed child left; its ids are what matter
			lines <- ids
		}()
		time.Sleep(time.Duration(150+rng.IntN(400)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatalf("run %d: kill: %v (stderr %s)", run, err, stderr.String())
		}
		ids := <-lines
		_ = cmd.Wait() // killed on purpose: "signal: killed"
		if len(ids) == 0 {
			t.Fatalf("run %d recorded no hit before the kill: %s", run, stderr.String())
		}
		acked = append(acked, ids...)
	}
	// The next car to start on this drive salvages the last kill's leftovers.
	rec, err := NewRecorder(func() Options { o := DefaultOptions(dir, "car7"); o.Logger = quiet(); return o }())
	if err != nil {
		t.Fatal(err)
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	seen := readIDs(t, dir, ids...)
	reads := 0
	for _, id := range acked {
		if seen[id] != 1 {
			t.Errorf("hit %s acknowledged before a kill is on the drive %d times", id, seen[id])
		}
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s on the drive %d times", id, n)
		}
		if strings.Contains(id, "-r") {
			reads++
		}
	}
	t.Logf("%d kills; %d hits acknowledged, %d hits and %d reads on the drive, each once", runs, len(acked), len(seen)-reads, reads)
}

// TestAgeHasWholeChunk cuts a real age stream at the places a kill can
// cut it: only a stream with a whole 64 KiB chunk holds a record.
func TestAgeHasWholeChunk(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	var enc bytes.Buffer
	w, err := age.Encrypt(&enc, id.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(make([]byte, 100<<10)); err != nil { // one whole chunk and a short last one
		t.Fatal(err)
	}
	w.Close()
	full := enc.Bytes()
	header := bytes.Index(full, []byte("\n--- "))
	header += bytes.IndexByte(full[header+1:], '\n') + 2
	dir := t.TempDir()
	tests := []struct {
		name string
		data []byte
		want bool
	}{
		{"empty", nil, false},
		{"cut in the header", full[:header/2], false},
		{"header only", full[:header], false},
		{"header and part of the first chunk", full[:header+ageNonceSize+1000], false},
		{"one whole chunk", full[:header+ageNonceSize+ageChunkSize], true},
		{"whole stream", full, true},
		{"not age at all", []byte("ARROW1 and then some"), true},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, fmt.Sprintf("f%d", i))
			if err := os.WriteFile(p, tc.data, 0o600); err != nil {
				t.Fatal(err)
			}
			if got := ageHasWholeChunk(p, int64(len(tc.data))); got != tc.want {
				t.Fatalf("ageHasWholeChunk = %v, want %v", got, tc.want)
			}
		})
	}
}

package ingest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/edge/drive"
)

// TestMain lets the test binary play an ingest process that the crash
// test kills.
func TestMain(m *testing.M) {
	if dir := os.Getenv("ALPR_INGEST_CHILD_DRIVE"); dir != "" {
		st, err := analytics.Open(context.Background(), analytics.DefaultOptions(os.Getenv("ALPR_INGEST_CHILD_STORE")))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		o := testOpts()
		o.Progress = func(p Progress) { fmt.Printf("loaded %d\n", p.Files) }
		// Two files a transaction: the kills land between and inside them.
		o.GroupRows = 3000
		if _, err := Drive(context.Background(), st, dir, o); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		st.Close()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestKilledIngestLoadsEveryRowExactlyOnce kills ingest processes with
// SIGKILL at random points, then lets one finish, and checks that every
// read is in the store exactly once with its image.
func TestKilledIngestLoadsEveryRowExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("crash loop")
	}
	dir, storeDir := t.TempDir(), t.TempDir()
	const files, per = 24, 1500
	for f := range files {
		rs := reads(per, f*per)
		if _, err := drive.WriteRecords(filepath.Join(dir, fmt.Sprintf("reads-car7-k-%06d%s", f, drive.FileExt)), drive.KindReads, rs); err != nil {
			t.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(11, 12))
	kills, midway := 0, 0
	loaded := func() int {
		st, err := analytics.Open(context.Background(), analytics.DefaultOptions(storeDir))
		if err != nil {
			t.Fatalf("store after a kill: %v", err)
		}
		defer st.Close()
		var m int
		if err := st.DB().QueryRow("SELECT count(*) FROM ingest_manifest").Scan(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	before := 0
	for range 8 {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "ALPR_INGEST_CHILD_DRIVE="+dir, "ALPR_INGEST_CHILD_STORE="+storeDir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill after a random number of files more have loaded, a random
		// moment into the next one: inside the image writes, the insert or
		// the commit.
		sc := bufio.NewScanner(out)
		for want := before + 1 + rng.IntN(2); want > 0 && sc.Scan(); want-- {
		}
		time.Sleep(time.Duration(rng.IntN(40)) * time.Millisecond)
		if cmd.Process.Signal(syscall.SIGKILL) == nil {
			kills++
		}
		_, _ = io.Copy(io.Discard, out) // drain the killed child
		_ = cmd.Wait()                  // killed on purpose: "signal: killed"
		m := loaded()
		t.Logf("after a kill: %d of %d files loaded", m, files)
		if m > before && m < files {
			midway++ // this run loaded files and was killed before the end
		}
		before = m
	}
	if midway == 0 {
		t.Fatal("no kill landed in the middle of an ingest: the test proved nothing")
	}
	final := exec.Command(os.Args[0], "-test.run=^$")
	final.Env = append(os.Environ(), "ALPR_INGEST_CHILD_DRIVE="+dir, "ALPR_INGEST_CHILD_STORE="+storeDir)
	if out, err := final.CombinedOutput(); err != nil {
		t.Fatalf("final ingest: %v\n%s", err, out)
	}
	st, err := analytics.Open(context.Background(), analytics.DefaultOptions(storeDir))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var n, distinct, manifest int
	if err := st.DB().QueryRow("SELECT count(*), count(DISTINCT id) FROM reads").Scan(&n, &distinct); err != nil {
		t.Fatal(err)
	}
	if err := st.DB().QueryRow("SELECT count(*) FROM ingest_manifest").Scan(&manifest); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d kills, %d in the middle of an ingest; %d rows, %d distinct, %d files in the manifest", kills, midway, n, distinct, manifest)
	if n != files*per || distinct != n || manifest != files {
		t.Fatalf("after %d kills: %d rows (%d distinct), %d manifest rows; want %d rows once each and %d files",
			kills, n, distinct, manifest, files*per, files)
	}
	rows, err := st.DB().Query("SELECT crop_path FROM reads USING SAMPLE 200")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			t.Fatal(err)
		}
		if _, err := st.ReadImage(p); err != nil {
			t.Fatalf("row points at a missing image: %v", err)
		}
	}
}

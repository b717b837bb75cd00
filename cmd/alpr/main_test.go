package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/edge/models"
	"github.com/plateward/alpr/edge/shift"
)

// run runs alpr in-process with args and returns what it printed.
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRoot()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, err := run(t, args...)
	if err != nil {
		t.Fatalf("alpr %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// TestSpine runs the whole path a new user runs with make demo: fixtures,
// the reader, ingest twice, a search and a retention dry run.
func TestSpine(t *testing.T) {
	dir := t.TempDir()
	shift, drive, store := filepath.Join(dir, "shift"), filepath.Join(dir, "drive"), filepath.Join(dir, "store")
	start := "2026-04-01T14:00:00Z"
	mustRun(t, "fixtures", "shift", shift, "--scenes", "4", "--video-cars", "2", "--hot-entries", "100", "--seed", "5", "--start", start)
	out := mustRun(t, "edge", "--source", "front="+filepath.Join(shift, "shift.avi"), "--source", "rear="+filepath.Join(shift, "scenes"),
		"--hotlist", filepath.Join(shift, "hotlist.ncic"), "--gps-track", filepath.Join(shift, "gps.csv"),
		"--drive", drive, "--officer", "4127", "--vehicle", "car3", "--start", start, "--interval", "20s", "--models", modelsDir(t))
	m := regexp.MustCompile(`(\d+) reads, (\d+) hits`).FindStringSubmatch(out)
	if m == nil || m[1] == "0" || m[2] == "0" {
		t.Fatalf("edge read nothing or raised no hit: %s", out)
	}
	out = mustRun(t, "ingest", drive, "--store", store)
	if !strings.Contains(out, "3 loaded, 0 already loaded, 0 quarantined") || !strings.Contains(out, "reads="+m[1]) {
		t.Fatalf("first ingest: %s", out)
	}
	out = mustRun(t, "ingest", drive, "--store", store)
	if !strings.Contains(out, "0 loaded, 3 already loaded") {
		t.Fatalf("second ingest loaded again: %s", out)
	}

	f, err := os.Open(filepath.Join(shift, "expected-hits.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := csv.NewReader(f).ReadAll()
	f.Close()
	hot := rows[1][0]
	if _, err := run(t, "search", "plate", hot, "--store", store, "--user", "det.jones", "--case", "26-1"); !errors.Is(err, errAccessTest()) {
		t.Fatalf("a search without a reason was not refused: %v", err)
	}
	out = mustRun(t, "search", "plate", hot, "--store", store, "--user", "det.jones", "--reason", "stolen car", "--case", "26-1")
	if !strings.Contains(out, "1 reads of "+hot) || !strings.Contains(out, "Stolen vehicle") {
		t.Fatalf("search for the hot plate %s: %s", hot, out)
	}
	out = mustRun(t, "retention", "run", "--dry-run", "--store", store, "--now", "2026-12-01")
	if !strings.Contains(out, "due for destruction: "+m[1]+" reads") || !strings.Contains(out, "nothing was changed") {
		t.Fatalf("retention dry run: %s", out)
	}
	out = mustRun(t, "retention", "run", "--store", store, "--now", "2026-12-01", "--actor", "test")
	if !strings.Contains(out, "under policy builtin-order-D1/v1@") || !strings.Contains(out, "destroyed "+m[1]+" reads") {
		t.Fatalf("retention run: %s", out)
	}
	out = mustRun(t, "search", "plate", hot, "--store", store, "--user", "det.jones", "--reason", "stolen car", "--case", "26-1")
	if !strings.Contains(out, "0 reads of "+hot) {
		t.Fatalf("a destroyed read was found: %s", out)
	}
	// Two searches and the adoption of the retention policy by the run.
	out = mustRun(t, "audit", "verify", "--store", store)
	if !strings.Contains(out, "all 3 entries verify") {
		t.Fatalf("audit verify: %s", out)
	}
}

func errAccessTest() error { return analytics.ErrAccess }

func modelsDir(t *testing.T) string {
	t.Helper()
	d, err := models.FindDir()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// IT signs the roster the back office exports, offline; a car verifies it
// with IT's public key and logs the officer in.
func TestKeysSignRoster(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, "keys", "generate", dir)
	pw, _ := shift.HashPIN("a long passphrase")
	ro := shift.Roster{IssuedAt: time.Now().UTC(), Officers: []shift.Officer{{ID: "4127", Name: "ready", Role: "officer", TrainedOn: "2026-01-05", PIN: pw}}}
	b, _ := json.Marshal(ro)
	unsigned := filepath.Join(dir, "roster-unsigned.json")
	if err := os.WriteFile(unsigned, b, 0o644); err != nil {
		t.Fatal(err)
	}
	signed := filepath.Join(dir, "roster.json")
	mustRun(t, "keys", "sign", unsigned, "--key", filepath.Join(dir, "it.key"), "--out", signed)
	pub, err := shift.ReadPublicKey(filepath.Join(dir, "it.pub"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := shift.LoadRoster(signed, pub)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Login("4127", "a long passphrase", time.Now()); err != nil {
		t.Fatal(err)
	}
	bogus := filepath.Join(dir, "bogus.json")
	if err := os.WriteFile(bogus, []byte(`{"officers": [], "admin": true}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, "keys", "sign", bogus, "--key", filepath.Join(dir, "it.key"), "--out", filepath.Join(dir, "x.json")); err == nil {
		t.Fatal("signed a file that is neither a roster nor a car configuration")
	}
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/edge/hotlist"
)

// TestMain lets the test binary be the alpr command for the crash tests,
// which kill it: with ALPR_CLI_CHILD set it runs the arguments after "--"
// as main does.
func TestMain(m *testing.M) {
	if os.Getenv("ALPR_CLI_CHILD") != "" {
		args := os.Args[slices.Index(os.Args, "--")+1:]
		root := newRoot()
		root.SetArgs(args)
		if err := root.ExecuteContext(context.Background()); err != nil {
			fmt.Fprintln(os.Stderr, "alpr:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// child is the alpr command as a process this test may kill.
func child(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$", "--"}, args...)...)
	cmd.Env = append(os.Environ(), "ALPR_CLI_CHILD=1", "OMP_THREAD_LIMIT=1")
	return cmd
}

// hitLine is the reader's log line for an alert: its time and hit id.
var hitLine = regexp.MustCompile(`(?m)^time=(\S+) level=INFO msg=HIT id=(\S+) `)

// TestKilledReaderLosesNoAlertedHit is a patrol car losing power again
// and again: alpr edge is killed with SIGKILL at random points of a shift
// in which every plate is on the hot list, restarted on the same drive,
// and at the end the drive is ingested. Every hit the officer was alerted
// to more than a second before the power went is in the store (the hit is
// fsynced at once, but behind the alert: the alert never waits on the
// drive); no file is quarantined, no read or hit is there twice.
func TestKilledReaderLosesNoAlertedHit(t *testing.T) {
	if testing.Short() {
		t.Skip("crash loop")
	}
	const (
		kills = 5
		grace = time.Second // between an alert and its fsync on a loaded machine
	)
	dir := t.TempDir()
	shiftDir, driveDir, store := filepath.Join(dir, "shift"), filepath.Join(dir, "drive"), filepath.Join(dir, "store")
	start := "2026-04-01T14:00:00Z"
	mustRun(t, "fixtures", "shift", shiftDir, "--scenes", "16", "--video-cars", "0", "--hot-entries", "0", "--seed", "11", "--start", start)
	hot := filepath.Join(dir, "every-plate.ncic")
	writeEveryPlateHot(t, filepath.Join(shiftDir, "truth.csv"), hot)
	edgeArgs := []string{"edge", "--source", "rear=" + filepath.Join(shiftDir, "scenes"), "--hotlist", hot,
		"--drive", driveDir, "--officer", "4127", "--vehicle", "car3", "--start", start, "--interval", "20s", "--models", modelsDir(t)}

	type alerted struct {
		id     string
		at     time.Time
		killed time.Time // zero: the run ended by itself
	}
	var hits []alerted
	rng := rand.New(rand.NewPCG(11, 12))
	for run := range kills + 1 {
		cmd := child(edgeArgs...)
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stderr, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var killedAt time.Time
		if run < kills {
			time.Sleep(time.Duration(1200+rng.IntN(3300)) * time.Millisecond)
			killedAt = time.Now()
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatalf("run %d: kill: %v", run, err)
			}
			_ = cmd.Wait() // killed on purpose: "signal: killed"
		} else if err := cmd.Wait(); err != nil {
			t.Fatalf("the last run, not killed: %v\n%s", err, stderr.String())
		}
		for _, m := range hitLine.FindAllStringSubmatch(stderr.String(), -1) {
			at, err := time.Parse(time.RFC3339Nano, m[1])
			if err != nil {
				t.Fatalf("run %d: log time %q: %v", run, m[1], err)
			}
			hits = append(hits, alerted{id: m[2], at: at, killed: killedAt})
		}
		if run == kills && !strings.Contains(stderr.String(), "edge: shift") {
			t.Fatalf("the last run did not finish its shift:\n%s", stderr.String())
		}
	}

	out := mustRun(t, "ingest", driveDir, "--store", store)
	if !strings.Contains(out, " 0 quarantined") {
		t.Fatalf("ingest after the kills quarantined a file: %s", out)
	}
	st := openStore(t, store)
	stored := stringSet(t, st, `SELECT id FROM hits`)
	for _, table := range []string{"reads", "hits"} {
		var n, distinct int
		if err := st.DB().QueryRow(`SELECT count(*), count(DISTINCT id) FROM `+table).Scan(&n, &distinct); err != nil {
			t.Fatal(err)
		}
		if n != distinct {
			t.Errorf("%s: %d rows but %d ids: a record loaded twice", table, n, distinct)
		}
	}
	beforeKill, inWindow, lostInWindow := 0, 0, 0
	for _, h := range hits {
		switch {
		case h.killed.IsZero() || h.killed.Sub(h.at) > grace:
			beforeKill++
			if !stored[h.id] {
				t.Errorf("hit %s alerted at %s, %s before the power went, is not in the store", h.id, h.at.Format(time.RFC3339Nano), h.killed.Sub(h.at))
			}
		default:
			inWindow++
			if !stored[h.id] {
				lostInWindow++
			}
		}
	}
	if beforeKill <= kills {
		t.Fatalf("only %d hits were alerted over %d runs: the kills came too early to test anything", beforeKill, kills+1)
	}
	t.Logf("%d runs (%d killed): %d hits alerted, %d of them over a second before a kill or in the last run (all in the store), "+
		"%d in the last second before a kill (%d of those lost); %d hits stored", kills+1, kills, len(hits), beforeKill, inWindow, lostInWindow, len(stored))
}

// writeEveryPlateHot writes an NCIC extract listing every plate of the
// fixture's truth file, so that every plate read is a hit.
func writeEveryPlateHot(t *testing.T, truth, path string) {
	t.Helper()
	f, err := os.Open(truth)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	var es []hotlist.NCICRecord
	seen := map[string]bool{}
	for i, r := range rows[1:] {
		if plate := r[3]; !seen[plate] {
			seen[plate] = true
			es = append(es, hotlist.NCICRecord{NIC: fmt.Sprintf("V%09d", i), ORI: "MO0640000", EnteredOn: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
				Plate: plate, State: r[4]})
		}
	}
	var b bytes.Buffer
	if err := hotlist.FormatNCIC(&b, es); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestKilledBackOfficeKeepsEveryAnsweredLogin kills alpr serve with
// SIGKILL again and again while a client hammers its login form with
// wrong passwords, each audited before it is answered, and restarts it
// on the same store. After each kill the store opens; at the end the
// audit chain verifies and every attempt that was answered is in it.
// While serve runs, a second process cannot open the store and says why.
func TestKilledBackOfficeKeepsEveryAnsweredLogin(t *testing.T) {
	if testing.Short() {
		t.Skip("crash loop")
	}
	const kills = 5
	store := filepath.Join(t.TempDir(), "store")
	rng := rand.New(rand.NewPCG(13, 14))
	var answered []string
	for n := range kills {
		cmd := child("serve", "--store", store, "--listen", "127.0.0.1:0", "--logins-per-minute", "1000000", "--max-failures", "1000000", "--max-account-failures", "1000000")
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		addr := make(chan string, 1)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				if m := regexp.MustCompile(`back office on (http://\S+)/ `).FindStringSubmatch(sc.Text()); m != nil {
					addr <- m[1]
				}
			}
			close(addr)
		}()
		base, ok := <-addr
		if !ok {
			_ = cmd.Wait()
			t.Fatalf("run %d: serve did not start: %s", n, stderr.String())
		}
		if n == 0 {
			_, err := run(t, "ingest", t.TempDir(), "--store", store)
			if !errors.Is(err, analytics.ErrStoreInUse) || !strings.Contains(err.Error(), "--inbox") {
				t.Fatalf("ingest into a store serve holds: %v", err)
			}
		}
		stop := make(chan struct{})
		got := make(chan []string)
		go func() { got <- hammerLogin(base, fmt.Sprintf("nobody%d-", n), stop) }()
		time.Sleep(time.Duration(500+rng.IntN(2000)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatalf("run %d: kill: %v", n, err)
		}
		_ = cmd.Wait() // killed on purpose: "signal: killed"
		close(stop)
		answered = append(answered, <-got...)
	}
	if len(answered) <= kills {
		t.Fatalf("only %d logins answered over %d runs: nothing was tested", len(answered), kills)
	}
	out := mustRun(t, "audit", "verify", "--store", store)
	if !strings.Contains(out, "entries verify") {
		t.Fatalf("audit verify after the kills: %s", out)
	}
	st := openStore(t, store)
	logged := stringSet(t, st, `SELECT user_name FROM audit_log WHERE action = 'login.failed'`)
	for _, u := range answered {
		if !logged[u] {
			t.Errorf("the failed login of %s was answered but is not in the audit log", u)
		}
	}
	t.Logf("%d runs killed: %d failed logins answered, all in the audit log (%d logged); %s", kills, len(answered), len(logged), strings.TrimSpace(out))
}

// hammerLogin tries wrong passwords for new user names until stop and
// returns the names whose attempt was answered "wrong".
func hammerLogin(base, prefix string, stop <-chan struct{}) []string {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 5 * time.Second}
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	var answered []string
	tok := ""
	for i := 0; ; i++ {
		select {
		case <-stop:
			return answered
		default:
		}
		var resp *http.Response
		var err error
		name := fmt.Sprintf("%s%d", prefix, i)
		if tok == "" {
			resp, err = c.Get(base + "/login")
		} else {
			resp, err = c.PostForm(base+"/login", url.Values{"csrf": {tok}, "user": {name}, "password": {"wrong"}})
		}
		if err != nil {
			return answered // killed
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return answered
		}
		if tok != "" && resp.StatusCode == http.StatusUnauthorized {
			answered = append(answered, name)
		}
		tok = ""
		if m := csrf.FindSubmatch(b); m != nil {
			tok = string(m[1])
		}
	}
}

// openStore opens the store in dir for the test's checks.
func openStore(t *testing.T, dir string) *analytics.Store {
	t.Helper()
	st, err := analytics.Open(context.Background(), analytics.DefaultOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// stringSet runs a query of one text column and returns its values.
func stringSet(t *testing.T, st *analytics.Store, query string) map[string]bool {
	t.Helper()
	rows, err := st.DB().Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	set := map[string]bool{}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		set[v] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return set
}

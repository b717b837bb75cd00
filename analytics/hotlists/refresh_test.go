package hotlists

import (
	"bytes"
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/edge/drive"
	"github.com/plateward/alpr/edge/hotlist"
	"github.com/plateward/alpr/ingest"
)

// ncic formats an NCIC extract of stolen-vehicle entries for plates.
func ncic(t *testing.T, plates ...string) []byte {
	t.Helper()
	var es []hotlist.NCICRecord
	for i, p := range plates {
		es = append(es, hotlist.NCICRecord{NIC: fmt.Sprintf("V%09d", i), ORI: "MO0640000", EnteredOn: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
			Plate: p, State: "MO", VehYear: "2019", Make: "FORD", Model: "ESC", Colour: "BLK"})
	}
	var b bytes.Buffer
	if err := hotlist.FormatNCIC(&b, es); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func plates(prefix string, n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("%s%03d", prefix, i))
	}
	return out
}

// storeWithReads is a store with three reads loaded through ingest: two
// of ZZ9999 in October and one of QQ1234.
func storeWithReads(t *testing.T) *analytics.Store {
	t.Helper()
	st, err := analytics.Open(context.Background(), analytics.DefaultOptions(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	dir := t.TempDir()
	var reads []drive.Read
	for i, p := range []string{"ZZ9999", "ZZ9999", "QQ1234"} {
		reads = append(reads, drive.Read{ID: fmt.Sprintf("00000000-0000-7000-8000-00000000000%d", i), CapturedAt: time.Date(2026, 10, 3+i, 18, 0, 0, 0, time.UTC),
			Plate: p, Camera: "front", Vehicle: "car7", Officer: "4127", ShiftID: "s", Candidates: []drive.Candidate{{Text: p, Confidence: 1}}})
	}
	if _, err := drive.WriteRecords(filepath.Join(dir, "reads-car7-a-000001"+drive.FileExt), drive.KindReads, reads); err != nil {
		t.Fatal(err)
	}
	o := ingest.DefaultOptions()
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if _, err := ingest.Drive(context.Background(), st, dir, o); err != nil {
		t.Fatal(err)
	}
	return st
}

// listServer is a loopback HTTPS server of one list that wants a bearer
// token; set changes what it serves.
type listServer struct {
	mu   sync.Mutex
	body []byte
	srv  *httptest.Server
	ca   string
}

func newListServer(t *testing.T, token string) *listServer {
	ls := &listServer{}
	ls.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+token {
			http.Error(w, "who are you", http.StatusUnauthorized)
			return
		}
		ls.mu.Lock()
		defer ls.mu.Unlock()
		w.Write(ls.body)
	}))
	t.Cleanup(ls.srv.Close)
	ls.ca = filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ls.ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ls.srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return ls
}

func (ls *listServer) set(b []byte) { ls.mu.Lock(); ls.body = b; ls.mu.Unlock() }

func writeFile(t *testing.T, path string, b []byte, mode os.FileMode) string {
	t.Helper()
	if err := os.WriteFile(path, b, mode); err != nil {
		t.Fatal(err)
	}
	return path
}

// The whole life of a list fetched over HTTPS: first version, the same
// again, a malformed one, a suspiciously short one held and then
// rejected, a new one adding a plate read earlier (retro hit queued), and
// a short one accepted by IT.
func TestRefreshOverHTTPS(t *testing.T) {
	ctx := context.Background()
	st := storeWithReads(t)
	ls := newListServer(t, "s3cret")
	cred := writeFile(t, filepath.Join(t.TempDir(), "ncic.cred"), []byte("bearer s3cret\n"), 0o600)
	cfg := Config{Format: SourcesFormat, Lists: []Source{{Name: "NCIC", Format: "ncic", URL: ls.srv.URL + "/extract", Credentials: cred, CAFile: ls.ca}}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	r := Refresher{St: st, Dir: t.TempDir()}
	now := time.Date(2026, 11, 26, 5, 0, 0, 0, time.UTC)
	step := func(name string, body []byte, wantState string) Outcome {
		t.Helper()
		ls.set(body)
		now = now.Add(12 * time.Hour)
		o, err := r.Refresh(ctx, cfg.Lists[0], now)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if o.State != wantState {
			t.Fatalf("%s: state %s (%s), want %s", name, o.State, o.Detail, wantState)
		}
		return o
	}
	current := func() string {
		_, v, err := r.CurrentFile(ctx, "NCIC")
		if err != nil {
			t.Fatal(err)
		}
		return v.SHA256
	}
	v1 := step("first version", ncic(t, plates("AA", 100)...), StateCurrent)
	if v1.Entries != 100 || v1.Added != 100 || v1.Retro != 0 {
		t.Fatalf("first: %+v", v1)
	}
	step("the same bytes again", ncic(t, plates("AA", 100)...), "unchanged")
	bad := step("malformed", []byte("NIC header\nthis is not an NCIC extract\nnor is this\n"), StateRejected)
	if !strings.Contains(bad.Detail, "no valid entry") || !strings.Contains(bad.Detail, "/extract:2:") {
		t.Fatalf("malformed list detail %q: want the reason with line numbers", bad.Detail)
	}
	short := step("suspiciously short", ncic(t, plates("AA", 50)...), StateReview)
	if !strings.Contains(short.Detail, "shrank by 50 %") || current() != v1.SHA256 {
		t.Fatalf("short list: %q; current must stay %0.12s", short.Detail, v1.SHA256)
	}
	if err := r.Reject(ctx, "NCIC", short.SHA256, "it1", "", now); err == nil {
		t.Fatal("reject without a reason was accepted")
	}
	if err := r.Reject(ctx, "NCIC", short.SHA256, "it1", "partial delivery from CJIS", now); err != nil {
		t.Fatal(err)
	}
	v2 := step("adds a plate read in October", ncic(t, append(plates("AA", 100), "ZZ9999")...), StateCurrent)
	if v2.Added != 1 || v2.Retro != 2 || current() != v2.SHA256 {
		t.Fatalf("v2: %+v", v2)
	}
	held := step("short again", ncic(t, plates("AA", 60)...), StateReview)
	if _, err := r.Accept(ctx, cfg, "NCIC", held.SHA256, "it1", now); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Accept(ctx, cfg, "NCIC", held.SHA256, "it1", now); !errors.Is(err, ErrNoVersion) {
		t.Fatalf("accepting twice: %v", err)
	}
	vs, err := r.Versions(ctx, "NCIC")
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]string{}
	for _, v := range vs {
		states[v.SHA256] = v.State
	}
	for sha, want := range map[string]string{v1.SHA256: StateSuperseded, v2.SHA256: StatePrevious, held.SHA256: StateCurrent,
		short.SHA256: StateRejected, bad.SHA256: StateRejected} {
		if states[sha] != want {
			t.Errorf("version %.12s is %s, want %s", sha, states[sha], want)
		}
	}
	// The analysts' queue holds the two October reads of ZZ9999.
	acc := analytics.Access{User: "analyst1", Reason: "retro-hit review", Case: "RETRO-26-11"}
	q, err := r.RetroQueue(ctx, acc, true, 100, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(q) != 2 || q[0].ReadPlate != "ZZ9999" || q[0].EntryPlate != "ZZ9999" || q[0].List != "NCIC" {
		t.Fatalf("queue %+v", q)
	}
	if err := r.Review(ctx, acc, q[0].ID, "", now); err == nil {
		t.Fatal("a review without a note was accepted")
	}
	if err := r.Review(ctx, acc, q[0].ID, "passed to burglary unit", now); err != nil {
		t.Fatal(err)
	}
	if q, _ = r.RetroQueue(ctx, acc, true, 100, now); len(q) != 1 {
		t.Fatalf("%d pending after one review, want 1", len(q))
	}
	var n int
	if err := st.DB().QueryRow(`SELECT count(*) FROM audit_log WHERE action IN ('search.retro', 'hotlist.review', 'hotlist.rejected', 'hotlist.reject', 'hotlist.accept', 'retro.queue', 'retro.review')`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n < 7 {
		t.Fatalf("%d audit entries for the refreshes, decisions and queue views", n)
	}
}

func TestFetchRefusals(t *testing.T) {
	ctx := context.Background()
	st := storeWithReads(t)
	ls := newListServer(t, "s3cret")
	ls.set(ncic(t, "AB1234"))
	dir := t.TempDir()
	wrong := writeFile(t, filepath.Join(dir, "wrong.cred"), []byte("bearer guess"), 0o600)
	open := writeFile(t, filepath.Join(dir, "open.cred"), []byte("bearer s3cret"), 0o644)
	r := Refresher{St: st, Dir: t.TempDir()}
	cases := []struct {
		name string
		src  Source
		want string
	}{
		{"wrong token", Source{Name: "L", Format: "ncic", URL: ls.srv.URL, Credentials: wrong, CAFile: ls.ca}, "401"},
		{"credentials readable by others", Source{Name: "L", Format: "ncic", URL: ls.srv.URL, Credentials: open, CAFile: ls.ca}, "readable by others"},
		{"certificate not trusted", Source{Name: "L", Format: "ncic", URL: ls.srv.URL, Credentials: wrong}, "certificate"},
		{"empty delivery folder", Source{Name: "L", Format: "ncic", Folder: t.TempDir()}, "no file delivered"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.Refresh(ctx, tc.src, time.Now())
			if !errors.Is(err, ErrFetch) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want ErrFetch about %q", err, tc.want)
			}
		})
	}
}

// A watched folder: the newest delivered file is the list; a file still
// being written is ignored; too many bad lines reject the version; the
// list is stale once not confirmed within the configured age.
func TestRefreshFromFolderAndStaleness(t *testing.T) {
	ctx := context.Background()
	st := storeWithReads(t)
	inbox := t.TempDir()
	cfg := Config{Format: SourcesFormat, MaxAgeHours: 12, Lists: []Source{{Name: "MULES", Format: "ncic", Folder: inbox}}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	r := Refresher{St: st, Dir: t.TempDir()}
	now := time.Date(2026, 11, 26, 5, 0, 0, 0, time.UTC)
	first := writeFile(t, filepath.Join(inbox, "mules-1.txt"), ncic(t, "QQ1234", "AB1111"), 0o644)
	if err := os.Chtimes(first, now, now); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(inbox, "mules-2.txt.tmp"), []byte("half written"), 0o644)
	o, err := r.Refresh(ctx, cfg.Lists[0], now)
	if err != nil || o.State != StateCurrent || o.Retro != 1 {
		t.Fatalf("%+v %v", o, err)
	}
	// 2 bad lines of 102 is more than 1 %.
	body := append(ncic(t, plates("BB", 100)...), []byte("garbage line one\ngarbage line two\n")...)
	later := filepath.Join(inbox, "mules-3.txt")
	writeFile(t, later, body, 0o644)
	if err := os.Chtimes(later, now.Add(time.Hour), now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	o, err = r.Refresh(ctx, cfg.Lists[0], now.Add(time.Hour))
	if err != nil || o.State != StateRejected || !strings.Contains(o.Detail, "mules-3.txt:102") {
		t.Fatalf("%+v %v: want rejected naming file and line", o, err)
	}
	for _, tc := range []struct {
		at    time.Duration
		stale bool
	}{{11 * time.Hour, false}, {13 * time.Hour, true}} {
		ss, err := r.Status(ctx, cfg, now.Add(tc.at))
		if err != nil || len(ss) != 1 || ss[0].Stale != tc.stale || ss[0].Current == nil || ss[0].Current.Entries != 2 {
			t.Fatalf("at +%s: %+v %v, want stale=%v", tc.at, ss, err, tc.stale)
		}
	}
	// The rejected delivery's file stays for IT to look into, then goes at
	// the first delivery after KeepRejected; its row stays.
	rejected := r.file("MULES", o.SHA256, "ncic")
	if _, err := os.Stat(rejected); err != nil {
		t.Fatalf("the rejected file right after: %v", err)
	}
	if _, err := r.Refresh(ctx, cfg.Lists[0], now.Add(time.Hour+KeepRejected+time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(rejected); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the rejected file after %s: %v", KeepRejected, err)
	}
	var n int
	if err := st.DB().QueryRow(`SELECT count(*) FROM hotlist_versions WHERE state = 'rejected'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("rejected rows: %d %v", n, err)
	}
}

func TestConfigValidation(t *testing.T) {
	cases := []struct {
		name string
		c    Config
		want string
	}{
		{"wrong format", Config{Format: "x", Lists: []Source{{Name: "A", Format: "ncic", Folder: "/x"}}}, "format"},
		{"plain http", Config{Format: SourcesFormat, Lists: []Source{{Name: "A", Format: "ncic", URL: "http://x"}}}, "https"},
		{"both folder and url", Config{Format: SourcesFormat, Lists: []Source{{Name: "A", Format: "ncic", Folder: "/x", URL: "https://x"}}}, "not both"},
		{"csv without mapping", Config{Format: SourcesFormat, Lists: []Source{{Name: "A", Format: "csv", Folder: "/x"}}}, "mapping"},
		{"bad name", Config{Format: SourcesFormat, Lists: []Source{{Name: "../etc", Format: "ncic", Folder: "/x"}}}, "list name"},
		{"twice", Config{Format: SourcesFormat, Lists: []Source{{Name: "A", Format: "ncic", Folder: "/x"}, {Name: "a", Format: "ncic", Folder: "/y"}}}, "twice"},
		{"shrink of 1", Config{Format: SourcesFormat, Lists: []Source{{Name: "A", Format: "ncic", Folder: "/x", MaxShrink: 1}}}, "fractions"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.c.Validate()
			if !errors.Is(err, ErrSources) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want ErrSources about %q", err, tc.want)
			}
		})
	}
}

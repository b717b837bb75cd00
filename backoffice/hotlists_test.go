package backoffice

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/analytics/hotlists"
	"github.com/plateward/alpr/edge/hotlist"
	"github.com/plateward/alpr/edge/plate"
)

func ncicFile(t *testing.T, path string, at time.Time, plates ...string) {
	t.Helper()
	var es []hotlist.NCICRecord
	for i, p := range plates {
		es = append(es, hotlist.NCICRecord{NIC: fmt.Sprintf("V%09d", i), ORI: "MO0640000", EnteredOn: at, Plate: p, State: "MO"})
	}
	var b bytes.Buffer
	if err := hotlist.FormatNCIC(&b, es); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, at, at); err != nil {
		t.Fatal(err)
	}
}

// IT reviews a held hot-list version and exports the current one for the
// cars; an analyst works the retro-hit queue; a supervisor's dashboard
// flags a stale list.
func TestHotListPagesAndRetroQueue(t *testing.T) {
	inbox := t.TempDir()
	cfg := &hotlists.Config{Format: hotlists.SourcesFormat, MaxAgeHours: 12, Lists: []hotlists.Source{{Name: "NCIC", Format: "ncic", Folder: inbox}}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	f := newFixtureWith(t, func(o *Options) { o.Hotlists = cfg })
	ctx := context.Background()
	now := f.clk.now()
	if _, err := f.store.DB().Exec(`INSERT INTO reads (id, captured_at, plate, plate_key, camera, vehicle, source_file, loaded_at)
		VALUES ('r1', ?, 'ZZ9999', ?, 'front', 'car7', 'f', ?)`, now.Add(-72*time.Hour), plate.NewCanonicalizer().Canonical("ZZ9999"), now); err != nil {
		t.Fatal(err)
	}
	ref := hotlists.Refresher{St: f.store, Dir: hotlists.Dir(f.store.Dir())}
	var many []string
	for i := range 10 {
		many = append(many, fmt.Sprintf("AA%04d", i))
	}
	ncicFile(t, filepath.Join(inbox, "1.txt"), now.Add(-time.Hour), many...)
	if o, err := ref.Refresh(ctx, cfg.Lists[0], now); err != nil || o.State != hotlists.StateCurrent {
		t.Fatalf("%+v %v", o, err)
	}
	// Half the list, plus ZZ9999: held for review.
	ncicFile(t, filepath.Join(inbox, "2.txt"), now, append(many[:5], "ZZ9999")...)
	held, err := ref.Refresh(ctx, cfg.Lists[0], now)
	if err != nil || held.State != hotlists.StateReview {
		t.Fatalf("%+v %v", held, err)
	}

	it := f.client(t)
	_, tok := f.login(t, it, "it1", testPassword)
	code, body, _ := get(t, it, f.srv.URL+"/hotlists")
	if code != http.StatusOK || !strings.Contains(body, "held for IT&#39;s review") || !strings.Contains(body, `value="accept"`) {
		t.Fatalf("hot-list page %d:\n%s", code, body)
	}
	code, body = post(t, it, f.srv.URL+"/hotlists/NCIC/"+held.SHA256, url.Values{"csrf": {tok}, "action": {"accept"}})
	if code != http.StatusOK || !strings.Contains(body, "1 retro hits queued") {
		t.Fatalf("accept %d:\n%s", code, body)
	}
	resp, err := it.Get(f.srv.URL + "/hotlists/NCIC/current")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "ZZ9999") {
		t.Fatalf("download %d: %s", resp.StatusCode, b)
	}
	// A supervisor may look, not decide or download.
	sup := f.client(t)
	_, stok := f.login(t, sup, "supervisor1", testPassword)
	if code, _ := post(t, sup, f.srv.URL+"/hotlists/NCIC/"+held.SHA256, url.Values{"csrf": {stok}, "action": {"reject"}}); code != http.StatusForbidden {
		t.Fatalf("supervisor decided: %d", code)
	}

	an := f.client(t)
	_, atok := f.login(t, an, "analyst1", testPassword)
	if code, _ := post(t, an, f.srv.URL+"/retro", url.Values{"csrf": {atok}, "reason": {"retro-hit review"}}); code != http.StatusBadRequest {
		t.Fatalf("queue without a case answered %d", code)
	}
	form := url.Values{"csrf": {atok}, "reason": {"retro-hit review"}, "case": {"RETRO-26-11"}}
	code, body = post(t, an, f.srv.URL+"/retro", form)
	if code != http.StatusOK || !strings.Contains(body, `id="count">1 retro hits`) || !strings.Contains(body, "ZZ9999") {
		t.Fatalf("queue %d:\n%s", code, body)
	}
	id := regexp.MustCompile(`action="/retro/([^"]+)"`).FindStringSubmatch(body)
	if id == nil {
		t.Fatal("no review form")
	}
	form.Set("note", "sent to the burglary unit")
	code, body = post(t, an, f.srv.URL+"/retro/"+id[1], form)
	if code != http.StatusOK || !strings.Contains(body, `id="count">0 retro hits`) {
		t.Fatalf("review %d:\n%s", code, body)
	}
	for action, want := range map[string]int{"hotlist.accept": 1, "hotlist.export": 1, "retro.review": 1} {
		if e, _ := f.store.AuditLog(ctx, analytics.AuditFilter{Action: action}); len(e) != want {
			t.Errorf("%s: %d audit entries, want %d", action, len(e), want)
		}
	}

	// Thirteen hours without a fetch: the dashboard flags the list.
	_, body, _ = get(t, sup, f.srv.URL+"/")
	if strings.Contains(body, `id="stale"`) {
		t.Fatal("a fresh list was flagged stale")
	}
	f.clk.add(13 * time.Hour)
	sup = f.client(t) // the old session ended long ago
	f.login(t, sup, "supervisor1", testPassword)
	_, body, _ = get(t, sup, f.srv.URL+"/")
	if !strings.Contains(body, `id="stale"`) || !strings.Contains(body, "NCIC: last confirmed 13 hours ago") {
		t.Fatalf("stale list not flagged:\n%s", body)
	}
}

// IT imports a list file by hand: the same checks as a fetched delivery.
func TestHotListImport(t *testing.T) {
	cfg := &hotlists.Config{Format: hotlists.SourcesFormat, Lists: []hotlists.Source{{Name: "NCIC", Format: "ncic", Folder: t.TempDir()}}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	f := newFixtureWith(t, func(o *Options) { o.Hotlists = cfg })
	it := f.client(t)
	_, tok := f.login(t, it, "it1", testPassword)
	upload := func(list, name string, data []byte) (int, string) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		if err := mw.WriteField("csrf", tok); err != nil {
			t.Fatal(err)
		}
		fw, _ := mw.CreateFormFile("file", name)
		if _, err := fw.Write(data); err != nil {
			t.Fatal(err)
		}
		mw.Close()
		resp, err := it.Post(f.srv.URL+"/import/"+list, mw.FormDataContentType(), &b)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	path := filepath.Join(t.TempDir(), "x.txt")
	ncicFile(t, path, f.clk.now(), "AB1234", "CD5678")
	good, _ := os.ReadFile(path)
	if code, body := upload("NCIC", "ncic-0600.txt", good); code != http.StatusOK || !strings.Contains(body, "Imported NCIC: current") {
		t.Fatalf("import %d:\n%s", code, body)
	}
	if code, body := upload("NCIC", "junk.txt", []byte("header\nnot an extract\n")); code != http.StatusUnprocessableEntity || !strings.Contains(body, "junk.txt:2") ||
		!strings.Contains(body, "junk.txt was not imported") || strings.Contains(body, "Imported NCIC") {
		t.Fatalf("junk import %d: want an error, not a success:\n%s", code, body)
	}
	if code, _ := upload("STATE", "x.txt", good); code != http.StatusBadRequest {
		t.Fatalf("a list that is not configured: %d", code)
	}
	if e, _ := f.store.AuditLog(context.Background(), analytics.AuditFilter{Action: "hotlist.", User: "it1"}); len(e) < 2 {
		t.Fatalf("%d audit entries for the imports", len(e))
	}
}

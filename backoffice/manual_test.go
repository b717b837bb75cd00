package backoffice

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/plateward/alpr/edge/plate"
)

// A supervisor adds a department entry, is offered the retro-hit search
// and runs it; IT exports the list for the cars; the entry is expired
// with a reason.
func TestManualEntriesPage(t *testing.T) {
	f := newFixture(t)
	now := f.clk.now()
	if _, err := f.store.DB().Exec(`INSERT INTO reads (id, captured_at, plate, plate_key, camera, vehicle, source_file, loaded_at)
		VALUES ('r1', ?, 'AB8123', ?, 'front', 'car7', 'f', ?)`, now.Add(-48*time.Hour), plate.NewCanonicalizer().Canonical("AB8123"), now); err != nil {
		t.Fatal(err)
	}
	s := f.client(t)
	_, tok := f.login(t, s, "supervisor1", testPassword)
	until := now.In(f.store.Location()).AddDate(0, 0, 7).Format("2006-01-02")
	code, body := post(t, s, f.srv.URL+"/manual", url.Values{"csrf": {tok}, "plate": {"ab-b123"}, "state": {"MO"},
		"reason": {"Armed robbery suspect vehicle"}, "case": {"26-77"}, "until": {until}})
	if code != http.StatusOK || !strings.Contains(body, `id="retro-offer"`) || !strings.Contains(body, "<td>ABB123</td>") {
		t.Fatalf("add %d:\n%s", code, body)
	}
	if code, _ := post(t, s, f.srv.URL+"/manual", url.Values{"csrf": {tok}, "plate": {"ZZ1"}, "reason": {"x"}, "case": {"1"}, "until": {"2030-01-01"}}); code != http.StatusBadRequest {
		t.Fatalf("an entry for years: %d", code)
	}
	// The offered search: look-alike characters find AB8123 for ABB123.
	code, body = post(t, s, f.srv.URL+"/search", url.Values{"csrf": {tok}, "kind": {"misread"}, "plate": {"ABB123"},
		"reason": {"retro-hit search for a new department entry"}, "case": {"26-77"}})
	if code != http.StatusOK || !strings.Contains(body, `id="count">1 read `) {
		t.Fatalf("retro search %d:\n%s", code, body)
	}
	it := f.client(t)
	f.login(t, it, "it1", testPassword)
	resp, err := it.Get(f.srv.URL + "/manual/local.csv")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "ABB123,MO,Armed robbery suspect vehicle,26-77,") {
		t.Fatalf("export %d: %s", resp.StatusCode, b)
	}
	if code, _, _ := get(t, it, f.srv.URL+"/manual/..%2f..%2fusers.json"); code != http.StatusBadRequest {
		t.Fatalf("a path outside the two files: %d, want refused as no name", code)
	}
	if code, _, _ := get(t, it, f.srv.URL+"/manual/users.json"); code != http.StatusNotFound {
		t.Fatalf("a name that is not one of the two files: %d", code)
	}
	_, body, _ = get(t, s, f.srv.URL+"/hotlists")
	id := regexp.MustCompile(`action="/manual/([^/]+)/expire"`).FindStringSubmatch(body)
	if id == nil {
		t.Fatal("no expire form")
	}
	code, body = post(t, s, f.srv.URL+"/manual/"+id[1]+"/expire", url.Values{"csrf": {tok}, "note": {"vehicle recovered"}})
	if code != http.StatusOK || !strings.Contains(body, "No department entries in force") {
		t.Fatalf("expire %d:\n%s", code, body)
	}
}

package backoffice

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/plateward/alpr/analytics"
)

// car7Token issues car7's token for the car API.
func car7Token(t *testing.T, f *fixture) string {
	t.Helper()
	ct, err := OpenCarTokens(f.store.Dir())
	if err != nil {
		t.Fatal(err)
	}
	tok, err := ct.Issue("car7", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func carPost(t *testing.T, u, token, body string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, bytes.NewBufferString(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Cars push hits; dispatch sees them, highest priority first, and
// acknowledges each once; every step is authorised and audited.
func TestDispatchBoard(t *testing.T) {
	f := newFixture(t)
	tok := car7Token(t, f)
	at := f.clk.now().Add(-time.Minute).Format(time.RFC3339)
	hit := func(id, plate, prio string) string {
		return `{"id":"` + id + `","alerted_at":"` + at + `","plate":"` + plate + `","matched_plate":"` + plate + `","match_kind":"exact",
			"list_name":"NCIC","list_code":"V","priority":"` + prio + `","reason":"Stolen vehicle","officer":"4127","has_fix":true,"lat":38.63,"lon":-90.2}`
	}
	u := f.srv.URL + "/car/hits"
	for _, tc := range []struct {
		name, token, body string
		want              int
	}{
		{"no token", "", hit("h1", "ABC123", "medium"), http.StatusUnauthorized},
		{"a hit", tok, hit("h1", "ABC123", "medium"), http.StatusAccepted},
		{"the same hit again", tok, hit("h1", "ABC123", "medium"), http.StatusAccepted},
		{"a high-priority hit", tok, hit("h2", "XYZ789", "high"), http.StatusAccepted},
		{"an unknown field", tok, `{"id":"h3","plate":"A","sql":"DROP TABLE reads"}`, http.StatusBadRequest},
		{"no plate", tok, `{"id":"h4","alerted_at":"` + at + `","list_name":"NCIC","reason":"x"}`, http.StatusBadRequest},
		{"a position off the Earth", tok, strings.Replace(hit("h5", "QQQ111", "low"), `"lat":38.63`, `"lat":138.63`, 1), http.StatusBadRequest},
	} {
		if code := carPost(t, u, tc.token, tc.body); code != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, code, tc.want)
		}
	}
	var n int
	if err := f.store.DB().QueryRow(`SELECT count(*) FROM dispatch_hits`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Fatalf("%d hits on the board, want 2", n)
	}
	d := f.client(t)
	_, dtok := f.login(t, d, "dispatcher1", testPassword)
	code, body, _ := get(t, d, f.srv.URL+"/dispatch")
	if code != http.StatusOK || !strings.Contains(body, `<span id="open-count">2</span> hits waiting`) || strings.Index(body, "XYZ789") > strings.Index(body, "ABC123") {
		t.Fatalf("board %d:\n%s", code, body)
	}
	if !strings.Contains(body, `src="/static/dispatch.js"`) || strings.Contains(body, `http-equiv="refresh"`) {
		t.Fatal("the board does not update itself in place")
	}
	get(t, d, f.srv.URL+"/dispatch") // a reload: not audited again within the quarter hour
	// The acknowledgement redirects to the board, so that the page's
	// address stays the board's (a reload of /dispatch/h2 was a 405).
	if code, _ := post(t, d, f.srv.URL+"/dispatch/h2", url.Values{"csrf": {dtok}, "note": {"unit 12 sent"}}); code != http.StatusSeeOther {
		t.Fatalf("ack: %d, want a redirect to the board", code)
	}
	code, body, _ = get(t, d, f.srv.URL+"/dispatch?acked=1")
	if code != http.StatusOK || !strings.Contains(body, "Acknowledged.") || !strings.Contains(body, `<span id="open-count">1</span> hits waiting`) || !regexp.MustCompile(`dispatcher1 \d\d:\d\d:\d\d unit 12 sent`).MatchString(body) {
		t.Fatalf("ack %d:\n%s", code, body)
	}
	s := f.client(t)
	_, stok := f.login(t, s, "supervisor1", testPassword)
	if code, _ := post(t, s, f.srv.URL+"/dispatch/h2", url.Values{"csrf": {stok}}); code != http.StatusConflict {
		t.Fatalf("a second acknowledgement: %d", code)
	}
	a := f.client(t)
	f.login(t, a, "analyst1", testPassword)
	if code, _, _ := get(t, a, f.srv.URL+"/dispatch"); code != http.StatusForbidden {
		t.Fatalf("analyst at the board: %d", code)
	}
	for action, want := range map[string]int{"dispatch.view": 2, "dispatch.ack": 1, "car.refused": 1} {
		// Views: the dispatcher's first (not the reload, nor the page after
		// the ack, within the quarter hour), and the supervisor's.
		if e, _ := f.store.AuditLog(context.Background(), analytics.AuditFilter{Action: action}); len(e) != want {
			t.Errorf("%s: %d audit entries, want %d", action, len(e), want)
		}
	}
}

// A car pushes the plate's crop with its hit: the board shows it to
// dispatch, and to no other role; a crop that is not a JPEG is refused.
func TestDispatchShowsTheCarsCrop(t *testing.T) {
	f := newFixture(t)
	tok := car7Token(t, f)
	at := f.clk.now().Add(-time.Minute).Format(time.RFC3339)
	jpeg := []byte("\xff\xd8\xff\xe0 a crop \xff\xd9")
	hit := func(id string, crop []byte) string {
		return `{"id":"` + id + `","alerted_at":"` + at + `","plate":"ABC123","matched_plate":"ABC123","match_kind":"exact",
			"list_name":"NCIC","priority":"high","reason":"Stolen vehicle","has_fix":false,"crop_jpeg":"` + base64.StdEncoding.EncodeToString(crop) + `"}`
	}
	if code := carPost(t, f.srv.URL+"/car/hits", tok, hit("h1", jpeg)); code != http.StatusAccepted {
		t.Fatalf("a hit with its crop: %d", code)
	}
	if code := carPost(t, f.srv.URL+"/car/hits", tok, hit("h2", []byte("<svg onload=alert(1)>"))); code != http.StatusBadRequest {
		t.Fatalf("a crop that is not a JPEG: %d", code)
	}
	d := f.client(t)
	f.login(t, d, "dispatcher1", testPassword)
	if code, body, _ := get(t, d, f.srv.URL+"/dispatch"); code != http.StatusOK || !strings.Contains(body, `<img class="crop" src="/dispatch/h1/crop"`) {
		t.Fatalf("board %d:\n%s", code, body)
	}
	resp, err := d.Get(f.srv.URL + "/dispatch/h1/crop")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" || !bytes.Equal(b, jpeg) {
		t.Fatalf("the crop: %d %q", resp.StatusCode, b)
	}
	if code, _, _ := get(t, d, f.srv.URL+"/dispatch/h2/crop"); code != http.StatusNotFound {
		t.Errorf("a refused hit's crop: %d", code)
	}
	a := f.client(t)
	f.login(t, a, "analyst1", testPassword)
	if code, _, _ := get(t, a, f.srv.URL+"/dispatch/h1/crop"); code != http.StatusForbidden {
		t.Errorf("an analyst asks for the board's crop: %d", code)
	}
}

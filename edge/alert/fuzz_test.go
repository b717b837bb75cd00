package alert

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzPosts sends any step, hit id and JSON body, with the page's token,
// to the alert page's POST routes: the answer is never a server error
// (the sink here does not fail). That a step is taken only in order is
// TestStepOrder's job, not this target's.
func FuzzPosts(f *testing.F) {
	for _, s := range []struct{ id, step, body string }{
		{"h1", "confirm", `{"value":"match"}`},
		{"h1", "disposition", `{"value":"confirmed-stop","note":"<script>alert(1)</script>"}`},
		{"h2", "confirm", `{"value":"misread","note":"` + strings.Repeat("x", 5000) + `"}`},
		{"h1", "override", `{"value":1e400}`},
		{"../h1", "confirm", `{"value":null}`},
		{"h1", "logout", `{"supervisor":"4100","pin":"0000"}`},
		{"h1", "confirm", `[`},
	} {
		f.Add(s.id, s.step, s.body)
	}
	f.Fuzz(func(t *testing.T, id, step, body string) {
		s, _ := newServer(t)
		for _, h := range []string{"h1", "h2"} {
			if err := s.Hit(hit(h, "high"), nil); err != nil {
				t.Fatal(err)
			}
		}
		path := "/hits/" + url.PathEscape(id) + "/" + url.PathEscape(step)
		if step == "logout" {
			path = "/logout"
		}
		req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1"+path, strings.NewReader(body))
		req.Header.Set("X-Plateward-Token", s.token)
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("POST %s %q: %d %s", path, body, rec.Code, rec.Body.String())
		}
	})
}

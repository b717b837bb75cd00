package backoffice

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// FuzzForms posts any form body, and any path value, to every POST route
// of the permission table, as a user the table allows, with a live
// session and its CSRF token. Whatever is sent, the answer is never a
// server error (bad input gets a 4xx and a message), and no HTML page
// carries a script element: the pages have none of their own, so one in
// an answer is the input coming back unescaped.
// ownScript is a page's own script: a static file of the app's, by name.
var ownScript = regexp.MustCompile(`<script src="/static/[a-z]+(/[a-z]+)?\.js" defer></script>`)

func FuzzForms(f *testing.F) {
	fx := newFixture(f)
	var posts []Route
	for r := range permissions() {
		// Logging out ends the session the fuzzer uses.
		if strings.HasPrefix(string(r), "POST ") && r != RouteLogout {
			posts = append(posts, r)
		}
	}
	slices.Sort(posts)
	type browser struct {
		c   *http.Client
		tok string
	}
	as := map[Role]browser{}
	for _, r := range posts {
		role := permissions()[r][0]
		if _, ok := as[role]; !ok {
			c := fx.client(f)
			code, tok := fx.login(f, c, string(role)+"1", testPassword)
			if code != http.StatusSeeOther {
				f.Fatalf("login as %s: %d", role, code)
			}
			as[role] = browser{c, tok}
		}
	}
	for i := range posts {
		for _, s := range []struct{ arg, body string }{
			{"x", "plate=AB1C2D&reason=stolen&case=26-1&from=2026-11-01&to=2026-11-20"},
			{"1", "plate=%27%20OR%201%3D1%20--&reason=r&case=c&note=%3Cscript%3Ealert(1)%3C%2Fscript%3E"},
			{"..%2F..%2Fetc%2Fpasswd", "name=%3Cscript%3E&role=it&kind=..%2Fetc&format=pdf&month=2026-99"},
			{"", "query=SELECT%201&lat=91&lon=-181&radius=-5&polygon=1,2;3&within=-1m"},
		} {
			f.Add(uint8(i), s.arg, s.body)
		}
	}
	param := regexp.MustCompile(`\{[^}]+\}`)
	f.Fuzz(func(t *testing.T, route uint8, arg, body string) {
		r := posts[int(route)%len(posts)]
		b := as[permissions()[r][0]]
		path := param.ReplaceAllLiteralString(strings.TrimPrefix(string(r), "POST "), url.PathEscape(arg))
		path = strings.ReplaceAll(path, "{$}", "")
		req, err := http.NewRequest(http.MethodPost, fx.srv.URL+path, strings.NewReader(body+"&csrf="+url.QueryEscape(b.tok)))
		if err != nil {
			t.Skip(err) // not a request any browser could send
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		out, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode >= 500 {
			t.Fatalf("%s %q with %q: %d %s", r, arg, body, resp.StatusCode, out)
		}
		// The pages' own scripts are static files (the CSP allows no other);
		// any other script element is an injection.
		page := ownScript.ReplaceAllString(string(out), "")
		if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") && strings.Contains(strings.ToLower(page), "<script") {
			t.Fatalf("%s %q with %q: a script element in the answer:\n%s", r, arg, body, out)
		}
	})
}

package backoffice

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/plateward/alpr/analytics"
)

// TestDestructiveAccountActionsAskFirst: disabling an account or
// resetting its password is asked first, in words, and nothing changes
// until IT confirms; unlocking and enabling are done at once.
func TestDestructiveAccountActionsAskFirst(t *testing.T) {
	f := newFixture(t)
	c := f.client(t)
	_, tok := f.login(t, c, "it1", testPassword)
	u := f.srv.URL + "/users/analyst1"
	for _, tc := range []struct{ action, asks string }{
		{"disable", "Disable analyst1?"},
		{"reset", "Reset the password of analyst1?"},
	} {
		t.Run(tc.action, func(t *testing.T) {
			code, body := post(t, c, u, url.Values{"csrf": {tok}, "action": {tc.action}})
			if code != http.StatusOK || !strings.Contains(body, `id="confirm"`) || !strings.Contains(body, tc.asks) ||
				!strings.Contains(body, `name="confirm" value="yes"`) {
				t.Fatalf("%s without confirming answered %d:\n%s", tc.action, code, body)
			}
			if strings.Contains(body, "One-time password") {
				t.Fatal("the password was reset before IT confirmed")
			}
			us, err := f.users.Get("analyst1")
			if err != nil || us.Disabled || us.MustChange {
				t.Fatalf("analyst1 changed before IT confirmed: %+v %v", us, err)
			}
		})
	}
	if code, body := post(t, c, u, url.Values{"csrf": {tok}, "action": {"disable"}, "confirm": {"yes"}}); code != http.StatusOK || !strings.Contains(body, "analyst1: disabled") {
		t.Fatalf("confirmed disable answered %d", code)
	}
	if us, _ := f.users.Get("analyst1"); !us.Disabled {
		t.Fatal("confirmed, analyst1 is still enabled")
	}
	if code, body := post(t, c, u, url.Values{"csrf": {tok}, "action": {"enable"}}); code != http.StatusOK || strings.Contains(body, `id="confirm"`) {
		t.Fatalf("enable asked or failed: %d", code)
	}
	if code, body := post(t, c, u, url.Values{"csrf": {tok}, "action": {"reset"}, "confirm": {"yes"}}); code != http.StatusOK || !strings.Contains(body, "One-time password") {
		t.Fatalf("confirmed reset answered %d", code)
	}
	if code, _ := post(t, c, f.srv.URL+"/users/nobody", url.Values{"csrf": {tok}, "action": {"disable"}}); code != http.StatusBadRequest {
		t.Fatalf("disabling an unknown user answered %d", code)
	}
}

// TestITEditsAnAccount: IT opens an account's form (filled in), changes
// its badge, unit, role and training date, sees what changed in words
// (and the audit log has it); the user's sessions end with a new role;
// a bad date is refused with nothing changed, and IT cannot change its
// own role.
func TestITEditsAnAccount(t *testing.T) {
	f := newFixture(t)
	analyst := f.client(t)
	f.login(t, analyst, "analyst1", testPassword)
	c := f.client(t)
	_, tok := f.login(t, c, "it1", testPassword)
	u := f.srv.URL + "/users/analyst1"
	code, body := post(t, c, u, url.Values{"csrf": {tok}, "action": {"edit"}})
	if code != http.StatusOK || !strings.Contains(body, `id="edit"`) || !strings.Contains(body, `<option selected>analyst</option>`) ||
		!strings.Contains(body, `name="trained_on" value="2026-01-05"`) {
		t.Fatalf("edit form: %d %.1500s", code, body)
	}
	code, body = post(t, c, u, url.Values{"csrf": {tok}, "action": {"save"}, "badge": {" 4471 "}, "unit": {"Investigations"},
		"role": {"supervisor"}, "trained_on": {"2026-02-01"}})
	want := "analyst1: badge none → 4471, unit none → Investigations, role analyst → supervisor, trained 2026-01-05 → 2026-02-01"
	if code != http.StatusOK || !strings.Contains(body, want) {
		t.Fatalf("save: %d, want %q in %.800s", code, want, body)
	}
	if us, _ := f.users.Get("analyst1"); us.Badge != "4471" || us.Unit != "Investigations" || us.Role != Supervisor || us.TrainedOn != "2026-02-01" {
		t.Fatalf("saved %+v", us)
	}
	if code, _, _ := get(t, analyst, f.srv.URL+"/search"); code == http.StatusOK {
		t.Error("the user's session outlived the change of role")
	}
	if es, err := f.store.AuditLog(context.Background(), analytics.AuditFilter{Action: "user.edit"}); err != nil || len(es) != 1 || !strings.Contains(es[0].Detail, "role analyst → supervisor") {
		t.Errorf("audit: %+v %v", es, err)
	}
	for _, tc := range []struct {
		name, user string
		form       url.Values
		says       string
	}{
		{"bad date", "analyst1", url.Values{"badge": {"1"}, "role": {"supervisor"}, "trained_on": {"last week"}}, "want YYYY-MM-DD"},
		{"unknown role", "analyst1", url.Values{"role": {"sheriff"}}, "unknown role"},
		{"own role", "it1", url.Values{"role": {"analyst"}}, "cannot change your own role"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := f.users.Get(tc.user)
			tc.form.Set("csrf", tok)
			tc.form.Set("action", "save")
			code, body := post(t, c, f.srv.URL+"/users/"+tc.user, tc.form)
			if code != http.StatusBadRequest || !strings.Contains(body, tc.says) {
				t.Errorf("%d, want 400 saying %q: %.600s", code, tc.says, body)
			}
			if after, _ := f.users.Get(tc.user); after.Role != before.Role || after.Badge != before.Badge || after.TrainedOn != before.TrainedOn {
				t.Errorf("changed: %+v → %+v", before, after)
			}
		})
	}
}

// TestProblemPagesLinkOnAndKeepWhatWasTyped: a page the role may not use,
// a form whose session ended and a stale form each answer with a page
// that says why and links on; the two forms show back what was typed
// (never the token or a password), but only to a post from the app's own
// page.
func TestProblemPagesLinkOnAndKeepWhatWasTyped(t *testing.T) {
	f := newFixture(t)
	c := f.client(t)
	_, tok := f.login(t, c, "analyst1", testPassword)
	send := func(c *http.Client, path string, v url.Values, sameOrigin bool) (int, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, f.srv.URL+path, strings.NewReader(v.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if sameOrigin {
			req.Header.Set("Sec-Fetch-Site", "same-origin")
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	search := url.Values{"plate": {"ABC1234"}, "reason": {"burglary series"}, "case": {"26-7781"}, "password": {"hunter2hunter2"}}

	code, body := send(c, "/users", url.Values{"csrf": {tok}, "name": {"x1"}}, true)
	if code != http.StatusForbidden || !strings.Contains(body, "An analyst may not use this page") ||
		!strings.Contains(body, `href="/"`) || strings.Contains(body, "What you typed") {
		t.Errorf("denied: %d %.900s", code, body)
	}

	stale := url.Values{"csrf": {"not-the-token"}}
	for k, v := range search {
		stale[k] = v
	}
	code, body = send(c, "/search", stale, true)
	if code != http.StatusForbidden || !strings.Contains(body, `href="/search"`) || !strings.Contains(body, "burglary series") ||
		!strings.Contains(body, "26-7781") || strings.Contains(body, "hunter2") || strings.Contains(body, "not-the-token") {
		t.Errorf("stale form: %d %.1500s", code, body)
	}
	if _, body = send(c, "/search", stale, false); strings.Contains(body, "burglary series") {
		t.Error("a post from another site was shown back")
	}

	gone := f.client(t) // no session
	code, body = send(gone, "/search", search, true)
	if code != http.StatusUnauthorized || !strings.Contains(body, `href="/login"`) || !strings.Contains(body, "burglary series") ||
		strings.Contains(body, "hunter2") {
		t.Errorf("ended session: %d %.1500s", code, body)
	}
}

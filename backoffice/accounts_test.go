package backoffice

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
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

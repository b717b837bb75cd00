package backoffice

import (
	"crypto/tls"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestLockoutCannotKeepITOut: guesses from one address lock the account
// from that address only; a spray from many addresses locks it
// everywhere but where it last logged in; IT's unlock ends both.
func TestLockoutCannotKeepITOut(t *testing.T) {
	u, err := OpenUsers(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	pw, err := u.Create(User{Name: "it1", Role: IT}, now)
	if err != nil {
		t.Fatal(err)
	}
	lo := Lockout{PerAddress: 5, PerAccount: 20, For: 15 * time.Minute}
	login := func(pass, addr string) error {
		_, err := u.Authenticate("it1", pass, addr, now, lo)
		return err
	}
	if err := login(pw, "10.0.0.5"); err != nil { // IT's own workstation, now a known address
		t.Fatal(err)
	}
	for i := range 5 {
		if err := login("guess", "203.0.113.9"); err == nil {
			t.Fatalf("guess %d accepted", i)
		}
	}
	for _, tc := range []struct {
		name, pass, addr string
		want             error
	}{
		{"the guesser's address is locked, even with the password", pw, "203.0.113.9", ErrLocked},
		{"IT's workstation is not", pw, "10.0.0.5", nil},
		{"nor a new address", pw, "10.0.0.6", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := login(tc.pass, tc.addr); !errors.Is(err, tc.want) {
				t.Fatalf("%v, want %v", err, tc.want)
			}
		})
	}
	// A spray: four guesses each from many addresses (each under the
	// per-address lock) adds up to the account-wide lock.
	for i := range 5 {
		for range 4 {
			_ = login("guess", "198.51.100."+string(rune('1'+i)))
		}
	}
	if err := login(pw, "10.0.0.7"); !errors.Is(err, ErrLocked) {
		t.Fatalf("after a spray, an unknown address: %v, want locked", err)
	}
	if err := login(pw, "10.0.0.5"); err != nil {
		t.Fatalf("after a spray, IT's own workstation: %v", err)
	}
	// The account-wide lock is saved: a restart keeps it.
	u2, err := OpenUsers(strings.TrimSuffix(u.path, "/"+UsersFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u2.Authenticate("it1", pw, "10.0.0.8", now, lo); !errors.Is(err, ErrLocked) {
		t.Fatalf("after a restart: %v, want still locked", err)
	}
	if err := u2.Unlock("it1"); err != nil {
		t.Fatal(err)
	}
	if _, err := u2.Authenticate("it1", pw, "10.0.0.8", now, lo); err != nil {
		t.Fatalf("after IT's unlock: %v", err)
	}
	if _, err := u2.Authenticate("it1", pw, "203.0.113.9", now.Add(16*time.Minute), lo); err != nil {
		t.Fatalf("the guesser's address after the lockout: %v", err)
	}
}

// TestLoginAnswersDoNotTellAccountsApart: an unknown name, a wrong
// password and a locked account get the same page text.
func TestLoginAnswersDoNotTellAccountsApart(t *testing.T) {
	f := newFixture(t)
	c := f.client(t)
	for range 5 {
		f.login(t, c, "clerk1", "wrong password!")
	}
	answer := func(user, pw string) string {
		_, _, tok := get(t, c, f.srv.URL+"/login")
		code, body := post(t, c, f.srv.URL+"/login", url.Values{"csrf": {tok}, "user": {user}, "password": {pw}})
		if code != http.StatusUnauthorized {
			t.Fatalf("%s: %d", user, code)
		}
		i := strings.Index(body, ErrLoginRefused.Error())
		if i < 0 {
			t.Fatalf("%s: the page does not give the one refusal:\n%s", user, body)
		}
		// The page but its fresh form token.
		return regexp.MustCompile(`value="[A-Za-z0-9_-]{43}"`).ReplaceAllString(body[i:], "")
	}
	unknown, wrong, locked := answer("nobody", "whatever pw1"), answer("analyst1", "wrong password!"), answer("clerk1", testPassword)
	if unknown != wrong || wrong != locked {
		t.Fatal("the login page's answers differ between an unknown name, a wrong password and a locked account")
	}
}

// TestPasswordChangeEndsOtherSessionsAndRefusesTheSame: a one-time
// password cannot be kept as the new one, and a new password ends the
// user's other sessions.
func TestPasswordChangeEndsOtherSessionsAndRefusesTheSame(t *testing.T) {
	f := newFixture(t)
	pw, err := f.users.Reset("analyst1")
	if err != nil {
		t.Fatal(err)
	}
	a, b := f.client(t), f.client(t)
	_, tok := f.login(t, a, "analyst1", pw)
	code, body := post(t, a, f.srv.URL+"/password", url.Values{"csrf": {tok}, "old": {pw}, "new": {pw}, "again": {pw}})
	if code != http.StatusBadRequest || !strings.Contains(body, ErrSamePassword.Error()) {
		t.Fatalf("keeping the one-time password: %d", code)
	}
	if code, _ := post(t, a, f.srv.URL+"/password", url.Values{"csrf": {tok}, "old": {pw}, "new": {testPassword}, "again": {testPassword}}); code != http.StatusSeeOther {
		t.Fatalf("a new password: %d", code)
	}
	_, tokB := f.login(t, b, "analyst1", testPassword)
	f.login(t, a, "analyst1", testPassword)
	const next = "a brand new password!"
	if code, _ := post(t, b, f.srv.URL+"/password", url.Values{"csrf": {tokB}, "old": {testPassword}, "new": {next}, "again": {next}}); code != http.StatusSeeOther {
		t.Fatalf("change from b: %d", code)
	}
	if code, _, _ := get(t, a, f.srv.URL+"/search"); code != http.StatusSeeOther {
		t.Fatalf("the other session after a password change: %d, want sent to log in", code)
	}
	if code, _, _ := get(t, b, f.srv.URL+"/search"); code != http.StatusOK {
		t.Fatalf("the session that changed it: %d", code)
	}
}

// TestHSTSUnderTLS: served over TLS, every answer tells the browser to
// use TLS only; over plain HTTP (a test, a proxy's back end) it does not.
func TestHSTSUnderTLS(t *testing.T) {
	f := newFixture(t)
	ts := httptest.NewTLSServer(f.srv.Config.Handler)
	defer ts.Close()
	c := ts.Client()
	c.Transport.(*http.Transport).TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // the test server's own certificate
	resp, err := c.Get(ts.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=") {
		t.Fatalf("HSTS over TLS: %q", got)
	}
	plain, err := http.Get(f.srv.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	plain.Body.Close()
	if got := plain.Header.Get("Strict-Transport-Security"); got != "" {
		t.Fatalf("HSTS over plain HTTP: %q", got)
	}
}

// TestIdsInPathsAreValidated: every part of an address is a name or an
// id before a handler sees it; a car cannot push a hit whose id would
// turn the board's form into a post elsewhere.
func TestIdsInPathsAreValidated(t *testing.T) {
	f := newFixture(t)
	c := f.client(t)
	f.login(t, c, "dispatcher1", testPassword)
	for _, tc := range []struct {
		path string
		want int
	}{
		{"/dispatch/..%2Fusers%2Fadmin", http.StatusBadRequest},
		{"/crops/..%2F..%2Fusers.json", http.StatusBadRequest},
		{"/crops/%2e%2e", http.StatusBadRequest},
		{"/dispatch/h1%3Cscript%3E", http.StatusBadRequest},
		{"/hotlists/NCIC/current%00", http.StatusBadRequest},
		{"/dispatch", http.StatusOK},
		{"/static/style.css", http.StatusOK},
	} {
		if code, _, _ := get(t, c, f.srv.URL+tc.path); code != tc.want {
			t.Errorf("GET %s: %d, want %d", tc.path, code, tc.want)
		}
	}
	tok := car7Token(t, f)
	at := f.clk.now().Format(time.RFC3339)
	body := `{"id":"../users/admin","alerted_at":"` + at + `","plate":"ABC123","matched_plate":"ABC123","match_kind":"exact","list_name":"NCIC","priority":"high","reason":"Stolen vehicle"}`
	if code := carPost(t, f.srv.URL+"/car/hits", tok, body); code != http.StatusBadRequest {
		t.Fatalf("a pushed hit with id ../users/admin: %d", code)
	}
}

// TestAgencyListOnTheUsersPage: IT lists an agency; an export to it for
// an investigative function is then allowed, and to an agency not listed
// refused, saying why.
func TestAgencyListOnTheUsersPage(t *testing.T) {
	f := newFixture(t)
	it := f.client(t)
	_, tok := f.login(t, it, "it1", testPassword)
	if code, body := post(t, it, f.srv.URL+"/agencies", url.Values{"csrf": {tok}, "ori": {"MO0260000"}, "name": {"Columbia PD"}}); code != http.StatusOK || !strings.Contains(body, "Columbia PD") {
		t.Fatalf("listing an agency: %d", code)
	}
	if code, _ := post(t, it, f.srv.URL+"/agencies", url.Values{"csrf": {tok}, "ori": {"../x"}, "name": {"X"}}); code != http.StatusBadRequest {
		t.Fatalf("a malformed ORI: %d", code)
	}
	a := f.client(t)
	_, atok := f.login(t, a, "analyst1", testPassword)
	export := func(recipient string) (int, string) {
		return post(t, a, f.srv.URL+"/export", url.Values{"csrf": {atok}, "plate": {"ABC123"}, "reason": {"burglary"}, "case": {"26-1"},
			"recipient": {recipient}, "purpose": {"burglary series"}, "basis": {"law-enforcement-investigative"}})
	}
	if code, body := export("Columbia PD"); code != http.StatusOK {
		t.Fatalf("an export to a listed agency: %d %s", code, body)
	}
	if code, body := export("Channel 5 News"); code == http.StatusOK || !strings.Contains(body, "not on the department&#39;s list") {
		t.Fatalf("an export to an agency not listed: %d", code)
	}
	if code, _ := post(t, it, f.srv.URL+"/agencies/MO0260000/remove", url.Values{"csrf": {tok}}); code != http.StatusOK {
		t.Fatalf("removing: %d", code)
	}
	if code, _ := export("Columbia PD"); code == http.StatusOK {
		t.Fatal("an export to a removed agency")
	}
}

package backoffice

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plateward/alpr/analytics"
)

// clock is a settable fake clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

const testPassword = "correct horse battery"

type fixture struct {
	srv   *httptest.Server
	store *analytics.Store
	users *Users
	clk   *clock
}

func newFixture(t testing.TB) *fixture { t.Helper(); return newFixtureWith(t, nil) }

// newFixtureWith lets a test change the app's options.
func newFixtureWith(t testing.TB, opt func(*Options)) *fixture {
	t.Helper()
	dir := t.TempDir()
	st, err := analytics.Open(context.Background(), analytics.DefaultOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	us, err := OpenUsers(dir)
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)}
	// The agencies the tests export to (written directly: not an audited
	// act of any test).
	if _, err := st.DB().Exec(`INSERT INTO agencies VALUES ('MO0100000', 'Boone County Sheriff', 'it1', now()),
		('MO0950100', 'Circuit Attorney', 'it1', now())`); err != nil {
		t.Fatal(err)
	}
	for _, r := range Roles() {
		if _, err := us.Create(User{Name: string(r) + "1", Role: r, TrainedOn: "2026-01-05"}, clk.now()); err != nil {
			t.Fatal(err)
		}
		if err := us.SetPassword(string(r)+"1", testPassword); err != nil {
			t.Fatal(err)
		}
	}
	o := DefaultOptions()
	o.Now = clk.now
	if opt != nil {
		opt(&o)
	}
	app, err := New(st, us, o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app)
	t.Cleanup(srv.Close)
	return &fixture{srv, st, us, clk}
}

// client is one browser: a cookie jar that does not follow redirects.
func (f *fixture) client(t testing.TB) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// get fetches a page and returns its status, body and CSRF token.
func get(t testing.TB, c *http.Client, u string) (int, string, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	tok := ""
	if m := csrfField.FindStringSubmatch(string(b)); m != nil {
		tok = m[1]
	}
	return resp.StatusCode, string(b), tok
}

func post(t testing.TB, c *http.Client, u string, v url.Values) (int, string) {
	t.Helper()
	resp, err := c.PostForm(u, v)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// login logs a browser in and returns the session's CSRF token.
func (f *fixture) login(t testing.TB, c *http.Client, user, pw string) (int, string) {
	t.Helper()
	_, _, tok := get(t, c, f.srv.URL+"/login")
	code, _ := post(t, c, f.srv.URL+"/login", url.Values{"csrf": {tok}, "user": {user}, "password": {pw}})
	if code != http.StatusSeeOther {
		return code, ""
	}
	_, _, tok = get(t, c, f.srv.URL+"/password")
	return code, tok
}

// TestEveryRouteForEveryRole walks the whole permission table: each role
// gets through exactly the routes the table gives it, and 403 elsewhere.
func TestEveryRouteForEveryRole(t *testing.T) {
	f := newFixture(t)
	for _, role := range Roles() {
		c := f.client(t)
		code, tok := f.login(t, c, string(role)+"1", testPassword)
		if code != http.StatusSeeOther {
			t.Fatalf("%s: login answered %d", role, code)
		}
		for _, route := range Routes() {
			if route == RouteLogout || route == RoutePasswordSet {
				continue // they end or change the session; tested on their own
			}
			t.Run(string(role)+" "+string(route), func(t *testing.T) {
				method, p, _ := strings.Cut(string(route), " ")
				p = strings.NewReplacer("{$}", "", "{name}", "officer1", "{id}", "h1", "{list}", "NCIC", "{sha}", "00ab", "{file}", "local.csv", "{ori}", "MO0100000").Replace(p)
				var code int
				if method == http.MethodGet {
					code, _, _ = get(t, c, f.srv.URL+p)
				} else {
					code, _ = post(t, c, f.srv.URL+p, url.Values{"csrf": {tok}, "action": {"bogus"}})
				}
				allowed := Allowed(role, route)
				if allowed && code == http.StatusForbidden || !allowed && code != http.StatusForbidden {
					t.Errorf("answered %d; permission table says allowed=%v", code, allowed)
				}
			})
		}
	}
}

func TestPermissionTableCoversEveryHandler(t *testing.T) {
	a := &App{}
	for r := range a.handlers() {
		if len(permissions()[r]) == 0 {
			t.Errorf("route %s has a handler but no role may use it", r)
		}
	}
	if !Allowed(Analyst, RouteSQL) || Allowed(Clerk, RouteSQL) || Allowed(Officer, RouteUsers) {
		t.Error("the table lost a rule the order depends on")
	}
}

func TestPostWithoutCSRFTokenIsRefused(t *testing.T) {
	f := newFixture(t)
	c := f.client(t)
	if code, _ := f.login(t, c, "analyst1", testPassword); code != http.StatusSeeOther {
		t.Fatal("login failed")
	}
	for name, tok := range map[string]string{"missing": "", "wrong": "AAAA"} {
		t.Run(name, func(t *testing.T) {
			code, body := post(t, c, f.srv.URL+"/search", url.Values{"csrf": {tok}, "plate": {"ABC123"}, "reason": {"r"}, "case": {"c"}})
			if code != http.StatusForbidden || !strings.Contains(body, "open the page again and send it again") {
				t.Errorf("answered %d %q", code, body)
			}
		})
	}
	// A login form posted without its token is refused too.
	c2 := f.client(t)
	if code, _ := post(t, c2, f.srv.URL+"/login", url.Values{"user": {"analyst1"}, "password": {testPassword}}); code != http.StatusForbidden {
		t.Errorf("login without token answered %d", code)
	}
}

func TestSessionExpiresWhenIdleAndAtMaximumAge(t *testing.T) {
	f := newFixture(t)
	c := f.client(t)
	f.login(t, c, "analyst1", testPassword)
	if code, _, _ := get(t, c, f.srv.URL+"/search"); code != http.StatusOK {
		t.Fatalf("fresh session answered %d", code)
	}
	f.clk.add(14 * time.Minute)
	if code, _, _ := get(t, c, f.srv.URL+"/search"); code != http.StatusOK {
		t.Fatalf("14 min idle answered %d", code)
	}
	f.clk.add(16 * time.Minute)
	code, _, _ := get(t, c, f.srv.URL+"/search")
	if code != http.StatusSeeOther {
		t.Fatalf("16 min idle answered %d, want a redirect to login", code)
	}
	// Active all shift long: still ends at the maximum age.
	f.login(t, c, "analyst1", testPassword)
	for range 41 {
		f.clk.add(15 * time.Minute)
		get(t, c, f.srv.URL+"/search")
	}
	if code, _, _ := get(t, c, f.srv.URL+"/search"); code != http.StatusSeeOther {
		t.Fatalf("after 10 h 15 min of activity answered %d", code)
	}
}

func TestRepeatedFailuresLockTheAccount(t *testing.T) {
	f := newFixture(t)
	c := f.client(t)
	for i := range 5 {
		if code, _ := f.login(t, c, "clerk1", "wrong password!"); code != http.StatusUnauthorized {
			t.Fatalf("failure %d answered %d", i+1, code)
		}
	}
	// Locked: even the right password is refused, and says why.
	_, _, tok := get(t, c, f.srv.URL+"/login")
	code, body := post(t, c, f.srv.URL+"/login", url.Values{"csrf": {tok}, "user": {"clerk1"}, "password": {testPassword}})
	if code != http.StatusUnauthorized || !strings.Contains(body, "locked") {
		t.Fatalf("locked account answered %d", code)
	}
	f.clk.add(16 * time.Minute)
	if code, _ := f.login(t, c, "clerk1", testPassword); code != http.StatusSeeOther {
		t.Fatalf("after the lockout answered %d", code)
	}
	entries, err := f.store.AuditLog(context.Background(), analytics.AuditFilter{User: "clerk1", Action: "login"})
	if err != nil {
		t.Fatal(err)
	}
	var failed, locked int
	for _, e := range entries {
		switch e.Action {
		case "login.failed":
			failed++
		case "login.locked":
			locked++
		}
	}
	if failed != 4 || locked != 2 {
		t.Errorf("audit log has %d failed and %d locked logins, want 4 and 2", failed, locked)
	}
}

func TestOneTimePasswordMustBeChangedFirst(t *testing.T) {
	f := newFixture(t)
	pw, err := f.users.Reset("analyst1")
	if err != nil {
		t.Fatal(err)
	}
	c := f.client(t)
	_, tok := f.login(t, c, "analyst1", pw)
	if code, _, _ := get(t, c, f.srv.URL+"/search"); code != http.StatusSeeOther {
		t.Fatalf("search with a one-time password answered %d, want a redirect to /password", code)
	}
	code, _ := post(t, c, f.srv.URL+"/password", url.Values{"csrf": {tok}, "old": {pw}, "new": {"a new long passphrase"}, "again": {"a new long passphrase"}})
	if code != http.StatusSeeOther {
		t.Fatalf("password change answered %d", code)
	}
	if code, _, _ := get(t, c, f.srv.URL+"/search"); code != http.StatusOK {
		t.Fatalf("search after the change answered %d", code)
	}
}

func TestSearchNeedsReasonAndCaseAndIsAudited(t *testing.T) {
	f := newFixture(t)
	c := f.client(t)
	_, tok := f.login(t, c, "analyst1", testPassword)
	code, body := post(t, c, f.srv.URL+"/search", url.Values{"csrf": {tok}, "plate": {"ABC123"}})
	if code != http.StatusBadRequest || !strings.Contains(body, "reason") {
		t.Fatalf("search without reason answered %d", code)
	}
	code, body = post(t, c, f.srv.URL+"/search", url.Values{"csrf": {tok}, "plate": {"abc 123"}, "reason": {"stolen vehicle"}, "case": {"26-1234"}})
	if code != http.StatusOK || !strings.Contains(body, `id="count">0 reads of abc 123`) {
		t.Fatalf("search answered %d: %s", code, body)
	}
	entries, err := f.store.AuditLog(context.Background(), analytics.AuditFilter{Case: "26-1234"})
	if err != nil || len(entries) != 1 || entries[0].User != "analyst1" || entries[0].Action != "search.plate" {
		t.Fatalf("audit = %+v, %v", entries, err)
	}
}

func TestSupervisorEntersALateDisposition(t *testing.T) {
	f := newFixture(t)
	if _, err := f.store.DB().Exec(`INSERT INTO hits (id, read_id, alerted_at, plate, matched_plate, match_kind, list_name, list_code,
		priority, reason, covert, officer, vehicle, source_file, loaded_at) VALUES ('h1', 'r1', ?, 'XYZ123', 'XYZ123', 'exact', 'NCIC',
		'V', 'high', 'Stolen vehicle', false, '4127', 'car7', 'f', now())`, f.clk.now().Add(-24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	c := f.client(t)
	_, tok := f.login(t, c, "supervisor1", testPassword)
	form := url.Values{"csrf": {tok}, "reason": {"hit audit"}, "case": {"AUDIT-26-11"}}
	code, body := post(t, c, f.srv.URL+"/hits", form)
	if code != http.StatusOK || !strings.Contains(body, `id="count">1 hits without disposition`) {
		t.Fatalf("hit audit answered %d", code)
	}
	other := url.Values{"csrf": {tok}, "reason": {"hit audit"}, "case": {"AUDIT-26-11"}, "shift": {"another-shift"}}
	if _, body := post(t, c, f.srv.URL+"/hits", other); !strings.Contains(body, `id="count">0 hits without disposition`) {
		t.Error("the shift filter kept another shift's hit")
	}
	form.Set("code", "not-a-code")
	if code, _ := post(t, c, f.srv.URL+"/hits/h1", form); code != http.StatusBadRequest {
		t.Errorf("unknown code answered %d", code)
	}
	form.Set("code", "misread")
	form.Set("note", "officer confirmed by radio")
	code, body = post(t, c, f.srv.URL+"/hits/h1", form)
	if code != http.StatusOK || !strings.Contains(body, `id="count">0 hits without disposition`) || !strings.Contains(body, "recorded for XYZ123 (alerted") ||
		!strings.Contains(body, "by supervisor1") || strings.Contains(body, "Hit h1") {
		t.Fatalf("late disposition answered %d (want it named by plate and time): %s", code, body)
	}
	entries, _ := f.store.AuditLog(context.Background(), analytics.AuditFilter{Action: "hits.late-disposition"})
	if len(entries) != 1 || entries[0].User != "supervisor1" || entries[0].Case != "AUDIT-26-11" {
		t.Errorf("audit %+v", entries)
	}
}

func TestLoginsPerAddressAreRateLimited(t *testing.T) {
	f := newFixture(t)
	c := f.client(t)
	// A spray: one attempt at each of many accounts locks none, so the
	// address is what stops it.
	var limited int
	for i := range 25 {
		if code, _ := f.login(t, c, fmt.Sprintf("nobody%d", i), "guess"); code == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited != 5 {
		t.Errorf("%d of 25 attempts in a minute refused, want the 5 over the limit of 20", limited)
	}
	f.clk.add(time.Minute)
	if code, _ := f.login(t, c, "analyst1", testPassword); code != http.StatusSeeOther {
		t.Errorf("a minute later, login answered %d", code)
	}
}

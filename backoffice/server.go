// Package boss is the back office (the order's BOSS, A.4): the web app
// that analysts, supervisors, records clerks, IT and the Chief reach from
// department computers with `alpr serve`.
//
// Every route that needs a login is named in the permission table
// (perms.go); a route a role is not given answers 403. Passwords are
// argon2id; sessions live in memory behind a random token in an HTTP-only,
// SameSite=Strict cookie (Secure under TLS) and expire after idle time and
// after a maximum age; every form carries the session's CSRF token and a
// POST without it is refused; repeated failed logins lock the account.
// Logins, failures, lockouts and account changes go to the audit log's
// hash chain with every records access.
package backoffice

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/analytics/hotlists"
	"github.com/plateward/alpr/retention"
)

//go:embed web
var webFS embed.FS

// Options configures the app.
type Options struct {
	SessionIdle     time.Duration    // a session ends after this long without a request
	SessionMax      time.Duration    // and this long after login, however active
	MaxFailures     int              // failed logins in a row from one address that lock the account from there
	AccountFailures int              // failed logins in a row from anywhere that lock the account except where it last logged in
	LockoutFor      time.Duration    // how long a lockout lasts
	LoginsPerMinute int              // login attempts one client address may make a minute
	SecureOnly      bool             // cookies only over TLS; set when serving TLS
	SQLTimeout      time.Duration    // bound of one SQL console query
	Policy          retention.Policy // the retention policy in force, for the records page and reports
	Department      string           // named on reports
	Hotlists        *hotlists.Config // the hot-list sources alpr serve refreshes; nil: none configured
	Now             func() time.Time // the clock; tests inject theirs
	Log             *slog.Logger
	Metrics         *Metrics // requests counted and timed here when set (NewMetrics)
	Map             MapTiles // the search page's map tiles; none: a plain ground
}

// DefaultOptions returns the department's settings: 15 minutes idle,
// 10 hours a shift, five failures from an address lock the account there
// for 15 minutes, fifty from anywhere lock it but for its known addresses.
// The retention policy is the built-in one (order D.1).
func DefaultOptions() Options {
	p, _ := retention.DefaultPolicy() // Validate reports a policy that failed to load
	return Options{SessionIdle: 15 * time.Minute, SessionMax: 10 * time.Hour, MaxFailures: 5, AccountFailures: 50,
		LockoutFor: 15 * time.Minute, LoginsPerMinute: 20, SQLTimeout: 30 * time.Second, Policy: p,
		Department: "St. Louis Metropolitan Police Department", Now: time.Now, Log: slog.Default(), Map: MapTiles{MaxZoom: DefaultMapMaxZoom}}
}

// Validate reports the first invalid option.
func (o Options) Validate() error {
	switch {
	case o.SessionIdle <= 0 || o.SessionMax <= 0:
		return errors.New("back office options: session times must be positive")
	case o.MaxFailures < 1 || o.AccountFailures < o.MaxFailures:
		return errors.New("back office options: max failures must be at least 1, and account failures at least as many")
	case o.LockoutFor <= 0:
		return errors.New("back office options: lockout must be positive")
	case o.LoginsPerMinute < 1:
		return errors.New("back office options: logins per minute must be at least 1")
	case o.Now == nil || o.Log == nil:
		return errors.New("back office options: no clock or logger")
	}
	if err := o.Policy.Validate(); err != nil {
		return fmt.Errorf("back office options: %w", err)
	}
	if err := o.Map.Validate(); err != nil {
		return fmt.Errorf("back office options: %w", err)
	}
	return nil
}

// App is the back-office web app.
type App struct {
	opts  Options
	store *analytics.Store
	users *Users
	sess  *sessions
	limit *loginLimiter
	// refused folds bursts of refusals to strangers into few audit entries.
	refused *refusals
	pages   map[string]*template.Template
	mux     *http.ServeMux
	csp     string // the pages' content security policy: 'self', and the map's tile server
	cars    *CarTokens
	// lastBoardView rate-limits the audit of the dispatch board, which
	// reloads itself: one entry per user per quarter hour.
	boardMu       sync.Mutex
	lastBoardView map[string]time.Time
}

const sessionCookie = "alpr_session"

// New builds the app over an open store and its user accounts.
func New(store *analytics.Store, users *Users, o Options) (*App, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	a := &App{opts: o, store: store, users: users, mux: http.NewServeMux(),
		sess:  &sessions{byID: map[string]*session{}, idle: o.SessionIdle, max: o.SessionMax},
		limit: &loginLimiter{per: o.LoginsPerMinute, window: time.Minute, seen: map[string][]time.Time{}}, lastBoardView: map[string]time.Time{},
		refused: &refusals{window: time.Minute, seen: map[string]*refusalWindow{}}}
	a.csp = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"
	if t := o.Map.origin(); t != "" {
		a.csp = "default-src 'self'; img-src 'self' data: " + t + "; frame-ancestors 'none'"
	}
	var err error
	if a.pages, err = parsePages(); err != nil {
		return nil, err
	}
	a.mux.HandleFunc("GET /login", a.loginPage)
	a.mux.HandleFunc("POST /login", a.login)
	a.mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(mustSub(webFS, "web/static"))))
	// The car API: machines with a car token, not people with a session.
	if a.cars, err = OpenCarTokens(store.Dir()); err != nil {
		return nil, err
	}
	a.mux.HandleFunc("GET /car/hotlists", a.carAuth(a.carManifest))
	a.mux.HandleFunc("GET /car/hotlists/{list}", a.carAuth(a.carList))
	a.mux.HandleFunc("POST /car/hits", a.carAuth(a.carHit))
	for route, h := range a.handlers() {
		a.mux.Handle(string(route), a.guard(route, h))
	}
	return a, nil
}

// Bootstrap creates the first IT administrator, "admin", when there are
// no users, and returns its one-time password to print once.
func Bootstrap(users *Users, now time.Time) (string, bool, error) {
	if users.Len() > 0 {
		return "", false, nil
	}
	pw, err := users.Create(User{Name: "admin", Role: IT, Unit: "IT"}, now)
	return pw, err == nil, err
}

// lockout is the app's Lockout.
func (a *App) lockout() Lockout {
	return Lockout{PerAddress: a.opts.MaxFailures, PerAccount: a.opts.AccountFailures, For: a.opts.LockoutFor}
}

// clientHost is the host part of a request's remote address.
func clientHost(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}

// pathChars are the characters of the names and ids in addresses.
const pathChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_"

// validPath reports whether every part of an escaped path, unescaped, is
// a name or an id as the back office makes them: letters, digits, '.',
// '-' and '_', and not "." or "..". An id is validated as what it is before
// any handler sees it: "..%2Fusers%2Fadmin" in /dispatch/{id} is refused.
func validPath(escaped string) bool {
	for _, part := range strings.Split(escaped, "/") {
		p, err := url.PathUnescape(part)
		if err != nil || p == "." || p == ".." {
			return false
		}
		if strings.IndexFunc(p, func(c rune) bool { return !strings.ContainsRune(pathChars, c) }) >= 0 {
			return false
		}
	}
	return true
}

// ServeHTTP serves the app with its security headers, counted and timed
// by route when the app has Metrics.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if a.opts.Metrics != nil {
		a.opts.Metrics.observe(http.HandlerFunc(a.serve)).ServeHTTP(w, r)
		return
	}
	a.serve(w, r)
}

func (a *App) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", a.csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	if r.TLS != nil {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	if isUpload(r) {
		// Not a byte of an upload before its sender is known (guard).
		if limit, _ := bodyLimit(r); r.ContentLength > limit {
			w.Header().Set("Connection", "close")
			http.Error(w, "this request is larger than this page takes", http.StatusRequestEntityTooLarge)
			return
		}
	} else if !a.readForm(w, r) {
		return
	}
	if !validPath(r.URL.EscapedPath()) {
		http.Error(w, "this address is not one of the back office's: its parts are names and ids of letters, digits, '.', '-' and '_'", http.StatusBadRequest)
		return
	}
	a.mux.ServeHTTP(w, r)
}

// Request bodies are bounded by route before a byte is read, and before
// the session is checked: a stranger cannot make the server hold more than
// maxForm of a form. Only IT's hot-list import (POST /import/{list}) takes
// a file, up to maxUpload (a statewide NCIC extract of a few million
// entries is a few hundred megabytes), and only it takes multipart.
const (
	maxForm   = 64 << 10 // a form: login, search, SQL, notes
	maxUpload = 1 << 30

	formTime   = 30 * time.Second
	uploadTime = 15 * time.Minute
)

// bodyLimit is the largest body the request's route takes, and whether it
// may be multipart.
func bodyLimit(r *http.Request) (limit int64, multipart bool) {
	if isUpload(r) {
		return maxUpload, true
	}
	return maxForm, false
}

// isUpload reports whether r is a file upload to the import route: a
// multipart POST to /import/. Its body is read only after the session and
// the role are checked (guard); any other body there is a form's.
func isUpload(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/import/") && mt == "multipart/form-data"
}

// readForm parses r's form (parseForm) and answers a refusal itself: 413
// for a body over its bound, 400 for one that is not UTF-8 text.
func (a *App) readForm(w http.ResponseWriter, r *http.Request) bool {
	if err := parseForm(w, r); errors.Is(err, errBodyTooLarge) {
		w.Header().Set("Connection", "close")
		http.Error(w, "this request is larger than this page takes", http.StatusRequestEntityTooLarge)
		return false
	} else if err != nil || !validText(r) {
		http.Error(w, "this request's address or form is not valid UTF-8 text", http.StatusBadRequest)
		return false
	}
	return true
}

// errBodyTooLarge is a body over its route's bound.
var errBodyTooLarge = errors.New("request body too large")

// parseForm parses the query and the body's form, URL-encoded or, on the
// import route, multipart (files over 32 MiB go to temporary files, as
// r.FormFile would do), so that validText sees every value. A body over
// its route's bound is refused unread when its length is announced, and
// cut at the bound when it is not.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	limit, multi := bodyLimit(r)
	if r.ContentLength > limit {
		return errBodyTooLarge
	}
	// A body that trickles in does not hold the connection: a form has
	// formTime to arrive, an upload uploadTime. (No deadline can be set on
	// a connection a test's recorder stands for; the bound still holds.)
	d := formTime
	if multi {
		d = uploadTime
	}
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(d)) //nolint:errcheck // see above
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		if !multi {
			return errBodyTooLarge
		}
		return r.ParseMultipartForm(32 << 20) //nolint:gosec // the body is bounded by MaxBytesReader above
	}
	err := r.ParseForm()
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errBodyTooLarge
	}
	return err
}

// validText reports whether a request's path and form (query and
// URL-encoded body) are UTF-8: the store keeps text, and DuckDB refuses
// to bind anything else.
func validText(r *http.Request) bool {
	if !utf8.ValidString(r.URL.Path) {
		return false
	}
	for k, vs := range r.Form {
		if !utf8.ValidString(k) {
			return false
		}
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return false
			}
		}
	}
	return true
}

type ctxKey struct{}

// guard checks the session, the role's permission and, on a POST, the
// CSRF token, in that order.
func (a *App) guard(route Route, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := a.opts.Now()
		c, err := r.Cookie(sessionCookie)
		var s *session
		if err == nil {
			s = a.sess.get(c.Value, now)
		}
		if s == nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login", http.StatusSeeOther)
				return
			}
			a.problem(w, r, http.StatusUnauthorized, "Your session has ended: log in again.", "/login", "Log in again", true)
			return
		}
		if !Allowed(s.role, route) {
			a.audit(r.Context(), s.user, "access.denied", string(route))
			a.problem(w, r, http.StatusForbidden, roleNamed(s.role)+" may not use this page.", "/", "Back to your dashboard", false)
			return
		}
		if isUpload(r) && r.MultipartForm == nil && !a.readForm(w, r) {
			return // an upload is read once its sender may upload
		}
		if r.Method == http.MethodPost && !sameToken(r.PostFormValue("csrf"), s.csrf) {
			a.audit(r.Context(), s.user, "access.csrf", string(route))
			a.problem(w, r, http.StatusForbidden, "This form is stale or did not come from this app: open the page again and send it again.",
				formPage(r), "Open the page again", true)
			return
		}
		if s.mustChange(a.users) && route != RoutePassword && route != RoutePasswordSet && route != RouteLogout {
			http.Redirect(w, r, "/password", http.StatusSeeOther)
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, s)))
	})
}

// roleNamed is "An analyst", "A clerk", "An IT administrator": a role at
// the start of a sentence.
func roleNamed(r Role) string {
	switch n := string(r); {
	case r == IT:
		return "An IT administrator"
	case n != "" && strings.ContainsRune("aeiou", rune(n[0])):
		return "An " + n
	default:
		return "A " + n
	}
}

// keptField is a field of a form that was not sent, shown back to its user.
type keptField struct{ Name, Value string }

// problem answers a request the app cannot serve with a page that says
// why, links to where to go on, and with keep shows the form's fields as
// typed (never a password or the form's token), so nothing typed is lost.
// Only a form the browser says came from this app's own page is shown
// back: another site's forged post must not put its words on ours.
func (a *App) problem(w http.ResponseWriter, r *http.Request, status int, msg, link, linkText string, keep bool) {
	var kept []keptField
	if keep && r.Method == http.MethodPost && r.Header.Get("Sec-Fetch-Site") == "same-origin" {
		_ = r.ParseForm() // bounded by the request limits; a form that cannot be read keeps nothing
		names := make([]string, 0, len(r.PostForm))
		for k := range r.PostForm {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			if k == "csrf" || strings.Contains(k, "password") || k == "old" || k == "new" || k == "again" || k == "action" || k == "confirm" {
				continue
			}
			for _, v := range r.PostForm[k] {
				if strings.TrimSpace(v) != "" {
					kept = append(kept, keptField{k, v})
				}
			}
		}
	}
	a.render(w, r, status, "problem", "This page cannot be shown", view{Error: msg, Data: struct {
		Link, LinkText string
		Kept           []keptField
	}{link, linkText, kept}})
}

// formPage is the page a form was posted to, as a path on this app: where
// it can be opened again.
func formPage(r *http.Request) string {
	p := r.URL.Path
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") {
		return "/"
	}
	return p
}

func (s *session) mustChange(u *Users) bool {
	x, err := u.Get(s.user)
	return err != nil || x.MustChange
}

func current(r *http.Request) *session { return r.Context().Value(ctxKey{}).(*session) }

// audit records an event that is not a records access (logins, account
// changes, refusals) in the audit chain; a failure is logged, not hidden.
// auditRefusal audits a refusal to a stranger (no session, no car token)
// as part of its burst (refusals.note).
func (a *App) auditRefusal(ctx context.Context, user, action, addr, detail string) {
	n, ok := a.refused.note(action, addr, a.opts.Now())
	if !ok {
		return
	}
	a.audit(ctx, user, action, fmt.Sprintf("%s; refusal %d of this kind from this address this minute", detail, n))
}

func (a *App) audit(ctx context.Context, user, action, detail string) {
	user, detail = clip(user, maxAuditUser), clip(detail, maxAuditDetail)
	err := a.store.Audit(ctx, a.opts.Now(), analytics.Access{User: user, Reason: "back office", Case: "-"}, action, detail)
	if err != nil {
		a.opts.Log.Error("audit", "action", action, "user", user, "err", err)
	}
}

func (a *App) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, Secure: a.opts.SecureOnly, //nolint:gosec // Secure follows SecureOnly: on behind TLS, off only for a loopback demo
		SameSite: http.SameSiteStrictMode, MaxAge: maxAge})
}

func mustSub(f fs.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // dir is a constant inside the embedded tree
	}
	return s
}

package backoffice

import (
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/analytics/hotlists"
	"github.com/plateward/alpr/internal/csvsafe"
)

const loginCookie = "alpr_login" // the login form's CSRF token, before a session exists

func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(webFS, "web/*.html")
	if err != nil {
		return nil, err
	}
	funcs := template.FuncMap{"allowed": Allowed, "route": func(s string) Route { return Route(s) }, "matched": analytics.Matched,
		"add": func(a, b int) int { return a + b }, "sub": func(a, b int) int { return a - b }, "reads": readsWord}
	out := map[string]*template.Template{}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(webFS, "web/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("parse page %s: %w", base, err)
		}
		out[strings.TrimSuffix(base, ".html")] = t
	}
	return out, nil
}

// readsWord says n reads: "1 read", "2 reads" (n an int of any size).
func readsWord(n any) string {
	if s := fmt.Sprint(n); s != "1" {
		return s + " reads"
	}
	return "1 read"
}

// view is what every page template gets.
type view struct {
	User  string
	Role  Role
	CSRF  string
	Title string
	Error string
	Note  string
	Data  any
}

func (a *App) render(w http.ResponseWriter, r *http.Request, status int, page, title string, v view) {
	if s, ok := r.Context().Value(ctxKey{}).(*session); ok {
		v.User, v.Role, v.CSRF = s.user, s.role, s.csrf
	}
	v.Title = title
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := a.pages[page].Execute(w, v); err != nil {
		a.opts.Log.Error("render", "page", page, "err", err)
	}
}

func (a *App) handlers() map[Route]http.HandlerFunc {
	return map[Route]http.HandlerFunc{
		RouteDashboard:   a.dashboard,
		RouteSearch:      a.searchPage,
		RouteSearchRun:   a.searchRun,
		RouteSQL:         a.sqlPage,
		RouteSQLRun:      a.sqlRun,
		RouteAudit:       a.auditPage,
		RouteUsers:       a.usersPage,
		RouteUserCreate:  a.userCreate,
		RouteUserChange:  a.userChange,
		RoutePassword:    a.passwordPage,
		RoutePasswordSet: a.passwordSet,
		RouteLogout:      a.logout,
		RouteExport:      a.export,
		RouteDissem:      a.dissemPage,
		RouteAuths:       a.authsPage,
		RouteAuthorise:   a.authorise,
		RouteRevokeAuth:  a.revokeAuth,
		RouteHits:        a.hitsPage,
		RouteHitsRun:     a.hitsRun,
		RouteHitLate:     a.hitLate,
		RouteRecords:     a.recordsPage,
		RouteHoldAdd:     a.holdAdd,
		RouteHoldRelease: a.holdRelease,
		RouteReport:      a.report,
		RouteEvidence:    a.evidence,
		RouteCrop:        a.crop,
		RouteRoster:      a.roster,
		RouteDispatch:    a.dispatchPage,
		RouteBoard:       a.dispatchBoard,
		RouteBoardCrop:   a.dispatchCrop,
		RouteAgencyAdd:   a.agencyAdd,
		RouteAgencyDrop:  a.agencyRemove,
		RouteDispatchAck: a.dispatchAck,
		RouteHotlists:    a.hotlistsPage,
		RouteHotlistDo:   a.hotlistDecide,
		RouteHotlistFile: a.hotlistFile,
		RouteHotlistImp:  a.hotlistImport,
		RouteManualAdd:   a.manualAdd,
		RouteManualEnd:   a.manualExpire,
		RouteManualFile:  a.manualFile,
		RouteRetro:       a.retroPage,
		RouteRetroRun:    a.retroRun,
		RouteRetroReview: a.retroReview,
	}
}

func (a *App) loginPage(w http.ResponseWriter, r *http.Request) {
	tok := newToken()
	a.setCookie(w, loginCookie, tok, 600)
	a.render(w, r, http.StatusOK, "login", "Log in", view{CSRF: tok})
}

func (a *App) login(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(loginCookie)
	if err != nil || !sameToken(r.PostFormValue("csrf"), c.Value) {
		http.Error(w, "this login form is stale: reload the page and try again", http.StatusForbidden)
		return
	}
	name := strings.ToLower(strings.TrimSpace(r.PostFormValue("user")))
	now := a.opts.Now()
	if !a.limit.allow(r.RemoteAddr, now) {
		a.auditRefusal(r.Context(), name, "login.rate-limited", r.RemoteAddr, r.RemoteAddr)
		http.Error(w, "too many login attempts from this computer: wait a minute", http.StatusTooManyRequests)
		return
	}
	u, err := a.users.Authenticate(name, r.PostFormValue("password"), clientHost(r), now, a.lockout())
	if err != nil {
		action, shown := "login.failed", ErrLoginRefused
		switch {
		case errors.Is(err, ErrLocked):
			action = "login.locked"
		case errors.Is(err, ErrDisabled):
			shown = ErrDisabled // only after the right password
		}
		a.audit(r.Context(), name, action, r.RemoteAddr)
		tok := newToken()
		a.setCookie(w, loginCookie, tok, 600)
		a.render(w, r, http.StatusUnauthorized, "login", "Log in", view{CSRF: tok, Error: shown.Error()})
		return
	}
	id, _ := a.sess.start(u, now)
	a.setCookie(w, loginCookie, "", -1)
	a.setCookie(w, sessionCookie, id, 0)
	a.audit(r.Context(), u.Name, "login", r.RemoteAddr)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (a *App) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		a.sess.end(c.Value)
	}
	a.setCookie(w, sessionCookie, "", -1)
	a.audit(r.Context(), current(r).user, "logout", "")
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (a *App) dashboard(w http.ResponseWriter, r *http.Request) {
	days, err := a.store.Daily(r.Context(), 14, a.opts.Now())
	v := view{Data: days}
	if err != nil {
		v.Error = err.Error()
	}
	var most int64 = 1
	for _, d := range days {
		most = max(most, d.Reads)
	}
	stale, serr := a.staleLists(r)
	if serr != nil && v.Error == "" {
		v.Error = serr.Error()
	}
	cars, cerr := a.store.PerCar(r.Context(), a.opts.Now().AddDate(0, 0, -14))
	if cerr != nil && v.Error == "" {
		v.Error = cerr.Error()
	}
	var mostCar, undisposed, failures int64 = 1, 0, 0
	for _, c := range cars {
		mostCar = max(mostCar, c.Reads)
		undisposed += c.Undisposed
		failures += c.SelfCheckFailures
	}
	work, werr := a.store.WorkCounts(r.Context(), a.opts.Now())
	if werr != nil && v.Error == "" {
		v.Error = werr.Error()
	}
	v.Data = struct {
		Days                 []analytics.DayCount
		Max                  int64
		Stale                []hotlists.ListStatus
		Cars                 []analytics.CarCount
		MaxCar               int64
		Undisposed, Failures int64
		Work                 []todo
	}{days, most, stale, cars, mostCar, undisposed, failures,
		todos(current(r).role, waiting{work: work, undisposed: undisposed, failures: failures, stale: len(stale)})}
	a.render(w, r, http.StatusOK, "dashboard", "Dashboard", v)
}

// searchForm is the search page's form, kept to refill it, and its
// answer.
type searchForm struct {
	Kind, Plate, From, To, Reason, Case string
	Lat, Lon, Radius, Polygon           string // stakeout and geofence
	Within, MinTimes                    string // convoy: minutes, times seen together
	Kinds                               []struct{ Kind, Label string }
	Rows                                []analytics.ReadRow
	Sight                               *analytics.Sightings
	Assoc                               []analytics.Associate
	Map                                 *mapView // the results on a map; nil: no position
	Ran                                 bool
	Loc                                 *time.Location
	// Page is the page of a read search's results (1: the newest
	// pageSize); Shown the first and last shown, counted from the newest.
	Page               int
	ShownFrom, ShownTo int
	HasNewer, HasOlder bool
	PageSize           int
}

// pageSize is how many reads a page of results shows; maxPages bounds how
// far back the pages go (beyond, the window must narrow).
const (
	pageSize = analytics.DefaultLimit
	maxPages = 100
)

// paginate keeps the page's rows of f.Rows (asked for up to Page ×
// pageSize) and says which are shown.
func (f *searchForm) paginate() {
	f.PageSize = pageSize
	skip := min((f.Page-1)*pageSize, len(f.Rows))
	f.Rows = f.Rows[skip:]
	f.ShownFrom, f.ShownTo = skip+1, skip+len(f.Rows)
	f.HasNewer, f.HasOlder = f.Page > 1, analytics.Matched(f.Rows) > f.ShownTo && f.Page < maxPages
}

func (a *App) searchPage(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "search", "Search", view{Data: searchForm{Kind: "plate", Within: "5", MinTimes: "2", Radius: "200",
		Kinds: searchKinds, Loc: a.store.Location()}})
}

func (a *App) parseDay(s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation(time.DateOnly, s, a.store.Location())
	if err != nil {
		return t, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	if end {
		t = t.AddDate(0, 0, 1)
	}
	return t, nil
}

// plateRequest reads the search page's form (the search and its export
// share it) into the form to refill, the access and the window; on a bad
// date it renders the form with the error and reports false.
func (a *App) plateRequest(w http.ResponseWriter, r *http.Request) (searchForm, analytics.Access, analytics.PlateQuery, bool) {
	f := searchForm{Kind: r.PostFormValue("kind"), Plate: r.PostFormValue("plate"), From: r.PostFormValue("from"), To: r.PostFormValue("to"),
		Reason: strings.TrimSpace(r.PostFormValue("reason")), Case: strings.TrimSpace(r.PostFormValue("case")),
		Lat: r.PostFormValue("lat"), Lon: r.PostFormValue("lon"), Radius: r.PostFormValue("radius"), Polygon: r.PostFormValue("polygon"),
		Within: r.PostFormValue("within"), MinTimes: r.PostFormValue("min_times"), Kinds: searchKinds, Loc: a.store.Location(), Page: 1}
	if p, err := strconv.Atoi(r.PostFormValue("page")); err == nil && p > 1 {
		f.Page = min(p, maxPages)
	}
	acc := analytics.Access{User: current(r).user, Reason: f.Reason, Case: f.Case}
	from, err1 := a.parseDay(f.From, false)
	to, err2 := a.parseDay(f.To, true)
	if err := errors.Join(err1, err2); err != nil {
		a.render(w, r, http.StatusBadRequest, "search", "Search", view{Data: f, Error: err.Error()})
		return f, acc, analytics.PlateQuery{}, false
	}
	return f, acc, analytics.PlateQuery{Plate: f.Plate, From: from, To: to}, true
}

func (a *App) searchRun(w http.ResponseWriter, r *http.Request) {
	f, acc, q, ok := a.plateRequest(w, r)
	if !ok {
		return
	}
	if err := a.runSearch(r, &f, acc, analytics.Window{From: q.From, To: q.To}); err != nil {
		a.render(w, r, http.StatusBadRequest, "search", "Search", view{Data: f, Error: err.Error()})
		return
	}
	current(r).sawReads(f.Rows)
	f.Ran = true
	a.render(w, r, http.StatusOK, "search", "Search", view{Data: f})
}

// sqlForm is the SQL console's form and answer.
type sqlForm struct {
	Query, Reason, Case string
	Result              *analytics.SQLResult
}

// Tables are the tables the console reads (analytics.SQLTables).
func (sqlForm) Tables() string { return strings.Join(analytics.SQLTables(), ", ") }

func (a *App) sqlPage(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "sql", "SQL console", view{Data: sqlForm{Query: "SELECT plate, count(*) AS n FROM reads GROUP BY plate ORDER BY n DESC LIMIT 20"}})
}

func (a *App) sqlRun(w http.ResponseWriter, r *http.Request) {
	f := sqlForm{Query: r.PostFormValue("query"), Reason: strings.TrimSpace(r.PostFormValue("reason")), Case: strings.TrimSpace(r.PostFormValue("case"))}
	acc := analytics.Access{User: current(r).user, Reason: f.Reason, Case: f.Case}
	res, err := a.store.SQL(r.Context(), acc, f.Query, 500, a.opts.SQLTimeout, a.opts.Now())
	if err != nil {
		a.render(w, r, http.StatusBadRequest, "sql", "SQL console", view{Data: f, Error: err.Error()})
		return
	}
	// Times in the department's zone, as on every other page.
	loc := a.store.Location()
	for _, row := range res.Rows {
		for i, v := range row {
			if t, ok := v.(time.Time); ok {
				row[i] = t.In(loc).Format("2006-01-02 15:04:05 MST")
			}
		}
	}
	if r.PostFormValue("format") == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="query-`+time.Now().In(loc).Format("20060102-150405")+`.csv"`)
		cw := csvsafe.NewWriter(w)
		_ = cw.Write(res.Columns) // the header first; a failed write is the client gone
		for _, row := range res.Rows {
			cells := make([]string, len(row))
			for i, v := range row {
				if v != nil {
					cells[i] = fmt.Sprint(v)
				}
			}
			_ = cw.Write(cells)
		}
		if res.Truncated {
			_ = cw.Write([]string{"# more rows than the console returns (500): narrow the query"})
		}
		cw.Flush()
		return
	}
	f.Result = &res
	a.render(w, r, http.StatusOK, "sql", "SQL console", view{Data: f})
}

func (a *App) auditPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := analytics.AuditFilter{User: q.Get("user"), Action: q.Get("action"), Reason: q.Get("reason"), Case: q.Get("case"), Limit: 500}
	var errs []error
	var err error
	if f.From, err = a.parseDay(q.Get("from"), false); err != nil {
		errs = append(errs, err)
	}
	if f.To, err = a.parseDay(q.Get("to"), true); err != nil {
		errs = append(errs, err)
	}
	entries, err := a.store.AuditLog(r.Context(), f)
	errs = append(errs, err)
	now := a.opts.Now()
	failed, err := a.store.AuditLog(r.Context(), analytics.AuditFilter{Action: "login.", From: now.AddDate(0, 0, -7), Limit: 200})
	errs = append(errs, err)
	equipment, err := a.store.EquipmentFailures(r.Context(), now.AddDate(0, 0, -30), 200)
	errs = append(errs, err)
	v := view{}
	if err := errors.Join(errs...); err != nil {
		v.Error = err.Error()
	}
	n, verr := a.store.VerifyAudit(r.Context())
	chain := fmt.Sprintf("all %d entries verify", n)
	if verr != nil {
		chain = fmt.Sprintf("BROKEN: %d entries verify, then %v", n, verr)
	}
	loc := a.store.Location()
	rows := make([]auditRow, len(entries))
	for i, e := range entries {
		rows[i] = auditRow{e, auditSentence(e, loc)}
	}
	v.Data = struct {
		Filter    analytics.AuditFilter
		From, To  string
		Entries   []auditRow
		Failed    []analytics.AuditEntry
		Equipment []analytics.EquipmentEvent
		Chain     string
		Broken    bool
		Loc       *time.Location
	}{f, q.Get("from"), q.Get("to"), rows, failed, equipment, chain, verr != nil, loc}
	a.render(w, r, http.StatusOK, "audit", "Audit log", v)
}

// auditRow is an audit entry and what it says, in words.
type auditRow struct {
	analytics.AuditEntry
	Sentence string
}

package backoffice

import (
	"fmt"
	"strings"

	"github.com/plateward/alpr/analytics"
)

// todo is one line of a dashboard's "Your work": what waits, counted, and
// the page where the user acts on it.
type todo struct {
	Text string
	Href string
	Due  bool // something waits: shown first, marked
}

// waiting is what the dashboard counts for todos.
type waiting struct {
	work                 analytics.Work
	undisposed, failures int64 // last 14 days
	stale                int   // hot lists not confirmed in time
}

// todos lists a role's work, each line only where the role may act on
// it, what waits first. The counts carry no record: the records behind
// them are read on their own pages, under a reason and a case.
func todos(role Role, w waiting) []todo {
	plural := func(n int64, one, many string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %s", n, many)
	}
	var due, rest []todo
	add := func(route Route, n int64, text string) {
		if !Allowed(role, route) {
			return
		}
		if n > 0 {
			due = append(due, todo{Text: text, Href: routePath(route), Due: true})
		} else {
			rest = append(rest, todo{Text: text, Href: routePath(route)})
		}
	}
	switch role {
	case Supervisor, Chief:
		add(RouteHits, w.undisposed, plural(w.undisposed, "hit", "hits")+" of the last 14 days without a disposition (order C.2b): enter a late disposition")
	}
	add(RouteDispatch, w.work.OpenDispatch, plural(w.work.OpenDispatch, "hit", "hits")+" on the dispatch board not yet acknowledged")
	add(RouteRetro, w.work.RetroUnreviewed, plural(w.work.RetroUnreviewed, "retro hit", "retro hits")+" (earlier reads of newly listed plates) not yet reviewed")
	if role == Clerk || role == Chief {
		add(RouteRecords, w.work.HoldsEnding, plural(w.work.HoldsEnding, "hold ends", "holds end")+" in the next 30 days: renew or let the records be destroyed on schedule")
	}
	if role == Chief {
		add(RouteAuths, w.work.AuthorisationsSoon, plural(w.work.Authorisations, "authorisation", "authorisations")+" in force, "+
			plural(w.work.AuthorisationsSoon, "ending", "ending")+" within 7 days")
	}
	if role == IT {
		add(RouteHotlists, int64(w.stale), plural(int64(w.stale), "hot list", "hot lists")+" not confirmed in time")
		add(RouteAudit, w.failures, plural(w.failures, "failed camera self-check", "failed camera self-checks")+" in the last 14 days")
	}
	if len(due)+len(rest) == 0 { // officers: their work is in the car
		add(RouteSearch, 0, "Search the reads: a plate, a pattern, a place (a reason and a case number each time)")
	}
	return append(due, rest...)
}

// routePath is the page a GET route shows: "GET /hits" is /hits.
func routePath(r Route) string {
	_, p, _ := strings.Cut(string(r), " ")
	return p
}

package backoffice

import "slices"

// Role is a back-office role. The permission table below, not the
// handlers, decides who may use each route.
type Role string

// The roles of the order's users.
const (
	Officer    Role = "officer"
	Supervisor Role = "supervisor"
	Analyst    Role = "analyst"
	Clerk      Role = "clerk" // records clerk
	IT         Role = "it"    // IT administrator
	Chief      Role = "chief" // the Chief or designee
	Dispatcher Role = "dispatcher"
)

// Roles returns every role, in the order forms show them.
func Roles() []Role { return []Role{Officer, Supervisor, Analyst, Clerk, IT, Chief, Dispatcher} }

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles(), r) }

// Route names a method and path of the app, as http.ServeMux patterns do.
type Route string

// The app's routes that need a login.
const (
	RouteDashboard   Route = "GET /{$}"
	RouteSearch      Route = "GET /search"
	RouteSearchRun   Route = "POST /search"
	RouteSQL         Route = "GET /sql"
	RouteSQLRun      Route = "POST /sql"
	RouteAudit       Route = "GET /audit"
	RouteUsers       Route = "GET /users"
	RouteUserCreate  Route = "POST /users"
	RouteUserChange  Route = "POST /users/{name}"
	RoutePassword    Route = "GET /password"
	RoutePasswordSet Route = "POST /password"
	RouteLogout      Route = "POST /logout"
	RouteExport      Route = "POST /export"
	RouteDissem      Route = "GET /disseminations"
	RouteAuths       Route = "GET /authorisations"
	RouteAuthorise   Route = "POST /authorisations"
	RouteRevokeAuth  Route = "POST /authorisations/revoke"
	RouteHits        Route = "GET /hits"
	RouteHitsRun     Route = "POST /hits"
	RouteHitLate     Route = "POST /hits/{id}"
	RouteRecords     Route = "GET /records"
	RouteHoldAdd     Route = "POST /holds"
	RouteHoldRelease Route = "POST /holds/{id}/release"
	RouteReport      Route = "POST /reports"
	RouteEvidence    Route = "POST /evidence"
	RouteCrop        Route = "GET /crops/{id}"
	RouteRoster      Route = "GET /roster"
	RouteDispatch    Route = "GET /dispatch"
	RouteDispatchAck Route = "POST /dispatch/{id}"
	RouteBoard       Route = "GET /dispatch/board"
	RouteBoardCrop   Route = "GET /dispatch/{id}/crop"
	RouteAgencyAdd   Route = "POST /agencies"
	RouteAgencyDrop  Route = "POST /agencies/{ori}/remove"
	RouteHotlists    Route = "GET /hotlists"
	RouteHotlistDo   Route = "POST /hotlists/{list}/{sha}"
	RouteHotlistFile Route = "GET /hotlists/{list}/current"
	RouteHotlistImp  Route = "POST /import/{list}"
	RouteManualAdd   Route = "POST /manual"
	RouteManualEnd   Route = "POST /manual/{id}/expire"
	RouteManualFile  Route = "GET /manual/{file}"
	RouteRetro       Route = "GET /retro"
	RouteRetroRun    Route = "POST /retro"
	RouteRetroReview Route = "POST /retro/{id}"
)

// permissions is who may use each route. Records are closed: searches
// are for sworn and analytical staff with a reason and a case; the SQL
// console for analysts; the audit log for IT and the Chief; accounts for
// IT only. A route missing here is refused to everyone.
func permissions() map[Route][]Role {
	everyone := Roles()
	searchers := []Role{Officer, Supervisor, Analyst, Chief}
	return map[Route][]Role{
		RouteDashboard:   everyone,
		RouteSearch:      searchers,
		RouteSearchRun:   searchers,
		RouteCrop:        searchers,
		RouteSQL:         {Analyst},
		RouteSQLRun:      {Analyst},
		RouteAudit:       {IT, Chief},
		RouteUsers:       {IT},
		RouteUserCreate:  {IT},
		RouteUserChange:  {IT},
		RouteRoster:      {IT},
		RoutePassword:    everyone,
		RoutePasswordSet: everyone,
		RouteLogout:      everyone,
		// Order E.1: exports leave the department, so officers do not
		// export; the Chief (or designee) alone authorises one outside an
		// investigative function; the dissemination log is open to the
		// records clerk, IT and the supervisors who answer for it.
		RouteExport:     {Supervisor, Analyst, Chief},
		RouteDissem:     {Supervisor, Analyst, Clerk, IT, Chief},
		RouteAuths:      {Chief},
		RouteAuthorise:  {Chief},
		RouteRevokeAuth: {Chief},
		// The hit audit (order C.2b) is the supervisors' and the Chief's;
		// a late disposition is a supervisor's.
		RouteHits:    {Supervisor, Chief},
		RouteHitsRun: {Supervisor, Chief},
		RouteHitLate: {Supervisor},
		// Records (orders D.1, D.2): the clerk keeps the holds and files
		// the reports; IT watches the jobs; the Chief answers for it all.
		RouteRecords:     {Clerk, IT, Chief},
		RouteHoldAdd:     {Clerk},
		RouteHoldRelease: {Clerk},
		RouteReport:      {Clerk, Chief},
		RouteEvidence:    {Clerk},
		// Hot lists: their freshness concerns everyone who acts on a hit;
		// IT decides on a held version and exports the lists for the
		// cars; the retro-hit queue is the analysts' work.
		RouteHotlists:    {Supervisor, Analyst, IT, Chief},
		RouteHotlistDo:   {IT},
		RouteHotlistFile: {IT},
		RouteHotlistImp:  {IT},
		RouteManualAdd:   {Supervisor, IT},
		RouteManualEnd:   {Supervisor, IT},
		RouteManualFile:  {IT},
		RouteRetro:       {Analyst, Supervisor},
		RouteRetroRun:    {Analyst, Supervisor},
		RouteRetroReview: {Analyst},
		// Dispatch (order A.4): the live board of hits pushed by cars.
		RouteDispatch:    {Dispatcher, Supervisor, Chief},
		RouteDispatchAck: {Dispatcher, Supervisor},
		RouteBoard:       {Dispatcher, Supervisor, Chief},
		RouteBoardCrop:   {Dispatcher, Supervisor, Chief},
		RouteAgencyAdd:   {IT},
		RouteAgencyDrop:  {IT},
	}
}

// Allowed reports whether role may use route.
func Allowed(role Role, route Route) bool {
	return slices.Contains(permissions()[route], role)
}

// Routes returns every route that needs a login.
func Routes() []Route {
	var out []Route
	for r := range permissions() {
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}

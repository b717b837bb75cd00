package backoffice

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/internal/csvsafe"
)

// export runs the plate search again for export and sends it as CSV,
// after the store has checked the basis and logged the dissemination.
//
// The other searches that list reads (partial, misread, stakeout,
// geofence) run again, audited as searches, and the export is checked and
// written to the dissemination log before a byte of it is sent.
func (a *App) export(w http.ResponseWriter, r *http.Request) {
	f, acc, q, ok := a.plateRequest(w, r)
	if !ok {
		return
	}
	d := analytics.Dissemination{Recipient: r.PostFormValue("recipient"), Purpose: r.PostFormValue("purpose"),
		Basis: r.PostFormValue("basis"), Authorisation: r.PostFormValue("authorisation")}
	var rows []analytics.ReadRow
	var err error
	switch f.Kind {
	case "", "plate":
		rows, d, err = a.store.ExportPlateReads(r.Context(), acc, q, d, a.opts.Now())
	case "partial", "misread", "stakeout", "geofence":
		if err = a.runSearch(r, &f, acc, analytics.Window{From: q.From, To: q.To}); err == nil && analytics.Matched(f.Rows) > len(f.Rows) {
			// An export is complete or does not leave.
			err = fmt.Errorf("%w: %d reads match and this search lists at most %d: narrow the window or the area", analytics.ErrExportTooLarge, analytics.Matched(f.Rows), len(f.Rows))
		} else if err == nil {
			rows = f.Rows
			d.What, d.Rows = fmt.Sprintf("%s search %s", f.Kind, strings.TrimSpace(f.Plate+" "+f.Polygon)), len(rows)
			d, err = a.store.RecordDissemination(r.Context(), acc, d, "export."+f.Kind, map[string]any{"search": f.Kind, "plate": f.Plate}, a.opts.Now())
		}
	default:
		err = fmt.Errorf("the %s search has no export: it summarises reads rather than listing them", f.Kind)
	}
	if err != nil {
		// The page keeps the results the export was asked from (the
		// search runs again, audited as a search) and says what is missing.
		if len(f.Rows) == 0 && (f.Kind == "" || f.Kind == "plate") {
			if serr := a.runSearch(r, &f, acc, analytics.Window{From: q.From, To: q.To}); serr == nil {
				current(r).sawReads(f.Rows)
				f.Ran = true
			}
		}
		a.render(w, r, http.StatusBadRequest, "search", "Search", view{Data: f, Error: "The export was refused: " + err.Error()})
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.csv"`, d.ID))
	cw := csvsafe.NewWriter(w)
	// The header first; what the file is and its rule close it.
	defer func() {
		cw.Write([]string{"# export " + d.ID + " to " + d.Recipient + " for " + d.Purpose + " (case " + d.Case +
			fmt.Sprintf(", %d reads, complete)", len(rows)) + "; ALPR records are closed records: do not pass them on"})
		cw.Flush()
	}()
	cw.Write([]string{"captured_at", "plate", "confidence", "state", "camera", "vehicle", "officer", "lat", "lon", "hits"})
	for _, x := range rows {
		lat, lon := "", ""
		if x.HasFix {
			lat, lon = strconv.FormatFloat(x.Lat, 'f', 6, 64), strconv.FormatFloat(x.Lon, 'f', 6, 64)
		}
		cw.Write([]string{x.CapturedAt.In(a.store.Location()).Format(time.RFC3339), x.Plate,
			strconv.FormatFloat(float64(x.Confidence), 'f', 3, 32), x.State, x.Camera, x.Vehicle, x.Officer, lat, lon,
			strings.Join(x.Hits, "; ")})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		a.opts.Log.Error("export", "id", d.ID, "err", err)
	}
}

func (a *App) dissemPage(w http.ResponseWriter, r *http.Request) {
	log, err := a.store.Disseminations(r.Context(), 500)
	v := view{Data: struct {
		Log []analytics.Dissemination
		Loc *time.Location
	}{log, a.store.Location()}}
	if err != nil {
		v.Error = err.Error()
	}
	a.render(w, r, http.StatusOK, "disseminations", "Dissemination log", v)
}

// authsView is the authorisations page: the form, and every authorisation
// with what it allows now.
type authsView struct {
	List []authRow
	Loc  *time.Location
}

type authRow struct {
	analytics.Authorisation
	State string
}

// renderAuths shows the authorisations page with a message.
func (a *App) renderAuths(w http.ResponseWriter, r *http.Request, status int, v view) {
	now := a.opts.Now()
	list, err := a.store.Authorisations(r.Context(), 0)
	if err != nil && v.Error == "" {
		v.Error = "the authorisations could not be listed: " + err.Error()
	}
	d := authsView{Loc: a.store.Location()}
	for _, x := range list {
		d.List = append(d.List, authRow{x, x.State(now)})
	}
	v.Data = d
	a.render(w, r, status, "authorisations", "Authorisations to export", v)
}

func (a *App) authsPage(w http.ResponseWriter, r *http.Request) {
	a.renderAuths(w, r, http.StatusOK, view{})
}

// authorise records the Chief's authorisation for one recipient, purpose
// and case, valid for the days given (at most 30).
func (a *App) authorise(w http.ResponseWriter, r *http.Request) {
	days, err := strconv.Atoi(r.PostFormValue("days"))
	if err != nil || days < 1 || days > 30 {
		a.renderAuths(w, r, http.StatusBadRequest, view{Error: "valid for 1 to 30 days"})
		return
	}
	now := a.opts.Now()
	x, err := a.store.Authorise(r.Context(), current(r).user, analytics.Authorisation{Recipient: r.PostFormValue("recipient"),
		Purpose: r.PostFormValue("purpose"), Case: r.PostFormValue("case"), Expires: now.AddDate(0, 0, days)}, now)
	if err != nil {
		a.renderAuths(w, r, http.StatusBadRequest, view{Error: err.Error()})
		return
	}
	a.renderAuths(w, r, http.StatusOK, view{Note: fmt.Sprintf(
		"Authorisation %s: %s may receive records of case %s for %s until %s.", x.ID, x.Recipient, x.Case, x.Purpose,
		x.Expires.In(a.store.Location()).Format("2006-01-02 15:04 MST"))})
}

// revokeAuth ends an authorisation now: exports under it are refused.
func (a *App) revokeAuth(w http.ResponseWriter, r *http.Request) {
	x, err := a.store.RevokeAuthorisation(r.Context(), current(r).user, r.PostFormValue("id"), a.opts.Now())
	if err != nil {
		a.renderAuths(w, r, http.StatusBadRequest, view{Error: "not revoked: " + err.Error()})
		return
	}
	a.renderAuths(w, r, http.StatusOK, view{Note: fmt.Sprintf("Authorisation %s revoked: %s may no longer receive records of case %s.",
		x.ID, x.Recipient, x.Case)})
}

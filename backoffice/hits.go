package backoffice

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/edge/alert"
)

// hitsForm is the hit audit's form and answer.
type hitsForm struct {
	Officer, Vehicle, Shift, From, To, Reason, Case string
	Hits                                            []analytics.HitRow
	Ran                                             bool
	Codes                                           []alert.Code
	Loc                                             *time.Location
}

func (a *App) hitsForm(r *http.Request) hitsForm {
	return hitsForm{Officer: strings.TrimSpace(r.PostFormValue("officer")), Vehicle: strings.TrimSpace(r.PostFormValue("vehicle")),
		Shift: strings.TrimSpace(r.PostFormValue("shift")),
		From:  r.PostFormValue("from"), To: r.PostFormValue("to"), Reason: strings.TrimSpace(r.PostFormValue("reason")),
		Case: strings.TrimSpace(r.PostFormValue("case")), Codes: alert.DefaultCodes(), Loc: a.store.Location()}
}

func (a *App) hitsPage(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "hits", "Hits without disposition",
		view{Data: hitsForm{Reason: "hit audit", Codes: alert.DefaultCodes(), Loc: a.store.Location()}})
}

// listHits runs the hit audit for f and renders it with a note.
func (a *App) listHits(w http.ResponseWriter, r *http.Request, f hitsForm, note string) {
	from, err1 := a.parseDay(f.From, false)
	to, err2 := a.parseDay(f.To, true)
	if err := errors.Join(err1, err2); err != nil {
		a.render(w, r, http.StatusBadRequest, "hits", "Hits without disposition", view{Data: f, Error: err.Error()})
		return
	}
	acc := analytics.Access{User: current(r).user, Reason: f.Reason, Case: f.Case}
	hits, err := a.store.HitsWithoutDisposition(r.Context(), acc, analytics.Window{From: from, To: to}, f.Officer, f.Vehicle, f.Shift, a.opts.Now())
	if err != nil {
		a.render(w, r, http.StatusBadRequest, "hits", "Hits without disposition", view{Data: f, Error: err.Error()})
		return
	}
	f.Hits, f.Ran = hits, true
	a.render(w, r, http.StatusOK, "hits", "Hits without disposition", view{Data: f, Note: note})
}

func (a *App) hitsRun(w http.ResponseWriter, r *http.Request) { a.listHits(w, r, a.hitsForm(r), "") }

// hitLate records a supervisor's late disposition, then lists again.
func (a *App) hitLate(w http.ResponseWriter, r *http.Request) {
	f := a.hitsForm(r)
	id, code := r.PathValue("id"), r.PostFormValue("code")
	known := false
	for _, c := range f.Codes {
		known = known || c.Code == code
	}
	if !known {
		a.render(w, r, http.StatusBadRequest, "hits", "Hits without disposition", view{Data: f, Error: fmt.Sprintf("unknown disposition %q", code)})
		return
	}
	acc := analytics.Access{User: current(r).user, Reason: f.Reason, Case: f.Case}
	hit, err := a.store.LateDisposition(r.Context(), acc, id, code, r.PostFormValue("note"), a.opts.Now())
	if err != nil {
		a.render(w, r, http.StatusBadRequest, "hits", "Hits without disposition", view{Data: f, Error: err.Error()})
		return
	}
	a.listHits(w, r, f, fmt.Sprintf("Late disposition %q recorded for %s (alerted %s) by %s.", code, hit.Plate,
		hit.AlertedAt.In(a.store.Location()).Format("2006-01-02 15:04 MST"), current(r).user))
}

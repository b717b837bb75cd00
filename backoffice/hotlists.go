package backoffice

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/analytics/hotlists"
)

// refresher is the store's hot-list versions.
func (a *App) refresher() hotlists.Refresher {
	return hotlists.Refresher{St: a.store, Dir: hotlists.Dir(a.store.Dir())}
}

// staleLists are the configured lists not confirmed fresh within the
// configured age, for the dashboard.
func (a *App) staleLists(r *http.Request) ([]hotlists.ListStatus, error) {
	if a.opts.Hotlists == nil {
		return nil, nil
	}
	all, err := a.refresher().Status(r.Context(), *a.opts.Hotlists, a.opts.Now())
	var stale []hotlists.ListStatus
	for _, s := range all {
		if s.Stale {
			stale = append(stale, s)
		}
	}
	return stale, err
}

type hotlistsView struct {
	Configured bool
	MaxAge     time.Duration
	Lists      []hotlists.ListStatus
	Manual     []hotlists.ManualEntry
	Added      *hotlists.ManualEntry // just added: offer the retro-hit search
	MaxDays    int
	Loc        *time.Location
}

func (a *App) hotlistsRender(w http.ResponseWriter, r *http.Request, status int, errMsg, note string) {
	a.hotlistsRenderAdded(w, r, status, errMsg, note, nil)
}

func (a *App) hotlistsRenderAdded(w http.ResponseWriter, r *http.Request, status int, errMsg, note string, added *hotlists.ManualEntry) {
	v := hotlistsView{Configured: a.opts.Hotlists != nil, Added: added, MaxDays: hotlists.MaxManualDays, Loc: a.store.Location()}
	var err error
	if v.Manual, err = hotlists.ActiveManual(r.Context(), a.store, a.opts.Now()); err != nil && errMsg == "" {
		errMsg, status = err.Error(), http.StatusInternalServerError
	}
	if v.Configured {
		v.MaxAge = a.opts.Hotlists.MaxAge()
		var err error
		if v.Lists, err = a.refresher().Status(r.Context(), *a.opts.Hotlists, a.opts.Now()); err != nil && errMsg == "" {
			errMsg, status = err.Error(), http.StatusInternalServerError
		}
	}
	a.render(w, r, status, "hotlists", "Hot lists", view{Data: v, Error: errMsg, Note: note})
}

func (a *App) hotlistsPage(w http.ResponseWriter, r *http.Request) {
	a.hotlistsRender(w, r, http.StatusOK, "", "")
}

// hotlistDecide is IT's accept or reject of a version held for review.
func (a *App) hotlistDecide(w http.ResponseWriter, r *http.Request) {
	if a.opts.Hotlists == nil {
		a.hotlistsRender(w, r, http.StatusNotFound, "no hot-list sources are configured (alpr serve --hotlists FILE)", "")
		return
	}
	list, sha, user, now := r.PathValue("list"), r.PathValue("sha"), current(r).user, a.opts.Now()
	switch r.PostFormValue("action") {
	case "accept":
		o, err := a.refresher().Accept(r.Context(), *a.opts.Hotlists, list, sha, user, now)
		if err != nil {
			a.hotlistsRender(w, r, http.StatusBadRequest, err.Error(), "")
			return
		}
		a.hotlistsRender(w, r, http.StatusOK, "", fmt.Sprintf("%s version %.12s is now current; %d plates added, %d retro hits queued for the analysts.",
			list, sha, o.Added, o.Retro))
	case "reject":
		if err := a.refresher().Reject(r.Context(), list, sha, user, r.PostFormValue("reason"), now); err != nil {
			a.hotlistsRender(w, r, http.StatusBadRequest, err.Error(), "")
			return
		}
		a.hotlistsRender(w, r, http.StatusOK, "", fmt.Sprintf("%s version %.12s rejected; the current version stays.", list, sha))
	default:
		a.hotlistsRender(w, r, http.StatusBadRequest, "accept or reject", "")
	}
}

// hotlistFile sends a list's current version for the drive the cars load
// at login; the download is audited.
func (a *App) hotlistFile(w http.ResponseWriter, r *http.Request) {
	list := r.PathValue("list")
	b, v, err := a.refresher().CurrentFile(r.Context(), list)
	if err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, hotlists.ErrNoVersion) {
			status = http.StatusNotFound
		}
		a.hotlistsRender(w, r, status, err.Error(), "")
		return
	}
	if err := a.store.Audit(r.Context(), a.opts.Now(), analytics.Access{User: current(r).user, Reason: "hot lists for the cars", Case: "hotlist:" + list},
		"hotlist.export", fmt.Sprintf("list %s version %.12s", list, v.SHA256)); err != nil {
		a.hotlistsRender(w, r, http.StatusInternalServerError, err.Error(), "")
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%.12s.%s"`, v.List, v.SHA256, v.Format))
	w.Write(b)
}

type retroView struct {
	Reason, Case string
	Items        []hotlists.RetroItem
	Ran, All     bool
	Loc          *time.Location
}

func (a *App) retroPage(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "retro", "Retro hits", view{Data: retroView{Reason: "retro-hit review", Loc: a.store.Location()}})
}

// retroList shows the queue to a user who gave a reason and a case.
func (a *App) retroList(w http.ResponseWriter, r *http.Request, note string) {
	f := retroView{Reason: strings.TrimSpace(r.PostFormValue("reason")), Case: strings.TrimSpace(r.PostFormValue("case")),
		All: r.PostFormValue("all") == "on", Loc: a.store.Location()}
	acc := analytics.Access{User: current(r).user, Reason: f.Reason, Case: f.Case}
	items, err := a.refresher().RetroQueue(r.Context(), acc, !f.All, 500, a.opts.Now())
	if err != nil {
		a.render(w, r, http.StatusBadRequest, "retro", "Retro hits", view{Data: f, Error: err.Error()})
		return
	}
	f.Items, f.Ran = items, true
	a.render(w, r, http.StatusOK, "retro", "Retro hits", view{Data: f, Note: note})
}

func (a *App) retroRun(w http.ResponseWriter, r *http.Request) { a.retroList(w, r, "") }

// retroReview marks an item reviewed with the analyst's note.
func (a *App) retroReview(w http.ResponseWriter, r *http.Request) {
	acc := analytics.Access{User: current(r).user, Reason: strings.TrimSpace(r.PostFormValue("reason")), Case: strings.TrimSpace(r.PostFormValue("case"))}
	if err := a.refresher().Review(r.Context(), acc, r.PathValue("id"), strings.TrimSpace(r.PostFormValue("note")), a.opts.Now()); err != nil {
		a.render(w, r, http.StatusBadRequest, "retro", "Retro hits", view{Data: retroView{Reason: acc.Reason, Case: acc.Case, Loc: a.store.Location()}, Error: err.Error()})
		return
	}
	a.retroList(w, r, "Reviewed.")
}

// manualAdd records a department entry and offers the retro-hit search.
func (a *App) manualAdd(w http.ResponseWriter, r *http.Request) {
	until, err := a.parseDay(r.PostFormValue("until"), true)
	if err != nil || until.IsZero() {
		a.hotlistsRender(w, r, http.StatusBadRequest, "give the last day the entry is in force", "")
		return
	}
	e, err := hotlists.AddManual(r.Context(), a.store, hotlists.ManualEntry{Plate: r.PostFormValue("plate"), State: r.PostFormValue("state"),
		Reason: r.PostFormValue("reason"), Case: r.PostFormValue("case"), Expires: until}, current(r).user, a.opts.Now())
	if err != nil {
		a.hotlistsRender(w, r, http.StatusBadRequest, err.Error(), "")
		return
	}
	a.hotlistsRenderAdded(w, r, http.StatusOK, "", fmt.Sprintf("Entry %s added to %s until %s. Export the list to the cars' drive.",
		e.Plate, hotlists.ManualList, e.Expires.In(a.store.Location()).Format("2006-01-02 15:04")), &e)
}

func (a *App) manualExpire(w http.ResponseWriter, r *http.Request) {
	if err := hotlists.ExpireManual(r.Context(), a.store, r.PathValue("id"), current(r).user, strings.TrimSpace(r.PostFormValue("note")), a.opts.Now()); err != nil {
		a.hotlistsRender(w, r, http.StatusBadRequest, err.Error(), "")
		return
	}
	a.hotlistsRender(w, r, http.StatusOK, "", "Entry expired; export the list again for the cars.")
}

// manualFile sends the manual list or its mapping for the cars' drive.
func (a *App) manualFile(w http.ResponseWriter, r *http.Request) {
	var b []byte
	ct := "text/csv; charset=utf-8"
	switch r.PathValue("file") {
	case "local.csv":
		es, err := hotlists.ActiveManual(r.Context(), a.store, a.opts.Now())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		b = hotlists.ManualCSV(es)
		a.audit(r.Context(), current(r).user, "hotlist.export", fmt.Sprintf("list %s, %d entries", hotlists.ManualList, len(es)))
	case "local.mapping.json":
		b, ct = hotlists.ManualMapping(), "application/json"
	default:
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", `attachment; filename="`+r.PathValue("file")+`"`)
	w.Write(b)
}

// hotlistImport takes a list file IT uploads, with a fetched list's checks.
func (a *App) hotlistImport(w http.ResponseWriter, r *http.Request) {
	if a.opts.Hotlists == nil {
		a.hotlistsRender(w, r, http.StatusNotFound, "no hot-list sources are configured (alpr serve --hotlists FILE)", "")
		return
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		a.hotlistsRender(w, r, http.StatusBadRequest, "choose the list file to import", "")
		return
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, hotlists.MaxListBytes+1))
	if err != nil {
		a.hotlistsRender(w, r, http.StatusBadRequest, err.Error(), "")
		return
	}
	o, err := a.refresher().Import(r.Context(), *a.opts.Hotlists, r.PathValue("list"), data, hdr.Filename, current(r).user, a.opts.Now())
	if err != nil {
		a.hotlistsRender(w, r, http.StatusBadRequest, err.Error(), "")
		return
	}
	switch o.State {
	case hotlists.StateRejected:
		// Not a success: the list was not taken, and the page says why.
		a.hotlistsRender(w, r, http.StatusUnprocessableEntity, fmt.Sprintf("%s was not imported: the file was rejected (%s). The list in use is unchanged.",
			hdr.Filename, o.Detail), "")
	case hotlists.StateReview:
		a.hotlistsRender(w, r, http.StatusOK, "", fmt.Sprintf("%s is held for your review before it is used: %s.", hdr.Filename, o.Detail))
	default:
		a.hotlistsRender(w, r, http.StatusOK, "", "Imported "+o.String()+".")
	}
}

package backoffice

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/retention"
)

// recordsView is the records clerk's page: the retention policy in force,
// holds, the destruction log, the scheduled jobs, and reports on demand.
type recordsView struct {
	Policy      retention.Policy
	Periods     []seriesPeriod
	Holds       []retention.Hold
	Destruction []retention.DestructionEntry
	Jobs        []retention.JobRun
	// From and To are the report form's days (inclusive): last month by
	// default, or what the clerk chose.
	From, To string
	// ReportAsk is a report for a period not yet over, waiting for the
	// clerk to download it anyway.
	ReportAsk *reportAsk
	Now       time.Time
	Loc       *time.Location
	// Preview is a hold the clerk asked for, shown with what it keeps
	// before it is placed; Form holds the values as typed, to place it.
	Preview *retention.HoldScope
	Form    map[string]string
}

type seriesPeriod struct{ Series, Period string }

func (a *App) recordsData(r *http.Request) (recordsView, error) {
	ctx := r.Context()
	now := a.opts.Now()
	from, _ := retention.PreviousMonth(now, a.store.Location())
	v := recordsView{Policy: a.opts.Policy, From: from.Format(time.DateOnly), To: from.AddDate(0, 1, -1).Format(time.DateOnly), Now: now, Loc: a.store.Location()}
	for _, s := range retention.AllSeries() {
		v.Periods = append(v.Periods, seriesPeriod{strings.ReplaceAll(s, "_", " "), a.opts.Policy.Period(s).String()})
	}
	var err error
	if v.Holds, err = retention.LoadHolds(ctx, a.store); err != nil {
		return v, err
	}
	// Newest first.
	for i, j := 0, len(v.Holds)-1; i < j; i, j = i+1, j-1 {
		v.Holds[i], v.Holds[j] = v.Holds[j], v.Holds[i]
	}
	if v.Destruction, err = retention.DestructionLog(ctx, a.store, 50); err != nil {
		return v, err
	}
	v.Jobs, err = retention.JobRuns(ctx, a.store, 20)
	return v, err
}

func (a *App) recordsRender(w http.ResponseWriter, r *http.Request, status int, errMsg, note string) {
	v, err := a.recordsData(r)
	if err != nil && errMsg == "" {
		errMsg, status = err.Error(), http.StatusInternalServerError
	}
	a.render(w, r, status, "records", "Records: retention, holds and reports", view{Data: v, Error: errMsg, Note: note})
}

func (a *App) recordsPage(w http.ResponseWriter, r *http.Request) {
	a.recordsRender(w, r, http.StatusOK, "", "")
}

// holdAdd records an evidence designation or retention request.
func (a *App) holdAdd(w http.ResponseWriter, r *http.Request) {
	from, err1 := a.parseDay(r.PostFormValue("from"), false)
	to, err2 := a.parseDay(r.PostFormValue("to"), true)
	until, err3 := a.parseDay(r.PostFormValue("until"), true)
	if err := errors.Join(err1, err2, err3); err != nil {
		a.recordsRender(w, r, http.StatusBadRequest, err.Error(), "")
		return
	}
	h := retention.NewHold{Case: strings.TrimSpace(r.PostFormValue("case")), Plate: r.PostFormValue("plate"),
		ReadID: strings.TrimSpace(r.PostFormValue("read")), HitID: r.PostFormValue("hit"), From: from, To: to, Until: until,
		Requester: strings.TrimSpace(r.PostFormValue("requester")), Reason: strings.TrimSpace(r.PostFormValue("reason"))}
	if r.PostFormValue("confirm") == "" {
		// First what it keeps; the clerk then places it, or changes it.
		sc, err := retention.ScopeHold(r.Context(), a.store, h, a.opts.Now())
		if err != nil {
			a.recordsRender(w, r, http.StatusBadRequest, err.Error(), "")
			return
		}
		v, err := a.recordsData(r)
		if err != nil {
			a.recordsRender(w, r, http.StatusInternalServerError, err.Error(), "")
			return
		}
		v.Preview, v.Form = &sc, map[string]string{}
		for _, k := range []string{"case", "plate", "read", "hit", "from", "to", "until", "requester", "reason"} {
			v.Form[k] = r.PostFormValue(k)
		}
		a.render(w, r, http.StatusOK, "records", "Records: retention, holds and reports", view{Data: v})
		return
	}
	id, err := retention.AddHold(r.Context(), a.store, h, current(r).user, a.opts.Now())
	if err != nil {
		a.recordsRender(w, r, http.StatusBadRequest, err.Error(), "")
		return
	}
	a.recordsRender(w, r, http.StatusOK, "", fmt.Sprintf("Hold %s recorded for case %s: its records will not be destroyed until it is released.", id, h.Case))
}

// holdRelease ends a hold; it stays in the history.
func (a *App) holdRelease(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := retention.ReleaseHold(r.Context(), a.store, id, current(r).user, strings.TrimSpace(r.PostFormValue("reason")), a.opts.Now()); err != nil {
		a.recordsRender(w, r, http.StatusBadRequest, err.Error(), "")
		return
	}
	a.recordsRender(w, r, http.StatusOK, "", "Hold "+id+" released: its records are destroyed when due.")
}

// reportAsk is a report the clerk asked for whose period is not over.
type reportAsk struct {
	Kind, Format, From, To, Ends string
}

// maxReportDays bounds a report's period.
const maxReportDays = 366

// report sends the retention schedule or usage report for a period of
// days (by default last month), as CSV or PDF, and audits the download. A
// period not yet over is asked about first: its figures will change.
func (a *App) report(w http.ResponseWriter, r *http.Request) {
	kind, format := r.PostFormValue("kind"), r.PostFormValue("format")
	fromDay, toDay := r.PostFormValue("from"), r.PostFormValue("to")
	from, err1 := a.parseDay(fromDay, false)
	to, err2 := a.parseDay(toDay, true)
	now := a.opts.Now()
	bad := func(msg string) {
		v, err := a.recordsData(r)
		if err != nil {
			msg = err.Error()
		}
		v.From, v.To = fromDay, toDay
		a.render(w, r, http.StatusBadRequest, "records", "Records: retention, holds and reports", view{Data: v, Error: "Reports: " + msg})
	}
	switch {
	case errors.Join(err1, err2) != nil:
		bad(errors.Join(err1, err2).Error())
		return
	case from.IsZero() || to.IsZero():
		bad("choose the period's first and last day")
		return
	case !to.After(from):
		bad("the last day comes before the first")
		return
	case to.Sub(from) > maxReportDays*24*time.Hour:
		bad(fmt.Sprintf("a report covers at most %d days", maxReportDays))
		return
	case to.After(now) && r.PostFormValue("confirm") != "yes":
		v, err := a.recordsData(r)
		if err != nil {
			bad(err.Error())
			return
		}
		v.From, v.To = fromDay, toDay
		v.ReportAsk = &reportAsk{Kind: kind, Format: format, From: fromDay, To: toDay, Ends: to.In(a.store.Location()).Format("2006-01-02 15:04 MST")}
		a.render(w, r, http.StatusOK, "records", "Records: retention, holds and reports", view{Data: v})
		return
	}
	p := a.opts.Policy
	var b bytes.Buffer
	switch {
	case kind == "retention" && (format == "csv" || format == "pdf"):
		rep, err := retention.BuildScheduleReport(r.Context(), a.store, p, p.Version, from, to, now)
		if err == nil && format == "csv" {
			err = rep.WriteCSV(&b)
		} else if err == nil {
			err = rep.WritePDF(&b, a.opts.Department)
		}
		if err != nil {
			a.recordsRender(w, r, http.StatusInternalServerError, err.Error(), "")
			return
		}
	case kind == "usage" && (format == "csv" || format == "pdf"):
		rep, err := retention.BuildUsageReport(r.Context(), a.store, from, to)
		if err == nil && format == "csv" {
			err = rep.WriteCSV(&b)
		} else if err == nil {
			err = rep.WritePDF(&b, a.opts.Department, now)
		}
		if err != nil {
			a.recordsRender(w, r, http.StatusInternalServerError, err.Error(), "")
			return
		}
	default:
		a.recordsRender(w, r, http.StatusBadRequest, "choose the retention or the usage report, as CSV or PDF", "")
		return
	}
	name := fmt.Sprintf("%s-%s-to-%s.%s", kind, fromDay, toDay, format)
	if err := a.store.Audit(r.Context(), now, analytics.Access{User: current(r).user, Reason: "records report", Case: "records-schedule"},
		"report.download", name); err != nil {
		a.recordsRender(w, r, http.StatusInternalServerError, err.Error(), "")
		return
	}
	ct := "text/csv; charset=utf-8"
	if format == "pdf" {
		ct = "application/pdf"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Write(b.Bytes())
}

// evidence builds a case's evidence package (the same as alpr evidence
// export) and sends it as a zip. The export is checked and logged in the
// dissemination log before anything is sent.
func (a *App) evidence(w http.ResponseWriter, r *http.Request) {
	e := retention.Export{Case: strings.TrimSpace(r.PostFormValue("case")), Recipient: strings.TrimSpace(r.PostFormValue("recipient")),
		Purpose: strings.TrimSpace(r.PostFormValue("purpose")), Authorisation: retention.AuthInvestigation, User: current(r).user}
	if r.PostFormValue("basis") == analytics.BasisChief {
		e.Authorisation = strings.TrimSpace(r.PostFormValue("authorisation"))
	}
	tmp, err := os.MkdirTemp("", "alpr-evidence-")
	if err != nil {
		a.recordsRender(w, r, http.StatusInternalServerError, err.Error(), "")
		return
	}
	defer os.RemoveAll(tmp)
	dir, err := retention.ExportCase(r.Context(), a.store, e, tmp, a.opts.Now())
	if err != nil {
		a.recordsRender(w, r, http.StatusBadRequest, err.Error(), "")
		return
	}
	var b bytes.Buffer
	if err := zipDir(&b, dir); err != nil {
		a.recordsRender(w, r, http.StatusInternalServerError, err.Error(), "")
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="`+filepath.Base(dir)+`.zip"`)
	w.Write(b.Bytes())
}

// zipDir writes the files under dir into a zip, under dir's base name.
func zipDir(w io.Writer, dir string) error {
	zw := zip.NewWriter(w)
	base := filepath.Base(dir)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		f, err := zw.Create(path.Join(base, filepath.ToSlash(rel)))
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p) //nolint:gosec // p is walked inside the records directory this process owns
		if err != nil {
			return err
		}
		_, err = f.Write(b)
		return err
	})
	if err != nil {
		return err
	}
	return zw.Close()
}

package backoffice

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/plateward/alpr/analytics"
)

// The records clerk records a hold, sees it, releases it with a reason,
// and downloads the month's reports; each step is audited, and a hold
// without a case or a reason is refused with the rule.
func TestClerkKeepsHoldsAndFilesReports(t *testing.T) {
	f := newFixture(t)
	c := f.client(t)
	_, tok := f.login(t, c, "clerk1", testPassword)
	code, body, _ := get(t, c, f.srv.URL+"/records")
	if code != http.StatusOK || !strings.Contains(body, "builtin-order-D1/v1@") || !strings.Contains(body, "<td>shift records</td><td>36 months</td>") {
		t.Fatalf("records page %d:\n%s", code, body)
	}
	// A hold is first shown with what it keeps; one on a plate never read
	// says so (NOSUCH1 is stored as N0SUCH1).
	if _, err := f.store.DB().Exec(`INSERT INTO reads (id, captured_at, plate, plate_key, source_file, loaded_at)
		VALUES ('k1', TIMESTAMPTZ '2026-11-02 14:05:00+00', 'AB1C2D', 'AB1C2D', 'f', now()), ('k2', TIMESTAMPTZ '2026-11-09 09:00:00+00', 'AB1C2D', 'AB1C2D', 'f', now())`); err != nil {
		t.Fatal(err)
	}
	nothing := url.Values{"csrf": {tok}, "case": {"26-001187"}, "plate": {"NOSUCH1"}, "requester": {"Det. Smith"}, "reason": {"robbery evidence"}}
	if code, body = post(t, c, f.srv.URL+"/holds", nothing); code != http.StatusOK || !strings.Contains(body, "No read in the store matches this hold now") ||
		!strings.Contains(body, "N0SUCH1") || strings.Contains(body, "recorded for case") {
		t.Fatalf("a hold on a plate never read %d:\n%s", code, body)
	}
	form := url.Values{"csrf": {tok}, "case": {"26-001187"}, "plate": {"ab-1c2d"}, "requester": {"Det. Smith"}, "reason": {"robbery evidence"}}
	code, body = post(t, c, f.srv.URL+"/holds", form)
	if code != http.StatusOK || !strings.Contains(body, "This hold keeps <strong>2 reads</strong> of plate <strong>AB1C2D</strong>") ||
		!strings.Contains(body, "from 2026-11-02 08:05 CST to 2026-11-09 03:00 CST") || strings.Contains(body, "recorded for case") {
		t.Fatalf("hold preview %d:\n%s", code, body)
	}
	form.Set("confirm", "1")
	code, body = post(t, c, f.srv.URL+"/holds", form)
	if code != http.StatusOK || !strings.Contains(body, "recorded for case 26-001187") || !strings.Contains(body, "plate AB1C2D") {
		t.Fatalf("add hold %d:\n%s", code, body)
	}
	bad := url.Values{"csrf": {tok}, "case": {"26-9"}, "requester": {"Det. Smith"}, "reason": {"x"}, "confirm": {"1"}}
	if code, body = post(t, c, f.srv.URL+"/holds", bad); code != http.StatusBadRequest || !strings.Contains(body, "name a plate, a read, or a closed time range") {
		t.Fatalf("a hold on everything answered %d", code)
	}
	id := regexp.MustCompile(`action="/holds/([^/]+)/release"`).FindStringSubmatch(body)
	if id == nil {
		t.Fatalf("no release form:\n%s", body)
	}
	if code, _ = post(t, c, f.srv.URL+"/holds/"+id[1]+"/release", url.Values{"csrf": {tok}}); code != http.StatusBadRequest {
		t.Fatalf("release without a reason answered %d", code)
	}
	code, body = post(t, c, f.srv.URL+"/holds/"+id[1]+"/release", url.Values{"csrf": {tok}, "reason": {"case closed"}})
	if code != http.StatusOK || !strings.Contains(body, "released 2026-11-20") || !strings.Contains(body, "by clerk1") {
		t.Fatalf("release %d:\n%s", code, body)
	}
	for _, tc := range []struct{ kind, format, want string }{{"retention", "pdf", "%PDF-"}, {"usage", "csv", "period_from,period_to,section"}} {
		resp, err := c.PostForm(f.srv.URL+"/reports", url.Values{"csrf": {tok}, "kind": {tc.kind}, "format": {tc.format}, "from": {"2026-10-01"}, "to": {"2026-10-31"}})
		if err != nil {
			t.Fatal(err)
		}
		b := make([]byte, 64)
		n, _ := resp.Body.Read(b)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(string(b[:n]), tc.want) ||
			resp.Header.Get("Content-Disposition") != `attachment; filename="`+tc.kind+`-2026-10-01-to-2026-10-31.`+tc.format+`"` {
			t.Fatalf("%s %s: %d %q %q", tc.kind, tc.format, resp.StatusCode, b[:n], resp.Header.Get("Content-Disposition"))
		}
	}
	if code, _ := post(t, c, f.srv.URL+"/reports", url.Values{"csrf": {tok}, "kind": {"../etc"}, "format": {"pdf"}, "from": {"2026-10-01"}, "to": {"2026-10-31"}}); code != http.StatusBadRequest {
		t.Fatalf("an unknown report answered %d", code)
	}
	// Any period: a bad one is refused in words on the page's own form; one
	// not yet over is asked about first, then downloads.
	for _, tc := range []struct{ name, from, to, says string }{
		{"no days", "", "", "Reports: choose the period"},
		{"backwards", "2026-10-31", "2026-10-01", "Reports: the last day comes before the first"},
		{"over a year", "2025-01-01", "2026-10-31", "Reports: a report covers at most 366 days"},
		{"not a date", "October", "2026-10-31", "Reports: date &#34;October&#34;"},
	} {
		code, body := post(t, c, f.srv.URL+"/reports", url.Values{"csrf": {tok}, "kind": {"usage"}, "format": {"csv"}, "from": {tc.from}, "to": {tc.to}})
		if code != http.StatusBadRequest || !strings.Contains(body, tc.says) || !strings.Contains(body, `value="`+tc.to+`"`) {
			t.Errorf("%s: %d, want 400 saying %q and keeping the days: %.300s", tc.name, code, tc.says, body)
		}
	}
	running := url.Values{"csrf": {tok}, "kind": {"usage"}, "format": {"csv"}, "from": {"2026-11-01"}, "to": {"2026-11-30"}}
	if code, body := post(t, c, f.srv.URL+"/reports", running); code != http.StatusOK || !strings.Contains(body, `id="report-ask"`) ||
		!strings.Contains(body, "not over yet") || strings.HasPrefix(body, "period_from") {
		t.Fatalf("a month not over: %d %.600s", code, body)
	}
	running.Set("confirm", "yes")
	if code, body := post(t, c, f.srv.URL+"/reports", running); code != http.StatusOK || !strings.HasPrefix(body, "period_from") {
		t.Fatalf("a month not over, confirmed: %d %s", code, regexp.MustCompile(`class="error"[^<]*>[^<]*`).FindString(body))
	}
	// An evidence package for a case with a hold: refused under a
	// forged authorisation, sent as a zip for an investigation.
	if _, err := f.store.DB().Exec(`INSERT INTO holds (id, case_number, plate, requester, reason, created_at, created_by)
		VALUES ('h9', '26-5', 'XYZ123', 'det', 'robbery', now(), 'clerk1')`); err != nil {
		t.Fatal(err)
	}
	ev := url.Values{"csrf": {tok}, "case": {"26-5"}, "recipient": {"Channel 5 News"}, "purpose": {"story"}, "basis": {"chief-authorised"}, "authorisation": {"AUTH-NONE"}}
	if code, body := post(t, c, f.srv.URL+"/evidence", ev); code != http.StatusBadRequest || !strings.Contains(body, "no Chief&#39;s authorisation") {
		t.Fatalf("forged authorisation answered %d:\n%s", code, body)
	}
	ev.Set("recipient", "Circuit Attorney")
	ev.Set("purpose", "prosecution")
	ev.Set("basis", "law-enforcement-investigative")
	resp, err := c.PostForm(f.srv.URL+"/evidence", ev)
	if err != nil {
		t.Fatal(err)
	}
	zb, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	zr, err := zip.NewReader(bytes.NewReader(zb), int64(len(zb)))
	if resp.StatusCode != http.StatusOK || err != nil {
		t.Fatalf("evidence zip %d: %v", resp.StatusCode, err)
	}
	names := map[string]bool{}
	for _, zf := range zr.File {
		names[path.Base(zf.Name)] = true
	}
	if !names["manifest.json"] || !names["custody.log"] || !names["reads.csv"] {
		t.Fatalf("zip holds %v", names)
	}
	if log, _ := f.store.Disseminations(context.Background(), 10); len(log) != 1 || log[0].Recipient != "Circuit Attorney" {
		t.Fatalf("dissemination log %+v", log)
	}
	for action, want := range map[string]int{"hold.add": 1, "hold.release": 1, "report.download": 3, "evidence.export": 1, "export.refused": 1} {
		entries, err := f.store.AuditLog(context.Background(), analytics.AuditFilter{Action: action})
		if err != nil || len(entries) != want {
			t.Errorf("%s: %d audit entries (%v), want %d", action, len(entries), err, want)
		}
	}
	// An analyst may not see the records page.
	a := f.client(t)
	f.login(t, a, "analyst1", testPassword)
	if code, _, _ := get(t, a, f.srv.URL+"/records"); code != http.StatusForbidden {
		t.Fatalf("analyst got the records page: %d", code)
	}
}

// TestChiefRevokesAnAuthorisation: the Chief's page lists the
// authorisations given, with their state; revoking one ends it (an
// analyst's export under it is then refused), and nobody else may.
func TestChiefRevokesAnAuthorisation(t *testing.T) {
	f := newFixture(t)
	chief := f.client(t)
	f.login(t, chief, "chief1", testPassword)
	_, _, tok := get(t, chief, f.srv.URL+"/authorisations")
	code, body := post(t, chief, f.srv.URL+"/authorisations", url.Values{"csrf": {tok}, "recipient": {"County Prosecutor"},
		"purpose": {"trial exhibit"}, "case": {"26-9"}, "days": {"7"}})
	id := regexp.MustCompile(`Authorisation (AUTH-[0-9A-F]+):`).FindStringSubmatch(body)
	if code != http.StatusOK || id == nil {
		t.Fatalf("authorise: %d %.400s", code, body)
	}
	if !strings.Contains(body, `id="auths"`) || !strings.Contains(body, "County Prosecutor") || !strings.Contains(body, ">active") {
		t.Fatalf("the list does not show the new authorisation as active: %.1200s", body)
	}
	for _, user := range []string{"analyst1", "supervisor1", "it1"} {
		c := f.client(t)
		f.login(t, c, user, testPassword)
		_, _, tk := get(t, c, f.srv.URL+"/search")
		if code, _ := post(t, c, f.srv.URL+"/authorisations/revoke", url.Values{"csrf": {tk}, "id": {id[1]}}); code != http.StatusForbidden {
			t.Errorf("%s revoked: %d", user, code)
		}
	}
	code, body = post(t, chief, f.srv.URL+"/authorisations/revoke", url.Values{"csrf": {tok}, "id": {id[1]}})
	if code != http.StatusOK || !strings.Contains(body, id[1]+" revoked") || !strings.Contains(body, ">revoked") {
		t.Fatalf("revoke: %d %.1200s", code, body)
	}
	if code, body = post(t, chief, f.srv.URL+"/authorisations/revoke", url.Values{"csrf": {tok}, "id": {id[1]}}); code != http.StatusBadRequest ||
		!strings.Contains(body, "already ended") {
		t.Errorf("second revocation: %d %.300s", code, body)
	}
	_, _, err := f.store.ExportPlateReads(context.Background(), analytics.Access{User: "analyst1", Reason: "trial", Case: "26-9"},
		analytics.PlateQuery{Plate: "ABC1234"}, analytics.Dissemination{Recipient: "County Prosecutor", Purpose: "trial exhibit",
			Basis: analytics.BasisChief, Authorisation: id[1]}, time.Now())
	if !errors.Is(err, analytics.ErrNoBasis) {
		t.Errorf("export under the revoked authorisation: %v", err)
	}
}

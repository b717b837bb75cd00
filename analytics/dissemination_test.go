package analytics

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestExportNeedsABasisAndIsLogged(t *testing.T) {
	s := fixedStore(t)
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	if err := s.AddAgency(ctx, "it1", Agency{ORI: "MOMHP0000", Name: "MSHP"}, now); err != nil {
		t.Fatal(err)
	}
	auth, err := s.Authorise(ctx, "chief.smith", Authorisation{Recipient: "County Prosecutor", Purpose: "trial exhibit",
		Case: "26-9", Expires: now.Add(72 * time.Hour)}, now)
	if err != nil {
		t.Fatal(err)
	}
	a := Access{User: "det.jones", Reason: "stolen car", Case: "26-9"}
	q := PlateQuery{Plate: "AB1C2D"}
	for _, tc := range []struct {
		name string
		d    Dissemination
		at   time.Time
		ok   bool
	}{
		{"no recipient", Dissemination{Purpose: "x", Basis: BasisInvestigative}, now, false},
		{"no purpose", Dissemination{Recipient: "MSHP", Basis: BasisInvestigative}, now, false},
		{"no basis", Dissemination{Recipient: "MSHP", Purpose: "x"}, now, false},
		{"unknown authorisation", Dissemination{Recipient: "County Prosecutor", Purpose: "x", Basis: BasisChief, Authorisation: "AUTH-0"}, now, false},
		{"authorisation for another recipient", Dissemination{Recipient: "News desk", Purpose: "x", Basis: BasisChief, Authorisation: auth.ID}, now, false},
		{"expired authorisation", Dissemination{Recipient: "County Prosecutor", Purpose: "x", Basis: BasisChief, Authorisation: auth.ID}, now.Add(73 * time.Hour), false},
		{"investigative, to an agency not on the list", Dissemination{Recipient: "News desk", Purpose: "story", Basis: BasisInvestigative}, now, false},
		{"investigative", Dissemination{Recipient: "MSHP", Purpose: "robbery investigation", Basis: BasisInvestigative}, now, true},
		{"chief authorised", Dissemination{Recipient: "county prosecutor", Purpose: "trial exhibit", Basis: BasisChief, Authorisation: auth.ID}, now, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, d, err := s.ExportPlateReads(ctx, a, q, tc.d, tc.at)
			if !tc.ok {
				if !errors.Is(err, ErrNoBasis) {
					t.Fatalf("err = %v, want ErrNoBasis", err)
				}
				return
			}
			if err != nil || len(rows) != 1 || d.Rows != 1 || d.ID == "" {
				t.Fatalf("rows %d, %+v, %v", len(rows), d, err)
			}
		})
	}
	log, err := s.Disseminations(ctx, 0)
	if err != nil || len(log) != 2 {
		t.Fatalf("dissemination log has %d rows (%v), want the 2 exports that left", len(log), err)
	}
	var refused int
	entries, _ := s.AuditLog(ctx, AuditFilter{Action: "export."})
	for _, e := range entries {
		if e.Action == "export.refused" {
			refused++
		}
	}
	if refused != 7 {
		t.Errorf("%d refusals audited, want 7", refused)
	}
}

func TestLateDispositionClosesTheHitOnce(t *testing.T) {
	s := fixedStore(t)
	ctx := context.Background()
	a := Access{User: "sgt.hale", Reason: "hit audit", Case: "AUDIT-26-06"}
	now := time.Date(2026, 6, 2, 9, 0, 0, 0, time.UTC)
	open, err := s.HitsWithoutDisposition(ctx, a, Window{}, "", "", "", now)
	if err != nil || len(open) != 1 || open[0].ID != "h1" {
		t.Fatalf("open hits %+v, %v", open, err)
	}
	hit, err := s.LateDisposition(ctx, a, "h1", "misread", "plate was XYZ128", now)
	if err != nil || hit.Plate == "" || hit.AlertedAt.IsZero() {
		t.Fatalf("late disposition: %+v, %v", hit, err)
	}
	if open, _ = s.HitsWithoutDisposition(ctx, a, Window{}, "", "", "", now); len(open) != 0 {
		t.Fatalf("hit still open: %+v", open)
	}
	if _, err := s.LateDisposition(ctx, a, "h1", "misread", "", now); !errors.Is(err, ErrHasDisposition) || !strings.Contains(err.Error(), hit.Plate) || strings.Contains(err.Error(), "h1") {
		t.Errorf("second disposition: %v (want it named by plate, not id)", err)
	}
	if _, err := s.LateDisposition(ctx, a, "h9", "misread", "", now); err == nil {
		t.Error("a disposition for an unknown hit was accepted")
	}
	var note, src string
	if err := s.DB().QueryRow(`SELECT note, source_file FROM dispositions WHERE hit_id = 'h1' AND step = 'disposition'`).Scan(&note, &src); err != nil {
		t.Fatal(err)
	}
	if src != LateSource || note != "late: entered by sgt.hale in the back office; plate was XYZ128" {
		t.Errorf("row: %q %q", note, src)
	}
}

// TestAgencyList: IT lists agencies by ORI and name, both audited; a
// malformed ORI or a missing name is refused, and so is removing one that
// is not listed.
func TestAgencyList(t *testing.T) {
	s := openStore(t, t.TempDir())
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		a    Agency
	}{
		{"ORI too short", Agency{ORI: "MO123", Name: "X"}},
		{"ORI with markup", Agency{ORI: "MO<b>0000", Name: "X"}},
		{"no name", Agency{ORI: "MO0950000"}},
	} {
		if err := s.AddAgency(ctx, "it1", tc.a, now); !errors.Is(err, ErrAgency) {
			t.Errorf("%s: %v, want ErrAgency", tc.name, err)
		}
	}
	if err := s.AddAgency(ctx, "it1", Agency{ORI: "mo0950000", Name: " St. Louis County PD "}, now); err != nil {
		t.Fatal(err)
	}
	as, err := s.Agencies(ctx)
	if err != nil || len(as) != 1 || as[0].ORI != "MO0950000" || as[0].Name != "St. Louis County PD" || as[0].AddedBy != "it1" {
		t.Fatalf("%+v %v", as, err)
	}
	if err := s.RemoveAgency(ctx, "it1", "MO0000000", now); !errors.Is(err, ErrAgency) {
		t.Fatalf("removing an agency not listed: %v", err)
	}
	if err := s.RemoveAgency(ctx, "it1", "MO0950000", now); err != nil {
		t.Fatal(err)
	}
	if e, _ := s.AuditLog(ctx, AuditFilter{Action: "agency."}); len(e) != 2 {
		t.Fatalf("%d audit entries, want the add and the removal", len(e))
	}
}

// TestRevokedAuthorisationRefusesExports: the Chief lists the
// authorisations with their state, revokes one (audited), and an export
// under it is refused from then on; a second revocation or an unknown id
// is an error.
func TestRevokedAuthorisationRefusesExports(t *testing.T) {
	s := fixedStore(t)
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	auth, err := s.Authorise(ctx, "chief.smith", Authorisation{Recipient: "County Prosecutor", Purpose: "trial exhibit",
		Case: "26-9", Expires: now.Add(72 * time.Hour)}, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authorise(ctx, "chief.smith", Authorisation{Recipient: "Insurer", Purpose: "claim", Case: "26-10",
		Expires: now.Add(time.Hour)}, now); err != nil {
		t.Fatal(err)
	}
	a := Access{User: "det.jones", Reason: "stolen car", Case: "26-9"}
	d := Dissemination{Recipient: "County Prosecutor", Purpose: "trial exhibit", Basis: BasisChief, Authorisation: auth.ID}
	if _, _, err := s.ExportPlateReads(ctx, a, PlateQuery{Plate: "AB1C2D"}, d, now.Add(time.Minute)); err != nil {
		t.Fatalf("export before the revocation: %v", err)
	}
	later := now.Add(2 * time.Hour)
	x, err := s.RevokeAuthorisation(ctx, "chief.smith", " "+auth.ID+" ", later)
	if err != nil || x.State(later) != "revoked" || x.Case != "26-9" {
		t.Fatalf("revoke: %+v, %v", x, err)
	}
	if _, _, err := s.ExportPlateReads(ctx, a, PlateQuery{Plate: "AB1C2D"}, d, later.Add(time.Minute)); !errors.Is(err, ErrNoBasis) ||
		!strings.Contains(err.Error(), "revoked") {
		t.Fatalf("export under a revoked authorisation: %v", err)
	}
	for _, id := range []string{auth.ID, "AUTH-NONE"} {
		if _, err := s.RevokeAuthorisation(ctx, "chief.smith", id, later); !errors.Is(err, ErrNoAuthorisation) {
			t.Errorf("revoke %s again: %v, want ErrNoAuthorisation", id, err)
		}
	}
	list, err := s.Authorisations(ctx, 0)
	if err != nil || len(list) != 2 {
		t.Fatalf("list: %+v, %v", list, err)
	}
	states := map[string]string{}
	for _, x := range list {
		states[x.Recipient] = x.State(later)
	}
	if states["County Prosecutor"] != "revoked" || states["Insurer"] != "expired" {
		t.Errorf("states at %v: %v", later, states)
	}
	entries, err := s.AuditLog(ctx, AuditFilter{Action: "export.revoke"})
	if err != nil || len(entries) != 1 || entries[0].User != "chief.smith" || entries[0].Case != "26-9" {
		t.Errorf("revocation's audit: %+v, %v", entries, err)
	}
}

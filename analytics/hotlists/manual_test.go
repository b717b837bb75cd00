package hotlists

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/edge/hotlist"
)

// Manual entries: checked, audited, expired early with a reason, and
// exported as a list the cars' CSV loader reads with its mapping.
func TestManualEntries(t *testing.T) {
	ctx := context.Background()
	st, err := analytics.Open(ctx, analytics.DefaultOptions(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		e    ManualEntry
		want string
	}{
		{"no reason", ManualEntry{Plate: "ab 123", Case: "26-1", Expires: now.AddDate(0, 0, 7)}, "reason"},
		{"already expired", ManualEntry{Plate: "AB123", Reason: "r", Case: "26-1", Expires: now.Add(-time.Hour)}, "future"},
		{"a year", ManualEntry{Plate: "AB123", Reason: "r", Case: "26-1", Expires: now.AddDate(1, 0, 0)}, "at most 90 days"},
		{"no plate", ManualEntry{Plate: "--", Reason: "r", Case: "26-1", Expires: now.AddDate(0, 0, 7)}, "plate"},
		{"not a state", ManualEntry{Plate: "AB123", State: "ZZ", Reason: "r", Case: "26-1", Expires: now.AddDate(0, 0, 7)}, "not a state"},
		{"markup for a state", ManualEntry{Plate: "AB123", State: "<b", Reason: "r", Case: "26-1", Expires: now.AddDate(0, 0, 7)}, "not a state"},
	} {
		if _, err := AddManual(ctx, st, tc.e, "sgt", now); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error about %q", tc.name, err, tc.want)
		}
	}
	a, err := AddManual(ctx, st, ManualEntry{Plate: "ab-123", State: "mo", Reason: "Armed robbery suspect vehicle", Case: "26-77", Expires: now.AddDate(0, 0, 7)}, "sgt", now)
	if err != nil || a.Plate != "AB123" {
		t.Fatalf("%+v %v", a, err)
	}
	b, _ := AddManual(ctx, st, ManualEntry{Plate: "XYZ789", Reason: "Missing person", Case: "26-78", Expires: now.AddDate(0, 0, 30)}, "sgt", now)
	if err := ExpireManual(ctx, st, b.ID, "sgt", "", now); err == nil {
		t.Fatal("expired without a reason")
	}
	if err := ExpireManual(ctx, st, b.ID, "sgt", "found safe", now); err != nil {
		t.Fatal(err)
	}
	active, err := ActiveManual(ctx, st, now)
	if err != nil || len(active) != 1 || active[0].ID != a.ID {
		t.Fatalf("active %+v %v", active, err)
	}
	var m hotlist.Mapping
	if err := json.Unmarshal(ManualMapping(), &m); err != nil {
		t.Fatal(err)
	}
	l, err := hotlist.ParseCSV(bytes.NewReader(ManualCSV(active)), m, "local.csv", now)
	if err != nil || len(l.Entries) != 1 || l.Entries[0].Plate != "AB123" || l.Entries[0].Reason != "Armed robbery suspect vehicle" || l.Name != ManualList {
		t.Fatalf("the cars read %+v (%v)", l, err)
	}
	// Past its expiry the car does not load it.
	if l, err := hotlist.ParseCSV(bytes.NewReader(ManualCSV(active)), m, "local.csv", now.AddDate(0, 0, 8)); err == nil && len(l.Entries) != 0 {
		t.Fatalf("an expired entry loads: %+v", l.Entries)
	}
	if e, _ := st.AuditLog(ctx, analytics.AuditFilter{Action: "hotlist.manual."}); len(e) != 3 {
		t.Fatalf("%d audit entries, want 2 adds and 1 expiry", len(e))
	}
}

// TestManualCSVNeutralisesFormulas: a reason or case typed as a formula
// reaches the cars' CSV as text, not as a formula for whoever opens it.
func TestManualCSVNeutralisesFormulas(t *testing.T) {
	b := ManualCSV([]ManualEntry{{Plate: "AB1C2D", State: "MO", Reason: `=HYPERLINK("http://x","y")`, Case: "@SUM(1)", Expires: time.Now()}})
	if strings.Contains(string(b), ",=HYPERLINK") || strings.Contains(string(b), ",@SUM") {
		t.Fatalf("formula written as is:\n%s", b)
	}
	if !strings.Contains(string(b), `'=HYPERLINK`) || !strings.Contains(string(b), "'@SUM(1)") {
		t.Fatalf("formula not kept as text:\n%s", b)
	}
}

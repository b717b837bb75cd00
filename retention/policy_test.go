package retention

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParsePolicy(t *testing.T) {
	head := `{"format": "plateward-retention-policy/1", "version": "v2", "time_zone": "America/Chicago", `
	cases := []struct {
		name, file, wantErr string
	}{
		{"the built-in file", string(DefaultPolicyFile()), ""},
		{"reads only; the rest follow or are permanent", head + `"series": {"reads": {"months": 6}}}`, ""},
		{"wrong format", `{"format": "x/2", "version": "v", "time_zone": "UTC", "series": {"reads": {"months": 6}}}`, "format"},
		{"unknown key", head + `"series": {"reads": {"months": 6}}, "extra": 1}`, "unknown field"},
		{"trailing data", head + `"series": {"reads": {"months": 6}}} {}`, "trailing"},
		{"no version", `{"format": "plateward-retention-policy/1", "version": " ", "time_zone": "UTC", "series": {"reads": {"months": 6}}}`, "version"},
		{"bad zone", `{"format": "plateward-retention-policy/1", "version": "v", "time_zone": "Chicago", "series": {"reads": {"months": 6}}}`, "time_zone"},
		{"no reads", head + `"series": {"hits": {"months": 6}}}`, "reads needs"},
		{"reads permanent", head + `"series": {"reads": {"permanent": true}}}`, "reads needs"},
		{"unknown series", head + `"series": {"reads": {"months": 6}, "videos": {"months": 6}}}`, "unknown series"},
		{"images outlive reads", head + `"series": {"reads": {"months": 6}, "plate_images": {"months": 12}}}`, "with its reads"},
		{"both months and permanent", head + `"series": {"reads": {"months": 6}, "shift_records": {"months": 6, "permanent": true}}}`, "either months"},
		{"audit log trimmed", head + `"series": {"reads": {"months": 6}, "audit_log": {"months": 120}}}`, "hash-chained"},
		{"log shorter than reads", head + `"series": {"reads": {"months": 6}, "destruction_log": {"months": 3}}}`, "shorter"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParsePolicy([]byte(tc.file))
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if p.ReadsMonths != 6 || p.Period(SeriesHits).Months != 6 || !p.Period(SeriesAuditLog).Permanent {
					t.Fatalf("policy %+v", p)
				}
				return
			}
			if !errors.Is(err, ErrPolicy) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err %v, want ErrPolicy about %q", err, tc.wantErr)
			}
		})
	}
}

func TestAdoptPolicyIsAuditedAndVersioned(t *testing.T) {
	ctx := context.Background()
	st := emptyStore(t)
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	body := DefaultPolicyFile()
	p, _ := ParsePolicy(body)
	for i, want := range []bool{true, false} {
		got, err := AdoptPolicy(ctx, st, p, body, "it.admin", now)
		if err != nil || got != want {
			t.Fatalf("adoption %d: adopted=%v err=%v, want %v", i, got, err, want)
		}
	}
	// The same version label with other text is refused.
	edited := []byte(strings.Replace(string(body), `"months": 36`, `"months": 48`, 1))
	p2, err := ParsePolicy(edited)
	if err != nil {
		t.Fatal(err)
	}
	if p2.Version == p.Version {
		t.Fatalf("an edited file kept version %s", p.Version)
	}
	// A new label is adopted and audited with the change.
	edited = []byte(strings.Replace(string(edited), "builtin-order-D1/v1", "2026-12 shift records 4 years", 1))
	p3, _ := ParsePolicy(edited)
	if ok, err := AdoptPolicy(ctx, st, p3, edited, "it.admin", now.Add(time.Hour)); !ok || err != nil {
		t.Fatalf("new version: %v %v", ok, err)
	}
	if v, _ := CurrentPolicyVersion(ctx, st); v != p3.Version {
		t.Fatalf("current %s, want %s", v, p3.Version)
	}
	var detail string
	if err := st.DB().QueryRow(`SELECT detail FROM audit_log WHERE action = 'retention.policy' ORDER BY seq DESC LIMIT 1`).Scan(&detail); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(detail, "replaces "+p.Version) || !strings.Contains(detail, "shift_records 48 months") {
		t.Fatalf("audit detail %q", detail)
	}
	// Reusing a label for other text is refused.
	p4 := p3
	if _, err := AdoptPolicy(ctx, st, p4, append(edited, ' '), "it.admin", now); !errors.Is(err, ErrPolicyVersionReused) {
		t.Fatalf("err %v, want ErrPolicyVersionReused", err)
	}
}

// The series kept by their own period are destroyed after it, with a
// destruction-log row, unless a time-range hold keeps them; permanent
// series are never touched.
func TestPurgeLogSeries(t *testing.T) {
	ctx := context.Background()
	st := emptyStore(t)
	chi, _ := time.LoadLocation("America/Chicago")
	for i, at := range []time.Time{time.Date(2025, 1, 10, 12, 0, 0, 0, chi), time.Date(2025, 3, 10, 12, 0, 0, 0, chi), time.Date(2026, 10, 1, 12, 0, 0, 0, chi)} {
		if _, err := st.DB().Exec(`INSERT INTO shift_events (id, shift_id, event_at, event, source_file, loaded_at) VALUES (?, 's', ?, 'login', 'f', ?)`,
			string(rune('a'+i)), at, at); err != nil {
			t.Fatal(err)
		}
		if _, err := st.DB().Exec(`INSERT INTO disseminations VALUES (?, ?, 'u', 'r', 'p', 'b', NULL, 'c', 'r', 'w', 1)`, string(rune('a'+i)), at); err != nil {
			t.Fatal(err)
		}
	}
	// A hold over March 2025 keeps that shift record.
	if _, err := AddHold(ctx, st, NewHold{Case: "25-9", From: time.Date(2025, 3, 1, 0, 0, 0, 0, chi), To: time.Date(2025, 4, 1, 0, 0, 0, 0, chi),
		Requester: "det", Reason: "who drove car 7"}, "clerk", time.Date(2025, 3, 20, 0, 0, 0, 0, chi)); err != nil {
		t.Fatal(err)
	}
	file := strings.Replace(string(DefaultPolicyFile()), `"shift_records": {"months": 36}`, `"shift_records": {"months": 12}`, 1)
	p, err := ParsePolicy([]byte(file))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Purge(ctx, st, PurgeOptions{Policy: p, Actor: "test", Logger: quiet()}, time.Date(2026, 11, 26, 12, 0, 0, 0, chi))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Series[SeriesShiftRecords] != 1 || count(t, st, `SELECT count(*) FROM shift_events`) != 2 {
		t.Fatalf("report %+v: want the January 2025 shift record destroyed and the held March one kept", rep)
	}
	if count(t, st, `SELECT count(*) FROM disseminations`) != 3 {
		t.Fatal("the dissemination log is permanent under this policy")
	}
	var day, series, version string
	var rows, held int
	if err := st.DB().QueryRow(`SELECT strftime(day, '%Y-%m-%d'), series, rows_destroyed, rows_held, policy_version FROM destruction_log`).Scan(&day, &series, &rows, &held, &version); err != nil {
		t.Fatal(err)
	}
	if day != "2025-01-10" || series != SeriesShiftRecords || rows != 1 || held != 1 || version != p.Version {
		t.Fatalf("destruction log: %s %s %d destroyed %d held, policy %s", day, series, rows, held, version)
	}
}

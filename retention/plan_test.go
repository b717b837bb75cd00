package retention

import (
	"flag"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestPlanSixCalendarMonthsInDepartmentZone(t *testing.T) {
	p, err := DefaultPolicy()
	if err != nil {
		t.Fatal(err)
	}
	chi := p.Zone
	days := []Day{{Day: "2026-01-31", Reads: 10}, {Day: "2026-02-01", Reads: 5}, {Day: "2026-05-20", Reads: 7}}
	cases := []struct {
		name string
		now  time.Time
		due  []bool
	}{
		{"a minute before Jan 31 turns six months", time.Date(2026, 7, 31, 23, 59, 0, 0, chi), []bool{false, false, false}},
		// 2026-01-31 + 1 day = Feb 1; + 6 months = Aug 1 00:00 Chicago.
		{"at midnight Chicago it is due", time.Date(2026, 8, 1, 0, 0, 0, 0, chi), []bool{true, false, false}},
		{"UTC midnight is still Jul 31 in Chicago", time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC), []bool{false, false, false}},
		{"next day both winter days are due", time.Date(2026, 8, 2, 0, 0, 0, 0, chi), []bool{true, true, false}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			plan, err := Plan(days, nil, p, tc.now)
			if err != nil {
				t.Fatal(err)
			}
			for i, dp := range plan {
				if dp.Due != tc.due[i] {
					t.Errorf("%s due=%v want %v (due at %s)", dp.Day.Day, dp.Due, tc.due[i], dp.DueAt)
				}
			}
		})
	}
}

func TestPlanHolds(t *testing.T) {
	p, _ := DefaultPolicy()
	chi := p.Zone
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, chi)
	day := []Day{{Day: "2026-03-10", Reads: 100}}
	mar10 := time.Date(2026, 3, 10, 0, 0, 0, 0, chi)
	cases := []struct {
		name     string
		hold     Hold
		held     bool
		wholeDay bool
	}{
		{"plate hold over the day", Hold{ID: "h", Plate: "AB1C2D", From: mar10, To: mar10.AddDate(0, 0, 1)}, true, false},
		{"case hold with no plate covers the whole day", Hold{ID: "h", From: mar10.AddDate(0, 0, -1), To: mar10.AddDate(0, 0, 2)}, true, true},
		{"hold ending at the day's start does not cover it", Hold{ID: "h", Plate: "X", To: mar10}, false, false},
		{"released hold keeps nothing", Hold{ID: "h", Plate: "X", Released: true}, false, false},
		{"expired hold keeps nothing", Hold{ID: "h", Plate: "X", Until: now.Add(-time.Hour)}, false, false},
		{"indefinite open hold keeps", Hold{ID: "h", ReadID: "r1"}, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			plan, err := Plan(day, []Hold{tc.hold}, p, now)
			if err != nil {
				t.Fatal(err)
			}
			dp := plan[0]
			if !dp.Due {
				t.Fatal("day should be due")
			}
			if (len(dp.HeldBy) > 0) != tc.held || dp.Whole != tc.wholeDay {
				t.Fatalf("held %v whole %v", dp.HeldBy, dp.Whole)
			}
		})
	}
}

func TestDueAtMonthEndsLeapDayAndDST(t *testing.T) {
	chi, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	day := func(s string) time.Time {
		d, err := time.ParseInLocation("2006-01-02", s, chi)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	cases := []struct {
		name, day, due string
	}{
		{"31st to a 31st", "2026-01-31", "2026-08-01"},
		{"31st to a 30th is clamped", "2026-03-31", "2026-10-01"},
		{"Aug 29 in a common year ends with February", "2026-08-29", "2027-03-01"},
		{"Aug 30 too", "2026-08-30", "2027-03-01"},
		{"Aug 31 too, not Mar 3", "2026-08-31", "2027-03-01"},
		{"Sep 1 a day later", "2026-09-01", "2027-03-02"},
		{"Aug 31 before a leap year ends Feb 29", "2027-08-31", "2028-03-01"},
		{"leap day itself", "2028-02-29", "2028-08-30"},
		{"spring-forward day (23 hours)", "2026-03-08", "2026-09-09"},
		{"fall-back day (25 hours)", "2026-11-01", "2027-05-02"},
		{"due on a spring-forward day", "2026-09-07", "2027-03-08"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := dueAt(day(tc.day), 6); !got.Equal(day(tc.due)) {
				t.Errorf("records of %s due %s, want %s 00:00 Chicago", tc.day, got, tc.due)
			}
		})
	}
}

// The cutoff agrees with dueAt for every day over three years and nows at
// and around every midnight: a day is due exactly when it starts before
// the cutoff.
func TestCutoffAgreesWithDueAt(t *testing.T) {
	chi, _ := time.LoadLocation("America/Chicago")
	first := time.Date(2026, 1, 1, 0, 0, 0, 0, chi)
	for n := first.AddDate(0, 6, 0); n.Before(first.AddDate(3, 0, 0)); n = n.AddDate(0, 0, 1) {
		for _, now := range []time.Time{n, n.Add(-time.Second), n.Add(13 * time.Hour)} {
			cut := cutoff(now, 6, chi)
			for d := cut.AddDate(0, 0, -3); d.Before(cut.AddDate(0, 0, 3)); d = d.AddDate(0, 0, 1) {
				if due := !dueAt(d, 6).After(now); due != d.Before(cut) {
					t.Fatalf("now %s: day %s due=%v but cutoff %s", now, d.Format("2006-01-02"), due, cut.Format("2006-01-02"))
				}
			}
		}
	}
}

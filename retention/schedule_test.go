package retention

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/plateward/alpr/analytics"
)

func TestOccurrence(t *testing.T) {
	chi, _ := time.LoadLocation("America/Chicago")
	nightly, err := cron.ParseStandard("CRON_TZ=America/Chicago " + DefaultPurgeSpec)
	if err != nil {
		t.Fatal(err)
	}
	monthly, _ := cron.ParseStandard("CRON_TZ=America/Chicago " + DefaultReportSpec)
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, chi) }
	cases := []struct {
		name       string
		spec       cron.Schedule
		last, now  time.Time
		due        bool
		occurrence time.Time
		missed     int
	}{
		{"never run: due at once", nightly, time.Time{}, at(2026, 3, 2, 12, 0), true, at(2026, 3, 2, 12, 0), 0},
		{"before tonight's time", nightly, at(2026, 3, 1, 3, 15), at(2026, 3, 2, 3, 14), false, time.Time{}, 0},
		{"at tonight's time", nightly, at(2026, 3, 1, 3, 15), at(2026, 3, 2, 3, 15), true, at(2026, 3, 2, 3, 15), 1},
		{"down three nights: one catch-up for the last", nightly, at(2026, 3, 1, 3, 15), at(2026, 3, 4, 9, 0), true, at(2026, 3, 4, 3, 15), 3},
		{"spring-forward night still runs at 03:15", nightly, at(2026, 3, 7, 3, 15), at(2026, 3, 8, 3, 20), true, at(2026, 3, 8, 3, 15), 1},
		{"fall-back night runs once", nightly, at(2026, 10, 31, 3, 15), at(2026, 11, 1, 4, 0), true, at(2026, 11, 1, 3, 15), 1},
		{"monthly, mid-month: not due", monthly, at(2026, 3, 1, 6, 0), at(2026, 3, 20, 0, 0), false, time.Time{}, 0},
		{"monthly, on the first", monthly, at(2026, 3, 1, 6, 0), at(2026, 4, 1, 6, 0), true, at(2026, 4, 1, 6, 0), 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			due, occ, missed := Occurrence(tc.spec, tc.last, tc.now)
			if due != tc.due || !occ.Equal(tc.occurrence) || missed != tc.missed {
				t.Fatalf("got due=%v at %s missed %d; want %v at %s missed %d", due, occ, missed, tc.due, tc.occurrence, tc.missed)
			}
		})
	}
}

func emptyStore(t *testing.T) *analytics.Store {
	t.Helper()
	st, err := analytics.Open(context.Background(), analytics.DefaultOptions(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestSchedulerCatchesUpOnceAndRecordsFailures(t *testing.T) {
	ctx := context.Background()
	st := emptyStore(t)
	clock := &fakeClock{}
	o := DefaultSchedulerOptions(st)
	o.Clock, o.Logger = clock, quiet()
	var ran []string
	jobs := []Job{
		{Name: "fails", Spec: "0 2 * * *", Run: func(context.Context, time.Time) (string, error) {
			ran = append(ran, "fails")
			return "half done", errors.New("disk full")
		}},
		{Name: "works", Spec: "15 3 * * *", Run: func(_ context.Context, now time.Time) (string, error) {
			ran = append(ran, "works")
			return "ok at " + now.Format(time.RFC3339), nil
		}},
	}
	s, err := NewScheduler(jobs, o)
	if err != nil {
		t.Fatal(err)
	}
	chi := st.Location()
	// Both last ran on March 1; the server was down until March 5 noon.
	for _, j := range []string{"fails", "works"} {
		if err := (StoreRunLog{st}).Record(ctx, JobRun{Job: j, Scheduled: time.Date(2026, 3, 1, 3, 15, 0, 0, chi), OK: true}); err != nil {
			t.Fatal(err)
		}
	}
	clock.now = time.Date(2026, 3, 5, 12, 0, 0, 0, chi)
	err = s.Tick(ctx, clock.now, true)
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Tick error %v, want the failing job's", err)
	}
	if strings.Join(ran, ",") != "fails,works" {
		t.Fatalf("ran %v: a failing job must not stop the next", ran)
	}
	// Again at the same time: nothing is due.
	if err := s.Tick(ctx, clock.now, false); err != nil || len(ran) != 2 {
		t.Fatalf("second tick ran %v (err %v)", ran, err)
	}
	runs, err := JobRuns(ctx, st, 10)
	if err != nil {
		t.Fatal(err)
	}
	var failed, caught int
	for _, r := range runs {
		if !r.OK && strings.Contains(r.Summary, "disk full") {
			failed++
		}
		if r.CatchUp && r.Scheduled.Equal(time.Date(2026, 3, 5, 3, 15, 0, 0, chi)) {
			caught++
		}
	}
	if failed != 1 || caught != 1 {
		t.Fatalf("runs %+v: want one failure recorded and one catch-up for March 5 03:15", runs)
	}
}

func TestSchedulerRefusesBadSchedules(t *testing.T) {
	st := emptyStore(t)
	run := func(context.Context, time.Time) (string, error) { return "", nil }
	for _, tc := range []struct {
		name string
		jobs []Job
		want string
	}{
		{"not cron", []Job{{Name: "a", Spec: "every night", Run: run}}, "schedule"},
		{"six fields", []Job{{Name: "a", Spec: "0 15 3 * * *", Run: run}}, "schedule"},
		{"own zone", []Job{{Name: "a", Spec: "CRON_TZ=UTC 15 3 * * *", Run: run}}, "zone"},
		{"same name twice", []Job{{Name: "a", Spec: "15 3 * * *", Run: run}, {Name: "a", Spec: "15 4 * * *", Run: run}}, "unique"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewScheduler(tc.jobs, DefaultSchedulerOptions(st))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want one about %q", err, tc.want)
			}
		})
	}
}

func TestSchedulerRunStopsWithContext(t *testing.T) {
	st := emptyStore(t)
	o := DefaultSchedulerOptions(st)
	o.Clock, o.Logger = &fakeClock{now: time.Date(2026, 3, 5, 12, 0, 0, 0, time.UTC)}, quiet()
	ran := make(chan struct{}, 1)
	s, err := NewScheduler([]Job{{Name: "a", Spec: "15 3 * * *", Run: func(context.Context, time.Time) (string, error) {
		ran <- struct{}{}
		return "", nil
	}}}, o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	<-ran // first start: the job never ran, so it runs at once
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestMonthlyReportsJob(t *testing.T) {
	st := shiftStore(t)
	ctx := context.Background()
	p, _ := DefaultPolicy()
	dir := t.TempDir()
	// December 1, 06:00 Chicago: the reports for November.
	now := time.Date(2026, 12, 1, 6, 0, 0, 0, p.Zone)
	summary, err := ReportsJob(st, p, DefaultReportSpec, dir, "Test PD", nil).Run(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(summary, "4 report files for 2026-11") {
		t.Fatalf("summary %q", summary)
	}
	csv, err := os.ReadFile(filepath.Join(dir, "2026-11", "usage-2026-11.csv"))
	if err != nil {
		t.Fatal(err)
	}
	// November 20 holds four reads and one hit (shiftStore).
	if !strings.Contains(string(csv), "2026-11-01,2026-12-01,reads,all,4") {
		t.Fatalf("usage CSV:\n%s", csv)
	}
	out, err := exec.Command("pdftotext", "-layout", filepath.Join(dir, "2026-11", "usage-2026-11.pdf"), "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	for _, want := range []string{"ALPR usage report", "November 1, 2026 to November 30, 2026", "Hits by list", "NCIC V Stolen vehicle"} {
		if !strings.Contains(string(out), want) {
			t.Fatalf("usage PDF lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "2026-11", "retention-2026-11.pdf")); err != nil {
		t.Fatal(err)
	}
	if n := count(t, st, `SELECT count(*) FROM audit_log WHERE action = 'report.monthly'`); n != 1 {
		t.Fatalf("%d audit entries for the reports", n)
	}
}

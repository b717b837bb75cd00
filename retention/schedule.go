package retention

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/plateward/alpr/analytics"
)

// Clock is the scheduler's time: the wall clock in production, a fake in
// tests that simulate months in a second.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

// WallClock is the real clock.
type WallClock struct{}

// Now is time.Now.
func (WallClock) Now() time.Time { return time.Now() }

// After is time.After.
func (WallClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Job is a task the back office runs on a schedule.
type Job struct {
	Name string
	// Spec is a five-field cron schedule (minute hour day-of-month month
	// day-of-week) read in the scheduler's zone, e.g. "15 3 * * *".
	Spec string
	// Run does the work as of now and returns a one-line summary.
	Run func(ctx context.Context, now time.Time) (string, error)
}

// JobRun is one run of a job, as recorded.
type JobRun struct {
	Job       string
	Scheduled time.Time // the occurrence it stands for
	Started   time.Time
	Finished  time.Time
	CatchUp   bool // run at start for occurrences missed while down
	OK        bool
	Summary   string
}

// RunLog remembers job runs, so a restart knows what it missed.
type RunLog interface {
	// LastRun is the occurrence of the job's last recorded run, or zero.
	LastRun(ctx context.Context, job string) (time.Time, error)
	Record(ctx context.Context, r JobRun) error
}

// SchedulerOptions configures a Scheduler.
type SchedulerOptions struct {
	Zone   *time.Location // the zone schedules are read in
	Clock  Clock
	Log    RunLog
	Logger *slog.Logger
	// MaxSleep bounds one wait, so a wall-clock jump is noticed within it.
	MaxSleep time.Duration
}

// DefaultSchedulerOptions runs on the wall clock in America/Chicago and
// records runs in the store.
func DefaultSchedulerOptions(st *analytics.Store) SchedulerOptions {
	return SchedulerOptions{Zone: st.Location(), Clock: WallClock{}, Log: StoreRunLog{st}, Logger: slog.Default(), MaxSleep: time.Minute}
}

// Validate reports the first missing option.
func (o SchedulerOptions) Validate() error {
	switch {
	case o.Zone == nil:
		return errors.New("scheduler: no time zone")
	case o.Clock == nil:
		return errors.New("scheduler: no clock")
	case o.Log == nil:
		return errors.New("scheduler: no run log")
	case o.Logger == nil:
		return errors.New("scheduler: no logger")
	case o.MaxSleep <= 0:
		return errors.New("scheduler: MaxSleep must be positive")
	}
	return nil
}

// Scheduler runs jobs at their scheduled times, one at a time, and at
// start runs once any job whose occurrence passed while it was down (a
// missed nightly purge is caught up, not skipped; one catch-up run stands
// for all the missed occurrences, as each job works as of now).
type Scheduler struct {
	o     SchedulerOptions
	jobs  []Job
	specs []cron.Schedule
}

// NewScheduler parses the jobs' schedules.
func NewScheduler(jobs []Job, o SchedulerOptions) (*Scheduler, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	s := &Scheduler{o: o}
	seen := map[string]bool{}
	for _, j := range jobs {
		if j.Name == "" || j.Run == nil || seen[j.Name] {
			return nil, fmt.Errorf("scheduler: job %q needs a unique name and a Run", j.Name)
		}
		seen[j.Name] = true
		if strings.HasPrefix(strings.TrimSpace(j.Spec), "CRON_TZ=") || strings.HasPrefix(strings.TrimSpace(j.Spec), "TZ=") {
			return nil, fmt.Errorf("scheduler: job %s: the schedule is read in the department's zone; drop the TZ prefix", j.Name)
		}
		spec, err := cron.ParseStandard("CRON_TZ=" + o.Zone.String() + " " + j.Spec)
		if err != nil {
			return nil, fmt.Errorf("scheduler: job %s: schedule %q: %w", j.Name, j.Spec, err)
		}
		s.jobs = append(s.jobs, j)
		s.specs = append(s.specs, spec)
	}
	return s, nil
}

// Occurrence decides whether a job is due at now: the latest occurrence
// at or before now that comes after last (zero last: never run, due now).
// It is pure.
func Occurrence(spec cron.Schedule, last, now time.Time) (due bool, at time.Time, missed int) {
	if last.IsZero() {
		return true, now, 0
	}
	next := spec.Next(last)
	for !next.After(now) {
		at, missed = next, missed+1
		next = spec.Next(next)
	}
	return missed > 0, at, missed
}

// Tick runs every job due at now, in order, and records each run. A
// failed run is recorded and logged; it does not stop the others.
func (s *Scheduler) Tick(ctx context.Context, now time.Time, catchUp bool) error {
	var errs []error
	for i, j := range s.jobs {
		last, err := s.o.Log.LastRun(ctx, j.Name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		due, at, missed := Occurrence(s.specs[i], last, now)
		if !due {
			continue
		}
		r := JobRun{Job: j.Name, Scheduled: at, Started: s.o.Clock.Now(), CatchUp: catchUp || missed > 1}
		summary, err := j.Run(ctx, now)
		r.Finished, r.OK, r.Summary = s.o.Clock.Now(), err == nil, summary
		if err != nil {
			r.Summary = strings.TrimSpace(summary + " error: " + err.Error())
			s.o.Logger.Error("scheduled job failed", "job", j.Name, "occurrence", at, "err", err)
			errs = append(errs, fmt.Errorf("job %s: %w", j.Name, err))
		} else {
			s.o.Logger.Info("scheduled job ran", "job", j.Name, "occurrence", at, "catch_up", r.CatchUp, "summary", summary)
		}
		if err := s.o.Log.Record(ctx, r); err != nil {
			errs = append(errs, fmt.Errorf("record run of %s: %w", j.Name, err))
		}
	}
	return errors.Join(errs...)
}

// Next is the earliest next occurrence over the jobs after now.
func (s *Scheduler) Next(now time.Time) time.Time {
	var n time.Time
	for _, sp := range s.specs {
		if t := sp.Next(now); n.IsZero() || t.Before(n) {
			n = t
		}
	}
	return n
}

// Run catches up missed runs, then runs jobs on schedule until ctx ends.
// Job failures are logged and recorded, never fatal.
func (s *Scheduler) Run(ctx context.Context) error {
	catchUp := true
	for {
		now := s.o.Clock.Now()
		if err := s.Tick(ctx, now, catchUp); err != nil && ctx.Err() == nil {
			s.o.Logger.Error("scheduler", "err", err)
		}
		catchUp = false
		wait := min(s.Next(s.o.Clock.Now()).Sub(s.o.Clock.Now()), s.o.MaxSleep)
		select {
		case <-ctx.Done():
			return nil
		case <-s.o.Clock.After(max(wait, time.Second)):
		}
	}
}

// StoreRunLog records job runs in the store's job_runs table.
type StoreRunLog struct{ St *analytics.Store }

// LastRun is the occurrence of the job's last recorded run.
func (l StoreRunLog) LastRun(ctx context.Context, job string) (time.Time, error) {
	var t sql.NullTime
	if err := l.St.DB().QueryRowContext(ctx, `SELECT max(scheduled_at) FROM job_runs WHERE job = ?`, job).Scan(&t); err != nil {
		return time.Time{}, fmt.Errorf("read job runs: %w", err)
	}
	return t.Time, nil
}

// Record appends a run.
func (l StoreRunLog) Record(ctx context.Context, r JobRun) error {
	_, err := l.St.DB().ExecContext(ctx, `INSERT INTO job_runs VALUES (?, ?, ?, ?, ?, ?, ?)`,
		r.Job, r.Scheduled, r.Started, r.Finished, r.CatchUp, r.OK, r.Summary)
	return err
}

// JobRuns lists the most recent runs, newest first, for IT's status view.
func JobRuns(ctx context.Context, st *analytics.Store, limit int) ([]JobRun, error) {
	rows, err := st.DB().QueryContext(ctx, `SELECT job, scheduled_at, started_at, finished_at, catch_up, ok, summary
		FROM job_runs ORDER BY started_at DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("read job runs: %w", err)
	}
	defer rows.Close()
	var out []JobRun
	for rows.Next() {
		var r JobRun
		if err := rows.Scan(&r.Job, &r.Scheduled, &r.Started, &r.Finished, &r.CatchUp, &r.OK, &r.Summary); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Package retention destroys ALPR records by rule: six calendar months
// after creation, counted in the department's time zone, unless a hold
// (evidence designation or retention request) covers them. The plan is a
// pure function of (days of records, holds, policy, now); the purge marks
// and then sweeps, checking holds again at sweep time.
package retention

import (
	"errors"
	"fmt"
	"sort"
	"time"
)

// Policy is how long each record series is kept.
type Policy struct {
	ReadsMonths int            // reads, plate images, hits: months from creation
	Zone        *time.Location // the department's zone: a day is a local day
}

// DefaultPolicy is the order's: six months, in America/Chicago.
func DefaultPolicy() (Policy, error) {
	loc, err := time.LoadLocation("America/Chicago")
	if err != nil {
		return Policy{}, fmt.Errorf("load department time zone: %w", err)
	}
	return Policy{ReadsMonths: 6, Zone: loc}, nil
}

// Validate reports the first invalid field.
func (p Policy) Validate() error {
	if p.ReadsMonths < 1 {
		return fmt.Errorf("retention policy: reads kept %d months, at least 1", p.ReadsMonths)
	}
	if p.Zone == nil {
		return errors.New("retention policy: no time zone")
	}
	return nil
}

// Day is the records created on one local day.
type Day struct {
	Day   string // YYYY-MM-DD in the department's zone
	Reads int64
	Hits  int64
}

// Hold keeps records from destruction. A hold with a plate keeps that
// plate's records; with a read ID, that read; with neither, every record
// in its time range. Zero From/To leave the range open.
type Hold struct {
	ID       string
	Case     string
	Plate    string
	ReadID   string
	From, To time.Time
	Until    time.Time // zero: indefinite
	Released bool
}

// Active reports whether the hold still keeps records at now.
func (h Hold) Active(now time.Time) bool {
	return !h.Released && (h.Until.IsZero() || now.Before(h.Until))
}

// DayPlan is what happens to one day's records.
type DayPlan struct {
	Day    Day
	DueAt  time.Time // when its last record turns six months old
	Due    bool
	HeldBy []Hold // active holds that keep some or all of the day
	Whole  bool   // a hold keeps the whole day
}

// Plan decides, for each day, whether its records are due for destruction
// at now and which holds keep some of them. It is pure: same inputs, same
// plan.
func Plan(days []Day, holds []Hold, p Policy, now time.Time) ([]DayPlan, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	out := make([]DayPlan, 0, len(days))
	for _, d := range days {
		start, err := time.ParseInLocation("2006-01-02", d.Day, p.Zone)
		if err != nil {
			return nil, fmt.Errorf("retention plan: day %q: %w", d.Day, err)
		}
		end := start.AddDate(0, 0, 1)
		// The day is due when its last instant is ReadsMonths old.
		due := end.AddDate(0, p.ReadsMonths, 0)
		dp := DayPlan{Day: d, DueAt: due, Due: !now.Before(due)}
		for _, h := range holds {
			if !h.Active(now) {
				continue
			}
			if (!h.From.IsZero() && !h.From.Before(end)) || (!h.To.IsZero() && !h.To.After(start)) {
				continue
			}
			dp.HeldBy = append(dp.HeldBy, h)
			if h.Plate == "" && h.ReadID == "" && (h.From.IsZero() || !h.From.After(start)) && (h.To.IsZero() || !h.To.Before(end)) {
				dp.Whole = true
			}
		}
		out = append(out, dp)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Day.Day < out[j].Day.Day })
	return out, nil
}

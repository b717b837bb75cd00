// Package retention destroys ALPR records by rule: six calendar months
// after creation, counted in the department's time zone, unless a hold
// (evidence designation or retention request) covers them. The plan is a
// pure function of (days of records, holds, policy, now); the purge marks
// and then sweeps, checking holds again at sweep time.
package retention

import (
	"fmt"
	"sort"
	"time"
)

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

	// Who asked, why, and who recorded and released it (for the record;
	// the plan does not use them).
	Requester, Reason     string
	CreatedAt, ReleasedAt time.Time
	CreatedBy, ReleasedBy string
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
		due := dueAt(start, p.ReadsMonths)
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

// dueAt is when the records of the local day that starts at start are
// due: at the end of the same day of the month, months later, clamped to
// the last day of a shorter month (records of Aug 29, 30 and 31 are all
// due at the end of Feb 28, or Feb 29 in a leap year). Clamping keeps the
// order: a later day is never due before an earlier one, which adding
// months with time.AddDate (Aug 31 + 6 months = "Feb 31" = Mar 3) breaks.
func dueAt(start time.Time, months int) time.Time {
	y, m, d := start.Date()
	first := time.Date(y, m+time.Month(months), 1, 0, 0, 0, 0, start.Location())
	if last := first.AddDate(0, 1, -1).Day(); d > last {
		d = last
	}
	return time.Date(first.Year(), first.Month(), d+1, 0, 0, 0, 0, start.Location())
}

// cutoff is the start of the first local day not yet due at now under a
// period of months: records created before it are due.
func cutoff(now time.Time, months int, zone *time.Location) time.Time {
	l := now.In(zone)
	s := time.Date(l.Year(), l.Month()-time.Month(months), l.Day(), 0, 0, 0, 0, zone)
	for dueAt(s.AddDate(0, 0, -1), months).After(now) {
		s = s.AddDate(0, 0, -1)
	}
	for !dueAt(s, months).After(now) {
		s = s.AddDate(0, 0, 1)
	}
	return s
}

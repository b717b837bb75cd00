package edge

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/plateward/alpr/edge/hotlist"
)

// listAge is when one loaded hot list was delivered to the car: its
// file's modification time (the station's export onto the drive).
type listAge struct {
	name      string
	delivered time.Time
}

func listAges(lists []*hotlist.List) []listAge {
	var out []listAge
	for _, l := range lists {
		info, err := os.Stat(l.Source)
		if err != nil {
			continue // the list was read a moment ago; a vanished file has no age to show
		}
		out = append(out, listAge{name: l.Name, delivered: info.ModTime()})
	}
	return out
}

// listAgeStatus is the alert page's status line for a list: its age, and
// past maxAge a warning the officer cannot miss. It is pure.
func listAgeStatus(name string, delivered, now time.Time, maxAge time.Duration) (text string, stale bool) {
	age := now.Sub(delivered)
	if age > maxAge {
		return fmt.Sprintf("HOT LIST %s IS %s OLD (delivered %s): a hit may be out of date; confirm wanted status with dispatch before acting",
			name, strings.ToUpper(roundAge(age)), delivered.Local().Format("Jan 2 15:04")), true
	}
	return fmt.Sprintf("hot list %s: %s old", name, roundAge(age)), false
}

func roundAge(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%d minutes", int(d.Minutes()))
	case d < 72*time.Hour:
		return fmt.Sprintf("%d hours", int(d.Hours()))
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

// showListAges keeps the lists' ages on the alert page, every minute,
// until ctx ends; a list turning stale is logged once.
func showListAges(ctx context.Context, o Options, ages []listAge) {
	if o.Alerter == nil || len(ages) == 0 {
		return
	}
	warned := map[string]bool{}
	update := func() {
		for _, a := range ages {
			text, stale := listAgeStatus(a.name, a.delivered, o.Now(), o.HotlistMaxAge)
			o.Alerter.Status("hotlist-"+a.name, text)
			if stale && !warned[a.name] {
				warned[a.name] = true
				o.Logger.Warn("hot list past its age", "list", a.name, "delivered", a.delivered, "max_age", o.HotlistMaxAge)
			}
		}
	}
	update()
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			update()
		}
	}
}

package edge

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/plateward/alpr/edge/hotlist"
)

// listAge is when one loaded hot list was delivered to the car: its
// file's modification time (the station's export onto the drive), or,
// for a version pulled during the shift, when the back office last
// confirmed it from its source.
type listAge struct {
	name      string
	delivered time.Time
}

// listClock holds the loaded lists' delivery times; a pull updates them.
type listClock struct {
	mu   sync.Mutex
	ages []listAge
}

func (c *listClock) set(name string, delivered time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range c.ages {
		if c.ages[i].name == name {
			c.ages[i].delivered = delivered
			return
		}
	}
	c.ages = append(c.ages, listAge{name, delivered})
}

func (c *listClock) snapshot() []listAge {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]listAge(nil), c.ages...)
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

// showListAges keeps the lists' ages on the alert page, every minute and
// when a pull brings a newer list (kick), until ctx ends; a list turning
// stale is logged once.
func showListAges(ctx context.Context, o Options, clock *listClock, kick <-chan struct{}) {
	if o.Alerter == nil {
		return
	}
	warned := map[string]bool{}
	update := func() {
		for _, a := range clock.snapshot() {
			text, stale := listAgeStatus(a.name, a.delivered, o.Now(), o.HotlistMaxAge)
			o.Alerter.Status("hotlist-"+a.name, text)
			if stale && !warned[a.name] {
				o.Logger.Warn("hot list past its age", "list", a.name, "delivered", a.delivered, "max_age", o.HotlistMaxAge)
			}
			warned[a.name] = stale
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
		case <-kick:
			update()
		}
	}
}

package backoffice

import (
	"fmt"
	"net"
	"sync"
	"time"
	"unicode/utf8"
)

// loginLimiter bounds login attempts per client address: a password
// spray across many accounts locks none of them, so the address is
// limited too. It keeps a window of attempt times per address.
type loginLimiter struct {
	mu     sync.Mutex
	per    int           // attempts allowed per window
	window time.Duration // the sliding window
	seen   map[string][]time.Time
}

// allow records an attempt from addr at now and reports whether it is
// within the limit.
func (l *loginLimiter) allow(addr string, now time.Time) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	keep := l.seen[host][:0]
	for _, t := range l.seen[host] {
		if now.Sub(t) < l.window {
			keep = append(keep, t)
		}
	}
	if len(keep) >= l.per {
		l.seen[host] = keep
		return false
	}
	l.seen[host] = append(keep, now)
	if len(l.seen) > 10000 { // forget quiet addresses so the map stays small
		for h, ts := range l.seen {
			if len(ts) == 0 || now.Sub(ts[len(ts)-1]) >= l.window {
				delete(l.seen, h)
			}
		}
	}
	return true
}

// refusals folds a burst of refusals from one address into a few audit
// entries: within a minute, the first ten refusals of a kind from an
// address are audited one by one, then the 16th, 32nd, 64th, … with its
// running count, so a stranger's ten thousand requests write 20 entries
// and the log still says how many there were, to within a factor of two.
type refusals struct {
	mu     sync.Mutex
	window time.Duration
	seen   map[string]*refusalWindow
}

type refusalWindow struct {
	start time.Time
	n     int
}

// note records a refusal of kind from addr at now and returns its number
// within the current window and whether it is to be audited.
func (f *refusals) note(kind, addr string, now time.Time) (n int, audit bool) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	key := kind + " " + host
	f.mu.Lock()
	defer f.mu.Unlock()
	w := f.seen[key]
	if w == nil || now.Sub(w.start) >= f.window {
		if len(f.seen) > 10000 {
			for k, o := range f.seen {
				if now.Sub(o.start) >= f.window {
					delete(f.seen, k)
				}
			}
		}
		w = &refusalWindow{start: now}
		f.seen[key] = w
	}
	w.n++
	return w.n, w.n <= 10 || w.n&(w.n-1) == 0
}

// Audit fields a stranger fills (a user name, a path) are cut to these
// lengths before they reach the permanent log.
const (
	maxAuditUser   = 64
	maxAuditDetail = 512
)

// clip cuts s to at most n bytes at a character boundary, saying how much
// was cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("…[%d bytes more]", len(s)-cut)
}

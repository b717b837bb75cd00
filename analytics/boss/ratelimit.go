package boss

import (
	"net"
	"sync"
	"time"
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

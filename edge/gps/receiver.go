package gps

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// Receiver is a live position source: an NMEA 0183 stream (serial device
// or file) or gpsd's JSON protocol. It keeps the latest fix; a position is
// given only while that fix is at most MaxAge old, so a read taken without
// a fix says so instead of carrying a stale place.
type Receiver struct {
	maxAge time.Duration
	mu     sync.Mutex
	fix    Fix
	valid  bool
	date   time.Time // last RMC date, for GGA times
	bad    int64
	good   int64
}

// NewReceiver returns a receiver whose fixes expire after maxAge.
func NewReceiver(maxAge time.Duration) *Receiver { return &Receiver{maxAge: maxAge} }

// At returns the latest fix if it is valid and at most MaxAge older than t.
func (r *Receiver) At(t time.Time) (Fix, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.valid || t.Sub(r.fix.At) > r.maxAge || r.fix.At.Sub(t) > r.maxAge {
		return Fix{}, false
	}
	return r.fix, true
}

// Counts returns how many sentences or reports were used and how many were
// bad (bad checksum, truncated, impossible values): counted and ignored.
func (r *Receiver) Counts() (good, bad int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.good, r.bad
}

// Apply takes one NMEA sentence's content.
func (r *Receiver) Apply(s Sentence) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.good++
	switch s.Type {
	case "RMC":
		if !s.Date.IsZero() {
			r.date = s.Date
		}
		if !s.Valid {
			r.valid = false
			return
		}
		r.fix.At = r.date.Add(s.Time)
		r.fix.Lat, r.fix.Lon = s.Lat, s.Lon
		if s.HasCourse {
			r.fix.SpeedMps, r.fix.HeadingDeg = s.SpeedMps, s.HeadingDeg
		}
		if r.fix.Quality == 0 {
			r.fix.Quality = 1
		}
		r.valid = !r.date.IsZero()
	case "GGA":
		if s.Quality == 0 {
			r.valid = false
			return
		}
		r.fix.Quality = s.Quality
		if !r.date.IsZero() {
			r.fix.At = r.date.Add(s.Time)
			r.fix.Lat, r.fix.Lon = s.Lat, s.Lon
			r.valid = true
		}
	case "VTG":
		if s.HasCourse {
			r.fix.SpeedMps, r.fix.HeadingDeg = s.SpeedMps, s.HeadingDeg
		}
	}
}

func (r *Receiver) countBad() {
	r.mu.Lock()
	r.bad++
	r.mu.Unlock()
}

// ReadNMEA reads sentences until the stream ends or ctx is done.
func (r *Receiver) ReadNMEA(ctx context.Context, rd io.Reader) error {
	sc := bufio.NewScanner(rd)
	sc.Buffer(make([]byte, 4096), 4096)
	for sc.Scan() {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s, err := ParseNMEA(sc.Text())
		if err != nil {
			r.countBad()
			continue
		}
		r.Apply(s)
	}
	if errors.Is(sc.Err(), bufio.ErrTooLong) {
		r.countBad()
		return fmt.Errorf("nmea stream: a line over 4 KiB: not NMEA")
	}
	return sc.Err()
}

// tpv is gpsd's time-position-velocity report.
type tpv struct {
	Class string    `json:"class"`
	Mode  int       `json:"mode"` // 0/1 no fix, 2 2D, 3 3D
	Time  time.Time `json:"time"`
	Lat   *float64  `json:"lat"`
	Lon   *float64  `json:"lon"`
	Speed *float64  `json:"speed"`
	Track *float64  `json:"track"`
}

// ReadGPSD connects to gpsd at addr, asks for its JSON reports, and reads
// them until the connection ends or ctx is done.
func (r *Receiver) ReadGPSD(ctx context.Context, addr string) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("gpsd %s: %w", addr, err)
	}
	defer conn.Close()
	go func() {
		<-ctx.Done()
		conn.Close()
	}()
	if _, err := io.WriteString(conn, `?WATCH={"enable":true,"json":true};`+"\n"); err != nil {
		return fmt.Errorf("gpsd watch: %w", err)
	}
	sc := bufio.NewScanner(conn)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var m tpv
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			r.countBad()
			continue
		}
		if m.Class != "TPV" {
			continue
		}
		r.applyTPV(m)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return sc.Err()
}

func (r *Receiver) applyTPV(m tpv) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.good++
	if m.Mode < 2 || m.Lat == nil || m.Lon == nil || m.Time.IsZero() {
		r.valid = false
		return
	}
	if *m.Lat < -90 || *m.Lat > 90 || *m.Lon < -180 || *m.Lon > 180 {
		r.bad++
		return
	}
	r.fix = Fix{At: m.Time.UTC(), Lat: *m.Lat, Lon: *m.Lon, Quality: 1}
	if m.Speed != nil {
		r.fix.SpeedMps = *m.Speed
	}
	if m.Track != nil {
		r.fix.HeadingDeg = *m.Track
	}
	r.valid = true
}

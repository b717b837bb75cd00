// Package gps gives each read the car's position. This first source is a
// recorded track (CSV: time,lat,lon,...), used when replaying a shift; the
// live gpsd and NMEA sources come with the GPS issue. A read never gets a
// made-up position: with no fix, or a fix older than MaxAge, it has none.
package gps

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"time"
)

// Fix is a position at a time.
type Fix struct {
	At         time.Time // the fix's own time, UTC
	Lat, Lon   float64
	Quality    int     // 1 GPS, 2 DGPS, …; 0 unknown
	SpeedMps   float64 // ground speed
	HeadingDeg float64 // true course
}

// Locator gives the position at a time: a recorded track (replays) or a
// live receiver. ok is false when there is no fix, or only a stale one.
type Locator interface {
	At(t time.Time) (Fix, bool)
}

// Track is a recorded sequence of fixes, in time order.
type Track struct {
	fixes  []Fix
	maxAge time.Duration
}

// ReadTrackFile reads a CSV track with a header whose first three columns
// are time (RFC 3339), lat and lon. A bad line is an error naming the file
// and line: a track is evidence of where reads were taken.
func ReadTrackFile(path string, maxAge time.Duration) (*Track, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open gps track: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	t := &Track{maxAge: maxAge}
	for line := 1; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		if line == 1 {
			continue
		}
		if len(rec) < 3 {
			return nil, fmt.Errorf("%s:%d: want time,lat,lon", path, line)
		}
		at, err1 := time.Parse(time.RFC3339Nano, rec[0])
		lat, err2 := strconv.ParseFloat(rec[1], 64)
		lon, err3 := strconv.ParseFloat(rec[2], 64)
		if err := errors.Join(err1, err2, err3); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		if lat < -90 || lat > 90 || lon < -180 || lon > 180 {
			return nil, fmt.Errorf("%s:%d: position %g,%g out of range", path, line, lat, lon)
		}
		fix := Fix{At: at.UTC(), Lat: lat, Lon: lon, Quality: 1}
		if len(rec) >= 5 {
			fix.SpeedMps, _ = strconv.ParseFloat(rec[3], 64)
			fix.HeadingDeg, _ = strconv.ParseFloat(rec[4], 64)
		}
		t.fixes = append(t.fixes, fix)
	}
	sort.SliceStable(t.fixes, func(i, j int) bool { return t.fixes[i].At.Before(t.fixes[j].At) })
	return t, nil
}

// At returns the latest fix at or before t, if it is at most MaxAge old.
func (t *Track) At(at time.Time) (Fix, bool) {
	i := sort.Search(len(t.fixes), func(i int) bool { return t.fixes[i].At.After(at) })
	if i == 0 {
		return Fix{}, false
	}
	f := t.fixes[i-1]
	if at.Sub(f.At) > t.maxAge {
		return Fix{}, false
	}
	return f, true
}

// Len returns the number of fixes.
func (t *Track) Len() int { return len(t.fixes) }

// ReadNMEATrack reads a recorded NMEA log (a file, not a live device) as a
// track of its valid fixes. Bad sentences are counted, not fatal.
func ReadNMEATrack(path string, maxAge time.Duration) (*Track, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("open nmea log: %w", err)
	}
	defer f.Close()
	t := &Track{maxAge: maxAge}
	r := NewReceiver(maxAge)
	sc := bufio.NewScanner(f)
	var bad int64
	for sc.Scan() {
		s, err := ParseNMEA(sc.Text())
		if err != nil {
			bad++
			continue
		}
		r.Apply(s)
		if s.Type != "RMC" && s.Type != "GGA" || !r.valid {
			continue
		}
		// GGA and RMC of one second describe one fix: the later one wins.
		if n := len(t.fixes); n > 0 && t.fixes[n-1].At.Equal(r.fix.At) {
			t.fixes[n-1] = r.fix
		} else {
			t.fixes = append(t.fixes, r.fix)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, bad, fmt.Errorf("read nmea log %s: %w", path, err)
	}
	sort.SliceStable(t.fixes, func(i, j int) bool { return t.fixes[i].At.Before(t.fixes[j].At) })
	return t, bad, nil
}

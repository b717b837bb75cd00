// Package gps gives each read the car's position. This first source is a
// recorded track (CSV: time,lat,lon,...), used when replaying a shift; the
// live gpsd and NMEA sources come with the GPS issue. A read never gets a
// made-up position: with no fix, or a fix older than MaxAge, it has none.
package gps

import (
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
	At       time.Time
	Lat, Lon float64
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
		t.fixes = append(t.fixes, Fix{At: at.UTC(), Lat: lat, Lon: lon})
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

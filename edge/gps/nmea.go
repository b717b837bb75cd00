package gps

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Errors of NMEA sentences; a bad sentence is counted and skipped, never
// fatal.
var (
	ErrChecksum  = errors.New("nmea checksum mismatch")
	ErrMalformed = errors.New("malformed nmea sentence")
	ErrRange     = errors.New("nmea value out of range")
)

// Sentence is what one NMEA 0183 sentence says. Fields a sentence does not
// carry are left zero; Has says which it carries.
type Sentence struct {
	Type       string // "GGA", "RMC", "VTG" (talker stripped)
	Time       time.Duration
	Date       time.Time // RMC only
	Lat, Lon   float64
	Quality    int  // GGA fix quality: 0 none, 1 GPS, 2 DGPS, …
	Valid      bool // RMC status A
	SpeedMps   float64
	HeadingDeg float64
	HasPos     bool
	HasCourse  bool
}

const knotsToMps = 0.514444

// ParseNMEA parses one sentence ("$GPRMC,...*hh"), checking its checksum.
func ParseNMEA(line string) (Sentence, error) {
	var s Sentence
	line = strings.TrimSpace(line)
	if len(line) < 9 || line[0] != '$' {
		return s, fmt.Errorf("%w: %q", ErrMalformed, truncate(line))
	}
	star := strings.LastIndexByte(line, '*')
	if star < 0 || star+3 != len(line) {
		return s, fmt.Errorf("%w: no checksum in %q", ErrMalformed, truncate(line))
	}
	want, err := strconv.ParseUint(line[star+1:], 16, 8)
	if err != nil {
		return s, fmt.Errorf("%w: checksum %q", ErrMalformed, line[star+1:])
	}
	var sum byte
	for i := 1; i < star; i++ {
		sum ^= line[i]
	}
	if sum != byte(want) {
		return s, fmt.Errorf("%w: %q", ErrChecksum, truncate(line))
	}
	f := strings.Split(line[1:star], ",")
	if len(f[0]) != 5 {
		return s, fmt.Errorf("%w: address %q", ErrMalformed, f[0])
	}
	s.Type = f[0][2:]
	need := map[string]int{"GGA": 10, "RMC": 10, "VTG": 8}
	n, known := need[s.Type]
	if !known {
		return s, nil // other sentences are not needed
	}
	if len(f) < n {
		return s, fmt.Errorf("%w: %s has %d fields", ErrMalformed, s.Type, len(f))
	}
	switch s.Type {
	case "GGA":
		if s.Time, err = hms(f[1]); err != nil {
			return s, err
		}
		if s.Quality, err = strconv.Atoi(orZero(f[6])); err != nil {
			return s, fmt.Errorf("%w: quality %q", ErrMalformed, f[6])
		}
		if s.Quality > 0 {
			if s.Lat, s.Lon, err = latLon(f[2], f[3], f[4], f[5]); err != nil {
				return s, err
			}
			s.HasPos = true
		}
	case "RMC":
		if s.Time, err = hms(f[1]); err != nil {
			return s, err
		}
		s.Valid = f[2] == "A"
		if s.Valid {
			if s.Lat, s.Lon, err = latLon(f[3], f[4], f[5], f[6]); err != nil {
				return s, err
			}
			s.HasPos = true
		}
		if err := s.course(f[7], f[8]); err != nil {
			return s, err
		}
		if f[9] != "" {
			d, err := time.Parse("020106", f[9])
			if err != nil {
				return s, fmt.Errorf("%w: date %q", ErrMalformed, f[9])
			}
			s.Date = d
		}
	case "VTG":
		if err := s.course(f[5], f[1]); err != nil {
			return s, err
		}
	}
	return s, nil
}

// course reads a speed in knots and a true course in degrees.
func (s *Sentence) course(knots, deg string) error {
	if knots == "" && deg == "" {
		return nil
	}
	k, err1 := strconv.ParseFloat(orZero(knots), 64)
	d, err2 := strconv.ParseFloat(orZero(deg), 64)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("%w: speed %q course %q", ErrMalformed, knots, deg)
	}
	if k < 0 || k > 500 || d < 0 || d >= 360.0001 {
		return fmt.Errorf("%w: speed %g kn, course %g°", ErrRange, k, d)
	}
	s.SpeedMps, s.HeadingDeg, s.HasCourse = k*knotsToMps, d, true
	return nil
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

func hms(v string) (time.Duration, error) {
	if len(v) < 6 {
		return 0, fmt.Errorf("%w: time %q", ErrMalformed, v)
	}
	h, err1 := strconv.Atoi(v[0:2])
	m, err2 := strconv.Atoi(v[2:4])
	sec, err3 := strconv.ParseFloat(v[4:], 64)
	if err1 != nil || err2 != nil || err3 != nil || h > 23 || m > 59 || sec >= 61 {
		return 0, fmt.Errorf("%w: time %q", ErrMalformed, v)
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec*float64(time.Second)), nil
}

// latLon reads ddmm.mmmm,N,dddmm.mmmm,W.
func latLon(lat, ns, lon, ew string) (float64, float64, error) {
	la, err1 := degMin(lat, 2)
	lo, err2 := degMin(lon, 3)
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("%w: position %q %q", ErrMalformed, lat, lon)
	}
	switch ns {
	case "S":
		la = -la
	case "N":
	default:
		return 0, 0, fmt.Errorf("%w: hemisphere %q", ErrMalformed, ns)
	}
	switch ew {
	case "W":
		lo = -lo
	case "E":
	default:
		return 0, 0, fmt.Errorf("%w: hemisphere %q", ErrMalformed, ew)
	}
	if la < -90 || la > 90 || lo < -180 || lo > 180 {
		return 0, 0, fmt.Errorf("%w: position %g,%g", ErrRange, la, lo)
	}
	return la, lo, nil
}

func degMin(v string, degDigits int) (float64, error) {
	if len(v) < degDigits+2 {
		return 0, ErrMalformed
	}
	d, err := strconv.Atoi(v[:degDigits])
	if err != nil {
		return 0, err
	}
	m, err := strconv.ParseFloat(v[degDigits:], 64)
	if err != nil || m < 0 || m >= 60 {
		return 0, ErrRange
	}
	return float64(d) + m/60, nil
}

func truncate(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// FormatRMC and FormatGGA write sentences for a fix, with checksums; the
// fixtures use them to make NMEA logs of a route.
func FormatRMC(f Fix) string {
	return withChecksum(fmt.Sprintf("GPRMC,%s,A,%s,%s,%.1f,%.1f,%s,,,A", hhmmss(f.At), nmeaLat(f.Lat), nmeaLon(f.Lon),
		f.SpeedMps/knotsToMps, f.HeadingDeg, f.At.UTC().Format("020106")))
}

// FormatGGA writes a GGA sentence for a fix.
func FormatGGA(f Fix) string {
	q := f.Quality
	if q == 0 {
		q = 1
	}
	return withChecksum(fmt.Sprintf("GPGGA,%s,%s,%s,%d,08,0.9,150.0,M,-33.0,M,,", hhmmss(f.At), nmeaLat(f.Lat), nmeaLon(f.Lon), q))
}

func withChecksum(body string) string {
	var sum byte
	for i := 0; i < len(body); i++ {
		sum ^= body[i]
	}
	return fmt.Sprintf("$%s*%02X", body, sum)
}

func hhmmss(t time.Time) string { return t.UTC().Format("150405.00") }

func nmeaLat(v float64) string {
	h := "N"
	if v < 0 {
		h, v = "S", -v
	}
	d := int(v)
	return fmt.Sprintf("%02d%07.4f,%s", d, (v-float64(d))*60, h)
}

func nmeaLon(v float64) string {
	h := "E"
	if v < 0 {
		h, v = "W", -v
	}
	d := int(v)
	return fmt.Sprintf("%03d%07.4f,%s", d, (v-float64(d))*60, h)
}

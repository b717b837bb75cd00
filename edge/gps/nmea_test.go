package gps

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestParseNMEA(t *testing.T) {
	at := time.Date(2026, 5, 1, 13, 0, 5, 0, time.UTC)
	f := Fix{At: at, Lat: 38.6270, Lon: -90.1994, SpeedMps: 11, HeadingDeg: 270, Quality: 1}
	rmc, gga := FormatRMC(f), FormatGGA(f)
	cases := []struct {
		name string
		line string
		err  error
		ok   func(Sentence) bool
	}{
		{"RMC", rmc, nil, func(s Sentence) bool {
			return s.Type == "RMC" && s.Valid && math.Abs(s.Lat-38.6270) < 1e-6 && math.Abs(s.Lon+90.1994) < 1e-6 &&
				math.Abs(s.SpeedMps-11) < 0.06 && s.HeadingDeg == 270 && s.Date.Equal(time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)) &&
				s.Time == 13*time.Hour+5*time.Second
		}},
		{"GGA", gga, nil, func(s Sentence) bool { return s.Type == "GGA" && s.Quality == 1 && s.HasPos }},
		{"no fix", withChecksum("GPGGA,130005.00,,,,,0,00,99.9,,M,,M,,"), nil, func(s Sentence) bool { return s.Quality == 0 && !s.HasPos }},
		{"RMC void", withChecksum("GPRMC,130005.00,V,,,,,,,010526,,,N"), nil, func(s Sentence) bool { return !s.Valid }},
		{"wrong checksum", rmc[:len(rmc)-2] + "00", ErrChecksum, nil},
		{"truncated", rmc[:20], ErrMalformed, nil},
		{"latitude past the pole", withChecksum("GPRMC,130005.00,A,9512.0000,N,09012.0000,W,10.0,90.0,010526,,,A"), ErrRange, nil},
		{"minutes past 60", withChecksum("GPRMC,130005.00,A,3861.0000,N,09012.0000,W,10.0,90.0,010526,,,A"), ErrMalformed, nil},
		{"speed of sound", withChecksum("GPVTG,90.0,T,,M,900.0,N,1666.8,K,A"), ErrRange, nil},
		{"other sentence", withChecksum("GPGSV,3,1,11,03,03,111,00"), nil, func(s Sentence) bool { return s.Type == "GSV" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseNMEA(tc.line)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err %v, want %v (%s)", err, tc.err, tc.line)
			}
			if tc.ok != nil && !tc.ok(s) {
				t.Fatalf("parsed %+v from %s", s, tc.line)
			}
		})
	}
}

func TestReceiverFromNMEAStream(t *testing.T) {
	var b strings.Builder
	at := time.Date(2026, 5, 1, 13, 0, 0, 0, time.UTC)
	for i := range 5 {
		f := Fix{At: at.Add(time.Duration(i) * time.Second), Lat: 38.6270, Lon: -90.1994 - float64(i)*0.0001, SpeedMps: 11, HeadingDeg: 270}
		b.WriteString(FormatRMC(f) + "\r\n" + FormatGGA(f) + "\r\n")
	}
	b.WriteString("$GPRMC,garbage*00\r\n")
	r := NewReceiver(3 * time.Second)
	if err := r.ReadNMEA(context.Background(), strings.NewReader(b.String())); err != nil {
		t.Fatal(err)
	}
	good, bad := r.Counts()
	if good != 10 || bad != 1 {
		t.Fatalf("good %d bad %d", good, bad)
	}
	f, ok := r.At(at.Add(5 * time.Second))
	if !ok || math.Abs(f.Lon-(-90.1998)) > 1e-6 || f.Quality != 1 || math.Abs(f.SpeedMps-11) > 0.06 {
		t.Fatalf("fix %+v %v", f, ok)
	}
	if _, ok := r.At(at.Add(time.Minute)); ok {
		t.Fatal("a minute-old fix was given as current")
	}
}

// FuzzParseNMEA: any line is a sentence or an error, never a panic.
func FuzzParseNMEA(f *testing.F) {
	fix := Fix{At: time.Date(2026, 5, 1, 13, 0, 5, 0, time.UTC), Lat: 38.6, Lon: -90.2}
	f.Add(FormatRMC(fix))
	f.Add(FormatGGA(fix))
	f.Add("$GPVTG,90.0,T,,M,10.0,N,18.5,K,A*00")
	f.Add("$,*00")
	f.Fuzz(func(t *testing.T, line string) {
		s, err := ParseNMEA(line)
		if err == nil && s.HasPos && (math.Abs(s.Lat) > 90 || math.Abs(s.Lon) > 180) {
			t.Fatalf("impossible position accepted: %+v", s)
		}
	})
}

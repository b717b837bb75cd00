package gps

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestTrackAt(t *testing.T) {
	p := filepath.Join(t.TempDir(), "gps.csv")
	if err := os.WriteFile(p, []byte("time,lat,lon\n2026-05-01T13:00:00Z,38.6,-90.2\n2026-05-01T13:00:01Z,38.7,-90.3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tr, err := ReadTrackFile(p, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 5, 1, 13, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		at   time.Time
		ok   bool
		lat  float64
	}{
		{"before the first fix", base.Add(-time.Second), false, 0},
		{"on a fix", base, true, 38.6},
		{"between fixes takes the earlier", base.Add(1500 * time.Millisecond), true, 38.7},
		{"stale fix is no fix", base.Add(10 * time.Second), false, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, ok := tr.At(tc.at)
			if ok != tc.ok || f.Lat != tc.lat {
				t.Fatalf("got %+v %v", f, ok)
			}
		})
	}
}

func TestBadLineNamesFileAndLine(t *testing.T) {
	p := filepath.Join(t.TempDir(), "gps.csv")
	if err := os.WriteFile(p, []byte("time,lat,lon\n2026-05-01T13:00:00Z,38.6,-90.2\n2026-05-01T13:00:01Z,138.7,-90.3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadTrackFile(p, time.Second)
	if err == nil || !strings.Contains(err.Error(), "gps.csv:3") {
		t.Fatalf("err %v", err)
	}
}

func TestNMEALogAsTrack(t *testing.T) {
	var b strings.Builder
	at := time.Date(2026, 5, 1, 13, 0, 0, 0, time.UTC)
	for i := range 10 {
		f := Fix{At: at.Add(time.Duration(i) * time.Second), Lat: 38.6270, Lon: -90.1994 - float64(i)*0.0001, SpeedMps: 11, HeadingDeg: 270}
		b.WriteString(FormatGGA(f) + "\r\n" + FormatRMC(f) + "\r\n")
	}
	b.WriteString("$GPRMC,cut off\r\n")
	p := filepath.Join(t.TempDir(), "route.nmea")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	tr, bad, err := ReadNMEATrack(p, 5*time.Second)
	if err != nil || bad != 1 || tr.Len() != 10 {
		t.Fatalf("track of %d fixes, %d bad, %v", tr.Len(), bad, err)
	}
	f, ok := tr.At(at.Add(4500 * time.Millisecond))
	if !ok || math.Abs(f.Lon-(-90.1998)) > 1e-6 || f.Quality != 1 {
		t.Fatalf("fix %+v %v", f, ok)
	}
}

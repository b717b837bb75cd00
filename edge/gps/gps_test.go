package gps

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestTrackAt(t *testing.T) {
	p := filepath.Join(t.TempDir(), "gps.csv")
	os.WriteFile(p, []byte("time,lat,lon\n2026-05-01T13:00:00Z,38.6,-90.2\n2026-05-01T13:00:01Z,38.7,-90.3\n"), 0o644)
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
	os.WriteFile(p, []byte("time,lat,lon\n2026-05-01T13:00:00Z,38.6,-90.2\n2026-05-01T13:00:01Z,138.7,-90.3\n"), 0o644)
	_, err := ReadTrackFile(p, time.Second)
	if err == nil || !strings.Contains(err.Error(), "gps.csv:3") {
		t.Fatalf("err %v", err)
	}
}

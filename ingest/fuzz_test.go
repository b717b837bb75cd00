package ingest

import (
	"encoding/csv"
	"math"
	"strings"
	"testing"
	"time"
)

// FuzzImportRow parses any line of a third-party CSV as a read: a line is
// imported whole or skipped with its reason, never half-read, and an
// imported read has a normalised plate, a time and, if any, a position on
// Earth.
func FuzzImportRow(f *testing.F) {
	f.Add("AB-1C2D,2026-05-01 17:40:00,MO,front,38.62,-90.19")
	f.Add("ab1c2d,2026-05-01 17:40:00,,,,")
	f.Add(`"X Y Z",2026-13-01 25:61:00,MO,rear,NaN,Inf`)
	f.Add(",,,,,")
	f.Add("AB1,2026-05-01 17:40:00,MO,front,NaN,0") // NaN compares false with every bound
	m := ReadMapping{Agency: "County SO", TimeLayout: "2006-01-02 15:04:05", TimeZone: "America/Chicago",
		Columns: map[string]string{"plate": "plate", "time": "time", "state": "state", "camera": "camera", "lat": "lat", "lon": "lon"}}
	loc, err := time.LoadLocation(m.TimeZone)
	if err != nil {
		f.Fatal(err)
	}
	cols := map[string]int{"plate": 0, "time": 1, "state": 2, "camera": 3, "lat": 4, "lon": 5}
	get := func(rec []string, c string) string {
		if i := cols[c]; i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	f.Fuzz(func(t *testing.T, line string) {
		r := csv.NewReader(strings.NewReader(line))
		r.FieldsPerRecord = -1
		rec, err := r.Read()
		if err != nil {
			return
		}
		rd, why := importRow(get, rec, m, loc)
		if why != "" {
			return
		}
		p := rd.Position
		switch {
		case rd.Plate == "" || strings.Trim(rd.Plate, "ABCDEFGHIJKLMNPQRSTUVWXYZ0123456789") != "":
			t.Fatalf("imported plate %q from %q", rd.Plate, line)
		case rd.CapturedAt.IsZero():
			t.Fatalf("imported a read without a time from %q", line)
		case p.Fix && (math.IsNaN(p.Lat) || math.IsNaN(p.Lon) || math.Abs(p.Lat) > 90 || math.Abs(p.Lon) > 180):
			t.Fatalf("imported position %v,%v from %q", p.Lat, p.Lon, line)
		}
	})
}

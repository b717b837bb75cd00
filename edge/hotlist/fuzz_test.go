package hotlist

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

// FuzzParseNCIC: any bytes give entries or clear errors, never a panic,
// and every skipped line names the file and a line that exists.
func FuzzParseNCIC(f *testing.F) {
	var b bytes.Buffer
	if err := FormatNCIC(&b, sampleEntries()); err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes())
	f.Add([]byte("HEADER\nV12345\n"))
	f.Add([]byte("H\nV123456789MO0640000202613ABC123    MO2027\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := ParseNCIC(bytes.NewReader(data), "NCIC", "f.txt", time.Unix(0, 0))
		if err != nil {
			if !errors.Is(err, ErrNoEntries) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		for _, s := range l.Skipped {
			if s.File != "f.txt" || s.Line < 2 || s.Line > lines {
				t.Fatalf("skip %v outside 2..%d", s, lines)
			}
		}
		for _, e := range l.Entries {
			if e.Plate == "" || strings.ContainsAny(e.Plate, " -O") {
				t.Fatalf("entry plate %q not normalised", e.Plate)
			}
		}
	})
}

// FuzzParseCSV: the same for CSV lists.
func FuzzParseCSV(f *testing.F) {
	f.Add("LIC,LIS\nAB1C2D,MO\n")
	f.Add("LIC,LIS\n\"unterminated,MO\nXY*,IL\n")
	f.Add("LIC\n??\n*\nA?B?C\n")
	m := Mapping{Name: "X", Columns: map[string]string{"plate": "LIC"}, MaxWildcards: 5}
	f.Fuzz(func(t *testing.T, data string) {
		l, err := ParseCSV(strings.NewReader(data), m, "f.csv", time.Unix(0, 0))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.csv") {
				t.Fatalf("error without the file: %v", err)
			}
			return
		}
		ix := NewIndex(l)
		ix.Match([]string{"AB1C2D", "XY9"})
	})
}

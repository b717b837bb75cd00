package hotlist

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

var loaded = time.Date(2026, 5, 1, 6, 0, 0, 0, time.UTC)

func sampleEntries() []NCICRecord {
	d := time.Date(2026, 4, 2, 0, 0, 0, 0, time.UTC)
	return []NCICRecord{
		{NIC: "V123456789", ORI: "MO0640000", EnteredOn: d, Plate: "AB1C2D", State: "MO", ExpiryYear: 2027, PlateType: "PC", VehYear: "2015", Make: "TOYT", Model: "CAM", Style: "4D", Colour: "BLK"},
		{NIC: "W000000042", ORI: "MO0640000", EnteredOn: d, Plate: "XYZ123", State: "IL"},
		{NIC: "X000000007", ORI: "MO0640000", EnteredOn: d, Plate: "0L5B8", State: "MO"},
		{NIC: "A000000001", ORI: "MO0640000", EnteredOn: d, Plate: "AB1C20", State: "MO"},
	}
}

func ncicBytes(t *testing.T, es []NCICRecord) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := FormatNCIC(&b, es); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestParseNCICRoundTrip(t *testing.T) {
	l, err := ParseNCIC(bytes.NewReader(ncicBytes(t, sampleEntries())), "NCIC", "ncic.txt", loaded)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Entries) != 4 || len(l.Skipped) != 0 {
		t.Fatalf("entries %d skipped %v", len(l.Entries), l.Skipped)
	}
	e := l.Entries[0]
	if e.Plate != "AB1C2D" || e.State != "MO" || e.Reason != "Stolen vehicle" || e.Code != 'V' ||
		e.Priority != PriorityMedium || e.VehicleDesc() != "2015 TOYT CAM 4D BLK" {
		t.Fatalf("entry %+v", e)
	}
	rec, ok := e.NCIC()
	if want := sampleEntries()[0]; !ok || rec != want {
		t.Fatalf("NCIC record %+v %v, want %+v", rec, ok, want)
	}
	if l.Entries[1].Priority != PriorityHigh || l.Entries[1].VehicleDesc() != "" {
		t.Fatalf("wanted entry %+v", l.Entries[1])
	}
	if !strings.HasPrefix(l.Version(), "NCIC@") || len(l.SHA256) != 64 {
		t.Fatalf("version %q", l.Version())
	}
}

func TestParseNCICBadLines(t *testing.T) {
	good := strings.Split(strings.TrimSpace(string(ncicBytes(t, sampleEntries()[:1]))), "\n")
	cases := []struct {
		name string
		line string
		msg  string
	}{
		{"too short", "V12345", "needs at least 39"},
		{"unknown code", "Z" + good[1][1:], "unknown list code"},
		{"bad date", good[1][:19] + "2026XX01" + good[1][27:], "bad entry date"},
		{"empty plate", good[1][:27] + "  --      " + good[1][37:], "empty plate"},
		{"bad expiry", good[1][:39] + "20X7" + good[1][43:], "bad plate expiry year"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := good[0] + "\n" + good[1] + "\n" + tc.line + "\n"
			l, err := ParseNCIC(strings.NewReader(in), "NCIC", "hot.txt", loaded)
			if err != nil {
				t.Fatal(err)
			}
			if len(l.Entries) != 1 || len(l.Skipped) != 1 {
				t.Fatalf("entries %d skipped %v", len(l.Entries), l.Skipped)
			}
			got := l.Skipped[0].Error()
			if !strings.HasPrefix(got, "hot.txt:3: ") || !strings.Contains(got, tc.msg) {
				t.Fatalf("error %q, want hot.txt:3 and %q", got, tc.msg)
			}
		})
	}
}

func TestParseNCICRefusesFileWithoutEntries(t *testing.T) {
	_, err := ParseNCIC(strings.NewReader("HEADER\nshort\n"), "NCIC", "empty.txt", loaded)
	if !errors.Is(err, ErrNoEntries) || !strings.Contains(err.Error(), "empty.txt") {
		t.Fatalf("err %v", err)
	}
}

// TestMatchGolden records how a set of readings match the sample list.
func TestMatchGolden(t *testing.T) {
	l, err := ParseNCIC(bytes.NewReader(ncicBytes(t, sampleEntries())), "NCIC", "ncic.txt", loaded)
	if err != nil {
		t.Fatal(err)
	}
	ix := NewIndex(l)
	queries := [][]string{
		{"AB1C2D"},           // exact, and equivalent to the Amber entry AB1C20
		{"A81C2D"},           // only equivalent
		{"QQQQQ", "XYZ123"},  // second candidate matches exactly
		{"OL5B8"},            // O for 0
		{"NOTHING"},          // no match
		{"XYZ12", "XYZ1234"}, // lengths differ: no match
	}
	var b bytes.Buffer
	for _, q := range queries {
		fmt.Fprintf(&b, "%v:\n", q)
		for _, m := range ix.Match(q) {
			fmt.Fprintf(&b, "  %s %s %s via %s (%s)\n", m.Entry.NIC, m.Entry.Plate, m.Kind, m.Candidate, m.Entry.Priority)
		}
	}
	golden := filepath.Join("testdata", "match.golden")
	if *update {
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Fatalf("got:\n%s\nwant:\n%s", b.Bytes(), want)
	}
}

// TestMatchLongPlates covers plates too long for a packed key (a CSV list
// may carry them): they match through the index's map, exact and
// look-alike, beside packed ones.
func TestMatchLongPlates(t *testing.T) {
	ix := NewIndex(&List{Name: "LOCAL", Entries: []Entry{
		{NIC: "long", Plate: "ABCDEFGH1234"},
		{NIC: "short", Plate: "AB1C2D"},
		{NIC: "ten", Plate: "ABCDEFGH12"},
	}})
	cases := []struct {
		name  string
		cands []string
		want  string // NIC and kind of each match
	}{
		{"long exact", []string{"ABCDEFGH1234"}, "long exact"},
		{"long look-alike", []string{"A8CDEFGHI234"}, "long equivalent"},
		{"long, one short", []string{"ABCDEFGH123"}, ""},
		{"ten exact", []string{"ABCDEFGH12"}, "ten exact"},
		{"short as a lesser candidate is possible, not exact", []string{"ZZZ", "AB1C2D"}, "short equivalent"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, m := range ix.Match(tc.cands) {
				got = append(got, m.Entry.NIC+" "+string(m.Kind))
			}
			if strings.Join(got, ", ") != tc.want {
				t.Fatalf("Match(%v) = %v, want %q", tc.cands, got, tc.want)
			}
		})
	}
}

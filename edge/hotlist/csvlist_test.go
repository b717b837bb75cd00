package hotlist

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func loadMules(t *testing.T) *List {
	t.Helper()
	m, err := LoadMapping(filepath.Join("testdata", "mules.json"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join("testdata", "mules.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l, err := ParseCSV(f, m, "mules.csv", time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestParseCSVWithMapping(t *testing.T) {
	l := loadMules(t)
	var plates []string
	for _, e := range l.Entries {
		plates = append(plates, e.Plate)
	}
	if got := strings.Join(plates, " "); got != "AB1C2D XYZ123 AB?C2E ZZ9*" {
		t.Fatalf("entries %s", got)
	}
	e := l.Entries[0]
	if e.State != "MO" || e.NIC != "M-1" || e.Reason != "Stolen vehicle" || e.Priority != PriorityHigh ||
		e.VehicleDesc() != "2015 Toyota Camry black" || e.Expires.IsZero() {
		t.Fatalf("first entry %+v", e)
	}
	if l.Entries[1].Reason != "State want" {
		t.Fatalf("default reason not applied: %+v", l.Entries[1])
	}
	if l.Expired != 1 {
		t.Fatalf("expired %d, want 1", l.Expired)
	}
	wantSkips := map[int]string{5: "empty plate", 7: "fewer than 3 known", 8: "bad expiry", 10: "over the list's limit of 2"}
	if len(l.Skipped) != len(wantSkips) {
		t.Fatalf("skipped %v", l.Skipped)
	}
	for _, s := range l.Skipped {
		if !strings.Contains(s.Msg, wantSkips[s.Line]) || s.File != "mules.csv" {
			t.Errorf("line %d: %q, want %q", s.Line, s.Msg, wantSkips[s.Line])
		}
	}
}

func TestWildcardsMatchAsPartial(t *testing.T) {
	ix := NewIndex(loadMules(t))
	cases := []struct {
		name  string
		cands []string
		want  string // plate of the first match and its kind, or ""
	}{
		{"exact", []string{"AB1C2D"}, "AB1C2D exact"},
		{"one unknown character", []string{"AB7C2E"}, "AB?C2E partial"},
		{"prefix", []string{"ZZ91234"}, "ZZ9* partial"},
		{"prefix with a look-alike", []string{"2Z91234"}, "ZZ9* partial"},
		{"nothing", []string{"LMN789"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ms := ix.Match(tc.cands)
			got := ""
			if len(ms) > 0 {
				got = ms[0].Entry.Plate + " " + string(ms[0].Kind)
			}
			if got != tc.want {
				t.Fatalf("got %q, want %q (%v)", got, tc.want, ms)
			}
		})
	}
}

func TestBadMappings(t *testing.T) {
	cases := []struct{ name, json string }{
		{"no name", `{"columns": {"plate": "LIC"}}`},
		{"no plate column", `{"name": "X", "columns": {"state": "LIS"}}`},
		{"unknown field", `{"name": "X", "columns": {"plate": "LIC", "colour": "C"}}`},
		{"bad priority", `{"name": "X", "priority": "urgent", "columns": {"plate": "LIC"}}`},
		{"expires without layout", `{"name": "X", "columns": {"plate": "LIC", "expires": "E"}}`},
		{"unknown key", `{"name": "X", "columns": {"plate": "LIC"}, "colour": "red"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "m.json")
			if err := os.WriteFile(p, []byte(tc.json), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := LoadMapping(p); !errors.Is(err, ErrMapping) {
				t.Fatalf("err %v, want ErrMapping", err)
			}
		})
	}
}

func TestCSVWithoutTheMappedColumn(t *testing.T) {
	m := Mapping{Name: "X", Columns: map[string]string{"plate": "PLATE"}}
	_, err := ParseCSV(strings.NewReader("LIC,STATE\nAB1,MO\n"), m, "x.csv", time.Now())
	if err == nil || !strings.Contains(err.Error(), `x.csv:1: no column "PLATE"`) {
		t.Fatalf("err %v", err)
	}
}

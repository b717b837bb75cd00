package csvsafe

import (
	"bytes"
	"encoding/csv"
	"testing"
)

func TestCell(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"formula", `=HYPERLINK("http://x","click")`, `'=HYPERLINK("http://x","click")`},
		{"plus", "+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"},
		{"minus formula", "-2+3", "'-2+3"},
		{"at", "@SUM(A1)", "'@SUM(A1)"},
		{"tab", "\t=1", "'\t=1"},
		{"carriage return", "\r=1", "'\r=1"},
		{"negative longitude", "-90.2095", "-90.2095"},
		{"positive number", "+12", "+12"},
		{"plain text", "stolen vehicle", "stolen vehicle"},
		{"empty", "", ""},
		{"equals inside", "a=b", "a=b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Cell(tc.in); got != tc.want {
				t.Fatalf("Cell(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestWriterNeutralisesEveryCell(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b)
	if err := w.WriteAll([][]string{{"reason", "lon"}, {"=cmd()", "-90.5"}}); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if recs[1][0] != "'=cmd()" || recs[1][1] != "-90.5" {
		t.Fatalf("records %q", recs)
	}
}

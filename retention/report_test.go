package retention

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plateward/alpr/analytics"
)

func TestScheduleReport(t *testing.T) {
	st := shiftStore(t)
	ctx := context.Background()
	p, _ := DefaultPolicy()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	if _, err := AddHold(ctx, st, NewHold{Case: "26-77", Plate: "AB1C2D", Requester: "Det. Smith", Reason: "robbery"}, "clerk", now); err != nil {
		t.Fatal(err)
	}
	year := func() (ScheduleReport, error) {
		return BuildScheduleReport(ctx, st, p, "v1", time.Date(2026, 1, 1, 0, 0, 0, 0, p.Zone), time.Date(2027, 1, 1, 0, 0, 0, 0, p.Zone), now)
	}
	before, err := year()
	if err != nil {
		t.Fatal(err)
	}
	// Before the purge: March's two unheld reads are overdue.
	if l := before.Lines[0]; l.Series != "reads" || l.Created != 8 || l.Overdue != 2 || l.Held != 4 || l.Destroyed != 0 {
		t.Fatalf("before purge: %+v", l)
	}
	if _, err := Purge(ctx, st, purgeOpts(t), now); err != nil {
		t.Fatal(err)
	}
	rep, err := year()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := rep.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "schedule_report.golden.csv")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if !bytes.Equal(want, b.Bytes()) {
		t.Fatalf("got:\n%s\nwant:\n%s", b.Bytes(), want)
	}
	// The PDF renders, and pdftotext (Debian poppler-utils) finds the totals.
	pdf := filepath.Join(t.TempDir(), "report.pdf")
	f, _ := os.Create(pdf)
	if err := rep.WritePDF(f, "St. Louis MPD"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	out, err := exec.Command("pdftotext", "-layout", pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext (poppler-utils, installed by the Makefile): %v", err)
	}
	text := string(out)
	for _, want := range []string{"retention report", "reads", "8", "No record is overdue", "case 26-77", "Custodian of records"} {
		if !strings.Contains(text, want) {
			t.Fatalf("PDF text lacks %q:\n%s", want, text)
		}
	}
}

func TestUsageReport(t *testing.T) {
	st := shiftStore(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	if _, err := AddHold(ctx, st, NewHold{Case: "26-77", Plate: "AB1C2D", Requester: "Det. Smith", Reason: "robbery"}, "clerk", now); err != nil {
		t.Fatal(err)
	}
	if err := st.AddAgency(ctx, "it1", analytics.Agency{ORI: "MO0950000", Name: "St. Louis County PD"}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := ExportCase(ctx, st, Export{Case: "26-77", Recipient: "St. Louis County PD", Purpose: "joint investigation", Authorisation: "investigation", User: "clerk"}, t.TempDir(), now); err != nil {
		t.Fatal(err)
	}
	rep, err := BuildUsageReport(ctx, st, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := rep.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "usage_report.golden.csv")
	if *update {
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if !bytes.Equal(want, b.Bytes()) {
		t.Fatalf("got:\n%s\nwant:\n%s", b.Bytes(), want)
	}
}

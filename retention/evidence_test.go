package retention

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plateward/alpr/analytics"
)

func TestEvidencePackage(t *testing.T) {
	st := shiftStore(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	if _, err := AddHold(ctx, st, NewHold{Case: "26-77", Plate: "AB1C2D", Requester: "Det. Smith", Reason: "robbery"}, "clerk", now); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if err := st.AddAgency(ctx, "it1", analytics.Agency{ORI: "MO0950000", Name: "St. Louis County PD"}, now); err != nil {
		t.Fatal(err)
	}
	e := Export{Case: "26-77", Recipient: "St. Louis County PD", Purpose: "joint robbery investigation", Authorisation: "investigation", User: "clerk"}
	for _, missing := range []string{"Recipient", "Purpose", "Authorisation"} {
		bad := e
		switch missing {
		case "Recipient":
			bad.Recipient = ""
		case "Purpose":
			bad.Purpose = ""
		case "Authorisation":
			bad.Authorisation = ""
		}
		if _, err := ExportCase(ctx, st, bad, out, now); !errors.Is(err, ErrDissemination) {
			t.Fatalf("export without %s: %v", missing, err)
		}
	}
	// A Chief's authorisation that does not exist is refused, and nothing
	// is left behind.
	forged := e
	forged.Recipient, forged.Authorisation = "Channel 5 News", "AUTH-FORGED"
	if _, err := ExportCase(ctx, st, forged, out, now); !errors.Is(err, analytics.ErrNoBasis) {
		t.Fatalf("export under a forged authorisation: %v", err)
	}
	if ents, _ := os.ReadDir(out); len(ents) != 0 {
		t.Fatalf("a refused export left %d entries in %s", len(ents), out)
	}
	dir, err := ExportCase(ctx, st, e, out, now)
	if err != nil {
		t.Fatal(err)
	}
	// The export is in the dissemination log, with its basis.
	if log, err := st.Disseminations(ctx, 10); err != nil || len(log) != 1 || log[0].Basis != analytics.BasisInvestigative ||
		log[0].Recipient != "St. Louis County PD" || !strings.HasPrefix(log[0].What, "evidence package case-26-77") {
		t.Fatalf("dissemination log %+v %v", log, err)
	}
	man, err := VerifyPackage(dir)
	if err != nil {
		t.Fatal(err)
	}
	if man.Reads != 4 || man.Hits != 4 || len(man.Files) != 4+2+6 { // 4 crops, 2 overviews; reads, hits, dispositions, audit, summary, custody
		t.Fatalf("manifest %+v", man)
	}
	audit, _ := os.ReadFile(filepath.Join(dir, "audit.csv"))
	if !strings.Contains(string(audit), "hold.add") {
		t.Fatalf("the case's audit entries are not in the package:\n%s", audit)
	}
	var exports int
	if err := st.DB().QueryRow("SELECT count(*) FROM audit_log WHERE action = 'evidence.export' AND case_number = '26-77'").Scan(&exports); err != nil {
		t.Fatal(err)
	}
	if exports != 1 {
		t.Fatalf("%d export audit entries", exports)
	}
	cases := []struct {
		name  string
		spoil func()
		want  string
	}{
		{"a changed image", func() {
			if err := os.WriteFile(filepath.Join(dir, "images", "00000000-0000-7000-8000-000000000000.jpg"), []byte("x"), 0o640); err != nil {
				t.Fatal(err)
			}
		}, "changed"},
		{"a removed read list", func() { os.Remove(filepath.Join(dir, "reads.csv")) }, "missing"},
		{"an added file", func() {
			if err := os.WriteFile(filepath.Join(dir, "extra.txt"), []byte("x"), 0o640); err != nil {
				t.Fatal(err)
			}
		}, "not in the manifest"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.spoil()
			if _, err := VerifyPackage(dir); !errors.Is(err, ErrTampered) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want ErrTampered %q", err, tc.want)
			}
		})
	}
}

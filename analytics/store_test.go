package analytics

import (
	"context"
	"errors"
	"testing"
	"time"
)

func openStore(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(context.Background(), DefaultOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestMigrationsApplyOnce(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	ms, _ := migrations()
	v, err := s.SchemaVersion(context.Background())
	if err != nil || v != len(ms) || v < 2 {
		t.Fatalf("version %d of %d, %v", v, len(ms), err)
	}
	s.Close()
	s2 := openStore(t, dir) // reopening must not re-run 0001
	var n int
	if err := s2.DB().QueryRow("SELECT count(*) FROM schema_migrations").Scan(&n); err != nil || n != len(ms) {
		t.Fatalf("schema_migrations rows %d, %v", n, err)
	}
}

func TestAuditChainDetectsTampering(t *testing.T) {
	s := openStore(t, t.TempDir())
	ctx := context.Background()
	a := Access{User: "det.smith", Reason: "robbery", Case: "26-1"}
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	for i := range 5 {
		if err := s.Audit(ctx, at.Add(time.Duration(i)*time.Minute), a, "test", "entry"); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.VerifyAudit(ctx)
	if err != nil || n != 5 {
		t.Fatalf("verify: %d, %v", n, err)
	}
	cases := []struct {
		name string
		sql  string
	}{
		{"edited reason", "UPDATE audit_log SET reason = 'nothing to see' WHERE seq = 3"},
		{"deleted entry", "DELETE FROM audit_log WHERE seq = 2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := openStore(t, t.TempDir())
			for i := range 4 {
				if err := s.Audit(ctx, at.Add(time.Duration(i)*time.Minute), a, "test", "entry"); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := s.DB().Exec(tc.sql); err != nil {
				t.Fatal(err)
			}
			if _, err := s.VerifyAudit(ctx); !errors.Is(err, ErrAuditBroken) {
				t.Fatalf("tampering not detected: %v", err)
			}
		})
	}
}

func TestPlateSearchNeedsReasonAndCaseAndIsAudited(t *testing.T) {
	s := openStore(t, t.TempDir())
	ctx := context.Background()
	at := time.Date(2026, 5, 1, 17, 0, 0, 0, time.UTC)
	if _, err := s.DB().Exec(`INSERT INTO reads (id, captured_at, plate, plate_key, confidence, camera, vehicle, officer, gps_fix, source_file, loaded_at)
		VALUES ('r1', ?, 'AB1C2D', 'A81C20', 0.9, 'front', 'car7', '4127', false, 'f', now()),
		       ('r2', ?, 'AB1C2D', 'A81C20', 0.8, 'rear', 'car7', '4127', false, 'f', now()),
		       ('r3', ?, 'XYZ123', 'XYZ123', 0.8, 'rear', 'car7', '4127', false, 'f', now())`, at, at.Add(time.Hour), at); err != nil {
		t.Fatal(err)
	}
	refused := []Access{{User: "u", Reason: "", Case: "1"}, {User: "u", Reason: "r", Case: " "}, {User: "", Reason: "r", Case: "1"}}
	for _, a := range refused {
		if _, err := s.PlateReads(ctx, a, PlateQuery{Plate: "AB1C2D"}, at); !errors.Is(err, ErrAccess) {
			t.Fatalf("access %+v: err %v, want ErrAccess", a, err)
		}
	}
	a := Access{User: "det.smith", Reason: "stolen vehicle", Case: "26-000123"}
	rows, err := s.PlateReads(ctx, a, PlateQuery{Plate: "ab-1c2d", From: at.Add(30 * time.Minute)}, at)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].ID != "r2" {
		t.Fatalf("rows %+v", rows)
	}
	var user, action, caseNo, detail string
	if err := s.DB().QueryRow("SELECT user_name, action, case_number, detail FROM audit_log").Scan(&user, &action, &caseNo, &detail); err != nil {
		t.Fatalf("no audit entry: %v", err)
	}
	if user != "det.smith" || action != "search.plate" || caseNo != "26-000123" {
		t.Fatalf("audit %s %s %s %s", user, action, caseNo, detail)
	}
}

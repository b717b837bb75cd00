package analytics

import (
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

var updateGoldenStore = flag.Bool("update-golden-store", false, "write testdata/store-v<N>/ from this release")

// goldenStores are the stores earlier releases wrote, kept as they were:
// every one must open in this release, migrated, with its records and a
// verifying audit chain. A release that changes the schema adds its own
// (go test ./analytics -run TestStoresOfEarlierReleasesOpen -update-golden-store).
func goldenStores(t *testing.T) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join("testdata", "store-v*", DBFile))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// fillGolden writes a small store's worth of records, one of each kind.
func fillGolden(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2026, 12, 4, 18, 30, 0, 0, time.UTC)
	for _, q := range []string{
		`INSERT INTO reads (id, captured_at, plate, plate_key, confidence, candidates, candidate_confidences, camera, vehicle, officer,
			shift_id, gps_fix, lat, lon, crop_path, source_file, loaded_at)
			VALUES ('r1', TIMESTAMPTZ '2026-12-04 18:30:00+00', 'ABC123', 'ABC123', 0.98, ['ABC123', 'A8C123'], [0.98, 0.4], 'front', 'car7', '4127',
			's1', true, 38.627, -90.199, NULL, 'reads-car7-1.arrows', now())`,
		`INSERT INTO hits (id, read_id, alerted_at, plate, matched_plate, match_kind, list_name, list_code, priority, reason, covert, source_file, loaded_at)
			VALUES ('h1', 'r1', TIMESTAMPTZ '2026-12-04 18:30:00+00', 'ABC123', 'ABC123', 'exact', 'NCIC', 'V', 'high', 'Stolen vehicle', false, 'hits-car7-2.arrows', now())`,
		`INSERT INTO dispositions (id, hit_id, event_at, step, code, note, source_file, loaded_at)
			VALUES ('d1', 'h1', TIMESTAMPTZ '2026-12-04 18:32:00+00', 'disposition', 'confirmed', 'towed', 'dispositions-car7-3.arrows', now())`,
		`INSERT INTO holds (id, case_number, plate, requester, reason, created_at, created_by)
			VALUES ('hold1', '26-77', 'ABC123', 'det.smith', 'evidence', now(), 'clerk')`,
	} {
		if _, err := s.DB().ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := s.Audit(ctx, at, Access{User: "analyst1", Reason: "stolen vehicle", Case: "26-77"}, "search.plate", "ABC123"); err != nil {
		t.Fatal(err)
	}
}

// TestStoresOfEarlierReleasesOpen opens a copy of every golden store: it
// migrates to this release's schema, keeps its records, and its audit
// chain verifies.
func TestStoresOfEarlierReleasesOpen(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if *updateGoldenStore {
		dir := filepath.Join("testdata", "store-v"+strconv.Itoa(len(ms)))
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		s, err := Open(context.Background(), DefaultOptions(dir))
		if err != nil {
			t.Fatal(err)
		}
		fillGolden(t, s)
		if err := s.Checkpoint(context.Background()); err != nil {
			t.Fatal(err)
		}
		s.Close()
		os.RemoveAll(filepath.Join(dir, ImagesDir))
	}
	golden := goldenStores(t)
	if len(golden) == 0 {
		t.Fatal("no golden store under testdata/: write one with -update-golden-store")
	}
	for _, g := range golden {
		t.Run(filepath.Base(filepath.Dir(g)), func(t *testing.T) {
			dir := t.TempDir()
			copyFile(t, g, filepath.Join(dir, DBFile))
			s := openStore(t, dir)
			ctx := context.Background()
			if v, err := s.SchemaVersion(ctx); err != nil || v != len(ms) {
				t.Fatalf("schema %d after opening, want %d: %v", v, len(ms), err)
			}
			var plate, disp string
			if err := s.DB().QueryRow(`SELECT r.plate, d.code FROM reads r JOIN hits h ON h.read_id = r.id
				JOIN dispositions d ON d.hit_id = h.id`).Scan(&plate, &disp); err != nil || plate != "ABC123" || disp != "confirmed" {
				t.Fatalf("records after upgrade: %q %q %v", plate, disp, err)
			}
			if n, err := s.VerifyAudit(ctx); err != nil || n != 1 {
				t.Fatalf("audit chain after upgrade: %d entries, %v", n, err)
			}
		})
	}
}

// TestNewerStoreIsRefused: a store a newer release wrote is not opened
// (nor migrated, nor written), and the message says what to do.
func TestNewerStoreIsRefused(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	if _, err := s.DB().Exec(`INSERT INTO schema_migrations (version, name) VALUES (999, '0999_future.sql')`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err := Open(context.Background(), DefaultOptions(dir))
	if !errors.Is(err, ErrStoreTooNew) || !strings.Contains(err.Error(), "schema version 999") || !strings.Contains(err.Error(), "newer one") {
		t.Fatalf("opening a newer store: %v", err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

package retention

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/plateward/alpr/analytics"
)

// backupKey is the department's offline key for a test.
func backupKey(t *testing.T) *age.X25519Identity {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func backupOpts(dir string, id *age.X25519Identity) BackupOptions {
	return BackupOptions{Dir: dir, Recipients: []age.Recipient{id.Recipient()}, Keep: DefaultKeep}
}

func holdAB1C2D(t *testing.T, st *analytics.Store) {
	t.Helper()
	if _, err := st.DB().Exec(`INSERT INTO holds (id, case_number, plate, requester, reason, created_at, created_by)
		VALUES ('h1', '26-77', 'AB1C2D', 'det.smith', 'robbery evidence', now(), 'clerk')`); err != nil {
		t.Fatal(err)
	}
}

func restoreInto(t *testing.T, backup string, id *age.X25519Identity, ledger string) (*analytics.Store, RestoreReport, error) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "restored")
	rep, err := Restore(context.Background(), RestoreOptions{Backup: backup, Identities: []age.Identity{id}, LedgerDir: ledger,
		Store: analytics.DefaultOptions(dir), Actor: "it.jones"}, time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC))
	if err != nil {
		return nil, rep, err
	}
	st, err := analytics.Open(context.Background(), analytics.DefaultOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, rep, nil
}

// TestRestoreDoesNotBringBackDestroyedRecords: a backup is taken, a purge
// then destroys a day (two reads held), the station is lost; the restore
// from the backup destroys the day again from the ledger, the held reads
// and their images survive both, and the audit chain verifies. Restored
// without the ledger, the day comes back: the ledger is what keeps it
// destroyed.
func TestRestoreDoesNotBringBackDestroyedRecords(t *testing.T) {
	ctx := context.Background()
	st := shiftStore(t)
	holdAB1C2D(t, st)
	key := backupKey(t)
	bdir := t.TempDir()
	taken := time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)
	p, _ := DefaultPolicy()
	info, err := Backup(ctx, st, backupOpts(bdir, key), p, taken)
	if err != nil {
		t.Fatal(err)
	}
	if info.Files < 2 || info.Bytes == 0 || len(info.SHA256) != 64 {
		t.Fatalf("backup info %+v", info)
	}
	o := purgeOpts(t)
	if _, err := Purge(ctx, st, o, time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)); !errors.Is(err, ErrNoLedger) {
		t.Fatalf("a purge without the ledger on a station with backups: %v, want ErrNoLedger", err)
	}
	o.Ledger = FileLedger{Dir: filepath.Join(bdir, LedgerDir), Recipients: []age.Recipient{key.Recipient()}}
	rep, err := Purge(ctx, st, o, time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	if err != nil || rep.Reads != 2 || rep.Held != 2 {
		t.Fatalf("purge %+v %v", rep, err)
	}
	destroyedLog := count(t, st, "SELECT count(*) FROM destruction_log")

	backup := filepath.Join(bdir, info.Name)
	rst, rrep, err := restoreInto(t, backup, key, "")
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, rst, "SELECT count(*) FROM reads"); n != 6 {
		t.Fatalf("%d reads after the restore, want the 4 recent and the 2 held", n)
	}
	if n := count(t, rst, "SELECT count(*) FROM reads WHERE id IN ('00000002-0000-7000-8000-000000000000', '00000003-0000-7000-8000-000000000000')"); n != 0 {
		t.Fatalf("%d destroyed reads came back", n)
	}
	if n := count(t, rst, "SELECT count(*) FROM destruction_log"); n != destroyedLog {
		t.Fatalf("restored destruction log has %d rows, want the station's %d", n, destroyedLog)
	}
	if rrep.Reapplied != destroyedLog || rrep.Destroyed[SeriesReads] != 2 {
		t.Fatalf("restore report %+v, want %d entries applied again, 2 reads", rrep, destroyedLog)
	}
	if _, err := os.Stat(filepath.Join(rst.ImageRoot(), "2026-03-10")); !os.IsNotExist(err) {
		t.Fatalf("the destroyed day's images came back: %v", err)
	}
	// The held reads' images are readable from the evidence store.
	rows, err := rst.DB().Query(`SELECT id, crop_path FROM reads WHERE plate = 'AB1C2D' AND captured_at < '2026-06-01'`)
	if err != nil {
		t.Fatal(err)
	}
	held := 0
	for rows.Next() {
		var id, crop string
		if err := rows.Scan(&id, &crop); err != nil {
			t.Fatal(err)
		}
		b, err := rst.ReadImage(crop)
		if err != nil || string(b) != "jpeg "+id {
			t.Fatalf("held read %s image %s: %q %v", id, crop, b, err)
		}
		held++
	}
	rows.Close()
	if held != 2 {
		t.Fatalf("%d held reads, want 2", held)
	}
	if n, err := rst.VerifyAudit(ctx); err != nil || n != rrep.AuditEntries || n == 0 {
		t.Fatalf("audit chain after restore: %d entries, %v", n, err)
	}
	if n := count(t, rst, "SELECT count(*) FROM audit_log WHERE action = 'restore' AND user_name = 'it.jones'"); n != 1 {
		t.Fatalf("%d restore audit entries, want 1", n)
	}

	// Without the ledger the destroyed day would be back.
	bare, _, err := restoreInto(t, backup, key, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, bare, "SELECT count(*) FROM reads"); n != 8 {
		t.Fatalf("restored without the ledger: %d reads, want all 8 of the backup", n)
	}
}

// TestDamagedBackupIsRefused: a flipped byte, a cut file or the wrong key
// restore nothing and say why.
func TestDamagedBackupIsRefused(t *testing.T) {
	ctx := context.Background()
	st := shiftStore(t)
	key := backupKey(t)
	bdir := t.TempDir()
	p, _ := DefaultPolicy()
	info, err := Backup(ctx, st, backupOpts(bdir, key), p, time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(filepath.Join(bdir, info.Name))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		mangle  func([]byte) []byte
		withSum bool
		key     *age.X25519Identity
		want    string
	}{
		{"flipped byte, checked by its sum", func(b []byte) []byte { b[len(b)/2] ^= 1; return b }, true, key, "SHA-256"},
		{"flipped byte, no sum file", func(b []byte) []byte { b[len(b)/2] ^= 1; return b }, false, key, "authenticate"},
		{"cut short", func(b []byte) []byte { return b[:len(b)*2/3] }, false, key, "backup damaged"},
		{"another key", func(b []byte) []byte { return b }, false, backupKey(t), "not encrypted to this key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, info.Name)
			b := tc.mangle(append([]byte(nil), good...))
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			if tc.withSum {
				sum, _ := os.ReadFile(filepath.Join(bdir, info.Name+".sha256"))
				if err := os.WriteFile(path+".sha256", sum, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			target := filepath.Join(dir, "restored")
			_, err := Restore(ctx, RestoreOptions{Backup: path, Identities: []age.Identity{tc.key}, Store: analytics.DefaultOptions(target), Actor: "it"},
				time.Now())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error saying %q", err, tc.want)
			}
			if tc.key == key && !errors.Is(err, ErrBackupDamaged) {
				t.Fatalf("%v is not ErrBackupDamaged", err)
			}
			for _, p := range []string{target, target + ".restoring"} {
				if _, err := os.Stat(p); !os.IsNotExist(err) {
					t.Fatalf("%s left behind: %v", p, err)
				}
			}
		})
	}
}

// TestBackupIsConsistentUnderWrites: audit entries appended while the
// backup runs leave a restored chain that verifies, and a station key
// left in the store folder is not backed up.
func TestBackupIsConsistentUnderWrites(t *testing.T) {
	ctx := context.Background()
	st := shiftStore(t)
	if err := os.WriteFile(filepath.Join(st.Dir(), "station.key"), []byte("# created: 2026\nAGE-SECRET-KEY-1QQQ\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	key := backupKey(t)
	bdir := t.TempDir()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	writes := 0
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := st.Audit(ctx, time.Now(), analytics.Access{User: "analyst"}, "search", "plate"); err != nil {
				t.Error(err)
				return
			}
			writes++
		}
	}()
	p, _ := DefaultPolicy()
	var info BackupInfo
	var err error
	for range 3 {
		if info, err = Backup(ctx, st, backupOpts(bdir, key), p, time.Now()); err != nil {
			break
		}
		time.Sleep(1100 * time.Millisecond) // a new name each second
	}
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if writes == 0 {
		t.Fatal("no write ran beside the backup")
	}
	rst, _, err := restoreInto(t, filepath.Join(bdir, info.Name), key, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(rst.Dir(), "station.key")); !os.IsNotExist(err) {
		t.Fatalf("the station's key was backed up: %v", err)
	}
	if n := count(t, rst, "SELECT count(*) FROM reads"); n != 8 {
		t.Fatalf("%d reads restored, want 8", n)
	}
}

// TestPruneBackupsAgesThemOut: backups older than their keep are
// destroyed and logged; ledger files no backup needs go with them; a keep
// longer than the reads' retention is refused.
func TestPruneBackupsAgesThemOut(t *testing.T) {
	ctx := context.Background()
	st := shiftStore(t)
	key := backupKey(t)
	bdir := t.TempDir()
	o := backupOpts(bdir, key)
	p, _ := DefaultPolicy()
	now := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
	old, err := Backup(ctx, st, o, p, now.Add(-40*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	recent, err := Backup(ctx, st, o, p, now.Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	l := FileLedger{Dir: filepath.Join(bdir, LedgerDir), Recipients: []age.Recipient{key.Recipient()}}
	for _, at := range []time.Time{now.Add(-35 * 24 * time.Hour), now.Add(-2 * time.Hour)} {
		if err := l.Write(ctx, []LedgerEntry{{ID: at.String(), RunID: "r", At: at, Series: SeriesReads, Day: "2026-05-01", IDsSHA256: digest(nil)}}); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := PruneBackups(ctx, st, o, "job:backup", now)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Backups) != 1 || rep.Backups[0] != old.Name || rep.Ledger != 1 {
		t.Fatalf("pruned %+v, want %s and one ledger file", rep, old.Name)
	}
	left, err := ListBackups(bdir)
	if err != nil || len(left) != 1 || left[0].Name != recent.Name {
		t.Fatalf("left %+v %v", left, err)
	}
	if _, err := os.Stat(filepath.Join(bdir, old.Name)); !os.IsNotExist(err) {
		t.Fatalf("old backup still there: %v", err)
	}
	if n := count(t, st, "SELECT count(*) FROM destruction_log WHERE series = 'backups' AND ids_sha256 = ?", old.SHA256); n != 1 {
		t.Fatalf("%d destruction-log rows for the old backup, want 1", n)
	}
	es, err := ReadLedger(l.Dir, []age.Identity{key})
	if err != nil || len(es) != 1 {
		t.Fatalf("ledger after pruning: %d entries, %v", len(es), err)
	}
	// The clerk's report accounts for them: two taken in the period, one
	// destroyed, one on hand, none overdue.
	rp, err := BuildScheduleReport(ctx, st, p, "v1", now.AddDate(0, -2, 0), now.AddDate(0, 0, 1), now)
	if err != nil {
		t.Fatal(err)
	}
	if err := rp.AddBackups(ctx, st, o); err != nil {
		t.Fatal(err)
	}
	last := rp.Lines[len(rp.Lines)-1]
	if last.Series != SeriesBackups || last.Created != 2 || last.Destroyed != 1 || last.Overdue != 0 || len(rp.Backups) != 1 {
		t.Fatalf("report's backups line %+v, %d on hand", last, len(rp.Backups))
	}
	long := o
	long.Keep = 200 * 24 * time.Hour
	if _, err := Backup(ctx, st, long, p, now); err == nil || !strings.Contains(err.Error(), "longer than the reads' retention") {
		t.Fatalf("a keep of 200 days: %v", err)
	}
}

// failingLedger cannot write.
type failingLedger struct{}

func (failingLedger) Write(context.Context, []LedgerEntry) error {
	return errors.New("backup share unreachable")
}

// TestPurgeStopsWhenTheLedgerCannotWrite: a destruction the ledger could
// not record does not happen.
func TestPurgeStopsWhenTheLedgerCannotWrite(t *testing.T) {
	st := shiftStore(t)
	o := purgeOpts(t)
	o.Ledger = failingLedger{}
	_, err := Purge(context.Background(), st, o, time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	if err == nil || !strings.Contains(err.Error(), "backup share unreachable") {
		t.Fatalf("purge with a failing ledger: %v", err)
	}
	if n := count(t, st, "SELECT count(*) FROM reads"); n != 8 {
		t.Fatalf("%d reads left, want all 8", n)
	}
	if n := count(t, st, "SELECT count(*) FROM destruction_log"); n != 0 {
		t.Fatalf("%d destruction-log rows for a purge that did not happen", n)
	}
}

package retention

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/internal/fsutil"
)

// RestoreOptions configures Restore.
type RestoreOptions struct {
	Backup     string         // a backup-T.tar.age file
	Identities []age.Identity // the offline key
	// LedgerDir is the destruction ledger; default: "ledger" beside the
	// backup. It must be the station's current one: a restore destroys
	// again what it records.
	LedgerDir string
	// Store is where the store is restored to: a folder that does not
	// exist or is empty.
	Store analytics.Options
	Actor string // who restores, for the audit log
}

// RestoreReport is what a restore brought back and destroyed again.
type RestoreReport struct {
	TakenAt      time.Time
	Files        int
	Reapplied    int              // ledger entries destroyed again
	Destroyed    map[string]int64 // rows destroyed again, by series
	AuditEntries int64            // entries of the restored audit chain, verified
}

// ErrBackupDamaged is a backup that does not check: its SHA-256, its
// encryption's authentication, its tar stream or its manifest.
var ErrBackupDamaged = errors.New("backup damaged")

// Restore checks a backup and restores it into a new store folder, then
// destroys again, before anyone can open the store, every record the
// ledger says a purge destroyed after the backup was taken (the ids of
// destruction-log rows the backup does not have), and records each such
// destruction in the restored destruction log. It audits the restore and
// verifies the audit chain. The restored store appears only when all of
// that has succeeded; a damaged backup or ledger restores nothing.
func Restore(ctx context.Context, o RestoreOptions, now time.Time) (RestoreReport, error) {
	rep := RestoreReport{Destroyed: map[string]int64{}}
	if o.LedgerDir == "" {
		o.LedgerDir = filepath.Join(filepath.Dir(o.Backup), LedgerDir)
	}
	if o.Actor == "" {
		return rep, errors.New("restore: who restores is required for the audit log")
	}
	if err := o.Store.Validate(); err != nil {
		return rep, err
	}
	if ents, err := os.ReadDir(o.Store.Dir); err == nil && len(ents) > 0 {
		return rep, fmt.Errorf("restore: %s is not empty: restore into a new folder", o.Store.Dir)
	}
	if err := checkSum(o.Backup); err != nil {
		return rep, err
	}
	ledger, err := ReadLedger(o.LedgerDir, o.Identities)
	if err != nil {
		return rep, fmt.Errorf("restore: %w", err)
	}
	staging := o.Store.Dir + ".restoring"
	if err := os.RemoveAll(staging); err != nil {
		return rep, err
	}
	defer os.RemoveAll(staging)
	m, err := unpack(o.Backup, o.Identities, staging)
	if err != nil {
		return rep, err
	}
	rep.TakenAt, rep.Files = m.TakenAt, len(m.Files)
	so := o.Store
	so.Dir = staging
	st, err := analytics.Open(ctx, so)
	if err != nil {
		return rep, fmt.Errorf("restore: open the restored store: %w", err)
	}
	defer st.Close()
	if err := reapplyLedger(ctx, st, ledger, &rep); err != nil {
		return rep, fmt.Errorf("restore: destroy again: %w", err)
	}
	detail := fmt.Sprintf("restored %s (taken %s, %d files); %d destructions after it applied again", filepath.Base(o.Backup),
		m.TakenAt.Format(time.RFC3339), len(m.Files), rep.Reapplied)
	if err := st.Audit(ctx, now, analytics.Access{User: o.Actor}, "restore", detail); err != nil {
		return rep, err
	}
	if rep.AuditEntries, err = st.VerifyAudit(ctx); err != nil {
		return rep, fmt.Errorf("restore: %w", err)
	}
	if err := st.Checkpoint(ctx); err != nil {
		return rep, err
	}
	if err := st.Close(); err != nil {
		return rep, err
	}
	if err := os.Remove(o.Store.Dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		return rep, err
	}
	if err := os.Rename(staging, o.Store.Dir); err != nil {
		return rep, fmt.Errorf("restore: %w", err)
	}
	return rep, fsutil.SyncDir(filepath.Dir(o.Store.Dir))
}

// checkSum compares a backup with its .sha256 file, when there is one.
func checkSum(backup string) error {
	b, err := os.ReadFile(backup + ".sha256")
	if errors.Is(err, os.ErrNotExist) {
		return nil // age's authentication still checks every byte
	}
	if err != nil {
		return err
	}
	want, _, _ := strings.Cut(strings.TrimSpace(string(b)), " ")
	got, err := fsutil.SHA256(backup)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if got != want {
		return fmt.Errorf("%w: %s: SHA-256 %s, its .sha256 says %s", ErrBackupDamaged, filepath.Base(backup), got, want)
	}
	return nil
}

// unpack decrypts and unpacks a backup's store files into dir, checking
// each against the manifest.
func unpack(backup string, ids []age.Identity, dir string) (manifest, error) {
	var m manifest
	f, err := os.Open(backup)
	if err != nil {
		return m, fmt.Errorf("restore: %w", err)
	}
	defer f.Close()
	damaged := func(err error) error {
		return fmt.Errorf("%w: %s: %w", ErrBackupDamaged, filepath.Base(backup), err)
	}
	ar, err := age.Decrypt(f, ids...)
	if err != nil {
		var noID *age.NoIdentityMatchError
		if errors.As(err, &noID) {
			return m, fmt.Errorf("restore: %s was not encrypted to this key: %w", filepath.Base(backup), err)
		}
		return m, damaged(err)
	}
	tr := tar.NewReader(ar)
	got := map[string]manifestFile{}
	seenManifest := false
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return m, damaged(err)
		}
		if seenManifest {
			return m, damaged(fmt.Errorf("%s after the manifest", h.Name))
		}
		if h.Name == manifestName {
			dec := json.NewDecoder(io.LimitReader(tr, 64<<20))
			if err := dec.Decode(&m); err != nil {
				return m, damaged(fmt.Errorf("manifest: %w", err))
			}
			seenManifest = true
			continue
		}
		rel, ok := strings.CutPrefix(h.Name, storePrefix)
		if !ok || h.Typeflag != tar.TypeReg || rel == "" || path.Clean(rel) != rel || strings.HasPrefix(rel, "../") || path.IsAbs(rel) {
			return m, damaged(fmt.Errorf("unexpected entry %q", h.Name))
		}
		if _, dup := got[h.Name]; dup {
			return m, damaged(fmt.Errorf("%s twice", h.Name))
		}
		dst := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
			return m, err
		}
		out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err != nil {
			return m, err
		}
		hs := sha256.New()
		n, err := io.CopyN(io.MultiWriter(out, hs), tr, h.Size)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return m, damaged(fmt.Errorf("%s: %w", h.Name, err))
		}
		got[h.Name] = manifestFile{Path: h.Name, Size: n, SHA256: hex.EncodeToString(hs.Sum(nil))}
	}
	// age authenticates the end of the stream only when it is read.
	if _, err := io.Copy(io.Discard, ar); err != nil {
		return m, damaged(err)
	}
	if !seenManifest {
		return m, damaged(errors.New("no manifest: the backup was cut short"))
	}
	if m.Format != BackupFormat {
		return m, fmt.Errorf("restore: backup format %q, this release reads %q", m.Format, BackupFormat)
	}
	for _, want := range m.Files {
		g, ok := got[want.Path]
		if !ok {
			return m, damaged(fmt.Errorf("%s is in the manifest but not in the backup", want.Path))
		}
		if g != want {
			return m, damaged(fmt.Errorf("%s: %d bytes, SHA-256 %s; the manifest says %d, %s", want.Path, g.Size, g.SHA256, want.Size, want.SHA256))
		}
		delete(got, want.Path)
	}
	for p := range got {
		return m, damaged(fmt.Errorf("%s is not in the manifest", p))
	}
	return m, fsutil.SyncDir(dir)
}

type tableCol struct{ table, col string }

// seriesTables is where each series the ledger names is kept: the tables
// a destroyed id is deleted from, in order. Images go with their day's
// folder (see reapplyLedger).
func seriesTables(series string) ([]tableCol, bool) {
	switch series {
	case SeriesReads:
		return []tableCol{{"retro_queue", "read_id"}, {"reads", "id"}}, true
	case SeriesHits:
		return []tableCol{{"dispatch_hits", "id"}, {"hits", "id"}}, true
	case SeriesDispositions:
		return []tableCol{{"dispositions", "id"}}, true
	case SeriesShiftRecords:
		return []tableCol{{"shift_events", "id"}}, true
	case SeriesDisseminationLog:
		return []tableCol{{"disseminations", "id"}}, true
	case SeriesDestructionLog:
		return []tableCol{{"destruction_log", "id"}}, true
	case SeriesDispatchCopies:
		return []tableCol{{"dispatch_hits", "id"}}, true
	case SeriesPlateImages, SeriesOverviewImages:
		return nil, true
	}
	return nil, false
}

// seriesOrder applies a purge day's entries children first.
func seriesOrder(s string) int {
	switch s {
	case SeriesDispositions:
		return 0
	case SeriesHits:
		return 1
	case SeriesReads:
		return 2
	}
	return 3
}

// reapplyLedger destroys again what each ledger entry missing from the
// store's destruction log destroyed, and logs it.
func reapplyLedger(ctx context.Context, st *analytics.Store, ledger []LedgerEntry, rep *RestoreReport) error {
	have := map[string]bool{}
	rows, err := st.DB().QueryContext(ctx, `SELECT id FROM destruction_log`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		have[id] = true
	}
	rows.Close()
	var todo []LedgerEntry
	for _, e := range ledger {
		if !have[e.ID] {
			todo = append(todo, e)
		}
	}
	sort.SliceStable(todo, func(i, j int) bool {
		a, b := todo[i], todo[j]
		if !a.At.Equal(b.At) {
			return a.At.Before(b.At)
		}
		if a.RunID != b.RunID || a.Day != b.Day {
			return a.RunID+a.Day < b.RunID+b.Day
		}
		return seriesOrder(a.Series) < seriesOrder(b.Series)
	})
	for _, e := range todo {
		tables, known := seriesTables(e.Series)
		if !known {
			return fmt.Errorf("ledger entry %s: unknown series %q", e.ID, e.Series)
		}
		// The reads of a purged day that are not in the entry were held
		// then: their images go to the evidence store, as the purge did,
		// before the day's folder goes.
		kept := "NOT list_contains(?::VARCHAR[], id)"
		var keep []heldImage
		if e.Series == SeriesReads {
			if keep, err = copyToEvidence(ctx, st, e.Day, kept, []any{e.IDs}); err != nil {
				return err
			}
		}
		tx, err := st.DB().BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		var n int64
		for _, t := range tables {
			if len(e.IDs) == 0 {
				break
			}
			//nolint:gosec // table and column come from seriesTables; ids are bound
			res, err := tx.ExecContext(ctx, `DELETE FROM `+t.table+` WHERE `+t.col+` IN (SELECT unnest(?::VARCHAR[]))`, e.IDs)
			if err != nil {
				tx.Rollback()
				return fmt.Errorf("%s: %w", e.Series, err)
			}
			if t.col == "id" {
				n, _ = res.RowsAffected()
			}
		}
		if len(keep) > 0 {
			if err := pointAtEvidence(ctx, tx, st.TimeZone(), e.Day, kept, []any{e.Day, e.IDs}); err != nil {
				tx.Rollback()
				return err
			}
		}
		if err := insertDestruction(ctx, tx, e); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		if e.Series == SeriesReads {
			if err := os.RemoveAll(filepath.Join(st.ImageRoot(), e.Day)); err != nil {
				return err
			}
		}
		rep.Reapplied++
		rep.Destroyed[e.Series] += n
	}
	return nil
}

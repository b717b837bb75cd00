package retention

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/google/uuid"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/internal/fsutil"
)

// A backup folder (frozen, version 1) holds, for each backup taken at T
// (UTC, "20060102T150405Z"):
//
//	backup-T.tar.age          the backup: a tar stream encrypted with age to
//	                          the department's offline key(s)
//	backup-T.tar.age.sha256   "<hex SHA-256 of the .age file>  backup-T.tar.age\n"
//	backup-T.json             BackupInfo in clear: when, how big, what schema;
//	                          no record values
//
// and the destruction ledger (LedgerDir, see FileLedger). Inside the tar,
// every file of the store under "store/" — the database as a consistent
// snapshot (analytics.Store.Snapshot), the image store with its evidence
// copies, hot-list files, reports — then, last, "MANIFEST.json": the
// format ("plateward-backup/1"), the time, the schema version and every
// file's path, size and SHA-256. The station's private key is never in
// it: a file of the store that holds an age secret key is left out.
const (
	BackupFormat   = "plateward-backup/1"
	backupPrefix   = "backup-"
	backupExt      = ".tar.age"
	manifestName   = "MANIFEST.json"
	storePrefix    = "store/"
	backupTimeForm = "20060102T150405Z"
)

// BackupOptions configures Backup.
type BackupOptions struct {
	Dir        string          // the backup folder (another disk or a share)
	Recipients []age.Recipient // the offline key(s): restoring needs one's identity
	// Keep is how long a backup is kept; PruneBackups destroys older ones.
	// It may not exceed the reads' retention period: a backup holds
	// records, and a record may not outlive its period in a backup either.
	Keep time.Duration
}

// DefaultKeep is how long a backup is kept unless the department says
// otherwise: thirty days of nightly backups.
const DefaultKeep = 30 * 24 * time.Hour

// Validate reports the first invalid option, given the policy in force.
func (o BackupOptions) Validate(p Policy, now time.Time) error {
	switch {
	case o.Dir == "":
		return errors.New("backup: no backup folder")
	case len(o.Recipients) == 0:
		return errors.New("backup: no recipient: a backup is encrypted to the department's offline key")
	case o.Keep <= 0:
		return fmt.Errorf("backup: keep %s: must be positive", o.Keep)
	}
	if cut, ok := p.Cutoff(SeriesReads, now); ok && now.Sub(cut) < o.Keep {
		return fmt.Errorf("backup: keeping backups %s is longer than the reads' retention (%s): they would hold records past their period",
			o.Keep.Round(time.Hour), p.Period(SeriesReads))
	}
	return nil
}

// BackupInfo is what a backup is, in its .json beside it.
type BackupInfo struct {
	Format  string    `json:"format"`
	Name    string    `json:"name"` // backup-T.tar.age
	TakenAt time.Time `json:"taken_at"`
	Schema  int       `json:"schema"`
	Files   int       `json:"files"`
	Bytes   int64     `json:"bytes"` // of the .age file
	SHA256  string    `json:"sha256"`
}

// manifest is MANIFEST.json, the tar's last entry.
type manifest struct {
	Format  string         `json:"format"`
	TakenAt time.Time      `json:"taken_at"`
	Schema  int            `json:"schema"`
	Files   []manifestFile `json:"files"`
}

type manifestFile struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Backup takes a consistent copy of a running station's store into
// o.Dir: the database first (a snapshot), then the store's other files.
// An image removed by a purge between the two is simply not in the
// backup; its rows are, and a restore destroys them again from the
// ledger. It audits the backup.
func Backup(ctx context.Context, st *analytics.Store, o BackupOptions, p Policy, now time.Time) (BackupInfo, error) {
	info := BackupInfo{Format: BackupFormat, TakenAt: now.UTC().Truncate(time.Second)}
	if err := o.Validate(p, now); err != nil {
		return info, err
	}
	if err := os.MkdirAll(o.Dir, 0o750); err != nil {
		return info, fmt.Errorf("backup: %w", err)
	}
	schema, err := st.SchemaVersion(ctx)
	if err != nil {
		return info, fmt.Errorf("backup: %w", err)
	}
	info.Schema = schema
	base := backupPrefix + info.TakenAt.Format(backupTimeForm)
	info.Name = base + backupExt
	out, err := fsutil.Create(filepath.Join(o.Dir, info.Name))
	if err != nil {
		return info, fmt.Errorf("backup: %w", err)
	}
	defer out.Abort() //nolint:errcheck // a no-op after Commit
	sum := sha256.New()
	counted := &countWriter{w: io.MultiWriter(out, sum)}
	aw, err := age.Encrypt(counted, o.Recipients...)
	if err != nil {
		return info, fmt.Errorf("backup: %w", err)
	}
	tw := tar.NewWriter(aw)
	m := manifest{Format: BackupFormat, TakenAt: info.TakenAt, Schema: schema}
	// The database: a snapshot through the store, hashed as it goes.
	snap, err := os.CreateTemp(o.Dir, ".snapshot-*")
	if err != nil {
		return info, fmt.Errorf("backup: %w", err)
	}
	defer os.Remove(snap.Name())
	defer snap.Close()
	if _, err := st.Snapshot(ctx, snap); err != nil {
		return info, fmt.Errorf("backup: %w", err)
	}
	if _, err := snap.Seek(0, io.SeekStart); err != nil {
		return info, err
	}
	mf, err := addFile(tw, storePrefix+analytics.DBFile, snap)
	if err != nil {
		return info, fmt.Errorf("backup: database: %w", err)
	}
	m.Files = append(m.Files, mf)
	// Everything else under the store, in path order, opened inside the
	// store's folder only (a symbolic link cannot lead out of it).
	root, err := os.OpenRoot(st.Dir())
	if err != nil {
		return info, fmt.Errorf("backup: %w", err)
	}
	defer root.Close()
	err = fs.WalkDir(root.FS(), ".", func(rel string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if d.IsDir() || !d.Type().IsRegular() || skipInBackup(rel) {
			return nil
		}
		f, err := root.Open(rel)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil // a purge removed it since the snapshot
			}
			return err
		}
		defer f.Close()
		if secret, err := holdsSecretKey(f); err != nil || secret {
			return err // a station key is never backed up
		}
		mf, err := addFile(tw, storePrefix+rel, f)
		if err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		m.Files = append(m.Files, mf)
		return nil
	})
	if err != nil {
		return info, fmt.Errorf("backup: %w", err)
	}
	mj, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return info, err
	}
	if err := tw.WriteHeader(&tar.Header{Name: manifestName, Mode: 0o600, Size: int64(len(mj)), ModTime: info.TakenAt}); err != nil {
		return info, err
	}
	if _, err := tw.Write(mj); err != nil {
		return info, err
	}
	if err := tw.Close(); err != nil {
		return info, err
	}
	if err := aw.Close(); err != nil {
		return info, err
	}
	if err := out.Commit(); err != nil {
		return info, fmt.Errorf("backup: %w", err)
	}
	info.Files, info.Bytes, info.SHA256 = len(m.Files), counted.n, hex.EncodeToString(sum.Sum(nil))
	if err := fsutil.WriteFile(filepath.Join(o.Dir, info.Name+".sha256"), []byte(info.SHA256+"  "+info.Name+"\n")); err != nil {
		return info, err
	}
	ij, err := json.MarshalIndent(info, "", " ")
	if err != nil {
		return info, err
	}
	if err := fsutil.WriteFile(filepath.Join(o.Dir, base+".json"), append(ij, '\n')); err != nil {
		return info, err
	}
	err = st.Audit(ctx, now, analytics.Access{User: "system:backup"}, "backup",
		fmt.Sprintf("%s: %d files, %d bytes, sha256 %s", info.Name, info.Files, info.Bytes, info.SHA256))
	return info, err
}

// skipInBackup names store files a backup leaves out: the live database
// and its write-ahead log (the snapshot stands for them), and files being
// written.
func skipInBackup(rel string) bool {
	base := filepath.Base(rel)
	return rel == analytics.DBFile || rel == analytics.DBFile+".wal" || strings.HasPrefix(base, ".") || strings.HasSuffix(base, ".tmp")
}

// holdsSecretKey reports whether f's first 64 KiB hold an age secret key,
// and rewinds it.
func holdsSecretKey(f *os.File) (bool, error) {
	b := make([]byte, 64<<10)
	n, err := io.ReadFull(f, b)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return false, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return false, err
	}
	return bytes.Contains(b[:n], []byte("AGE-SECRET-KEY-")), nil
}

// addFile writes f to the tar as name, hashing it.
func addFile(tw *tar.Writer, name string, f *os.File) (manifestFile, error) {
	fi, err := f.Stat()
	if err != nil {
		return manifestFile{}, err
	}
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: fi.Size(), ModTime: fi.ModTime().UTC().Truncate(time.Second)}); err != nil {
		return manifestFile{}, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tw, h), io.LimitReader(f, fi.Size()))
	if err != nil {
		return manifestFile{}, err
	}
	if n != fi.Size() {
		return manifestFile{}, fmt.Errorf("changed while copied: %d bytes, was %d", n, fi.Size())
	}
	return manifestFile{Path: name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// ListBackups returns the backups in a backup folder, oldest first, from
// their .json files.
func ListBackups(dir string) ([]BackupInfo, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []BackupInfo
	for _, de := range ents {
		name := de.Name()
		if !strings.HasPrefix(name, backupPrefix) || !strings.HasSuffix(name, ".json") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		var bi BackupInfo
		if err := json.Unmarshal(b, &bi); err != nil {
			return nil, fmt.Errorf("backup %s: %w", name, err)
		}
		out = append(out, bi)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].TakenAt.Before(out[j].TakenAt) })
	return out, nil
}

// PruneReport is what PruneBackups destroyed.
type PruneReport struct {
	Backups []string // names destroyed
	Ledger  int      // ledger files no backup needs any more
}

// PruneBackups destroys the backups older than o.Keep, records each in the
// destruction log (series "backups", one file, with its SHA-256 as the
// certificate), and removes ledger files older than the oldest backup left
// (or than the cutoff when none is left).
func PruneBackups(ctx context.Context, st *analytics.Store, o BackupOptions, actor string, now time.Time) (PruneReport, error) {
	var rep PruneReport
	bs, err := ListBackups(o.Dir)
	if err != nil {
		return rep, err
	}
	cut := now.Add(-o.Keep)
	oldest := cut
	for _, b := range bs {
		if !b.TakenAt.Before(cut) {
			if b.TakenAt.Before(oldest) {
				oldest = b.TakenAt
			}
			continue
		}
		base := strings.TrimSuffix(b.Name, backupExt)
		for _, f := range []string{b.Name, b.Name + ".sha256"} {
			if err := os.Remove(filepath.Join(o.Dir, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return rep, fmt.Errorf("destroy backup %s: %w", b.Name, err)
			}
		}
		if err := fsutil.SyncDir(o.Dir); err != nil {
			return rep, err
		}
		if _, err := st.DB().ExecContext(ctx, `INSERT INTO destruction_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			uuid.Must(uuid.NewV7()).String(), "backups", now, SeriesBackups, st.DayOf(b.TakenAt), 0, 1, 0, actor, fmt.Sprintf("keep %s", o.Keep), b.SHA256); err != nil {
			return rep, fmt.Errorf("destruction log: %w", err)
		}
		if err := os.Remove(filepath.Join(o.Dir, base+".json")); err != nil && !errors.Is(err, os.ErrNotExist) {
			return rep, err
		}
		rep.Backups = append(rep.Backups, b.Name)
	}
	// A ledger entry is needed while a backup older than it is on hand.
	n, err := PruneLedger(filepath.Join(o.Dir, LedgerDir), oldest)
	rep.Ledger = n
	return rep, err
}

// SeriesBackups names destroyed backups in the destruction log.
const SeriesBackups = "backups"

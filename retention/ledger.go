package retention

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/plateward/alpr/internal/fsutil"
)

// LedgerEntry is one row of the destruction log with the ids it
// destroyed: what a restore needs to destroy the same records again.
type LedgerEntry struct {
	ID            string    `json:"id"`
	RunID         string    `json:"run_id"`
	At            time.Time `json:"at"`
	Series        string    `json:"series"`
	Day           string    `json:"day"`
	Rows          int64     `json:"rows"`
	Files         int64     `json:"files"`
	Held          int64     `json:"held"`
	Actor         string    `json:"actor"`
	PolicyVersion string    `json:"policy_version"`
	IDsSHA256     string    `json:"ids_sha256"`
	IDs           []string  `json:"ids"`
}

// A Ledger keeps what each purge destroys somewhere the store's own disk
// failing does not take with it (the backups' folder), so that a restore
// from a backup taken before the purge destroys the same records again.
// Write is called before the purge's transaction commits: a destruction
// the ledger could not record does not happen (the purge fails, and says
// why).
type Ledger interface {
	Write(ctx context.Context, entries []LedgerEntry) error
}

// LedgerDir is the ledger's folder inside a backup folder.
const LedgerDir = "ledger"

// ledgerExt ends a ledger file's name.
const ledgerExt = ".ledger.age"

// FileLedger writes each purge day's entries to one file in Dir
// (normally BACKUPS/ledger), gzip'd JSON encrypted with age to the
// backups' recipients: the ids are not record values, but which records
// existed is the department's business alone. Files appear whole.
type FileLedger struct {
	Dir        string
	Recipients []age.Recipient
}

// Write records entries in a new file named after the first entry's time,
// run, day and series.
func (l FileLedger) Write(_ context.Context, entries []LedgerEntry) error {
	if len(entries) == 0 {
		return nil
	}
	if len(l.Recipients) == 0 {
		return errors.New("destruction ledger: no recipient to encrypt to")
	}
	if err := os.MkdirAll(l.Dir, 0o750); err != nil {
		return fmt.Errorf("destruction ledger: %w", err)
	}
	var buf bytes.Buffer
	aw, err := age.Encrypt(&buf, l.Recipients...)
	if err != nil {
		return fmt.Errorf("destruction ledger: %w", err)
	}
	zw := gzip.NewWriter(aw)
	enc := json.NewEncoder(zw)
	for _, e := range entries {
		if err := enc.Encode(e); err != nil {
			return fmt.Errorf("destruction ledger: %w", err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("destruction ledger: %w", err)
	}
	if err := aw.Close(); err != nil {
		return fmt.Errorf("destruction ledger: %w", err)
	}
	e := entries[0]
	name := fmt.Sprintf("%s-%s-%s-%s%s", e.At.UTC().Format("20060102T150405Z"), e.RunID, e.Day, e.Series, ledgerExt)
	if err := fsutil.WriteFile(filepath.Join(l.Dir, name), buf.Bytes()); err != nil {
		return fmt.Errorf("destruction ledger: %w", err)
	}
	return nil
}

// ErrLedger is a ledger file that cannot be read or does not check.
var ErrLedger = errors.New("destruction ledger damaged")

// ReadLedger reads every entry of a ledger folder, oldest first. A file
// that does not decrypt, decompress or parse, or an entry whose ids do not
// hash to its SHA-256, is ErrLedger naming the file: a restore must not go
// on without knowing what was destroyed. A missing folder has no entries.
func ReadLedger(dir string, ids []age.Identity) ([]LedgerEntry, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("destruction ledger: %w", err)
	}
	var out []LedgerEntry
	for _, de := range ents {
		if !strings.HasSuffix(de.Name(), ledgerExt) {
			continue
		}
		es, err := readLedgerFile(filepath.Join(dir, de.Name()), ids)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrLedger, de.Name(), err)
		}
		out = append(out, es...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, nil
}

func readLedgerFile(path string, ids []age.Identity) ([]LedgerEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ar, err := age.Decrypt(f, ids...)
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(ar)
	if err != nil {
		return nil, err
	}
	// A day's ids are tens of MB at most; a file that inflates past this
	// is not one of ours.
	const maxLedgerFile = 1 << 30
	dec := json.NewDecoder(io.LimitReader(zr, maxLedgerFile))
	dec.DisallowUnknownFields()
	var out []LedgerEntry
	for {
		var e LedgerEntry
		err := dec.Decode(&e)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if digest(e.IDs) != e.IDsSHA256 || int64(len(e.IDs)) != e.Rows {
			return nil, fmt.Errorf("entry %s: its %d ids do not match its count and SHA-256", e.ID, len(e.IDs))
		}
		out = append(out, e)
	}
	// The gzip trailer's CRC and age's authentication are checked only at
	// the end of their streams: read to it.
	if n, err := io.Copy(io.Discard, io.LimitReader(zr, 1)); err != nil || n > 0 {
		return nil, errors.Join(err, errors.New("data after the last entry"))
	}
	return out, nil
}

// PruneLedger removes ledger files older than before: once no backup on
// hand predates them, no restore needs them.
func PruneLedger(dir string, before time.Time) (int, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n := 0
	for _, de := range ents {
		name := de.Name()
		if !strings.HasSuffix(name, ledgerExt) || len(name) < 16 {
			continue
		}
		at, err := time.Parse("20060102T150405Z", name[:16])
		if err != nil || !at.Before(before) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// logDestruction writes entries to the ledger, then to the destruction
// log in tx: the ledger first, so that no committed destruction is
// missing from it.
func logDestruction(ctx context.Context, tx *sql.Tx, l Ledger, entries []LedgerEntry) error {
	if l != nil {
		if err := l.Write(ctx, entries); err != nil {
			return err
		}
	}
	for _, e := range entries {
		if err := insertDestruction(ctx, tx, e); err != nil {
			return err
		}
	}
	return nil
}

func insertDestruction(ctx context.Context, tx *sql.Tx, e LedgerEntry) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO destruction_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.RunID, e.At, e.Series, e.Day, e.Rows, e.Files, e.Held, e.Actor, e.PolicyVersion, e.IDsSHA256); err != nil {
		return fmt.Errorf("destruction log: %w", err)
	}
	return nil
}

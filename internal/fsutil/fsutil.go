// Package fsutil makes files appear atomically: a file is written under a
// temporary name, fsynced, renamed to its final name, and the directory is
// fsynced, so a crash leaves either the whole file or a "*.tmp" leftover that
// the owner sweeps on start.
package fsutil

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// TmpSuffix marks a file that is still being written.
const TmpSuffix = ".tmp"

// File is a file being written under a temporary name. Commit makes it
// appear under its final name; Abort removes it.
type File struct {
	f     *os.File
	final string
	done  bool
}

// Create opens path+TmpSuffix for writing. The final path must not exist yet
// when Commit is called unless overwrite semantics are acceptable to the
// caller (rename replaces it).
func Create(path string) (*File, error) {
	f, err := os.OpenFile(path+TmpSuffix, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path+TmpSuffix, err)
	}
	return &File{f: f, final: path}, nil
}

// Write writes p to the temporary file.
func (a *File) Write(p []byte) (int, error) { return a.f.Write(p) }

// Sync flushes what was written so far to stable storage; the file keeps
// its temporary name until Commit.
func (a *File) Sync() error {
	if err := a.f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", a.f.Name(), err)
	}
	return nil
}

// Name returns the final path.
func (a *File) Name() string { return a.final }

// Commit fsyncs the temporary file, renames it to its final name and fsyncs
// the directory.
func (a *File) Commit() error {
	if a.done {
		return errors.New("commit: file already closed")
	}
	a.done = true
	if err := a.f.Sync(); err != nil {
		a.f.Close()
		return fmt.Errorf("sync %s: %w", a.f.Name(), err)
	}
	if err := a.f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", a.f.Name(), err)
	}
	if err := os.Rename(a.final+TmpSuffix, a.final); err != nil {
		return fmt.Errorf("rename %s: %w", a.final, err)
	}
	return SyncDir(filepath.Dir(a.final))
}

// Abort closes and removes the temporary file. It is a no-op after Commit.
func (a *File) Abort() error {
	if a.done {
		return nil
	}
	a.done = true
	a.f.Close()
	if err := os.Remove(a.final + TmpSuffix); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", a.final+TmpSuffix, err)
	}
	return nil
}

// WriteFile writes data to path atomically.
func WriteFile(path string, data []byte) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return errors.Join(fmt.Errorf("write %s: %w", path, err), f.Abort())
	}
	return f.Commit()
}

// WriteFrom copies r to path atomically.
func WriteFrom(path string, r io.Reader) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		return errors.Join(fmt.Errorf("write %s: %w", path, err), f.Abort())
	}
	return f.Commit()
}

// SyncDir fsyncs a directory so that a rename in it is durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open dir %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync dir %s: %w", dir, err)
	}
	return nil
}

// Leftovers lists the "*.tmp" files in dir: writes that a crash interrupted.
func Leftovers(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	var out []string
	for _, e := range ents {
		if !e.IsDir() && strings.HasSuffix(e.Name(), TmpSuffix) {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out, nil
}

// SHA256 is the hex SHA-256 of the file at path.
func SHA256(path string) (string, error) {
	f, err := os.Open(path) //nolint:gosec // the caller names its own file
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

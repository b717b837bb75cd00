package ingest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/plateward/alpr/analytics"
)

// InboxDrive is one drive copied into the inbox, and what loading it did.
type InboxDrive struct {
	Dir    string
	Report Report
	Err    error
}

// Inbox loads the drives copied into an inbox folder: each subfolder is
// one drive. A subfolder is taken only once nothing in it has changed for
// quiet (a copy still running is left for the next pass); its files are
// removed as their rows commit (the inbox holds copies), refused files go
// to quarantine, and an emptied subfolder is removed. Loading stays exactly
// once: a file already in the manifest loads nothing.
func Inbox(ctx context.Context, st *analytics.Store, dir string, quiet time.Duration, o Options) ([]InboxDrive, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	o.Remove = true
	now := o.Now()
	var out []InboxDrive
	for _, e := range ents {
		if !e.IsDir() || e.Name()[0] == '.' {
			continue
		}
		sub := filepath.Join(dir, e.Name())
		last, err := newest(sub)
		if err != nil {
			out = append(out, InboxDrive{Dir: sub, Err: err})
			continue
		}
		if now.Sub(last) < quiet {
			continue // still being copied
		}
		rep, err := Drive(ctx, st, sub, o)
		out = append(out, InboxDrive{Dir: sub, Report: rep, Err: err})
		if err == nil {
			os.Remove(sub) // only if empty: whatever is left stays for IT to see
		}
		if ctx.Err() != nil {
			break
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Dir < out[j].Dir })
	var errs []error
	for _, d := range out {
		if d.Err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", d.Dir, d.Err))
		}
	}
	return out, errors.Join(errs...)
}

// newest is the latest modification time of anything under dir.
func newest(dir string) (time.Time, error) {
	var last time.Time
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if info.ModTime().After(last) {
			last = info.ModTime()
		}
		return nil
	})
	return last, err
}

// Package ingest loads drive files into the back office's store exactly
// once: each file is verified against its seal, its rows are inserted
// through DuckDB's Arrow interface (a registered view and INSERT … SELECT,
// no row-by-row path), its plate crops and overviews go to the image store
// in one pack a day (analytics/imagepack), and its SHA-256 goes into the
// ingest manifest in the same transaction as its rows. Consecutive files of
// one kind share a transaction up to Options.GroupRows rows, so that
// DuckDB stores their rows in full row groups as it inserts them. A file in the manifest is never loaded again; a file that fails
// verification is quarantined with its reason and blocks nothing else.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"filippo.io/age"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/edge/drive"
)

// Options configures an ingest.
type Options struct {
	QuarantineDir string           // where refused files go; default <store>/quarantine
	Remove        bool             // remove each file from the drive once its rows are committed
	Identities    []age.Identity   // the station's keys, for encrypted drives
	Progress      func(Progress)   // called after each file; nil: quiet
	Now           func() time.Time // the clock
	Logger        *slog.Logger
	// GroupRows is how many rows of consecutive files of one kind go into
	// one transaction (see DefaultGroupRows).
	GroupRows int64
}

// DefaultOptions returns options that keep the drive's files.
func DefaultOptions() Options {
	return Options{Now: time.Now, Logger: slog.Default(), GroupRows: DefaultGroupRows}
}

// Validate reports the first invalid option.
func (o Options) Validate() error {
	if o.Now == nil || o.Logger == nil {
		return errors.New("ingest options: clock and logger are required")
	}
	if o.GroupRows < 1 {
		return fmt.Errorf("ingest options: group rows %d < 1", o.GroupRows)
	}
	return nil
}

// Progress is how far an ingest has come, for a progress bar.
type Progress struct {
	Files, FilesTotal int
	Bytes, BytesTotal int64
	Rows              int64
	Elapsed           time.Duration
}

// Report says what an ingest did.
type Report struct {
	Files         int
	Loaded        int
	AlreadyLoaded int
	Quarantined   []string // file: reason
	Tails         []string // unsealed files and what was cut from them
	Rows          map[drive.Kind]int64
	Images        int64
	Elapsed       time.Duration
	// Where the time went: reading files (checksum, decryption, Arrow
	// decoding), writing and syncing images, and the database (insert and
	// commit). The images' sync overlaps the database's insert.
	ReadTime, ImageTime, InsertTime time.Duration
}

// Drive loads every stream file of a drive directory into st.
func Drive(ctx context.Context, st *analytics.Store, dir string, o Options) (rep Report, err error) {
	rep = Report{Rows: map[drive.Kind]int64{}}
	if err := o.Validate(); err != nil {
		return rep, err
	}
	if o.QuarantineDir == "" {
		o.QuarantineDir = filepath.Join(st.Dir(), "quarantine")
	}
	start := time.Now()
	defer func() { rep.Elapsed = time.Since(start) }()
	files, err := drive.List(dir)
	if err != nil {
		return rep, err
	}
	// Load in kind order (shifts, reads, hits, dispositions) so a hit's
	// read is in the store before the hit is.
	byKind := map[drive.Kind][]drive.FileInfo{}
	var other []drive.FileInfo
	for _, fi := range files {
		if _, err := drive.Schema(fi.Kind); err != nil {
			other = append(other, fi)
			continue
		}
		byKind[fi.Kind] = append(byKind[fi.Kind], fi)
	}
	l, err := newLoader(ctx, st, o)
	if err != nil {
		return rep, err
	}
	defer l.close()
	var ordered []drive.FileInfo
	for _, k := range drive.Kinds() {
		ordered = append(ordered, byKind[k]...)
	}
	ordered = append(ordered, other...)
	prog := Progress{FilesTotal: len(ordered)}
	for _, fi := range ordered {
		prog.BytesTotal += fi.Size
	}
	// While one file goes into the database, the next is read, checked,
	// decrypted and decoded on another goroutine: reading has no side
	// effect, so the order of loads and the manifest are as before.
	rctx, cancel := context.WithCancel(ctx)
	next := readAhead(rctx, ordered, o.Identities)
	defer func() {
		cancel()
		for r := range next {
			r.release()
		}
	}()
	progress := func(fi drive.FileInfo) {
		if o.Progress == nil {
			return
		}
		prog.Files++
		prog.Bytes += fi.Size
		prog.Rows = 0
		for _, n := range rep.Rows {
			prog.Rows += n
		}
		prog.Elapsed = time.Since(start)
		o.Progress(prog)
	}
	// Files ready to insert wait in a group until it holds o.GroupRows rows
	// or the kind changes; a group is one transaction.
	g := &group{}
	defer g.release()
	flush := func() error {
		if len(g.files) == 0 {
			return nil
		}
		t0 := time.Now()
		err := l.insertGroup(ctx, g)
		rep.InsertTime += time.Since(t0)
		if err != nil {
			return err
		}
		for _, p := range g.files {
			if err := l.loadedFile(p.r.f, &rep); err != nil {
				return err
			}
			progress(p.r.fi)
		}
		g.release()
		return nil
	}
	for r := range next {
		if err := ctx.Err(); err != nil {
			r.release()
			return rep, err
		}
		rep.Files++
		rep.ReadTime += r.took
		if r.err == nil && g.shas[r.f.SHA256] {
			// The same file twice on the drive, the first still pending
			// (and its image packs still syncing under the same names).
			rep.AlreadyLoaded++
			r.release()
			progress(r.fi)
			continue
		}
		p, err := l.prepare(ctx, r, &rep)
		if err != nil {
			r.release()
			return rep, err
		}
		if p == nil {
			r.release()
			progress(r.fi)
			continue
		}
		if len(g.files) > 0 && g.kind() != p.r.f.Kind {
			if err := flush(); err != nil {
				p.r.release()
				return rep, err
			}
		}
		if g.shas == nil {
			g.shas = map[string]bool{}
		}
		g.files, g.rows, g.shas[p.r.f.SHA256] = append(g.files, p), g.rows+p.r.f.Rows, true
		if g.rows >= o.GroupRows {
			if err := flush(); err != nil {
				return rep, err
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	return rep, flush()
}

// readFile is one drive file as read ahead of its load.
type readFile struct {
	fi   drive.FileInfo
	f    *drive.File // nil when err is set
	err  error
	took time.Duration
}

func (r readFile) release() {
	if r.f != nil {
		r.f.Release()
	}
}

// readAhead reads files in order on its own goroutine, one file ahead of
// the loader, until ctx is cancelled; the channel closes when it is done.
func readAhead(ctx context.Context, files []drive.FileInfo, ids []age.Identity) <-chan readFile {
	out := make(chan readFile, 1)
	go func() {
		defer close(out)
		for _, fi := range files {
			if ctx.Err() != nil {
				return
			}
			t0 := time.Now()
			f, err := drive.ReadFile(fi, ids...)
			if err == nil {
				if err = coalesce(f, loadBatchRows); err != nil {
					f.Release()
					f = nil
				}
			}
			r := readFile{fi: fi, f: f, err: err, took: time.Since(t0)}
			select {
			case out <- r:
			case <-ctx.Done():
				r.release()
				return
			}
		}
	}()
	return out
}

// prepare quarantines a file, or skips it as already loaded (nil), or
// readies it for its group: records checked, a source_file column added,
// images written to packs that sync in the background while the group is
// inserted.
func (l *loader) prepare(ctx context.Context, r readFile, rep *Report) (*pending, error) {
	fi, f, err := r.fi, r.f, r.err
	if err != nil {
		if drive.IsQuarantine(err) || errors.Is(err, drive.ErrTornTail) || errors.Is(err, errBadRecord) {
			return nil, l.quarantine(ctx, fi, err, rep)
		}
		return nil, err
	}
	done, err := l.loaded(ctx, f.SHA256)
	if err != nil {
		return nil, err
	}
	if done {
		rep.AlreadyLoaded++
		l.o.Logger.Debug("already loaded", "file", fi.Name)
		return nil, l.removeIfAsked(fi)
	}
	if err := checkRecords(f); err != nil {
		return nil, l.quarantine(ctx, fi, err, rep)
	}
	p := &pending{r: r, durable: func() error { return nil }}
	p.lo, p.hi = timeWindow(f)
	if vs, ok := fileVehicles(f); ok {
		p.vehicles = append([]string{}, vs...)
	}
	if f.Kind == drive.KindReads {
		t0 := time.Now()
		n, commitPacks, err := l.packImages(f)
		rep.ImageTime += time.Since(t0)
		if err != nil {
			return nil, err
		}
		rep.Images += n
		// The sync's time counts as the images' too, though it overlaps
		// the database's.
		type result struct {
			err  error
			took time.Duration
		}
		synced := make(chan result, 1)
		go func() {
			t0 := time.Now()
			err := commitPacks()
			synced <- result{err, time.Since(t0)}
		}()
		var once *result
		p.durable = func() error {
			if once == nil {
				r := <-synced
				rep.ImageTime += r.took
				once = &r
			}
			return once.err
		}
	}
	withSourceFile(f)
	return p, nil
}

// loadedFile reports a committed file and removes it from the drive if
// asked.
func (l *loader) loadedFile(f *drive.File, rep *Report) error {
	fi := f.Info
	rep.Loaded++
	rep.Rows[f.Kind] += f.Rows
	if !fi.Sealed {
		tail := "complete stream, never sealed"
		if f.Tail != nil {
			tail = f.Tail.Error()
		}
		rep.Tails = append(rep.Tails, fi.Name+": "+tail)
		l.o.Logger.Warn("loaded unsealed drive file", "file", fi.Name, "rows", f.Rows, "tail", tail)
	}
	return l.removeIfAsked(fi)
}

func (l *loader) removeIfAsked(fi drive.FileInfo) error {
	if !l.o.Remove {
		return nil
	}
	for _, p := range []string{fi.Path, fi.Path + drive.SealExt} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove from drive: %w", err)
		}
	}
	return nil
}

package drive

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/plateward/alpr/internal/fsutil"
)

// Options configures a Recorder.
type Options struct {
	Dir          string           // the drive's directory
	Vehicle      string           // the car's identifier, part of every file name
	BatchRows    int              // reads buffered before a batch is written
	MaxFileBytes int64            // a file is sealed and a new one started past this size
	MaxFileAge   time.Duration    // a file is sealed and a new one started after this long
	Recipients   []age.Recipient  // encrypt every file to these (the department's key); none: plain
	BufferDir    string           // the car's own disk, used while the drive is full or missing; empty: none
	BufferBytes  int64            // the most the buffer holds; past it reads are dropped and counted (never hits)
	ProbeEvery   time.Duration    // how often a missing drive is looked for
	OnState      func(State)      // told when the drive fails, comes back, or reads are dropped
	Now          func() time.Time // the clock
	Logger       *slog.Logger
}

// DefaultOptions returns options for a drive in dir.
func DefaultOptions(dir, vehicle string) Options {
	return Options{
		Dir: dir, Vehicle: vehicle,
		BatchRows:    256,
		MaxFileBytes: 64 << 20,
		MaxFileAge:   15 * time.Minute,
		BufferBytes:  2 << 30,
		ProbeEvery:   5 * time.Second,
		Now:          time.Now,
		Logger:       slog.Default(),
	}
}

// Validate reports the first invalid option.
func (o Options) Validate() error {
	switch {
	case o.Dir == "":
		return errors.New("drive options: no directory")
	case o.Vehicle == "" || strings.ContainsAny(o.Vehicle, "-/\\ "):
		return fmt.Errorf("drive options: vehicle %q must be non-empty without '-', '/', spaces", o.Vehicle)
	case o.BatchRows < 1:
		return fmt.Errorf("drive options: batch rows %d < 1", o.BatchRows)
	case o.MaxFileBytes < 1<<10:
		return fmt.Errorf("drive options: max file bytes %d < 1 KiB", o.MaxFileBytes)
	case o.MaxFileAge <= 0:
		return fmt.Errorf("drive options: max file age %s <= 0", o.MaxFileAge)
	case o.Now == nil || o.Logger == nil:
		return errors.New("drive options: clock and logger are required")
	case o.BufferDir != "" && (o.BufferBytes < 1<<20 || o.ProbeEvery <= 0):
		return errors.New("drive options: a buffer needs at least 1 MiB and a probe interval")
	case o.BufferDir != "" && filepath.Clean(o.BufferDir) == filepath.Clean(o.Dir):
		return errors.New("drive options: the buffer must be on the car's disk, not the drive")
	}
	return nil
}

// Recorder writes every kind of record to a drive, one open file per
// kind. Reads are batched; hits, dispositions and shift events are written
// and fsynced at once so that a power cut never loses one. A Recorder is
// not safe for concurrent use: the edge pipeline gives it one goroutine.
type Recorder struct {
	opts   Options
	open   map[Kind]*FileWriter
	opened map[Kind]time.Time
	seq    int
	sealed []Sealed
	buf    bufferState
}

// NewRecorder salvages leftovers in the drive directory and returns a
// recorder that writes to it.
func NewRecorder(opts Options) (*Recorder, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opts.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("create drive dir: %w", err)
	}
	if _, err := Salvage(opts.Dir, opts.Logger); err != nil {
		return nil, err
	}
	r := &Recorder{opts: opts, open: map[Kind]*FileWriter{}, opened: map[Kind]time.Time{}}
	r.buf.dir = opts.Dir
	r.buf.held = map[Kind][]Record{}
	if opts.BufferDir != "" {
		if err := os.MkdirAll(opts.BufferDir, 0o750); err != nil {
			return nil, fmt.Errorf("create drive buffer: %w", err)
		}
		// What an earlier shift left on the car's disk goes to the drive now.
		if err := r.moveBuffer(); err != nil {
			opts.Logger.Warn("drive buffer not moved yet", "error", err)
		}
	}
	return r, nil
}

// Add records one record. With a buffer, a drive that fails is replaced by
// the car's disk until it comes back; nothing already added is lost.
func (r *Recorder) Add(rec Record) error {
	if r.opts.BufferDir == "" {
		return r.add(rec)
	}
	if r.buf.active {
		r.maybeRestore()
	}
	if r.buf.active && rec.Kind() == KindReads && r.bufferUsed() >= r.opts.BufferBytes {
		r.buf.dropped++
		if r.buf.dropped == 1 || r.buf.dropped%100 == 0 {
			r.notify(nil)
		}
		return nil
	}
	r.buf.held[rec.Kind()] = append(r.buf.held[rec.Kind()], rec)
	err := r.add(rec)
	if err != nil && !r.buf.active {
		return r.failover(err)
	}
	return err
}

func (r *Recorder) add(rec Record) error {
	w, err := r.writer(rec.Kind())
	if err != nil {
		return err
	}
	if err := w.Append(rec); err != nil {
		return err
	}
	if rec.Kind() != KindReads || w.Pending() >= r.opts.BatchRows {
		// Everything but a read is flushed and synced at once.
		if err := w.Flush(rec.Kind() != KindReads); err != nil {
			return err
		}
	}
	if rec.Kind() != KindReads && len(r.opts.Recipients) > 0 {
		// age seals its stream in 64 KiB chunks and cannot flush a partial
		// one: a hit must not wait in memory for a chunk to fill, so an
		// encrypted hit (or step, or shift event) gets a file of its own.
		return r.seal(rec.Kind())
	}
	return r.maybeRotate(rec.Kind())
}

func (r *Recorder) writer(k Kind) (*FileWriter, error) {
	if w := r.open[k]; w != nil {
		return w, nil
	}
	now := r.opts.Now().UTC()
	for {
		r.seq++
		ext := FileExt
		if len(r.opts.Recipients) > 0 {
			ext = EncExt
		}
		name := fmt.Sprintf("%s-%s-%s-%06d%s", k, r.opts.Vehicle, now.Format("20060102T150405Z"), r.seq, ext)
		p := filepath.Join(r.buf.dir, name)
		//nolint:gosec // p is a file listed in the drive directory this recorder owns
		if _, err := os.Stat(p); err == nil {
			continue // a file of an earlier run in the same second
		}
		w, err := CreateFile(p, k, r.opts.Recipients...)
		if err != nil {
			return nil, err
		}
		r.open[k], r.opened[k] = w, now
		return w, nil
	}
}

// maybeRotate seals k's file once it is big or old enough. A clock that
// jumped backwards (a GPS or RTC correction) seals it too: measured from
// the new time the file would otherwise stay open, unsealed, until the
// clock caught up again.
func (r *Recorder) maybeRotate(k Kind) error {
	w := r.open[k]
	age := r.opts.Now().Sub(r.opened[k])
	if w.Bytes() < r.opts.MaxFileBytes && age >= 0 && age < r.opts.MaxFileAge {
		return nil
	}
	return r.seal(k)
}

func (r *Recorder) seal(k Kind) error {
	w := r.open[k]
	delete(r.open, k)
	s, err := w.Seal()
	if err != nil {
		return err
	}
	delete(r.buf.held, k)
	if r.buf.active {
		r.buf.sealedBytes += s.Bytes
	}
	r.sealed = append(r.sealed, s)
	return nil
}

// Flush writes every pending batch and fsyncs it.
func (r *Recorder) Flush() error {
	var errs []error
	for _, w := range r.open {
		errs = append(errs, w.Flush(true))
	}
	return errors.Join(errs...)
}

// Close seals every open file, and moves the buffer to the drive if the
// drive is back.
func (r *Recorder) Close() error {
	var errs []error
	for _, k := range Kinds() {
		if r.open[k] == nil {
			continue
		}
		if err := r.seal(k); err != nil {
			if r.opts.BufferDir != "" && !r.buf.active {
				err = r.failover(err)
			}
			errs = append(errs, err)
		}
	}
	for _, k := range Kinds() {
		if r.open[k] != nil {
			errs = append(errs, r.seal(k))
		}
	}
	if r.buf.active && r.probe() == nil {
		errs = append(errs, r.moveBuffer())
	}
	return errors.Join(errs...)
}

// Sealed returns the files sealed so far.
func (r *Recorder) Sealed() []Sealed { return r.sealed }

// Salvage turns the temporary files a crash left in dir into unsealed
// stream files, so that ingest loads their complete batches. A leftover
// without even a complete schema holds no record and is removed. It
// returns the salvaged paths.
func Salvage(dir string, log *slog.Logger) ([]string, error) {
	left, err := fsutil.Leftovers(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, tmp := range left {
		final := strings.TrimSuffix(tmp, fsutil.TmpSuffix)
		if !strings.HasSuffix(final, FileExt) && !strings.HasSuffix(final, EncExt) {
			// A seal cut short: its stream stays unsealed and ingest reports it.
			if err := os.Remove(tmp); err != nil {
				return out, fmt.Errorf("remove %s: %w", tmp, err)
			}
			continue
		}
		info, err := os.Stat(tmp)
		if err != nil {
			return out, fmt.Errorf("salvage %s: %w", tmp, err)
		}
		fi := FileInfo{Path: tmp, Name: filepath.Base(final), Size: info.Size(), Encrypted: strings.HasSuffix(final, EncExt)}
		if fi.Encrypted {
			// The car cannot read what it encrypted: keep every byte for
			// the station to salvage — unless not one chunk of the payload
			// is whole. age authenticates 64 KiB chunks and only the last
			// may be short, so a cut stream yields its whole chunks and
			// nothing else; a leftover without one (the kill came while
			// the header or the first chunk was written) holds no record,
			// and the station would quarantine it as undecryptable.
			if !ageHasWholeChunk(tmp, info.Size()) {
				log.Warn("removing encrypted drive leftover with no whole chunk", "file", tmp, "bytes", info.Size())
				if err := os.Remove(tmp); err != nil {
					return out, fmt.Errorf("remove %s: %w", tmp, err)
				}
				continue
			}
			if err := os.Rename(tmp, final); err != nil {
				return out, fmt.Errorf("salvage %s: %w", tmp, err)
			}
			log.Warn("salvaged unsealed encrypted drive file", "file", final, "bytes", info.Size())
			out = append(out, final)
			continue
		}
		f, rerr := ReadFile(fi)
		if rerr != nil && errors.Is(rerr, ErrTornTail) {
			log.Warn("removing drive leftover with no complete record", "file", tmp, "bytes", info.Size())
			if err := os.Remove(tmp); err != nil {
				return out, fmt.Errorf("remove %s: %w", tmp, err)
			}
			continue
		}
		if f != nil {
			log.Warn("salvaged unsealed drive file", "file", final, "rows", f.Rows, "tail", f.Tail)
			f.Release()
		}
		// Anything else (even unreadable) is kept under the final name so
		// ingest reports or quarantines it: nothing is dropped silently.
		if err := os.Rename(tmp, final); err != nil {
			return out, fmt.Errorf("salvage %s: %w", tmp, err)
		}
		out = append(out, final)
	}
	if len(out) > 0 {
		return out, fsutil.SyncDir(dir)
	}
	return out, nil
}

// age's payload layout: a 16-byte nonce, then chunks of 64 KiB of
// plaintext each sealed with a 16-byte tag.
const (
	ageNonceSize = 16
	ageChunkSize = 64<<10 + 16
)

// ageHasWholeChunk reports whether the age file at path (size bytes) holds
// its whole header — the "age-encryption.org/v1" line, the recipient
// stanzas and the "--- MAC" line — and at least one whole payload chunk
// after it. A file it cannot read or that is not age at all counts as
// having one, so that it is kept and reported rather than removed.
func ageHasWholeChunk(path string, size int64) bool {
	f, err := os.Open(path)
	if err != nil {
		return true
	}
	defer f.Close()
	buf := make([]byte, 64<<10) // a header for a few recipients is a few hundred bytes
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return true
	}
	head, magic := buf[:n], []byte("age-encryption.org/")
	if !bytes.HasPrefix(head, magic) {
		// Cut inside the first line (an empty file too): nothing whole.
		// Anything else is not age, and is kept for the station to report.
		return !bytes.HasPrefix(magic, head)
	}
	i := bytes.Index(head, []byte("\n--- "))
	if i < 0 {
		return false
	}
	j := bytes.IndexByte(head[i+1:], '\n')
	if j < 0 {
		return false
	}
	header := int64(i + 1 + j + 1)
	return size-header-ageNonceSize >= ageChunkSize
}

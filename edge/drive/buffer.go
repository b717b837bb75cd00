package drive

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/plateward/alpr/internal/fsutil"
)

// State is the drive's condition, for the officer's page and the shift's
// records.
type State struct {
	Buffering     bool  // the drive is full or missing: records go to the car's disk
	BufferedBytes int64 // what the buffer holds
	Dropped       int64 // reads dropped since the buffer filled (hits never are)
	Err           error // why the drive failed
}

// bufferState is the recorder's failover state.
type bufferState struct {
	dir         string            // where new files go: the drive, or the buffer
	active      bool              // writing to the buffer
	held        map[Kind][]Record // records of each open file, kept until it is sealed
	abandoned   []string          // temporary files left on a failed drive, removed when it returns
	sealedBytes int64             // bytes of files sealed in the buffer
	dropped     int64
	lastProbe   time.Time
	cause       error
}

// Dropped returns how many reads were dropped because the buffer was full.
func (r *Recorder) Dropped() int64 { return r.buf.dropped }

// State returns the drive's condition.
func (r *Recorder) State() State {
	return State{Buffering: r.buf.active, BufferedBytes: r.bufferUsed(), Dropped: r.buf.dropped, Err: r.buf.cause}
}

func (r *Recorder) bufferUsed() int64 {
	n := r.buf.sealedBytes
	if r.buf.active {
		for _, w := range r.open {
			n += w.Bytes()
		}
	}
	return n
}

func (r *Recorder) notify(err error) {
	if err != nil {
		r.buf.cause = err
	}
	if r.opts.OnState != nil {
		r.opts.OnState(r.State())
	}
}

// failover abandons the drive's open files and writes every record they
// held again, to the buffer on the car's disk.
func (r *Recorder) failover(cause error) error {
	r.opts.Logger.Error("drive failed: recording to the car's disk", "error", cause, "buffer", r.opts.BufferDir)
	for k, w := range r.open {
		r.buf.abandoned = append(r.buf.abandoned, w.Path()+fsutil.TmpSuffix)
		w.Abort() // may fail on a missing drive; removed again when it returns
		delete(r.open, k)
	}
	r.buf.active, r.buf.dir, r.buf.lastProbe = true, r.opts.BufferDir, r.opts.Now()
	held := r.buf.held
	r.buf.held = map[Kind][]Record{}
	r.notify(cause)
	for _, k := range Kinds() {
		for _, rec := range held[k] {
			r.buf.held[k] = append(r.buf.held[k], rec)
			if err := r.add(rec); err != nil {
				return fmt.Errorf("drive failed (%w) and so did the car's buffer: %w", cause, err)
			}
		}
	}
	return nil
}

// probe checks that the drive is there and takes a write.
func (r *Recorder) probe() error {
	st, err := os.Stat(r.opts.Dir) //nolint:gosec // the buffer directory is the car's own configuration
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return fmt.Errorf("%s is not a directory", r.opts.Dir)
	}
	p := filepath.Join(r.opts.Dir, ".plateward-probe")
	//nolint:gosec // p is inside the car's configured buffer directory
	if err := os.WriteFile(p, make([]byte, 64<<10), 0o600); err != nil {
		os.Remove(p) //nolint:gosec // p is inside the car's configured buffer directory
		return err
	}
	return os.Remove(p) //nolint:gosec // p is inside the car's configured buffer directory
}

// maybeRestore looks for the drive now and then, and when it takes writes
// again, seals the buffer's open files and moves the buffer to it.
func (r *Recorder) maybeRestore() {
	now := r.opts.Now()
	if now.Sub(r.buf.lastProbe) < r.opts.ProbeEvery {
		return
	}
	r.buf.lastProbe = now
	if r.probe() != nil {
		return
	}
	for _, k := range Kinds() {
		if r.open[k] != nil {
			if err := r.seal(k); err != nil {
				r.opts.Logger.Error("seal buffer file", "error", err)
				return
			}
		}
	}
	if err := r.moveBuffer(); err != nil {
		r.opts.Logger.Warn("drive back but buffer not moved", "error", err)
		return
	}
	r.buf.active, r.buf.dir, r.buf.cause = false, r.opts.Dir, nil
	r.opts.Logger.Info("drive back: buffer moved to it", "dropped", r.buf.dropped)
	r.notify(nil)
}

// moveBuffer moves every sealed file of the buffer to the drive: each file
// is written there atomically and its seal after it; only then is it
// removed from the buffer. Abandoned temporary files on the drive go.
func (r *Recorder) moveBuffer() error {
	for _, p := range r.buf.abandoned {
		//nolint:gosec // p is a file this buffer listed in its own directory
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	r.buf.abandoned = nil
	files, err := List(r.opts.BufferDir)
	if err != nil {
		return err
	}
	for _, f := range files {
		if !f.Sealed {
			continue
		}
		for _, suffix := range []string{"", SealExt} {
			if err := copyFile(f.Path+suffix, filepath.Join(r.opts.Dir, f.Name+suffix)); err != nil {
				return err
			}
		}
		if err := os.Remove(f.Path + SealExt); err != nil {
			return err
		}
		if err := os.Remove(f.Path); err != nil {
			return err
		}
	}
	r.buf.sealedBytes = 0
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := fsutil.WriteFrom(dst, in); err != nil {
		return fmt.Errorf("move %s to the drive: %w", filepath.Base(src), err)
	}
	return nil
}

package capture

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"gocv.io/x/gocv"
)

// Latest reads a source on its own goroutine and keeps only the newest
// frame: a recogniser slower than the camera never blocks capture, it just
// gets the latest picture, and the frames it never took are counted. With
// pace, a replayed file is played at its own frame rate and stamped with
// the clock, as a live camera would be.
type Latest struct {
	src     Source
	mu      sync.Mutex
	cond    *sync.Cond
	slot    *Frame // the newest frame not yet taken; its Mat is a clone
	err     error  // io.EOF at the end, or the source's error
	lost    error  // ErrLost from the source, not yet passed on
	dropped int64
	cancel  context.CancelFunc
	done    chan struct{}
	taken   gocv.Mat
}

// NewLatest starts reading src. now stamps paced frames.
func NewLatest(ctx context.Context, src Source, pace bool, now func() time.Time) *Latest {
	ctx, cancel := context.WithCancel(ctx)
	l := &Latest{src: src, cancel: cancel, done: make(chan struct{}), taken: gocv.NewMat()}
	l.cond = sync.NewCond(&l.mu)
	go l.run(ctx, pace, now)
	return l
}

func (l *Latest) run(ctx context.Context, pace bool, now func() time.Time) {
	defer close(l.done)
	var f Frame
	period := time.Duration(0)
	if fps := l.src.FPS(); pace && fps > 0 {
		period = time.Duration(float64(time.Second) / fps)
	}
	next := now()
	for {
		if ctx.Err() != nil {
			l.finish(ctx.Err())
			return
		}
		err := l.src.Next(&f)
		if errors.Is(err, ErrLost) {
			// Passed on once, before any frame read after it; a frame from
			// before the loss not yet taken is dropped (the reader is told
			// the scene is gone).
			l.mu.Lock()
			if l.slot != nil {
				l.slot.Mat.Close()
				l.slot = nil
				l.dropped++
			}
			l.lost = err
			l.cond.Broadcast()
			l.mu.Unlock()
			continue
		}
		if err != nil {
			l.finish(err)
			return
		}
		if period > 0 {
			if d := next.Sub(now()); d > 0 {
				select {
				case <-time.After(d):
				case <-ctx.Done():
				}
			}
			next = next.Add(period)
			f.At = now()
		}
		c := Frame{Camera: f.Camera, Seq: f.Seq, At: f.At, Mat: f.Mat.Clone()}
		l.mu.Lock()
		if l.slot != nil {
			l.slot.Mat.Close()
			l.dropped++
		}
		l.slot = &c
		l.cond.Signal()
		l.mu.Unlock()
	}
}

func (l *Latest) finish(err error) {
	l.mu.Lock()
	l.err = err
	l.cond.Broadcast()
	l.mu.Unlock()
}

// Next waits for a frame newer than the last one taken. The frame's Mat
// is valid until the next call.
func (l *Latest) Next(f *Frame) error {
	l.mu.Lock()
	for l.slot == nil && l.err == nil && l.lost == nil {
		l.cond.Wait()
	}
	if l.lost != nil {
		err := l.lost
		l.lost = nil
		l.mu.Unlock()
		return err
	}
	if l.slot == nil {
		err := l.err
		l.mu.Unlock()
		if errors.Is(err, context.Canceled) {
			return io.EOF
		}
		return err
	}
	s := l.slot
	l.slot = nil
	l.mu.Unlock()
	l.taken.Close()
	l.taken = s.Mat
	*f = *s
	return nil
}

// Dropped returns how many frames the consumer never took.
func (l *Latest) Dropped() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.dropped
}

// FPS is the source's frame rate.
func (l *Latest) FPS() float64 { return l.src.FPS() }

// Close stops reading and closes the source.
func (l *Latest) Close() error {
	l.cancel()
	<-l.done
	l.mu.Lock()
	if l.slot != nil {
		l.slot.Mat.Close()
		l.slot = nil
	}
	l.mu.Unlock()
	l.taken.Close()
	return l.src.Close()
}

package capture

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrLost is returned by Next once when a live camera is lost, before it
// reconnects: the caller ends what it had open (a plate in view when the
// cable is kicked is read at once, not when the camera comes back) and
// calls Next again.
var ErrLost = errors.New("camera lost; reconnecting")

// ErrCameraGone is a live camera that did not come back within
// ReconnectOptions.GiveUp: it is reported, not retried for ever.
var ErrCameraGone = errors.New("camera did not come back")

// Camera states a Reconnecting source reports.
const (
	StateLost = "lost" // the stream failed or ended; reconnecting
	StateBack = "back" // reconnected; frames flow again
	StateGone = "gone" // not back within GiveUp
)

// ReconnectOptions configures a Reconnecting source.
type ReconnectOptions struct {
	First  time.Duration // the first wait before reopening; doubled each failed attempt
	Max    time.Duration // the longest wait between two attempts
	GiveUp time.Duration // a camera down this long is gone (ErrCameraGone)
	// OnState is told every change: StateLost (with the error), StateBack,
	// StateGone. It runs on the reading goroutine: it must not block.
	OnState func(state string, err error)
}

// DefaultReconnectOptions waits 0.5 s, then 1, 2, 4 … up to 10 s between
// attempts, and gives a camera up after 5 minutes down.
func DefaultReconnectOptions() ReconnectOptions {
	return ReconnectOptions{First: 500 * time.Millisecond, Max: 10 * time.Second, GiveUp: 5 * time.Minute}
}

// Validate reports the first invalid option.
func (o ReconnectOptions) Validate() error {
	if o.First <= 0 || o.Max < o.First || o.GiveUp < o.First {
		return fmt.Errorf("reconnect options: waits %v..%v and give-up %v must be positive and ordered", o.First, o.Max, o.GiveUp)
	}
	return nil
}

// Reconnecting is a live source that survives its camera: when the stream
// fails or ends (a kicked cable, a camera rebooting, a new resolution), it
// reports the camera lost, reopens it with backoff, and reports it back;
// a camera down for GiveUp is reported gone and ends the source with
// ErrCameraGone. Frame numbers and times go on across reconnects.
type Reconnecting struct {
	ctx  context.Context
	sp   Spec
	o    Options
	ro   ReconnectOptions
	cur  Source
	seq  int64
	fps  float64
	down time.Time // when the camera was lost; zero while it is up
}

// NewReconnecting opens sp, a live source (device, RTSP, HTTP), and keeps
// it open until ctx ends. The first open must succeed.
func NewReconnecting(ctx context.Context, sp Spec, o Options, ro ReconnectOptions) (*Reconnecting, error) {
	if err := ro.Validate(); err != nil {
		return nil, err
	}
	src, err := Open(sp, o)
	if err != nil {
		return nil, err
	}
	return &Reconnecting{ctx: ctx, sp: sp, o: o, ro: ro, cur: src, fps: src.FPS()}, nil
}

func (r *Reconnecting) state(s string, err error) {
	if r.ro.OnState != nil {
		r.ro.OnState(s, err)
	}
}

// Next returns the next frame, reconnecting as long as it takes, up to
// GiveUp; a loss is reported once as ErrLost first.
func (r *Reconnecting) Next(f *Frame) error {
	wait := r.ro.First
	for {
		if r.cur == nil {
			if err := r.ctx.Err(); err != nil {
				return err
			}
			if r.o.Now().Sub(r.down) >= r.ro.GiveUp {
				r.state(StateGone, nil)
				return fmt.Errorf("source %s: %w within %v", r.sp.Camera, ErrCameraGone, r.ro.GiveUp)
			}
			t := time.NewTimer(wait)
			select {
			case <-r.ctx.Done():
				t.Stop()
				return r.ctx.Err()
			case <-t.C:
			}
			wait = min(2*wait, r.ro.Max)
			src, err := Open(r.sp, r.o)
			if err != nil {
				continue
			}
			r.cur, r.fps = src, src.FPS()
		}
		err := r.cur.Next(f)
		if err == nil {
			if !r.down.IsZero() {
				r.down = time.Time{}
				r.state(StateBack, nil)
			}
			f.Seq = r.seq
			r.seq++
			return nil
		}
		_ = r.cur.Close() // the stream is gone either way
		r.cur = nil
		if r.down.IsZero() {
			r.down = r.o.Now()
			r.state(StateLost, err)
			return fmt.Errorf("source %s: %w: %w", r.sp.Camera, ErrLost, err)
		}
	}
}

// FPS is the camera's frame rate as last opened.
func (r *Reconnecting) FPS() float64 { return r.fps }

// Close closes the current stream.
func (r *Reconnecting) Close() error {
	if r.cur == nil {
		return nil
	}
	err := r.cur.Close()
	r.cur = nil
	return err
}

package edge

import (
	"errors"
	"sync"

	"github.com/plateward/alpr/edge/drive"
)

// recordSink is where the reader's records go: the drive's Recorder, or in
// a test one that stalls like a slow thumb drive.
type recordSink interface {
	Add(drive.Record) error
	State() drive.State
	Close() error
	Sealed() []drive.Sealed
}

// maxQueued is how many records may wait for a stalled drive before reads
// (never hits, dispositions or shift events) are dropped and counted:
// minutes of reads from four cameras.
const maxQueued = 1 << 16

// driveQueue puts the drive behind its own goroutine, so that nothing on
// the alert path waits on disk: a USB stick that stalls for seconds on an
// fsync delays the records, never the officer's alert. Records reach the
// sink in the order they were added; a hit is handed on at once and the
// Recorder syncs it at once, as before.
type driveQueue struct {
	sink    recordSink
	mu      sync.Mutex
	wake    *sync.Cond // a record was queued, or the queue closed
	idle    *sync.Cond // the queue emptied
	q       []drive.Record
	busy    bool // the writer holds a record the queue no longer shows
	closed  bool
	err     error // the sink's first error, returned by every later Add
	dropped int64 // reads dropped because the queue was full
	done    chan struct{}
}

func newDriveQueue(sink recordSink) *driveQueue {
	d := &driveQueue{sink: sink, done: make(chan struct{})}
	d.wake, d.idle = sync.NewCond(&d.mu), sync.NewCond(&d.mu)
	go d.run()
	return d
}

func (d *driveQueue) run() {
	defer close(d.done)
	d.mu.Lock()
	for {
		for len(d.q) == 0 && !d.closed {
			d.idle.Broadcast()
			d.wake.Wait()
		}
		if len(d.q) == 0 {
			d.idle.Broadcast()
			d.mu.Unlock()
			return
		}
		r := d.q[0]
		d.q[0] = nil
		d.q = d.q[1:]
		d.busy = true
		d.mu.Unlock()
		err := d.sink.Add(r)
		d.mu.Lock()
		d.busy = false
		if err != nil && d.err == nil {
			d.err = err
		}
	}
}

// Add queues a record for the drive without waiting for it. It returns
// the first error the drive gave on an earlier record, if any.
func (d *driveQueue) Add(r drive.Record) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err != nil {
		return d.err
	}
	if len(d.q) >= maxQueued && r.Kind() == drive.KindReads {
		d.dropped++
		return nil
	}
	d.q = append(d.q, r)
	d.wake.Signal()
	return nil
}

// Len is how many records wait for the drive.
func (d *driveQueue) Len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := len(d.q)
	if d.busy {
		n++
	}
	return n
}

// Wait returns once every queued record is on the drive (or failed).
func (d *driveQueue) Wait() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for len(d.q) > 0 || d.busy {
		d.idle.Wait()
	}
	return d.err
}

// Dropped is how many reads a full queue dropped.
func (d *driveQueue) Dropped() int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.dropped
}

// Close writes what is queued, stops the writer and closes the sink.
func (d *driveQueue) Close() error {
	d.mu.Lock()
	d.closed = true
	d.wake.Signal()
	d.mu.Unlock()
	<-d.done
	return errors.Join(d.err, d.sink.Close())
}

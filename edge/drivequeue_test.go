package edge

import (
	"errors"
	"sync"
	"testing"

	"github.com/plateward/alpr/edge/drive"
)

// memDrive keeps what it is given; gate, when set, holds every Add until
// it is closed; fail makes every Add fail.
type memDrive struct {
	mu   sync.Mutex
	got  []drive.Record
	gate chan struct{}
	fail error
}

func (m *memDrive) Add(r drive.Record) error {
	if m.gate != nil {
		<-m.gate
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	m.got = append(m.got, r)
	return nil
}
func (m *memDrive) State() drive.State     { return drive.State{} }
func (m *memDrive) Close() error           { return nil }
func (m *memDrive) Sealed() []drive.Sealed { return nil }

func TestDriveQueue(t *testing.T) {
	t.Run("keeps order and waits for the drive", func(t *testing.T) {
		m := &memDrive{}
		d := newDriveQueue(m)
		for _, id := range []string{"a", "b", "c"} {
			if err := d.Add(drive.Read{ID: id}); err != nil {
				t.Fatal(err)
			}
		}
		if err := d.Wait(); err != nil {
			t.Fatal(err)
		}
		if len(m.got) != 3 || m.got[0].(drive.Read).ID != "a" || m.got[2].(drive.Read).ID != "c" {
			t.Fatalf("got %v", m.got)
		}
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a stalled drive drops reads past the bound, never hits", func(t *testing.T) {
		m := &memDrive{gate: make(chan struct{})}
		d := newDriveQueue(m)
		for range maxQueued + 10 {
			if err := d.Add(drive.Read{ID: "r"}); err != nil {
				t.Fatal(err)
			}
		}
		if err := d.Add(drive.Hit{ID: "h"}); err != nil {
			t.Fatal(err)
		}
		close(m.gate)
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
		// The writer may hold one read while the queue fills: 9 or 10 drop.
		if n := d.Dropped(); n < 9 || n > 10 {
			t.Fatalf("dropped %d reads, want 9 or 10", n)
		}
		if _, ok := m.got[len(m.got)-1].(drive.Hit); !ok || int64(len(m.got))+d.Dropped() != maxQueued+11 {
			t.Fatalf("%d records reached the drive, the last %T", len(m.got), m.got[len(m.got)-1])
		}
	})
	t.Run("the drive's error is returned from then on", func(t *testing.T) {
		boom := errors.New("drive gone")
		d := newDriveQueue(&memDrive{fail: boom})
		if err := d.Add(drive.Read{ID: "a"}); err != nil {
			t.Fatal(err)
		}
		if err := d.Wait(); !errors.Is(err, boom) {
			t.Fatalf("wait: %v", err)
		}
		if err := d.Add(drive.Read{ID: "b"}); !errors.Is(err, boom) {
			t.Fatalf("add after failure: %v", err)
		}
		if err := d.Close(); !errors.Is(err, boom) {
			t.Fatalf("close: %v", err)
		}
	})
}

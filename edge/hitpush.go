package edge

import (
	"context"
	"encoding/json"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/plateward/alpr/edge/drive"
)

// pushQueue bounds the hits waiting for the network: past it a hit is
// not pushed (it is on the drive), and the loss is counted.
const pushQueue = 256

// pusher sends alerting hits to the back office from its own goroutine;
// offer never blocks the alert path.
type pusher struct {
	o       Options
	l       *link
	q       chan drive.PushedHit
	sent    atomic.Int64
	dropped atomic.Int64 // the queue was full
	failed  atomic.Int64 // every try failed
	pending atomic.Int64 // queued or being sent
}

func newPusher(o Options) (*pusher, error) {
	l, err := newLink(o.BackOffice)
	if err != nil {
		return nil, err
	}
	return &pusher{o: o, l: l, q: make(chan drive.PushedHit, pushQueue)}, nil
}

// offer queues a hit for dispatch. Covert hits never leave the car's
// drive: a covert list's match is recorded, not broadcast.
func (p *pusher) offer(h drive.Hit, pos drive.Position, crop []byte) {
	if h.Covert {
		return
	}
	ph := drive.PushedHit{ID: h.ID, AlertedAt: h.AlertedAt, Plate: h.Plate, MatchedPlate: h.MatchedPlate, MatchKind: h.MatchKind,
		ListName: h.ListName, ListCode: h.ListCode, NCICNumber: h.NCICNumber, Priority: h.Priority, Reason: h.Reason,
		VehicleDesc: h.VehicleDesc, Camera: h.Camera, Officer: h.Officer, HasFix: pos.Fix, Lat: pos.Lat, Lon: pos.Lon}
	if len(crop) <= drive.MaxPushedCropBytes {
		ph.CropJPEG = crop
	}
	p.pending.Add(1)
	select {
	case p.q <- ph:
	default:
		p.pending.Add(-1)
		p.dropped.Add(1)
	}
}

// drain waits, at most d, for the queued hits to be sent (at logout).
func (p *pusher) drain(d time.Duration) {
	deadline := time.Now().Add(d)
	for p.pending.Load() > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
}

// notPushed counts the hits that did not reach the back office.
func (p *pusher) notPushed() int64 { return p.dropped.Load() + p.failed.Load() + p.pending.Load() }

// run sends queued hits until ctx ends, trying each a few times; the
// back office ignores a hit it already has, so a retry is safe.
func (p *pusher) run(ctx context.Context) {
	backoff := []time.Duration{0, time.Second, 5 * time.Second, 15 * time.Second}
	for {
		select {
		case <-ctx.Done():
			return
		case h := <-p.q:
			body, _ := json.Marshal(h)
			ok := false
			for _, wait := range backoff {
				select {
				case <-ctx.Done():
					return
				case <-time.After(wait):
				}
				tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				_, err := p.l.do(tctx, http.MethodPost, "/car/hits", body)
				cancel()
				if err == nil {
					ok = true
					break
				}
				p.o.Logger.Info("hit push", "hit", h.ID, "err", err)
				if refused(err) && h.CropJPEG != nil {
					// A station older than the car takes no crop: the hit
					// matters, the picture is on the drive.
					h.CropJPEG = nil
					body, _ = json.Marshal(h)
				}
			}
			if ok {
				p.sent.Add(1)
			} else {
				p.failed.Add(1)
			}
			p.pending.Add(-1)
		}
	}
}

// Package track turns the many frames in which one plate is seen into one
// read. Observations of a camera join an open track when their reading is
// the track's plate up to one edit or OCR look-alikes, or else when their
// plate is where the track's plate was last seen in an earlier frame. A
// track that has not been seen for Gap ends and yields its read: the
// reading with the most confidence summed over its frames, the crop of its
// best frame, and every reading ranked as candidates.
package track

import (
	"errors"
	"fmt"
	"image"
	"sort"
	"time"

	"github.com/google/uuid"

	"github.com/plateward/alpr/edge/plate"
)

// Options configures a Tracker.
type Options struct {
	Gap           time.Duration // a track ends when unseen this long
	MaxCandidates int           // candidates kept per read
	NewID         func() string // names a track; its read keeps the name
	// Fuse reads a track per character position as well as per reading
	// (fuse.go): where the frames' readings of the plate's length agree
	// position by position on a reading that no single frame made best,
	// that reading goes first.
	Fuse bool
	// PlaceGap: an observation whose reading is unlike every open track's
	// still joins the track whose plate it overlaps, if that plate was seen
	// at most this long before (byPlace); 0: never.
	PlaceGap time.Duration
}

// DefaultOptions suits 15–30 fps cameras.
func DefaultOptions() Options {
	return Options{Gap: 700 * time.Millisecond, PlaceGap: 300 * time.Millisecond, MaxCandidates: 10,
		NewID: func() string { return uuid.Must(uuid.NewV7()).String() }}
}

// Validate reports the first invalid option.
func (o Options) Validate() error {
	if o.Gap <= 0 {
		return errors.New("track options: gap must be positive")
	}
	if o.PlaceGap < 0 || o.PlaceGap > o.Gap {
		return fmt.Errorf("track options: place gap %v outside 0..%v", o.PlaceGap, o.Gap)
	}
	if o.MaxCandidates < 1 {
		return errors.New("track options: max candidates < 1")
	}
	if o.NewID == nil {
		return errors.New("track options: no id function")
	}
	return nil
}

// Candidate is a reading with a confidence (0–1).
type Candidate struct {
	Text       string
	Confidence float32
}

// Observation is one frame's reading of a plate.
type Observation struct {
	At         time.Time
	Frame      int64
	Box        image.Rectangle
	Candidates []Candidate // best first
	Crop       []byte      // JPEG of the plate in this frame
}

// Read is a finished track.
type Read struct {
	ID         string // the track's id, given when it began
	Camera     string
	First      time.Time
	Last       time.Time
	Frames     int
	Best       Observation // the frame whose reading agreed best with the plate
	Plate      string
	Confidence float32
	Candidates []Candidate
	State      string // postal code, when read (set by the caller)
}

type trk struct {
	id    string
	obs   []Observation
	votes map[string]float32
	last  time.Time
	lead  string
}

// Tracker tracks the plates of one camera. It is not safe for concurrent
// use; give each camera its own.
type Tracker struct {
	camera string
	opts   Options
	open   []*trk
	cz     *plate.Canonicalizer
}

// New returns a Tracker for camera.
func New(camera string, o Options) (*Tracker, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	return &Tracker{camera: camera, opts: o, cz: plate.NewCanonicalizer()}, nil
}

// Observe adds an observation and returns the tracks that ended before it.
func (t *Tracker) Observe(o Observation) []Read {
	done, _ := t.ObserveTrack(o)
	return done
}

// ObserveTrack is Observe that also names the track the observation
// joined, so that a hit can be raised on the first frame, before the
// track ends, and its read found later under the same id.
func (t *Tracker) ObserveTrack(o Observation) ([]Read, string) {
	done := t.Expire(o.At)
	if len(o.Candidates) == 0 {
		return done, ""
	}
	text := o.Candidates[0].Text
	var into *trk
	for _, k := range t.open {
		if t.similar(k.lead, text) {
			into = k
			break
		}
	}
	if into == nil {
		into = t.byPlace(o)
	}
	if into == nil {
		into = &trk{id: t.opts.NewID(), votes: map[string]float32{}}
		t.open = append(t.open, into)
	}
	into.obs = append(into.obs, o)
	into.last = o.At
	for i, c := range o.Candidates {
		w := c.Confidence
		if i == 0 {
			w += 1 // each frame's own reading counts most
		}
		into.votes[c.Text] += w
	}
	into.lead = leader(into.votes)
	return done, into.id
}

// byPlace returns the open track whose plate, seen at most PlaceGap
// before, is where this observation's plate is and was read at least half
// alike: the same plate a frame or two later, still far off or blurred,
// misread by more than one edit (HAALCU, then 0ALCU, then 044LCU). Only
// earlier frames count (two plates of one frame are two plates); of
// several, the one overlapping most. Without this, every early misread of
// a plate became a read of its own. A reading with nothing in common with
// the track's is another car's plate, even in the same place: a live
// stream that drops frames can show the next car where the last one was a
// moment before.
func (t *Tracker) byPlace(o Observation) *trk {
	var best *trk
	bo := 0.0
	text := o.Candidates[0].Text
	for _, k := range t.open {
		last := k.obs[len(k.obs)-1]
		if !last.At.Before(o.At) || o.At.Sub(last.At) > t.opts.PlaceGap || !halfAlike(k.lead, text) {
			continue
		}
		if ov := samePlace(last.Box, o.Box); ov > bo {
			best, bo = k, ov
		}
	}
	return best
}

// samePlace is the overlap (intersection over union) of two views of a
// plate when they may be one plate that moved between frames: at least a
// fifth, neither view more than half as wide again as the other (a car
// following the last one shows a smaller plate where it was); else 0.
func samePlace(a, b image.Rectangle) float64 {
	if a.Empty() || b.Empty() || 2*b.Dx() > 3*a.Dx() || 2*a.Dx() > 3*b.Dx() {
		return 0
	}
	in := a.Intersect(b)
	i := float64(in.Dx() * in.Dy())
	u := float64(a.Dx()*a.Dy()+b.Dx()*b.Dy()) - i
	if iou := i / u; iou >= 0.2 {
		return iou
	}
	return 0
}

// Expire ends the tracks unseen since now−Gap.
func (t *Tracker) Expire(now time.Time) []Read {
	var done []Read
	keep := t.open[:0]
	for _, k := range t.open {
		if now.Sub(k.last) > t.opts.Gap {
			done = append(done, t.finish(k))
		} else {
			keep = append(keep, k)
		}
	}
	t.open = keep
	return done
}

// Flush ends every open track, at the end of a source.
func (t *Tracker) Flush() []Read {
	var done []Read
	for _, k := range t.open {
		done = append(done, t.finish(k))
	}
	t.open = nil
	return done
}

func leader(votes map[string]float32) string {
	best, bv := "", float32(-1)
	for s, v := range votes {
		if v > bv || (v == bv && s < best) {
			best, bv = s, v
		}
	}
	return best
}

func (t *Tracker) finish(k *trk) Read {
	type tv struct {
		s string
		v float32
	}
	var all []tv
	var total float32
	for s, v := range k.votes {
		all = append(all, tv{s, v})
		total += v
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].v != all[j].v {
			return all[i].v > all[j].v
		}
		return all[i].s < all[j].s
	})
	r := Read{ID: k.id, Camera: t.camera, First: k.obs[0].At, Last: k.last, Frames: len(k.obs), Plate: all[0].s}
	for i, c := range all {
		if i == t.opts.MaxCandidates {
			break
		}
		r.Candidates = append(r.Candidates, Candidate{c.s, c.v / total})
	}
	if t.opts.Fuse {
		if f, conf, ok := fuse(k.obs); ok && f != r.Plate {
			r.Plate = f
			r.Candidates = append([]Candidate{{f, conf}}, r.Candidates...)
			if len(r.Candidates) > t.opts.MaxCandidates {
				r.Candidates = r.Candidates[:t.opts.MaxCandidates]
			}
		}
	}
	r.Confidence = r.Candidates[0].Confidence
	// The best frame is the largest view that reads the plate itself (the
	// crop the officer confirms and the state's name is read from: pixels
	// count more there than the reader's confidence, which the joint order
	// of two readers rescales), the more confident of two as large;
	// failing that, the largest view.
	bi := -1
	for i, o := range k.obs {
		if o.Candidates[0].Text != r.Plate {
			continue
		}
		if bi < 0 || o.Box.Dx() > k.obs[bi].Box.Dx() ||
			o.Box.Dx() == k.obs[bi].Box.Dx() && o.Candidates[0].Confidence > k.obs[bi].Candidates[0].Confidence {
			bi = i
		}
	}
	if bi < 0 {
		for i, o := range k.obs {
			if bi < 0 || o.Box.Dx() > k.obs[bi].Box.Dx() {
				bi = i
			}
		}
	}
	r.Best = k.obs[bi]
	return r
}

// similar: the same plate read again, up to look-alikes or one edit.
func (t *Tracker) similar(a, b string) bool {
	if t.cz.Equivalent(a, b) {
		return true
	}
	return editDistanceAtMost1(a, b)
}

// halfAlike: at most half the longer reading's characters must change to
// turn one reading into the other.
func halfAlike(a, b string) bool {
	return 2*plate.Levenshtein(a, b) <= max(len(a), len(b))
}

func editDistanceAtMost1(a, b string) bool {
	if len(a) < len(b) {
		a, b = b, a
	}
	if len(a)-len(b) > 1 {
		return false
	}
	i, j, edits := 0, 0, 0
	for i < len(a) && j < len(b) {
		if a[i] == b[j] {
			i++
			j++
			continue
		}
		edits++
		if edits > 1 {
			return false
		}
		if len(a) == len(b) {
			j++
		}
		i++
	}
	return edits+(len(a)-i) <= 1
}

package edge

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"gocv.io/x/gocv"

	"github.com/plateward/alpr/edge/capture"
	"github.com/plateward/alpr/edge/detect"
	"github.com/plateward/alpr/edge/ocr"
	"github.com/plateward/alpr/edge/shift"
	"github.com/plateward/alpr/edge/textdet"
	"github.com/plateward/alpr/edge/track"
)

type camCounts struct {
	frames, observations, dropped, still, secondLooks int64
}

// Recognizer finds and reads the plates of one frame. It holds a detector,
// the OCR's networks and Tesseract client, and the second look's text
// detector: one per worker.
type Recognizer struct {
	det       *detect.Detector
	text      *textdet.Detector // nil: no second look
	maxLines  int
	ocr       *ocr.Reader
	readState bool
	plateGate float32
	lastGate  float32
	plateRank float64       // PlateRank
	gated     []gatedRegion // regions the gate held back in the frame being read
}

// RecognizerOptions configures a Recognizer.
type RecognizerOptions struct {
	Detect     detect.Options
	OCR        ocr.Options
	SecondLook SecondLookOptions
	// PlateGate: a region of a frame whose plate probability (the plate
	// net's, ocr.Result.Plate) is under this is not a plate — a state's
	// name, a slogan, a dealer's word, a sign — and never becomes a read.
	// 0 lets everything through; a crop (RecognizeCrop) is never gated.
	PlateGate float32
	// LastGate: where neither look found a region past PlateGate, the
	// likeliest region held back is still read if its plate probability is
	// at least this: a dark or worn plate the net doubts is still the best
	// the frame has (and a near miss can still match a list by its
	// look-alikes), where a legend beside a plate that passed is not.
	// Above PlateGate: never.
	LastGate float32
	// PlateRank weighs a plate's Likelihood by its plate probability to
	// this power when the plates of a frame are ranked (0: not at all).
	PlateRank float64
}

// SecondLookOptions configures the reader's second look at a frame in
// which the character-row detector found nothing readable: PaddleOCR's
// text detector (package textdet) finds the lines of text, and the OCR
// reads the plate-shaped ones. It finds the plates whose characters are
// fused with a dealer's frame and dim plates at night (development scenes:
// plates found 90.4 → 96.5 %, read exactly 77.2 → 81.6 %; it runs only
// where the first look read nothing, so the median scene does not pay it),
// and needs ONNX Runtime: with the OCR in OpenCV there is none.
type SecondLookOptions struct {
	Off      bool
	Text     textdet.Options // ModelsDir is the OCR's
	MaxLines int             // plate-shaped lines read, widest first
	// Every is, for video, the least time between a camera's second looks:
	// it costs about 90 ms a frame, and a car stays in view for many
	// frames. A still image (the accuracy benchmark, an image folder)
	// always gets its second look.
	Every time.Duration
}

// DefaultSecondLookOptions returns a second look at most once a second a
// camera, reading up to 6 lines.
func DefaultSecondLookOptions() SecondLookOptions {
	return SecondLookOptions{Text: textdet.DefaultOptions(), MaxLines: 6, Every: time.Second}
}

// active reports whether a recogniser with these options takes second
// looks: not when turned off, nor without ONNX Runtime.
func (s SecondLookOptions) active(o ocr.Options) bool {
	return !s.Off && o.Engine == ocr.EngineDNN && o.Runtime == ocr.RuntimeONNX
}

// DefaultPlateGate is the plate probability under which a region of a
// frame is not read (RecognizerOptions.PlateGate), with DefaultLastGate
// and DefaultPlateRank chosen together by train/choose.py over the five
// folds of the development scenes (the grid and each fold's figures are in
// edge/models/PLATENET.md): with platenet v1, junk reads 24.6 → 1.8 per
// 100 scenes, top-1 81.6 % either way, detection 96.5 → 95.6 %; with v2,
// every fold chose them again (2.6 junk reads per 100).
const DefaultPlateGate = 0.65

// DefaultLastGate is RecognizerOptions.LastGate's default: without it
// (gate alone) detection fell to 93.0 %, dark and worn plates the net
// doubted being the frame's only region.
const DefaultLastGate = 0.05

// DefaultPlateRank is RecognizerOptions.PlateRank's default: ranking by
// the plate probability (powers 1 and 3) changed no scene's first plate.
const DefaultPlateRank = 0

// DefaultRecognizerOptions returns each stage's defaults.
func DefaultRecognizerOptions() RecognizerOptions {
	return RecognizerOptions{Detect: detect.DefaultOptions(), OCR: ocr.DefaultOptions(), SecondLook: DefaultSecondLookOptions(), PlateGate: DefaultPlateGate, LastGate: DefaultLastGate, PlateRank: DefaultPlateRank}
}

// NewRecognizer returns a Recognizer.
func NewRecognizer(o RecognizerOptions) (*Recognizer, error) {
	det, err := detect.New(o.Detect)
	if err != nil {
		return nil, err
	}
	rd, err := ocr.NewReader(o.OCR)
	if err != nil {
		det.Close()
		return nil, err
	}
	r := &Recognizer{det: det, ocr: rd, readState: o.OCR.ReadState, maxLines: o.SecondLook.MaxLines, plateGate: o.PlateGate, lastGate: o.LastGate, plateRank: o.PlateRank}
	if o.SecondLook.active(o.OCR) {
		to := o.SecondLook.Text
		to.ModelsDir = o.OCR.ModelsDir
		if r.text, err = textdet.New(to); err != nil {
			_ = r.Close() // the error that matters is the text detector's
			return nil, fmt.Errorf("second look: %w", err)
		}
	}
	return r, nil
}

// Close frees the recognizer.
func (r *Recognizer) Close() error {
	r.det.Close()
	var err error
	if r.text != nil {
		err = r.text.Close()
	}
	return errors.Join(err, r.ocr.Close())
}

// Plate is a plate read in one frame.
type Plate struct {
	Region detect.Region
	Result ocr.Result
}

// Recognize returns the plates read in frame, most likely plate first.
// Two regions that read the same text are one plate.
func (r *Recognizer) Recognize(frame gocv.Mat) ([]Plate, error) {
	out, _, err := r.recognize(frame, true)
	return out, err
}

// StateOf reads the state from a plate crop (JPEG): once a read, from its
// best frame, not on every frame.
func (r *Recognizer) StateOf(cropJPEG []byte) string {
	if !r.readState || len(cropJPEG) == 0 {
		return ""
	}
	m, err := gocv.IMDecode(cropJPEG, gocv.IMReadColor)
	if err != nil {
		return ""
	}
	defer m.Close()
	return r.ocr.ReadState(m, image.Rect(0, 0, m.Cols(), m.Rows())).Code
}

// Likelihood ranks plates read in one frame: the reader's confidence,
// discounted for a length few US plates have, for a reading of one kind of
// character only (unmixedDiscount) and for a region the detector found
// less plate-like. Every plate of a frame is kept but another's legend or
// a state's name (onePerPlate); the ranking says which is likelier the
// plate of the car in view.
func (p Plate) Likelihood() float64 {
	b := p.Result.Best()
	l := 1.0
	switch n := len(b.Text); {
	case n < 5:
		l = 0.6
	case n > 7:
		l = 0.8
	}
	if unmixed(b.Text) {
		l *= unmixedDiscount
	}
	return float64(b.Confidence) * l * p.Region.Score
}

// unmixedDiscount weighs a reading of digits only or letters only. Most US
// plates mix letters and digits; the other rows of characters in a street
// scene mostly do not: a bus's fleet number, a phone number on a dealer's
// frame, a date, a badge or a dealer's name. Plates of one kind exist
// (vanity plates, some states' numbers: a tenth of the development crops
// each way), and still read; beside a mixed reading they rank second.
// Tuned on the development scenes (top-1): no discount 74.6 %, 0.85 on
// digits only 73.7 %, 0.75 on digits only 76.3 %, 0.75 on both kinds
// 77.2 % — every plate read exactly anywhere in its frame then ranks first.
const unmixedDiscount = 0.75

// unmixed reports whether text is all digits or all letters.
func unmixed(text string) bool {
	return strings.Trim(text, "0123456789") == "" || strings.Trim(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == ""
}

// recognize reads the plates of a frame, likeliest first; when the row
// detector's regions read nothing and secondLook allows, the text
// detector's lines are read too (looked reports that they were).
func (r *Recognizer) recognize(frame gocv.Mat, secondLook bool) (out []Plate, looked bool, err error) {
	r.gated = r.gated[:0]
	out, err = r.readRegions(frame, r.det.Detect(frame), nil)
	if err == nil && len(out) == 0 && secondLook && r.text != nil {
		looked = true
		var lines []image.Rectangle
		if lines, err = r.text.Detect(frame); err == nil {
			out, err = r.readRegions(frame, plateLines(lines, r.maxLines), out)
			out = likeliestOnly(out, r.rank)
		}
	}
	if err == nil && len(out) == 0 && r.lastGate <= r.plateGate {
		var best *Plate
		if best, err = r.likeliestGated(frame); best != nil {
			out = append(out, *best)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return r.rank(out[i]) > r.rank(out[j]) })
	return onePerPlate(out), looked, err
}

// likeliestOnly keeps the likeliest plate of a second look: the look
// where the first found nothing is after the one plate the row detector
// missed, and its other plate-shaped lines that pass the gate are dates,
// phone numbers and fleet numbers (development scenes, the text detector
// at 960 wide: junk reads 2.6 → 1.8 per 100 scenes — a date, 20140512,
// beside YF2U68 — nothing else changed).
func likeliestOnly(out []Plate, rank func(Plate) float64) []Plate {
	if len(out) < 2 {
		return out
	}
	best := 0
	for i := range out {
		if rank(out[i]) > rank(out[best]) {
			best = i
		}
	}
	return out[best : best+1]
}

// onePerPlate keeps one reading of each plate: a reading whose row of
// characters lies within a likelier reading's reach (plateReach; its
// centre inside) is the same plate's legend, slogan, frame text or a piece
// of its row, and is dropped. A reading that is a state's name is never a
// plate ("TEXAS" above a Texas plate's row, read alone when the row was
// not). out is ranked, likeliest first.
func onePerPlate(out []Plate) []Plate {
	kept := out[:0]
	for _, p := range out {
		if ocr.IsStateName(p.Result.Best().Text) {
			continue
		}
		c := p.Region.Chars
		mid := image.Pt((c.Min.X+c.Max.X)/2, (c.Min.Y+c.Max.Y)/2)
		inside := false
		for _, k := range kept {
			if mid.In(plateReach(k.Region.Chars)) {
				inside = true
				break
			}
		}
		if !inside {
			kept = append(kept, p)
		}
	}
	return kept
}

// rank is a plate's Likelihood weighed by its plate probability (PlateRank).
func (r *Recognizer) rank(p Plate) float64 {
	if r.plateRank == 0 || p.Result.Plate < 0 {
		return p.Likelihood()
	}
	return p.Likelihood() * math.Pow(max(float64(p.Result.Plate), 0.01), r.plateRank)
}

// plateReach is where a plate's other text lies around its row of
// characters: a row height above and below, half a row height each side.
// By the plate's geometry, not tuned: a US plate is 12 by 6 inches with
// characters about 3 inches tall, so the legend and the slogan sit within
// half a row height of the row and a dealer's frame a little further; the
// row spans most of the width. (detect's Plate estimate, fitted to the
// plates' outlines, reaches half a row height above the row only, and a
// legend's centre lies just outside it.)
func plateReach(row image.Rectangle) image.Rectangle {
	h := row.Dy()
	return image.Rect(row.Min.X-h/2, row.Min.Y-h, row.Max.X+h/2, row.Max.Y+h)
}

// secondLookScore is a text line's region score (detect.Region.Score): a
// plate-like row of the first look scores 0.7–0.95.
const secondLookScore = 0.8

// plateLines makes regions of the text detector's lines that are shaped
// like a plate's row of characters, widest first, at most n. A line's
// core is the row; the plate is the core with half its height all round.
func plateLines(lines []image.Rectangle, n int) []detect.Region {
	var out []detect.Region
	for _, c := range lines {
		p := c.Inset(-c.Dy() / 2)
		if ar := float64(p.Dx()) / float64(p.Dy()); ar < 1.5 || ar > 8 {
			continue
		}
		out = append(out, detect.Region{Chars: c, Plate: p, Score: secondLookScore})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Chars.Dx() > out[j].Chars.Dx() })
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// gatedRegion is a region the plate gate held back: the plate net's look
// at it, not yet read.
type gatedRegion struct {
	reg detect.Region
	s   ocr.Screened
}

// readRegions reads each region and appends the plates to out, each text
// once. The plate net screens each region first: one it holds no plate
// (under PlateGate) is not read, and waits in r.gated (see LastGate).
func (r *Recognizer) readRegions(frame gocv.Mat, regs []detect.Region, out []Plate) ([]Plate, error) {
	for _, reg := range regs {
		s, err := r.ocr.Screen(frame, reg.ReadArea())
		if errors.Is(err, ocr.ErrNoPlate) {
			continue
		}
		if err != nil {
			return out, err
		}
		if s.Plate >= 0 && s.Plate < r.plateGate {
			r.gated = append(r.gated, gatedRegion{reg: reg, s: s})
			continue // not a plate, or not sure: see LastGate
		}
		res, err := r.ocr.ReadScreened(frame, s)
		if errors.Is(err, ocr.ErrNoPlate) {
			continue
		}
		if err != nil {
			return out, err
		}
		dup := false
		for _, p := range out {
			if p.Result.Best().Text == res.Best().Text {
				dup = true
			}
		}
		if !dup {
			out = append(out, Plate{Region: reg, Result: res})
		}
	}
	return out, nil
}

// likeliestGated reads the held-back regions whose plate probability
// reaches LastGate and returns the likeliest reading; nil when none reads.
// Only a frame in which no region passed the gate pays for these reads.
func (r *Recognizer) likeliestGated(frame gocv.Mat) (*Plate, error) {
	var best *Plate
	for _, g := range r.gated {
		if g.s.Plate < r.lastGate {
			continue
		}
		res, err := r.ocr.ReadScreened(frame, g.s)
		if errors.Is(err, ocr.ErrNoPlate) {
			continue
		}
		if err != nil {
			return nil, err
		}
		p := Plate{Region: g.reg, Result: res}
		if best == nil || p.Likelihood() > best.Likelihood() {
			best = &p
		}
	}
	return best, nil
}

// RecognizeCrop reads an image that is a plate already (a cropped plate):
// the whole image is the plate region.
func (r *Recognizer) RecognizeCrop(crop gocv.Mat) ([]Plate, error) {
	whole := image.Rect(0, 0, crop.Cols(), crop.Rows())
	res, err := r.ocr.Read(crop, whole)
	if errors.Is(err, ocr.ErrNoPlate) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if r.readState {
		res.State = r.ocr.ReadState(crop, whole)
	}
	return []Plate{{Region: detect.Region{Chars: whole, Plate: whole, Score: 1}, Result: res}}, nil
}

// encodeCrop returns the JPEG of the plate's crop area.
func encodeCrop(frame gocv.Mat, p Plate) ([]byte, error) {
	roi := frame.Region(p.Region.CropArea().Intersect(image.Rect(0, 0, frame.Cols(), frame.Rows())))
	defer roi.Close()
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, roi, []int{gocv.IMWriteJpegQuality, 90})
	if err != nil {
		return nil, fmt.Errorf("encode crop: %w", err)
	}
	defer buf.Close()
	return append([]byte(nil), buf.GetBytes()...), nil
}

// recognizerPool is the recognisers the cameras share, one per core by
// default: four cameras on two cores then run two recognitions at a time
// instead of four that fight for the cores, each with its own models. A
// camera takes one for a frame and gives it back before it encodes the
// crops; its frames stay in order, for it has one in flight at a time.
type recognizerPool struct {
	free chan *Recognizer
	all  []*Recognizer
}

// RecognizerCount is how many recognisers a run shares among its cameras:
// Workers, or one per core, but never more than there are cameras.
func (o Options) RecognizerCount() int {
	n := o.Workers
	if n == 0 {
		n = runtime.NumCPU()
	}
	return max(1, min(n, len(o.Sources)))
}

func newRecognizerPool(o Options) (*recognizerPool, error) {
	n := o.RecognizerCount()
	p := &recognizerPool{free: make(chan *Recognizer, n)}
	for range n {
		rz, err := NewRecognizer(RecognizerOptions{Detect: o.Detect, OCR: o.OCR, SecondLook: o.SecondLook, PlateGate: o.PlateGate, LastGate: o.LastGate, PlateRank: o.PlateRank})
		if err != nil {
			p.close()
			return nil, err
		}
		p.all = append(p.all, rz)
		p.free <- rz
	}
	return p, nil
}

// get waits for a free recogniser: every camera gives its back within a
// frame.
func (p *recognizerPool) get() *Recognizer { return <-p.free }

func (p *recognizerPool) put(rz *Recognizer) { p.free <- rz }

func (p *recognizerPool) close() {
	for _, rz := range p.all {
		rz.Close()
	}
}

func runCamera(ctx context.Context, o Options, sp capture.Spec, pool *recognizerPool, out chan<- camItem, n *camCounts) error {
	var src capture.Source
	copts := capture.Options{Start: o.Start, Interval: o.FolderInterval, Now: o.Now}
	live := sp.Kind.Live()
	if live {
		// A live camera survives its cable and its reboots: lost, back and
		// gone go to the officer and the drive (recordWriter.cameraState).
		states := make(chan camState, 16)
		ro := o.Reconnect
		ro.OnState = func(state string, err error) {
			select {
			case states <- camState{camera: sp.Camera, state: state, at: o.Now(), err: err}:
			default: // a burst of flaps: the next state tells the officer
			}
		}
		rc, err := capture.NewReconnecting(ctx, sp, copts, ro)
		if err != nil {
			return err
		}
		src = rc
		fwd, stop := context.WithCancel(ctx)
		fwdDone := make(chan struct{})
		// The forwarder is gone before this camera returns: out is closed
		// once every camera has, and a send on it then would panic.
		defer func() { stop(); <-fwdDone }()
		go func() {
			defer close(fwdDone)
			for {
				select {
				case c := <-states:
					select {
					case out <- camItem{cam: &c}:
					case <-fwd.Done():
						return
					}
				case <-fwd.Done():
					return
				}
			}
		}()
	} else {
		s, err := capture.Open(sp, copts)
		if err != nil {
			return err
		}
		src = s
	}
	// A live camera, or a replay in real time, never waits for the
	// recogniser: it keeps the newest frame and counts what was skipped.
	if live || o.Realtime {
		lt := capture.NewLatest(ctx, src, !live, o.Now)
		defer func() { atomic.StoreInt64(&n.dropped, lt.Dropped()) }()
		src = lt
	}
	defer src.Close()
	gate := newMotionGate(o.Motion)
	defer gate.Close()
	tr, err := track.New(sp.Camera, o.Track)
	if err != nil {
		return err
	}
	send := func(it camItem) error {
		select {
		case out <- it:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	emit := func(rs []track.Read) error {
		if len(rs) > 0 {
			rz := pool.get()
			for i := range rs {
				rs[i].State = rz.StateOf(rs[i].Best.Crop)
			}
			pool.put(rz)
		}
		for i := range rs {
			if err := send(camItem{read: &rs[i]}); err != nil {
				return err
			}
		}
		return nil
	}
	// The pre-shift self-check looks at the camera's first frames.
	checker, err := shift.NewChecker(sp.Camera, src.FPS(), o.SelfCheck)
	if err != nil {
		return err
	}
	checked := false
	finishCheck := func() error {
		if checked {
			return nil
		}
		checked = true
		r := checker.Result()
		return send(camItem{check: &r})
	}
	// A folder's images are still scenes, each its own: each gets its
	// second look. A video's frames follow one another: at most one second
	// look every SecondLook.Every.
	stills := sp.Kind == capture.KindFolder
	var lastLook time.Time
	var f capture.Frame
	for {
		if err := ctx.Err(); err != nil {
			return errors.Join(finishCheck(), emit(tr.Flush()))
		}
		err := src.Next(&f)
		if errors.Is(err, capture.ErrLost) {
			// The camera dropped: what was in view is read now; the source
			// reconnects on the next call.
			if err := emit(tr.Flush()); err != nil {
				return err
			}
			continue
		}
		if errors.Is(err, io.EOF) {
			return errors.Join(finishCheck(), emit(tr.Flush()), send(camItem{ended: sp.Camera}))
		}
		if err != nil {
			return errors.Join(err, finishCheck())
		}
		atomic.AddInt64(&n.frames, 1)
		if lt, ok := src.(*capture.Latest); ok {
			atomic.StoreInt64(&n.dropped, lt.Dropped())
		}
		if !checked {
			checker.Add(f.Mat, f.At)
			if checker.Done() {
				if err := finishCheck(); err != nil {
					return err
				}
			}
		}
		if !gate.worth(f.Mat, f.At) {
			atomic.AddInt64(&n.still, 1)
			if err := emit(tr.Expire(f.At)); err != nil {
				return err
			}
			continue
		}
		rz := pool.get()
		plates, looked, err := rz.RecognizeIn(f.Mat, o.ROI, stills || lastLook.IsZero() || f.At.Sub(lastLook) >= o.SecondLook.Every)
		pool.put(rz)
		if looked {
			lastLook = f.At
			atomic.AddInt64(&n.secondLooks, 1)
		}
		if err != nil {
			return fmt.Errorf("camera %s frame %d: %w", sp.Camera, f.Seq, err)
		}
		if err := emit(tr.Expire(f.At)); err != nil {
			return err
		}
		for _, p := range plates {
			crop, err := encodeCrop(f.Mat, p)
			if err != nil {
				return err
			}
			cands := make([]track.Candidate, len(p.Result.Candidates))
			for i, c := range p.Result.Candidates {
				cands[i] = track.Candidate{Text: c.Text, Confidence: c.Confidence}
			}
			atomic.AddInt64(&n.observations, 1)
			ob := track.Observation{At: f.At, Frame: f.Seq, Box: p.Region.Plate, Candidates: cands, Crop: crop}
			done, id := tr.ObserveTrack(ob)
			if err := emit(done); err != nil {
				return err
			}
			// Each sighting goes to the matcher at once: a hit alerts on
			// the first frame that reads it, not when its track ends.
			if err := send(camItem{sighting: &sighting{track: id, camera: sp.Camera, obs: ob}}); err != nil {
				return err
			}
		}
	}
}

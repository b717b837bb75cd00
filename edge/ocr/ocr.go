// Package ocr reads the text of a plate region. Two engines:
//
//   - dnn (the default): PaddleOCR's PP-OCRv4 recogniser (models prepared
//     by package models), run in ONNX Runtime (package onnxrt; the
//     default) or in OpenCV's DNN module, which compute the same readings
//     (TestRuntimesAgree), OpenCV about four times slower. The plate's top and
//     bottom bands (state name, slogan) are cut off, the line is read, its
//     output decoded over the plate alphabet by prefix beam search with a
//     forced alignment (ctc.go), and characters beside the plate's row of
//     characters that the network was unsure of — an emblem, stacked
//     letters — are dropped (readDNN).
//   - tesseract: Tesseract 5 (through gosseract) on the binarised row of
//     characters found by segmentation (segment.go), with an A–Z0–9
//     whitelist.
//
// Candidates, best first: the reading, the recogniser's next readings,
// the runner-up at the least certain characters, then the confusion
// classes of package plate (the same the hot-list matcher uses). A prior
// prefers a candidate that fits a state's format where the network was
// unsure (formats.go). The state's name band is read as well (state.go),
// by the engine in use.
//
// A Reader holds its networks and a Tesseract client, which are expensive
// to create (Tesseract 70–90 ms) and cheap to reuse: make one per worker.
// Set OMP_THREAD_LIMIT=1 in the process (cmd/alpr does) or Tesseract's
// OpenMP threads fight the workers for cores.
package ocr

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"sort"
	"strconv"
	"strings"

	"github.com/otiai10/gosseract/v2"
	"gocv.io/x/gocv"

	"github.com/plateward/alpr/edge/plate"
)

// Engines that read the characters.
const (
	EngineDNN       = "dnn"       // PP-OCRv4 recogniser (needs prepared models)
	EngineTesseract = "tesseract" // Tesseract 5 on the binarised character row
)

// Runtimes the DNN engine's recogniser runs in.
const (
	RuntimeONNX   = "onnxruntime" // ONNX Runtime (models.RuntimeFile in the models directory)
	RuntimeOpenCV = "opencv"      // OpenCV's DNN module: no extra library, about four times slower
)

// Options configures a Reader.
type Options struct {
	Engine        string  // EngineDNN or EngineTesseract
	ModelsDir     string  // prepared models (package models), for EngineDNN
	Runtime       string  // RuntimeONNX or RuntimeOpenCV, for EngineDNN
	Language      string  // Tesseract language model
	Whitelist     string  // characters Tesseract may return
	CropHeight    int     // px the character band is scaled to
	MinLen        int     // shortest plate accepted
	MaxLen        int     // longest plate accepted
	MinConfidence float32 // 0–1: readings below this are dropped
	MaxCandidates int     // readings returned per plate, best first
	BandCutPct    int     // % of the plate's height cut off top and bottom before the DNN reads it
	FormatPrior   bool    // prefer a candidate that fits a state format where the network was unsure (formats.go)
	ReadState     bool    // read the state name band (see ReadState)
	// PlateNet runs Plateward's own recogniser (platenet.go) beside
	// PP-OCRv4, with the DNN engine in ONNX Runtime: its reading is
	// combined with PP-OCRv4's (NetMargin) and its plate probability
	// reported (Result.Plate) for the caller's junk gate.
	PlateNet bool
	// NetMargin: the plate net's reading goes first when its confidence
	// beats PP-OCRv4's by this much; else it is the second candidate. Above
	// 1 it never goes first.
	NetMargin float32
	// NetPromote: where the plate net reads one of PP-OCRv4's next two
	// candidates — the two readers agree on it — that reading goes first
	// when the net's confidence in it is at least this (over 1: never).
	NetPromote float32
	// NetWeight orders the candidates by both networks' probability of
	// each (joint.go): log P(PP-OCRv4) + NetWeight × log P(plate net).
	// 0: off.
	NetWeight float32
}

// DefaultNetWeight is Options.NetWeight's default: both readers decide
// the order of the candidates. With platenet v2 (edge/models/PLATENET.md),
// development crops read exactly 91.8 → 94.7 % (every one of the five
// folds gained; each fold, choosing among 0, 0.15, 0.3 and 0.5 on the
// other four, chose 0.3), scenes 81.6 → 83.3 %.
const DefaultNetWeight = 0.3

// DefaultOptions returns options for US plates.
func DefaultOptions() Options {
	return Options{
		Engine: EngineDNN, ModelsDir: "var/models", Runtime: RuntimeONNX,
		Language: "eng", Whitelist: "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
		CropHeight: 64, MinLen: 4, MaxLen: 8, MinConfidence: 0.5, MaxCandidates: 10, BandCutPct: 18, ReadState: true, FormatPrior: true,
		PlateNet: true, NetMargin: 2, NetPromote: 2, NetWeight: DefaultNetWeight,
	}
}

// Validate reports the first invalid option.
func (o Options) Validate() error {
	switch {
	case o.Engine != EngineDNN && o.Engine != EngineTesseract:
		return fmt.Errorf("ocr options: engine %q is neither %q nor %q", o.Engine, EngineDNN, EngineTesseract)
	case o.Engine == EngineDNN && o.Runtime != RuntimeONNX && o.Runtime != RuntimeOpenCV:
		return fmt.Errorf("ocr options: runtime %q is neither %q nor %q", o.Runtime, RuntimeONNX, RuntimeOpenCV)
	case o.Engine == EngineDNN && o.ModelsDir == "":
		return errors.New("ocr options: the dnn engine needs a models directory")
	case o.Language == "" || o.Whitelist == "":
		return errors.New("ocr options: language and whitelist are required")
	case o.CropHeight < 16 || o.CropHeight > 256:
		return fmt.Errorf("ocr options: crop height %d outside 16..256", o.CropHeight)
	case o.MinLen < 1 || o.MaxLen < o.MinLen:
		return fmt.Errorf("ocr options: plate length %d..%d", o.MinLen, o.MaxLen)
	case o.MinConfidence < 0 || o.MinConfidence > 1:
		return fmt.Errorf("ocr options: min confidence %g outside 0..1", o.MinConfidence)
	case o.BandCutPct < 0 || o.BandCutPct > 40:
		return fmt.Errorf("ocr options: band cut %d%% outside 0..40", o.BandCutPct)
	case o.NetWeight < 0 || o.NetWeight > 10:
		return fmt.Errorf("ocr options: net weight %g outside 0..10", o.NetWeight)
	case o.MaxCandidates < 1:
		return errors.New("ocr options: max candidates < 1")
	}
	return nil
}

// Candidate is one reading of a plate.
type Candidate struct {
	Text       string
	Confidence float32 // 0–1
}

// Result is what the reader made of one region.
type Result struct {
	Raw        string      // the engine's text before normalisation
	Candidates []Candidate // best first; Candidates[0] is the reading
	State      State       // the state, when the name band was read
	// Plate is the plate net's probability that the region is a plate's
	// row of characters; -1 when the net did not run.
	Plate float32
	Net   Candidate // the plate net's own reading; empty when none
	line  lineCTC   // PP-OCRv4's output for the line (DNN engine), for joint scoring
}

// Best returns the best reading.
func (r Result) Best() Candidate { return r.Candidates[0] }

// Reader reads plates. It is not safe for concurrent use.
type Reader struct {
	opts                  Options
	tess                  *gosseract.Client
	gray, scaled, bin     gocv.Mat
	line, lineBin, padded gocv.Mat
	labels, stats, cents  gocv.Mat
	color                 gocv.Mat
	pgm                   []byte
	rec                   *recogniser       // nil for EngineTesseract
	net                   *plateNet         // nil unless Options.PlateNet with ONNX Runtime
	state                 *gosseract.Client // reads the state name band with the Tesseract engine
}

// NewReader starts a Tesseract client.
func NewReader(opts Options) (*Reader, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	c := gosseract.NewClient()
	var err error
	if err = c.SetLanguage(opts.Language); err != nil {
		c.Close()
		return nil, fmt.Errorf("tesseract language: %w", err)
	}
	if err := c.SetWhitelist(opts.Whitelist); err != nil {
		c.Close()
		return nil, fmt.Errorf("tesseract whitelist: %w", err)
	}
	if err := c.SetPageSegMode(gosseract.PSM_SINGLE_LINE); err != nil {
		c.Close()
		return nil, fmt.Errorf("tesseract page mode: %w", err)
	}
	// Plates are not words: the dictionaries only pull readings towards English.
	for _, v := range []gosseract.SettableVariable{"load_system_dawg", "load_freq_dawg"} {
		if err := c.SetVariable(v, "0"); err != nil {
			c.Close()
			return nil, fmt.Errorf("tesseract %s: %w", v, err)
		}
	}
	r := &Reader{opts: opts, tess: c, gray: gocv.NewMat(), scaled: gocv.NewMat(), bin: gocv.NewMat(),
		line: gocv.NewMat(), lineBin: gocv.NewMat(), padded: gocv.NewMat(),
		labels: gocv.NewMat(), stats: gocv.NewMat(), cents: gocv.NewMat(), color: gocv.NewMat()}
	if opts.Engine == EngineDNN {
		if r.rec, err = newRecogniser(opts.ModelsDir, opts.Runtime); err != nil {
			r.Close()
			return nil, err
		}
		if opts.PlateNet && opts.Runtime == RuntimeONNX {
			if r.net, err = newPlateNet(opts.ModelsDir); err != nil {
				r.Close()
				return nil, err
			}
		}
	}
	if opts.ReadState && opts.Engine == EngineTesseract {
		if r.state, err = newStateClient(opts.Language); err != nil {
			r.Close()
			return nil, fmt.Errorf("tesseract for the state band: %w", err)
		}
	}
	return r, nil
}

// Close stops the Tesseract client.
func (r *Reader) Close() error {
	for _, m := range []*gocv.Mat{&r.gray, &r.scaled, &r.bin, &r.line, &r.lineBin, &r.padded, &r.labels, &r.stats, &r.cents, &r.color} {
		m.Close()
	}
	if r.rec != nil {
		r.rec.close()
	}
	if r.net != nil {
		r.net.close()
	}
	if r.state != nil {
		r.state.Close()
	}
	return r.tess.Close()
}

// ErrNoPlate means the region held no readable plate text.
var ErrNoPlate = errors.New("no plate text")

// Read reads the plate in region, a rectangle of frame around a plate (a
// little more or less is fine). It returns ErrNoPlate when nothing
// plate-like was read. It is Screen, then ReadScreened.
func (r *Reader) Read(frame gocv.Mat, region image.Rectangle) (Result, error) {
	s, err := r.Screen(frame, region)
	if err != nil {
		return Result{}, err
	}
	return r.ReadScreened(frame, s)
}

// Screened is a region the plate net has looked at (Reader.Screen): how
// likely it shows a plate, before anything reads its characters.
type Screened struct {
	Region image.Rectangle // the region, clipped to the frame
	// Plate is the net's probability that the region is a plate's row of
	// characters, as Result.Plate; -1 when the net does not run.
	Plate float32
	nr    netRead
}

// Screen runs the plate net alone on region (a few milliseconds, against
// PP-OCRv4's reading's fifteen): a caller that reads only plates the net
// believes in skips the rest for the others, and reads them later with
// ReadScreened if it must. It returns ErrNoPlate for a region too small
// to read.
func (r *Reader) Screen(frame gocv.Mat, region image.Rectangle) (Screened, error) {
	region = region.Intersect(image.Rect(0, 0, frame.Cols(), frame.Rows()))
	if region.Dx() < 8 || region.Dy() < 6 {
		return Screened{}, ErrNoPlate
	}
	s := Screened{Region: region, Plate: -1}
	if r.rec == nil || r.net == nil {
		return s, nil
	}
	roi := frame.Region(region)
	defer roi.Close()
	var err error
	if s.nr, err = r.net.read(roi); err != nil {
		return Screened{}, err
	}
	s.Plate = s.nr.plate
	return s, nil
}

// ReadScreened reads a region Screen looked at: the same Result as Read.
func (r *Reader) ReadScreened(frame gocv.Mat, s Screened) (Result, error) {
	roi := frame.Region(s.Region)
	defer roi.Close()
	if r.rec != nil {
		res, err := r.readDNN(roi)
		if r.net == nil {
			res.Plate = -1
			return res, err
		}
		return r.withNet(s.nr, res, err)
	}
	res, err := r.readTesseract(roi)
	res.Plate = -1
	return res, err
}

// readTesseract finds the row of characters at a fixed working height,
// then reads only that row with Tesseract: no state name, slogan or frame.
func (r *Reader) readTesseract(roi gocv.Mat) (Result, error) {
	r.scaleGray(roi)
	gocv.Threshold(r.scaled, &r.bin, 0, 255, gocv.ThresholdBinaryInv|gocv.ThresholdOtsu)
	band, group := charBand(r.bin, &r.labels, &r.stats, &r.cents)
	if len(group) < r.opts.MinLen-1 {
		return Result{}, ErrNoPlate
	}
	paintLine(r.labels, band, group, &r.line)
	h := r.opts.CropHeight
	gocv.Resize(r.line, &r.lineBin, image.Pt(max(1, band.Dx()*h/band.Dy()), h), 0, 0, gocv.InterpolationArea)
	pad := h / 4
	gocv.CopyMakeBorder(r.lineBin, &r.padded, pad, pad, pad, pad, gocv.BorderConstant, color.RGBA{255, 255, 255, 255})
	if err := r.tess.SetImageFromBytes(r.encodePGM(r.padded)); err != nil {
		return Result{}, fmt.Errorf("tesseract image: %w", err)
	}
	boxes, err := r.tess.GetBoundingBoxes(gosseract.RIL_SYMBOL)
	if err != nil {
		return Result{}, fmt.Errorf("tesseract read: %w", err)
	}
	var raw strings.Builder
	var syms []sym
	for _, b := range boxes {
		raw.WriteString(b.Word)
		t := plate.Normalize(b.Word)
		for i := 0; i < len(t); i++ {
			syms = append(syms, sym{ch: t[i], conf: float32(b.Confidence / 100)})
		}
	}
	return r.candidates(raw.String(), syms)
}

// readDNN reads the plate with the recogniser, without the plate's top and
// bottom bands (state name, slogan). Measured on the development crops, this
// fixed cut reads better than the character row the segmentation finds,
// whose edges on real plates are less reliable than the network.
//
// The network also reads what stands beside the characters on the line: a
// state's emblem, a cactus, small stacked letters ("SN" on a Washington
// motorcycle plate). The segmentation (segment.go) finds the row of
// characters of one height; read characters at either end whose centre lies
// outside that row and that the network is unsure of are dropped. Measured
// on the development crops, the unsure ones (confidence under 0.8) were
// nearly all such intruders, where the sure ones were nearly all real
// characters the segmentation missed (merged with the plate's frame).
func (r *Reader) readDNN(roi gocv.Mat) (Result, error) {
	cut := roi.Rows() * r.opts.BandCutPct / 100
	line := image.Rect(0, cut, roi.Cols(), roi.Rows()-cut).Intersect(image.Rect(0, 0, roi.Cols(), roi.Rows()))
	if line.Dx() < 8 || line.Dy() < 6 {
		return Result{}, ErrNoPlate
	}
	lr, err := r.readSyms(roi, line)
	if err != nil {
		return Result{}, err
	}
	syms, alts := lr.syms, lr.alts
	raw := symText(syms)
	if lo, hi, ok := r.rowSpan(roi); ok {
		syms = trimOutside(syms, lo, hi)
		for i := range alts {
			alts[i] = trimOutside(alts[i], lo, hi)
		}
	}
	ctc := lineCTC{m: lr.m}
	if at := strings.Index(raw, symText(syms)); at >= 0 && len(syms) > 0 {
		ctc.pre, ctc.suf = raw[:at], raw[at+len(syms):]
	}
	res, err := r.candidates(raw, syms)
	if err == nil {
		res.Candidates = r.withAlternatives(res.Candidates, alts)
	}
	res.line = ctc
	return res, err
}

// withAlternatives puts the recogniser's next likeliest readings (the
// beam search's, trimmed as the best was) right after the first candidate,
// keeping at most MaxCandidates. Their confidence is their characters'
// mean, as the first's is.
func (r *Reader) withAlternatives(cands []Candidate, alts [][]sym) []Candidate {
	seen := map[string]bool{}
	for _, c := range cands {
		seen[c.Text] = true
	}
	var add []Candidate
	for _, a := range alts {
		t := symText(a)
		if seen[t] || len(a) < r.opts.MinLen || len(a) > r.opts.MaxLen {
			continue
		}
		seen[t] = true
		var conf float32
		for _, s := range a {
			conf += s.conf / float32(len(a))
		}
		add = append(add, Candidate{t, conf})
	}
	out := make([]Candidate, 0, len(cands)+len(add))
	out = append(out, cands[:1]...)
	out = append(out, add...)
	out = append(out, cands[1:]...)
	if len(out) > r.opts.MaxCandidates {
		out = out[:r.opts.MaxCandidates]
	}
	return out
}

// intruderConf is the confidence under which a symbol outside the row of
// characters is taken for an intruder (see readDNN).
const intruderConf = 0.8

// trimOutside drops the symbols at either end whose centre (a fraction of
// the line's width) lies outside lo..hi and whose confidence is under
// intruderConf. Only the ends are trimmed: the first symbol kept stops it.
func trimOutside(syms []sym, lo, hi float32) []sym {
	for len(syms) > 0 && syms[0].x < lo && syms[0].conf < intruderConf {
		syms = syms[1:]
	}
	for len(syms) > 0 && syms[len(syms)-1].x > hi && syms[len(syms)-1].conf < intruderConf {
		syms = syms[:len(syms)-1]
	}
	return syms
}

// rowSpan finds the plate's row of characters by segmentation, dark on
// light and light on dark, and returns its left and right edges as
// fractions of the plate's width. ok is false when no row of at least
// MinLen characters was found: then nothing is trimmed.
func (r *Reader) rowSpan(roi gocv.Mat) (lo, hi float32, ok bool) {
	w := r.scaleGray(roi)
	var best image.Rectangle
	n := 0
	for _, typ := range []gocv.ThresholdType{gocv.ThresholdBinaryInv, gocv.ThresholdBinary} {
		gocv.Threshold(r.scaled, &r.bin, 0, 255, typ|gocv.ThresholdOtsu)
		band, group := charBand(r.bin, &r.labels, &r.stats, &r.cents)
		if len(group) > n {
			best, n = band, len(group)
		}
	}
	if n < r.opts.MinLen {
		return 0, 0, false
	}
	return float32(best.Min.X) / float32(w), float32(best.Max.X) / float32(w), true
}

// segHeight is the height plates are scaled to for segmentation.
const segHeight = 120

// scaleGray puts roi in grey, scaled to segHeight keeping its aspect, into
// r.scaled, and returns the scaled width.
func (r *Reader) scaleGray(roi gocv.Mat) int {
	if roi.Channels() == 3 {
		gocv.CvtColor(roi, &r.gray, gocv.ColorBGRToGray)
	} else {
		roi.CopyTo(&r.gray)
	}
	w := max(1, roi.Cols()*segHeight/roi.Rows())
	gocv.Resize(r.gray, &r.scaled, image.Pt(w, segHeight), 0, 0, gocv.InterpolationLinear)
	return w
}

func (r *Reader) readSyms(roi gocv.Mat, line image.Rectangle) (lineRead, error) {
	sub := roi.Region(line)
	defer sub.Close()
	if sub.Channels() == 1 {
		gocv.CvtColor(sub, &r.color, gocv.ColorGrayToBGR)
	} else {
		sub.CopyTo(&r.color)
	}
	return r.rec.read(r.color, true)
}

// encodePGM wraps a grey image in a binary PGM header, the cheapest format
// Leptonica decodes.
func (r *Reader) encodePGM(m gocv.Mat) []byte {
	px, _ := m.DataPtrUint8()
	hdr := "P5\n" + strconv.Itoa(m.Cols()) + " " + strconv.Itoa(m.Rows()) + "\n255\n"
	r.pgm = append(append(r.pgm[:0], hdr...), px...)
	return r.pgm
}

// sym is one character read, with its confidence and, when the engine
// gives one, the runner-up character.
type sym struct {
	ch      byte
	conf    float32
	alt     byte
	altConf float32
	x       float32 // centre, as a fraction of the line's width (DNN only)
}

func (r *Reader) candidates(raw string, syms []sym) (Result, error) {
	res, err := r.readings(raw, syms)
	if err == nil && r.opts.FormatPrior {
		res.Candidates = preferFormat(res.Candidates, syms)
	}
	return res, err
}

// readings returns the best reading and its alternatives, best first.
func (r *Reader) readings(raw string, syms []sym) (Result, error) {
	res := Result{Raw: raw}
	if len(syms) < r.opts.MinLen || len(syms) > r.opts.MaxLen {
		return res, ErrNoPlate
	}
	best := make([]byte, len(syms))
	var conf float32
	for i, s := range syms {
		best[i] = s.ch
		conf += s.conf / float32(len(syms))
	}
	if conf < r.opts.MinConfidence {
		return res, ErrNoPlate
	}
	res.Candidates = append(res.Candidates, Candidate{string(best), conf})
	// Alternatives: swap the least certain characters for the engine's
	// runner-up, then for their look-alikes.
	order := make([]int, len(syms))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return syms[order[a]].conf < syms[order[b]].conf })
	seen := map[string]bool{}
	for _, c := range res.Candidates {
		seen[c.Text] = true
	}
	add := func(i int, alt byte, cf float32) bool {
		t := []byte(res.Candidates[0].Text)
		if t[i] == alt {
			return true
		}
		t[i] = alt
		if !seen[string(t)] {
			seen[string(t)] = true
			res.Candidates = append(res.Candidates, Candidate{string(t), cf})
		}
		return len(res.Candidates) < r.opts.MaxCandidates
	}
	for _, i := range order {
		if syms[i].alt != 0 && !add(i, syms[i].alt, syms[i].altConf) {
			return res, nil
		}
	}
	for _, i := range order {
		alts := plate.Alternatives(syms[i].ch)
		for _, alt := range []byte(alts) {
			if !add(i, alt, (1-syms[i].conf)/float32(len(alts))) {
				return res, nil
			}
		}
	}
	return res, nil
}

package ocr

import (
	"bufio"
	"bytes"
	"fmt"
	"image"
	"image/color"
	"os"
	"path/filepath"

	"gocv.io/x/gocv"

	"github.com/plateward/alpr/edge/models"
	"github.com/plateward/alpr/internal/onnxrt"
)

// recogniser reads a line of text with PaddleOCR's PP-OCRv4 recogniser
// (a CTC network) in ONNX Runtime or in OpenCV's DNN module. Its classes
// are blank, the keys file's characters, and space; plates need only A–Z
// and 0–9, so every other class acts as a separator.
type recogniser struct {
	net     gocv.Net        // RuntimeOpenCV
	sess    *onnxrt.Session // RuntimeONNX
	width   int
	alnum   []byte  // class → 'A'..'Z', '0'..'9', or 0
	cols    []uint8 // class → column of the folded CTC matrix (ctc.go)
	rareI   []int   // the classes read as 'I' (see iPrior)
	resized gocv.Mat
	canvas  gocv.Mat
}

func newRecogniser(dir, rt string) (*recogniser, error) {
	man, err := models.ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	keys, err := os.ReadFile(filepath.Join(dir, models.KeysFile))
	if err != nil {
		return nil, fmt.Errorf("read recogniser keys: %w", err)
	}
	alnum := []byte{0} // blank
	sc := bufio.NewScanner(bytes.NewReader(keys))
	for sc.Scan() {
		k := sc.Text()
		var c byte
		if len(k) == 1 {
			switch ch := k[0]; {
			case ch == 'O' || ch == 'o':
				c = '0' // one glyph on US plates: see plate.Normalize
			case ch == ']':
				// A J without a hook (the fixtures' plate face has one)
				// is read as a bracket, which no plate carries: the
				// video's CB4H9J was read CB4H9 in every frame. Measured on
				// the development half: no scene or crop read changed.
				c = 'J'
			case ch >= 'A' && ch <= 'Z', ch >= '0' && ch <= '9':
				c = ch
			case ch >= 'a' && ch <= 'z':
				c = ch - 'a' + 'A'
			}
		}
		alnum = append(alnum, c)
	}
	alnum = append(alnum, 0) // space
	r := &recogniser{width: man.RecWidth, alnum: alnum, cols: foldClasses(alnum)}
	for c, a := range alnum {
		if a == 'I' {
			r.rareI = append(r.rareI, c)
		}
	}
	model := filepath.Join(dir, models.RecFile)
	if rt == RuntimeOpenCV {
		r.net = gocv.ReadNetFromONNX(model)
		if r.net.Empty() {
			return nil, fmt.Errorf("load recogniser from %s", dir)
		}
	} else {
		lib, sha, err := models.RuntimeLibrary(dir)
		if err != nil {
			return nil, err
		}
		if err := onnxrt.Open(lib, sha); err != nil {
			return nil, err
		}
		// One thread: the worker's own (edge sizes the pool to the cores).
		if r.sess, err = onnxrt.NewSession(model, 1); err != nil {
			return nil, fmt.Errorf("load recogniser: %w", err)
		}
	}
	r.resized, r.canvas = gocv.NewMat(), gocv.NewMat()
	return r, nil
}

func (r *recogniser) close() {
	if r.sess != nil {
		_ = r.sess.Close() // nothing to do about a failure to free
	} else {
		r.net.Close()
	}
	r.resized.Close()
	r.canvas.Close()
}

// step is one CTC time step's best plate character and the runner-up.
type step struct {
	ch, alt     byte // 0: blank or not a plate character
	conf, altCf float32
}

// read runs the network on a BGR line image and decodes it: the reading,
// and the next likeliest readings (ctc.go). A plate's line is decoded by
// beam search with the I prior (iPrior); any other line — the state's name
// band — greedily, as read, with no alternatives: the name band reads
// better so (development crops: state 66.8 % greedy, 63.2 % by beam search
// — a long name squeezed into the line's steps), and names are words, with
// I in them (ILLINOIS, MISSOURI).
func (r *recogniser) read(line gocv.Mat, plate bool) (lr lineRead, err error) {
	h := models.RecHeight
	w := min(r.width, max(8, line.Cols()*h/max(1, line.Rows())))
	gocv.Resize(line, &r.resized, image.Pt(w, h), 0, 0, gocv.InterpolationLinear)
	// Pad to the fixed width with mid-grey, which normalises to 0 as
	// PaddleOCR's own padding does.
	gocv.CopyMakeBorder(r.resized, &r.canvas, 0, 0, 0, r.width-w, gocv.BorderConstant, color.RGBA{128, 128, 128, 0})
	blob := gocv.BlobFromImage(r.canvas, 1/127.5, image.Pt(r.width, h), gocv.NewScalar(127.5, 127.5, 127.5, 0), false, false)
	defer blob.Close()
	decode := func(probs []float32, shape []int64) error {
		if len(shape) != 3 || shape[0] != 1 || shape[2] != int64(len(r.alnum)) || int64(len(probs)) != shape[1]*shape[2] {
			return fmt.Errorf("recogniser output %v, want [1 T %d]", shape, len(r.alnum))
		}
		lr = r.decode(probs, int(shape[1]), w, plate)
		return nil
	}
	if r.sess != nil {
		in, err := blob.DataPtrFloat32()
		if err != nil {
			return lineRead{}, fmt.Errorf("recogniser input: %w", err)
		}
		err = r.sess.Run(in, []int64{1, 3, int64(h), int64(r.width)}, decode)
		return lr, err
	}
	r.net.SetInput(blob, "")
	out := r.net.Forward("")
	defer out.Close()
	probs, err := out.DataPtrFloat32()
	if err != nil {
		return lineRead{}, fmt.Errorf("recogniser output: %w", err)
	}
	var shape []int64
	for _, d := range out.Size() {
		shape = append(shape, int64(d))
	}
	err = decode(probs, shape)
	return lr, err
}

// lineRead is what the recogniser made of a line.
type lineRead struct {
	syms []sym     // the reading
	alts [][]sym   // the next likeliest readings (plate lines only)
	m    ctcMatrix // the folded output (plate lines only), for joint scoring
}

// decode turns the network's T×classes probabilities for a line scaled to
// w pixels wide into the reading and, for a plate, the next likeliest
// ones (see read). It weighs probs in place.
func (r *recogniser) decode(probs []float32, T, w int, plate bool) lineRead {
	var syms []sym
	var alts [][]sym
	C := len(r.alnum)
	if plate {
		for t := range T {
			for _, c := range r.rareI {
				probs[t*C+c] *= iPrior
			}
		}
	}
	steps := make([]step, T)
	for t := range T {
		row := probs[t*C : (t+1)*C]
		best, bp := 0, row[0]
		for c := 1; c < C; c++ {
			if row[c] > bp {
				best, bp = c, row[c]
			}
		}
		st := step{ch: r.alnum[best], conf: bp}
		if st.ch != 0 {
			// The runner-up plate character at this step, for candidates.
			for c := 1; c < C; c++ {
				if a := r.alnum[c]; a != 0 && a != st.ch && row[c] > st.altCf {
					st.alt, st.altCf = a, row[c]
				}
			}
		}
		steps[t] = st
	}
	// Greedy CTC: collapse repeats, drop blanks and non-plate classes. A
	// symbol's position is its first step's centre, as a fraction of the
	// line's width (the canvas is padded right of the line).
	var prev byte
	for t, st := range steps {
		if st.ch != 0 && st.ch != prev {
			x := (float32(t) + 0.5) * float32(r.width) / float32(T) / float32(w)
			syms = append(syms, sym{ch: st.ch, conf: st.conf, alt: st.alt, altConf: st.altCf, x: x})
		} else if st.ch != 0 && st.ch == prev && st.conf > syms[len(syms)-1].conf {
			syms[len(syms)-1].conf = st.conf
		}
		prev = st.ch
	}
	if !plate {
		return lineRead{syms: syms}
	}
	// The reading summed over every alignment replaces the greedy one
	// where they differ (ctc.go).
	m := fold(probs, T, C, r.cols)
	frac := float32(r.width) / float32(T) / float32(w)
	beams := beamSearch(m)
	if len(beams) > 0 && beams[0].text != symText(syms) {
		if at := align(m, beams[0].text); at != nil {
			syms = alignedSyms(m, beams[0].text, at, frac)
		}
	}
	// The next readings the search found, for candidates.
	for _, b := range beams {
		if len(alts) == maxBeamAlts {
			break
		}
		if b.text == symText(syms) {
			continue
		}
		if at := align(m, b.text); at != nil {
			alts = append(alts, alignedSyms(m, b.text, at, frac))
		}
	}
	return lineRead{syms: syms, alts: alts, m: m}
}

// iPrior weighs the network's belief in the letter I, which few states
// issue (many leave out I, O and Q: they look like 1 and 0): a network
// that sees a thin upright stroke says I about as readily as 1, where a US
// plate far more often has 1 (development crops: 1 on 120 plates, I on
// 16). The weight is not moved to 1, only taken from I: moved, it turned
// frame edges the network half read as I into extra 1s (scenes 72.8 →
// 68.4 %). Tuned on the development half: 1, 0.5, 0.25, 0.1 read scenes
// 71.1, 71.9, 72.8, 73.7 % and crops 90.3, 90.5, 90.5, 90.5 % (top-10
// 95.3 at 0.1 against 95.5); 0.25 keeps a clearly read I an I.
const iPrior = 0.25

// maxBeamAlts is how many of the beam search's next readings become
// candidates.
const maxBeamAlts = 3

func symText(ss []sym) string {
	b := make([]byte, len(ss))
	for i, s := range ss {
		b[i] = s.ch
	}
	return string(b)
}

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
)

// recogniser reads a line of text with PaddleOCR's PP-OCRv4 recogniser
// (a CTC network) in OpenCV's DNN module. Its classes are blank, the keys
// file's characters, and space; plates need only A–Z and 0–9, so every
// other class acts as a separator.
type recogniser struct {
	net     gocv.Net
	width   int
	alnum   []byte  // class → 'A'..'Z', '0'..'9', or 0
	cols    []uint8 // class → column of the folded CTC matrix (ctc.go)
	resized gocv.Mat
	canvas  gocv.Mat
}

func newRecogniser(dir string) (*recogniser, error) {
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
			case ch >= 'A' && ch <= 'Z', ch >= '0' && ch <= '9':
				c = ch
			case ch >= 'a' && ch <= 'z':
				c = ch - 'a' + 'A'
			}
		}
		alnum = append(alnum, c)
	}
	alnum = append(alnum, 0) // space
	net := gocv.ReadNetFromONNX(filepath.Join(dir, models.RecFile))
	if net.Empty() {
		return nil, fmt.Errorf("load recogniser from %s", dir)
	}
	return &recogniser{net: net, width: man.RecWidth, alnum: alnum, cols: foldClasses(alnum),
		resized: gocv.NewMat(), canvas: gocv.NewMat()}, nil
}

func (r *recogniser) close() {
	r.net.Close()
	r.resized.Close()
	r.canvas.Close()
}

// step is one CTC time step's best plate character and the runner-up.
type step struct {
	ch, alt     byte // 0: blank or not a plate character
	conf, altCf float32
}

// read runs the network on a BGR line image and decodes it: the reading,
// and the next likeliest readings (ctc.go). Without beam, the decoding is
// greedy and there are no alternatives: the state's name band reads better
// so (development crops: state 66.8 % greedy, 63.2 % by beam search — a
// long name squeezed into the line's steps).
func (r *recogniser) read(line gocv.Mat, beam bool) (syms []sym, alts [][]sym, err error) {
	h := models.RecHeight
	w := min(r.width, max(8, line.Cols()*h/max(1, line.Rows())))
	gocv.Resize(line, &r.resized, image.Pt(w, h), 0, 0, gocv.InterpolationLinear)
	// Pad to the fixed width with mid-grey, which normalises to 0 as
	// PaddleOCR's own padding does.
	gocv.CopyMakeBorder(r.resized, &r.canvas, 0, 0, 0, r.width-w, gocv.BorderConstant, color.RGBA{128, 128, 128, 0})
	blob := gocv.BlobFromImage(r.canvas, 1/127.5, image.Pt(r.width, h), gocv.NewScalar(127.5, 127.5, 127.5, 0), false, false)
	defer blob.Close()
	r.net.SetInput(blob, "")
	out := r.net.Forward("")
	defer out.Close()
	sz := out.Size() // [1, T, classes]
	if len(sz) != 3 || sz[2] != len(r.alnum) {
		return nil, nil, fmt.Errorf("recogniser output %v, want [1 T %d]", sz, len(r.alnum))
	}
	probs, err := out.DataPtrFloat32()
	if err != nil {
		return nil, nil, fmt.Errorf("recogniser output: %w", err)
	}
	T, C := sz[1], sz[2]
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
	if !beam {
		return syms, nil, nil
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
	return syms, alts, nil
}

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

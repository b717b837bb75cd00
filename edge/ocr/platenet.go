package ocr

import (
	"fmt"
	"image"
	"strings"

	"gocv.io/x/gocv"

	"github.com/plateward/alpr/edge/models"
	"github.com/plateward/alpr/internal/onnxrt"
)

// plateNet runs Plateward's own recogniser (models.PlateNet), trained on
// synthetic plates: it reads the region as a whole — bands, frame and all
// — and says how likely the region is a plate's row of characters rather
// than a state's name, a slogan, a dealer's word or a sign. It runs in ONNX
// Runtime only.
type plateNet struct {
	sess  *onnxrt.Session
	cols  []uint8 // class → ctcMatrix column
	grey  gocv.Mat
	small gocv.Mat
	in    []float32
}

// netRead is what the plate net made of a region.
type netRead struct {
	syms  []sym     // the reading (beam search), each character's confidence
	alts  [][]sym   // the next readings
	plate float32   // 0–1: the region shows a plate's characters
	m     ctcMatrix // the folded output, for joint scoring
}

func newPlateNet(dir string) (*plateNet, error) {
	model, err := models.PlateNet()
	if err != nil {
		return nil, err
	}
	lib, sha, err := models.RuntimeLibrary(dir)
	if err != nil {
		return nil, err
	}
	if err := onnxrt.Open(lib, sha); err != nil {
		return nil, err
	}
	sess, err := onnxrt.NewSessionFromBytes("platenet.onnx", model, 1)
	if err != nil {
		return nil, fmt.Errorf("load plate net: %w", err)
	}
	cols := []uint8{0}
	for i := range len(models.PlateNetAlphabet) {
		cols = append(cols, uint8(1+strings.IndexByte(plateAlphabet, models.PlateNetAlphabet[i]))) //nolint:gosec // < 36
	}
	return &plateNet{sess: sess, cols: cols, grey: gocv.NewMat(), small: gocv.NewMat(),
		in: make([]float32, models.PlateNetHeight*models.PlateNetWidth)}, nil
}

func (p *plateNet) close() {
	_ = p.sess.Close() // nothing to do about a failure to free
	p.grey.Close()
	p.small.Close()
}

// read runs the net on roi, stretched to its input as in training.
func (p *plateNet) read(roi gocv.Mat) (netRead, error) {
	switch roi.Channels() {
	case 3:
		gocv.CvtColor(roi, &p.grey, gocv.ColorBGRToGray)
	case 4:
		gocv.CvtColor(roi, &p.grey, gocv.ColorBGRAToGray)
	default:
		roi.CopyTo(&p.grey)
	}
	w, h := models.PlateNetWidth, models.PlateNetHeight
	interp := gocv.InterpolationLinear
	if p.grey.Cols() > w {
		interp = gocv.InterpolationArea
	}
	gocv.Resize(p.grey, &p.small, image.Pt(w, h), 0, 0, interp)
	px, err := p.small.DataPtrUint8()
	if err != nil {
		return netRead{}, fmt.Errorf("plate net input: %w", err)
	}
	for i, v := range px {
		p.in[i] = float32(v)/127.5 - 1
	}
	var out netRead
	err = p.sess.RunAll(p.in, []int64{1, 1, int64(h), int64(w)}, func(outs [][]float32, shapes [][]int64) error {
		if len(outs) != 2 || len(shapes[0]) != 3 || shapes[0][2] != int64(len(p.cols)) || len(outs[1]) != 1 {
			return fmt.Errorf("plate net outputs %v, want [1 T %d] and [1]", shapes, len(p.cols))
		}
		out.plate, out.m = outs[1][0], fold(outs[0], int(shapes[0][1]), len(p.cols), p.cols)
		return nil
	})
	return out, err
}

// decode fills in the net's readings from its output (beam search): apart
// from read, so that a region the net holds no plate is never decoded.
func (nr *netRead) decode() {
	frac := 1 / float32(len(nr.m))
	for i, b := range beamSearch(nr.m) {
		if i > maxBeamAlts {
			break
		}
		var s []sym
		if b.text != "" {
			at := align(nr.m, b.text)
			if at == nil {
				continue
			}
			s = alignedSyms(nr.m, b.text, at, frac)
		}
		if i == 0 {
			nr.syms = s // empty: the net read nothing
		} else if s != nil {
			nr.alts = append(nr.alts, s)
		}
	}
}

// withNet runs the plate net on roi and combines its reading with
// PP-OCRv4's (res, err): the same text raises the reading's confidence (two
// independent readers agree: 1 − (1−a)(1−b)); a different one becomes the
// second candidate, or the first where its confidence beats PP-OCRv4's by
// NetMargin. Where PP-OCRv4 read nothing, the net's reading is not used on
// its own. Result.Plate carries the net's plate probability.
func (r *Reader) withNet(nr netRead, res Result, err error) (Result, error) {
	nr.decode()
	return combine(r.opts, res, err, nr)
}

// combine is withNet's decision, given the net's reading nr.
func combine(o Options, res Result, err error, nr netRead) (Result, error) {
	res.Plate = nr.plate
	if len(nr.syms) >= o.MinLen && len(nr.syms) <= o.MaxLen {
		res.Net = Candidate{Text: symText(nr.syms), Confidence: meanConf(nr.syms)}
	}
	if err != nil || res.Net.Text == "" {
		return res, err
	}
	best := res.Candidates[0]
	if best.Text == res.Net.Text {
		res.Candidates[0].Confidence = 1 - (1-best.Confidence)*(1-res.Net.Confidence)
		if o.NetWeight > 0 {
			res.Candidates = jointOrder(res.Candidates, res.line, nr.m, o.NetWeight)
		}
		return res, nil
	}
	order := append([]Candidate{best, res.Net}, res.Candidates[1:]...)
	agree := -1
	for i := 1; i < min(3, len(res.Candidates)); i++ {
		if res.Candidates[i].Text == res.Net.Text {
			agree = i
		}
	}
	switch {
	case agree > 0 && res.Net.Confidence >= o.NetPromote:
		c := res.Candidates[agree].Confidence
		order[0], order[1] = Candidate{res.Net.Text, 1 - (1-c)*(1-res.Net.Confidence)}, best
	case res.Net.Confidence >= best.Confidence+o.NetMargin:
		order[0], order[1] = res.Net, best
	}
	out := make([]Candidate, 0, len(order))
	seen := map[string]bool{}
	for _, c := range order {
		if !seen[c.Text] {
			seen[c.Text] = true
			out = append(out, c)
		}
	}
	if len(out) > o.MaxCandidates {
		out = out[:o.MaxCandidates]
	}
	if o.NetWeight > 0 {
		out = jointOrder(out, res.line, nr.m, o.NetWeight)
	}
	res.Candidates = out
	return res, nil
}

func meanConf(ss []sym) float32 {
	var c float32
	for _, s := range ss {
		c += s.conf / float32(len(ss))
	}
	return c
}

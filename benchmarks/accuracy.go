package benchmarks

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/fnv"
	"image"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"gocv.io/x/gocv"

	"github.com/plateward/alpr/edge"
	"github.com/plateward/alpr/edge/detect"
	"github.com/plateward/alpr/edge/plate"
	"github.com/plateward/alpr/internal/cvthreads"
)

// Sample is one labelled image of an accuracy dataset.
type Sample struct {
	Path  string
	Plate string          // the truth, as written
	State string          // two-letter code, lower case; empty when unknown
	Box   image.Rectangle // truth box in a scene; empty for a crop
	Crop  bool            // the image is a cropped plate
	// Scale is the factor the image is resized by before it is read (0
	// or 1: as it is). Box is in the resized image's pixels.
	Scale float64
}

// AtScales returns each sample once at each scale, in order: the set read
// as though taken with cameras of other resolutions, or plates nearer and
// farther. A sample keeps its fold (FoldOf is a hash of the file's name),
// so a fold holds its images at every scale. No scales returns samples.
func AtScales(samples []Sample, scales []float64) []Sample {
	if len(scales) == 0 {
		return samples
	}
	out := make([]Sample, 0, len(samples)*len(scales))
	for _, s := range samples {
		for _, k := range scales {
			t := s
			t.Scale = k
			t.Box = image.Rect(int(math.Round(float64(s.Box.Min.X)*k)), int(math.Round(float64(s.Box.Min.Y)*k)),
				int(math.Round(float64(s.Box.Max.X)*k)), int(math.Round(float64(s.Box.Max.Y)*k)))
			out = append(out, t)
		}
	}
	return out
}

// scale is the factor the sample is read at: Scale, 1 when unset.
func (s Sample) scale() float64 {
	if s.Scale == 0 {
		return 1
	}
	return s.Scale
}

// ScaleTag is "@k" for a sample read at scale k, empty at its own size:
// what names it apart from the same image at other scales.
func (s Sample) ScaleTag() string {
	if s.scale() == 1 {
		return ""
	}
	return fmt.Sprintf("@%g", s.Scale)
}

// read decodes a sample's image and resizes it by its scale: area
// interpolation down, linear up, as a camera's scaler would.
func (s Sample) read() (gocv.Mat, error) {
	m := gocv.IMRead(s.Path, gocv.IMReadColor)
	if m.Empty() {
		m.Close()
		return gocv.Mat{}, fmt.Errorf("cannot decode %s", s.Path)
	}
	if s.scale() == 1 {
		return m, nil
	}
	defer m.Close()
	interp := gocv.InterpolationArea
	if s.Scale > 1 {
		interp = gocv.InterpolationLinear
	}
	out := gocv.NewMat()
	size := image.Pt(max(1, int(math.Round(float64(m.Cols())*s.Scale))), max(1, int(math.Round(float64(m.Rows())*s.Scale))))
	gocv.Resize(m, &out, size, 0, 0, interp)
	return out, nil
}

// Truth is the plate in the reader's spelling (plate.Normalize): a few
// labels write the round glyph as the letter O, which Plateward spells 0
// everywhere; read as 0, such a plate is read right.
func (s Sample) Truth() string { return plate.Normalize(s.Plate) }

// LoadDataset reads either layout of the OpenALPR benchmark sets: a folder
// of scenes with one NAME.txt per NAME.jpg ("NAME.jpg x y w h PLATE"), or a
// folder of crops with groundtruth.csv (image,region,plate). It also takes
// the parent folder and loads both.
func LoadDataset(dir string) ([]Sample, error) {
	if _, err := os.Stat(filepath.Join(dir, "groundtruth.csv")); err == nil {
		return loadCrops(dir)
	}
	if txts, _ := filepath.Glob(filepath.Join(dir, "*.txt")); len(txts) > 0 {
		return loadScenes(dir, txts)
	}
	var all []Sample
	for _, sub := range []string{"endtoend-us", "plates-us"} {
		if _, err := os.Stat(filepath.Join(dir, sub)); err == nil {
			s, err := LoadDataset(filepath.Join(dir, sub))
			if err != nil {
				return nil, err
			}
			all = append(all, s...)
		}
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("dataset %s: no groundtruth.csv, no NAME.txt files, no endtoend-us/ or plates-us/", dir)
	}
	return all, nil
}

func loadCrops(dir string) ([]Sample, error) {
	f, err := os.Open(filepath.Join(dir, "groundtruth.csv"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	var out []Sample
	for line := 1; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("groundtruth.csv:%d: %w", line, err)
		}
		if line == 1 {
			continue
		}
		if len(rec) < 3 {
			return nil, fmt.Errorf("groundtruth.csv:%d: want image,region,plate", line)
		}
		out = append(out, Sample{Path: filepath.Join(dir, rec[0]), State: strings.ToLower(rec[1]), Plate: rec[2], Crop: true})
	}
	return out, nil
}

func loadScenes(dir string, txts []string) ([]Sample, error) {
	sort.Strings(txts)
	var out []Sample
	for _, t := range txts {
		f, err := os.Open(t)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(f)
		sc.Scan()
		fields := strings.Fields(sc.Text())
		f.Close()
		if len(fields) < 6 {
			return nil, fmt.Errorf("%s:1: want NAME x y w h PLATE", t)
		}
		n := make([]int, 4)
		for i := range n {
			if n[i], err = strconv.Atoi(fields[1+i]); err != nil {
				return nil, fmt.Errorf("%s:1: %w", t, err)
			}
		}
		out = append(out, Sample{Path: filepath.Join(dir, fields[0]), Plate: fields[5],
			Box: image.Rect(n[0], n[1], n[0]+n[2], n[1]+n[3])})
	}
	return out, nil
}

// AccuracyResult is the benchmark's figures. The JSON keys are fixed by
// the benchmark's contract.
type AccuracyResult struct {
	Images       int     `json:"images"`
	Top1         float64 `json:"top1"`
	TopN         float64 `json:"topn"`
	Detection    float64 `json:"detection"`
	CharAccuracy float64 `json:"char_accuracy"`
	LatencyP50   float64 `json:"latency_ms_p50"`
	LatencyP95   float64 `json:"latency_ms_p95"`
	WallS        float64 `json:"wall_s"`
	// JunkPer100 is, per 100 scenes, the reads whose text is not the
	// scene's plate and whose region is not the plate's (IoU ≤ 0.4): a
	// state's name, a slogan, a dealer's word, a sign. A second car's
	// real plate in view counts too (the sets label one plate a scene), so
	// it is an upper bound. Zero for crops.
	JunkPer100 float64 `json:"junk_per_100"`
	// Scales are the sizes the images were read at (Sample.Scale), in the
	// order given; absent when every image was read at its own size.
	Scales []float64 `json:"scales,omitempty"`
	// Fold is the fold's number when the result is one fold's (1-based).
	Fold  int              `json:"fold,omitempty"`
	Folds []AccuracyResult `json:"folds,omitempty"`
	// State accuracy, over the samples whose state is known (crops): not
	// one of the benchmark's JSON keys, printed in its table.
	StateAccuracy float64 `json:"-"`
	StateSamples  int     `json:"-"`
}

// Outcome is what the reader made of one sample.
type Outcome struct {
	Sample     Sample
	Best       string
	State      string // postal code read from the name band, upper case
	Candidates []string
	Detected   bool
	Junk       []string // texts read in the scene that are not its plate (see JunkPer100)
	Latency    time.Duration
	Crop       *gocv.Mat // the best plate's region, for --errors; nil when none
}

// AccuracyOptions configures the benchmark.
type AccuracyOptions struct {
	Recognizer edge.RecognizerOptions
	Warmup     int                 // images read first and not timed
	Threads    int                 // OpenCV threads; 1 measures "one core"
	Folds      int                 // > 1: also score each of this many folds (FoldOf)
	OnOutcome  func(Outcome) error // called for each sample (the errors folder)
}

// Accuracy reads every sample with the edge recogniser, on one goroutine
// with its models loaded once, and scores the results strictly.
func Accuracy(ctx context.Context, samples []Sample, o AccuracyOptions) (AccuracyResult, error) {
	var res AccuracyResult
	if o.Threads > 0 {
		old := cvthreads.Get()
		cvthreads.Set(o.Threads)
		defer cvthreads.Set(old)
	}
	rz, err := edge.NewRecognizer(o.Recognizer)
	if err != nil {
		return res, err
	}
	defer rz.Close()
	start := time.Now()
	for i := range min(o.Warmup, len(samples)) {
		m, err := samples[i].read()
		if err != nil {
			return res, err
		}
		_, err = recognize(rz, m, samples[i].Crop)
		m.Close()
		if err != nil {
			return res, fmt.Errorf("warm-up on %s: %w", samples[i].Path, err)
		}
	}
	all := tally{}
	folds := make([]tally, max(o.Folds, 0))
	for _, s := range samples {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		m, err := s.read()
		if err != nil {
			return res, err
		}
		t0 := time.Now()
		plates, err := recognize(rz, m, s.Crop)
		dt := time.Since(t0)
		if err != nil {
			m.Close()
			return res, fmt.Errorf("%s: %w", s.Path, err)
		}
		out := Outcome{Sample: s, Latency: dt}
		if len(plates) > 0 {
			best := plates[0]
			out.Best = best.Result.Best().Text
			out.State = best.Result.State.Code
			for _, c := range best.Result.Candidates {
				out.Candidates = append(out.Candidates, c.Text)
			}
			reg := best.Region.Plate.Intersect(image.Rect(0, 0, m.Cols(), m.Rows()))
			if !reg.Empty() {
				c := m.Region(reg)
				out.Crop = &c
			}
		}
		for _, p := range plates {
			onPlate := s.Crop || detect.IoU(p.Region.Plate, s.Box) > 0.4
			if onPlate {
				out.Detected = true
			}
			if t := p.Result.Best().Text; !onPlate && t != s.Truth() {
				out.Junk = append(out.Junk, t)
			}
		}
		all.add(out)
		if len(folds) > 1 {
			folds[FoldOf(s.Path, len(folds))].add(out)
		}
		var cbErr error
		if o.OnOutcome != nil {
			cbErr = o.OnOutcome(out)
		}
		if out.Crop != nil {
			out.Crop.Close()
		}
		m.Close()
		if cbErr != nil {
			return res, cbErr
		}
	}
	res = all.result()
	res.WallS = time.Since(start).Seconds()
	res.Scales = scalesOf(samples)
	if len(folds) > 1 {
		for i, f := range folds {
			fr := f.result()
			fr.Fold = i + 1
			res.Folds = append(res.Folds, fr)
		}
	}
	return res, nil
}

// scalesOf returns the samples' distinct scales in the order they first
// appear, or nil when every sample is read at its own size.
func scalesOf(samples []Sample) []float64 {
	var out []float64
	resized := false
	seen := map[float64]bool{}
	for _, s := range samples {
		k := s.scale()
		resized = resized || k != 1
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	if !resized {
		return nil
	}
	return out
}

// FoldOf is the fold (0..k-1) of a sample: a hash (FNV-1a) of its file's
// name, so a sample stays in its fold whatever else is in the set.
func FoldOf(path string, k int) int {
	h := fnv.New32a()
	h.Write([]byte(filepath.Base(path)))
	return int(h.Sum32() % uint32(k)) //nolint:gosec // k > 1
}

// tally scores outcomes.
type tally struct {
	n, top1, topn, det, junk, states, stateOK, scenes int
	chars                                             float64
	lat                                               []float64
}

func (t *tally) add(out Outcome) {
	s := out.Sample
	t.n++
	t.lat = append(t.lat, float64(out.Latency.Microseconds())/1000)
	if out.Detected {
		t.det++
	}
	truth := s.Truth()
	if out.Best == truth {
		t.top1++
	}
	for i, c := range out.Candidates {
		if i < 10 && c == truth {
			t.topn++
			break
		}
	}
	t.chars += charAccuracy(out.Best, truth)
	if !s.Crop {
		t.scenes++
		t.junk += len(out.Junk)
	}
	if s.State != "" {
		t.states++
		if strings.EqualFold(out.State, s.State) {
			t.stateOK++
		}
	}
}

func (t *tally) result() AccuracyResult {
	n := float64(max(t.n, 1))
	r := AccuracyResult{Images: t.n, Top1: float64(t.top1) / n, TopN: float64(t.topn) / n, Detection: float64(t.det) / n,
		CharAccuracy: t.chars / n, LatencyP50: percentile(t.lat, 50), LatencyP95: percentile(t.lat, 95), StateSamples: t.states}
	if t.scenes > 0 {
		r.JunkPer100 = 100 * float64(t.junk) / float64(t.scenes)
	}
	if t.states > 0 {
		r.StateAccuracy = float64(t.stateOK) / float64(t.states)
	}
	return r
}

// recognize runs the edge path on a scene; a crop is a plate already, so
// its whole image is the plate region when detection finds none in it.
func recognize(rz *edge.Recognizer, m gocv.Mat, crop bool) ([]edge.Plate, error) {
	if crop {
		return rz.RecognizeCrop(m)
	}
	return rz.Recognize(m)
}

// charAccuracy is 1 − edit distance / length of the truth, at least 0.
func charAccuracy(got, want string) float64 {
	if len(want) == 0 {
		return 0
	}
	return max(0, 1-float64(plate.Levenshtein(got, want))/float64(len(want)))
}

func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	i := int(float64(len(s)-1) * p / 100)
	return s[i]
}

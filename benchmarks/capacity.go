package benchmarks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"os"
	"time"

	"gocv.io/x/gocv"

	"github.com/plateward/alpr/edge/detect"
)

// CapacityResult is a department's store measured at full size: the
// investigations benchmark on o.Reads reads over o.Days days, what building
// and holding it cost, and the size of a real plate's crop as the car
// stores it. It is written once by `alpr bench capacity` (it takes the
// better part of an hour) and read by the report, which says when and on
// what it was measured.
type CapacityResult struct {
	Search    SearchResult `json:"search"`
	Started   time.Time    `json:"started"`
	Took      float64      `json:"took_s"`
	Commit    string       `json:"commit"`
	Machine   string       `json:"machine"`
	PeakRSSMB float64      `json:"peak_rss_mb"` // the whole run's, fill and searches
	// CropBytes is the mean JPEG of a plate's crop (detect.Region.CropArea
	// around each labelled plate of the scenes, quality 90 as the car
	// encodes it); CropImages how many were measured.
	CropBytes  float64 `json:"crop_bytes"`
	CropImages int     `json:"crop_images"`
}

// CapacityOptions sizes the capacity run.
type CapacityOptions struct {
	Search  SearchOptions
	Dataset string // labelled scenes (openalpr-us-dev/endtoend-us) for the crop size
	Commit  string
	Machine string
}

// Capacity runs the investigations benchmark at o.Search's size and
// measures the crops of o.Dataset's scenes.
func Capacity(ctx context.Context, o CapacityOptions) (CapacityResult, error) {
	res := CapacityResult{Started: time.Now().UTC(), Commit: o.Commit, Machine: o.Machine}
	var err error
	if res.CropBytes, res.CropImages, err = cropBytes(o.Dataset); err != nil {
		return res, err
	}
	if res.Search, err = Search(ctx, o.Search); err != nil {
		return res, err
	}
	res.Took = time.Since(res.Started).Seconds()
	res.PeakRSSMB = peakRSSMB()
	return res, nil
}

// cropBytes is the mean size of the plate crops a car would store for the
// labelled scenes in dir: the crop area around each truth box (taken as
// the row of characters), JPEG quality 90.
func cropBytes(dir string) (float64, int, error) {
	samples, err := LoadDataset(dir)
	if err != nil {
		return 0, 0, err
	}
	var sum, n int
	for _, s := range samples {
		if s.Crop || s.Box.Empty() {
			continue
		}
		m := gocv.IMRead(s.Path, gocv.IMReadColor)
		if m.Empty() {
			m.Close()
			return 0, 0, fmt.Errorf("capacity: cannot read %s", s.Path)
		}
		// The truth box is the plate; its row of characters is about its
		// middle half in height (detect's plateAround, inverted roughly).
		b := s.Box
		row := image.Rect(b.Min.X+b.Dx()/14, b.Min.Y+b.Dy()/4, b.Max.X-b.Dx()/14, b.Max.Y-b.Dy()/5)
		area := detect.Region{Chars: row}.CropArea().Intersect(image.Rect(0, 0, m.Cols(), m.Rows()))
		roi := m.Region(area)
		buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, roi, []int{gocv.IMWriteJpegQuality, 90})
		roi.Close()
		m.Close()
		if err != nil {
			return 0, 0, fmt.Errorf("capacity: %s: %w", s.Path, err)
		}
		sum += buf.Len()
		n++
		buf.Close()
	}
	if n == 0 {
		return 0, 0, errors.New("capacity: no labelled scene to measure crops on")
	}
	return float64(sum) / float64(n), n, nil
}

// LoadCapacity reads a capacity result written by `alpr bench capacity`.
func LoadCapacity(path string) (*CapacityResult, error) {
	b, err := os.ReadFile(path) //nolint:gosec // the report's own input
	if err != nil {
		return nil, err
	}
	var c CapacityResult
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("capacity file %s: %w", path, err)
	}
	if c.Search.Reads == 0 || c.Search.DBBytes == 0 {
		return nil, fmt.Errorf("capacity file %s: no store measured", path)
	}
	return &c, nil
}

package benchmarks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"runtime"
	"time"

	"gocv.io/x/gocv"

	"github.com/plateward/alpr/edge"
	"github.com/plateward/alpr/edge/capture"
	"github.com/plateward/alpr/fixtures"
	"github.com/plateward/alpr/internal/mjpegtest"
)

// SoakOptions sizes a long shift on live streams.
type SoakOptions struct {
	Streams       int
	Width, Height int
	FPS           int
	Cars          int // cars in the looped video
	Duration      time.Duration
	Every         time.Duration // sampling interval
	Models, Dir   string
}

// SoakSample is the reader's state at one moment of a soak.
type SoakSample struct {
	AtS        float64 `json:"at_s"`
	RSSMB      float64 `json:"rss_mb"`
	Queue      int     `json:"drive_queue"`
	Goroutines int     `json:"goroutines"`
}

// SoakResult is a long shift on live streams: does anything grow?
type SoakResult struct {
	Streams    int     `json:"streams"`
	Resolution string  `json:"resolution"`
	DurationS  float64 `json:"duration_s"`
	Frames     int64   `json:"frames"`
	Skipped    int64   `json:"skipped"`
	Reads      int64   `json:"reads"`
	// RSS a tenth of the way in and at the end; Growth is end/tenth − 1
	// (goal: within 10 %).
	RSSTenthMB float64      `json:"rss_tenth_mb"`
	RSSEndMB   float64      `json:"rss_end_mb"`
	Growth     float64      `json:"rss_growth"`
	QueueMax   int          `json:"drive_queue_max"`
	Samples    []SoakSample `json:"samples"`
}

// Soak runs the reader on o.Streams live MJPEG streams (the fixtures'
// video at o.Width×o.Height, looped, from real HTTP servers on loopback,
// frames encoded once so the servers cost little) for o.Duration, and
// samples resident memory, the drive queue and goroutines every o.Every.
// The reader keeps only each camera's newest frame, so nothing should
// grow: RSS at the end within 10 % of a tenth of the way in.
func Soak(ctx context.Context, o SoakOptions) (SoakResult, error) {
	res := SoakResult{Streams: o.Streams, Resolution: fmt.Sprintf("%dp", o.Height)}
	if o.Streams < 1 || o.Duration <= 0 || o.Every <= 0 {
		return res, errors.New("soak: need streams, a duration and a sampling interval")
	}
	fo := fixtures.DefaultOptions()
	fo.Scenes, fo.VideoCars, fo.Width, fo.Height, fo.FPS, fo.Seed = 0, o.Cars, o.Width, o.Height, o.FPS, 11
	dir := filepath.Join(o.Dir, fmt.Sprintf("soak-%d", o.Height))
	if _, err := fixtures.GenerateShift(dir, fo); err != nil {
		return res, err
	}
	jpegs, err := videoJPEGs(filepath.Join(dir, fixtures.VideoFile))
	if err != nil {
		return res, err
	}
	eo := edge.DefaultOptions()
	eo.OCR.ModelsDir = o.Models
	for i := range o.Streams {
		srv, err := mjpegtest.StartJPEG(func(k int) ([]byte, bool) { return jpegs[k%len(jpegs)], true }, o.FPS)
		if err != nil {
			return res, err
		}
		defer srv.Stop()
		eo.Sources = append(eo.Sources, capture.Spec{Camera: fmt.Sprintf("cam%d", i+1), Kind: capture.KindHTTP, Target: srv.URL()})
	}
	eo.DriveDir, eo.Vehicle, eo.Officer = filepath.Join(o.Dir, "soak-drive"), "bench", "bench"
	eo.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	eo.Metrics = edge.NewMetrics()
	rctx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	type ran struct {
		st  edge.Stats
		err error
	}
	done := make(chan ran, 1)
	t0 := time.Now()
	go func() {
		st, err := edge.Run(rctx, eo)
		done <- ran{st, err}
	}()
	tick := time.NewTicker(o.Every)
	defer tick.Stop()
	sample := func() {
		s := SoakSample{AtS: time.Since(t0).Seconds(), RSSMB: procStatusMB("VmRSS:"), Queue: eo.Metrics.DriveQueue(), Goroutines: runtime.NumGoroutine()}
		res.Samples = append(res.Samples, s)
		res.QueueMax = max(res.QueueMax, s.Queue)
	}
	var r ran
	for waiting := true; waiting; {
		select {
		case <-tick.C:
			sample()
		case r = <-done:
			waiting = false
		}
	}
	res.DurationS = time.Since(t0).Seconds()
	if r.err != nil && !errors.Is(r.err, context.DeadlineExceeded) && !errors.Is(r.err, context.Canceled) {
		return res, r.err
	}
	res.Frames, res.Skipped, res.Reads = r.st.Frames, r.st.Dropped, r.st.Reads
	if n := len(res.Samples); n > 0 {
		res.RSSTenthMB, res.RSSEndMB = res.Samples[n/10].RSSMB, res.Samples[n-1].RSSMB
		res.Growth = res.RSSEndMB/res.RSSTenthMB - 1
	}
	return res, nil
}

// videoJPEGs encodes every frame of a video once.
func videoJPEGs(path string) ([][]byte, error) {
	vc, err := gocv.VideoCaptureFile(path)
	if err != nil {
		return nil, err
	}
	defer vc.Close()
	m := gocv.NewMat()
	defer m.Close()
	var out [][]byte
	for vc.Read(&m) && !m.Empty() {
		buf, err := gocv.IMEncode(gocv.JPEGFileExt, m)
		if err != nil {
			return nil, err
		}
		out = append(out, append([]byte(nil), buf.GetBytes()...))
		buf.Close()
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("soak: no frame in %s", path)
	}
	return out, nil
}

package benchmarks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/plateward/alpr/edge"
	"github.com/plateward/alpr/edge/capture"
	"github.com/plateward/alpr/edge/drive"
	"github.com/plateward/alpr/edge/shift"
	"github.com/plateward/alpr/fixtures"
	"github.com/plateward/alpr/internal/rtsptest"
)

// EdgeResult is one configuration of the real-time benchmark; the JSON keys
// are fixed by the benchmark's contract.
type EdgeResult struct {
	Road       string  `json:"road"` // the video's road condition (fixtures.RoadKinds)
	Cameras    int     `json:"cameras"`
	Resolution string  `json:"resolution"`
	FPSPerCore float64 `json:"fps_per_core"`
	Dropped    int64   `json:"dropped"`
	Recall     float64 `json:"recall"`
	AlertP50   float64 `json:"alert_ms_p50"`
	AlertP95   float64 `json:"alert_ms_p95"`
	AlertP99   float64 `json:"alert_ms_p99"`
	RSSMB      float64 `json:"rss_mb"`
	// Still is how many frames the motion gate kept from the recogniser;
	// Gate says whether it was on.
	Still int64 `json:"-"`
	Gate  bool  `json:"-"`
	// SecondLooks is how many frames the text detector looked at.
	SecondLooks int64    `json:"-"`
	ROI         edge.ROI `json:"-"`
	// Resident memory a tenth of the way into the replay and at its end,
	// sampled every RSSEvery: equal within noise when nothing grows.
	RSSEarlyMB, RSSLateMB float64 `json:"-"`
	ReplayS               float64 `json:"-"`
	// CPUCores is the processor time the replay used over its wall time:
	// 2 is both cores busy throughout.
	CPUCores float64 `json:"-"`
	Alerts   int     `json:"-"` // alerts timed: the percentiles' sample
	Gap      int     `json:"-"` // empty frames between cars
	Workers  int     `json:"-"` // recognisers the cameras shared
	FlatOut  bool    `json:"flat_out,omitempty"`
	// Stream is how the cameras sent the video: "" read from the file,
	// "rtsp" H.264 over RTSP from a real server on loopback.
	Stream string `json:"stream,omitempty"`
	// Missed names the plates a camera did not read right, and what it
	// read in the meantime that is not a plate of the video.
	Missed []string `json:"missed,omitempty"`
	Other  []string `json:"other_reads,omitempty"`
}

// RSSEvery is how often the edge benchmark samples resident memory.
const RSSEvery = 2 * time.Second

// sampleRSS samples the process's resident memory every d until stop is
// called, which returns the samples in MB.
func sampleRSS(d time.Duration) (stop func() []float64) {
	done := make(chan struct{})
	out := make(chan []float64, 1)
	go func() {
		var s []float64
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				s = append(s, procStatusMB("VmRSS:"))
			case <-done:
				out <- append(s, procStatusMB("VmRSS:"))
				return
			}
		}
	}()
	return func() []float64 {
		close(done)
		return <-out
	}
}

// EdgeOptions sizes one configuration.
type EdgeOptions struct {
	Cameras       int
	Width, Height int
	FPS           int
	Cars          int    // cars in each camera's video
	Models        string // prepared models
	Dir           string // scratch space
	NoMotionGate  bool   // recognise every frame, still or not
	NoSecondLook  bool   // no text detector where the first look read nothing
	ROI           edge.ROI
	GapFrames     int // empty street between two cars, frames; 0: the fixture's default (6)
	Workers       int // recognisers the cameras share; 0: edge's default, one per core
	// FlatOut feeds every frame as fast as the reader takes it instead of
	// at the video's frame rate: the most frames a second the reader can
	// recognise. Nothing is skipped, and no latency is measured (a frame
	// is not waited for, so there is no capture time to measure from).
	FlatOut bool
	Road    string // the video's road condition (fixtures.RoadKinds); "" is the clear day
	Fuse    bool   // read tracks per character position too (track.Options.Fuse)
	// Stream "rtsp" serves each camera's video as H.264 over RTSP from
	// GStreamer's server on loopback (internal/rtsptest) and reads it as a
	// live camera: frames are stamped with the stream's capture times
	// (capture's stream clock), and latency runs from them.
	Stream string
}

// Stream kinds of EdgeOptions.Stream.
const (
	StreamFile = ""
	StreamRTSP = "rtsp"
)

// latencyAlerter measures frame-to-alert latency: from a hit's capture
// time (the frame's clock time in a real-time replay) to the moment the
// alert reaches the page's side of the reader.
type latencyAlerter struct {
	mu   sync.Mutex
	ms   []float64
	read map[string]bool // camera + plate
}

func (a *latencyAlerter) Read(r drive.Read) {
	a.mu.Lock()
	a.read[r.Camera+" "+r.Plate] = true
	a.mu.Unlock()
}
func (a *latencyAlerter) Status(string, string) {}
func (a *latencyAlerter) Hit(h drive.Hit, _ []byte) error {
	a.mu.Lock()
	a.ms = append(a.ms, float64(time.Since(h.AlertedAt).Microseconds())/1000)
	a.mu.Unlock()
	return nil
}

// Edge replays a generated video from o.Cameras cameras at once, at its own
// frame rate (frames the reader cannot keep up with are skipped and
// counted) or flat out, and measures throughput, recall, frame-to-alert
// latency (at the frame rate) and memory. Every plate of the video is on the hot list, so every read plate
// raises an alert.
func Edge(ctx context.Context, o EdgeOptions) (EdgeResult, error) {
	res := EdgeResult{Cameras: o.Cameras, Resolution: fmt.Sprintf("%dp", o.Height), Road: o.Road, Stream: o.Stream}
	switch {
	case o.Stream != StreamFile && o.Stream != StreamRTSP:
		return res, fmt.Errorf("bench edge: stream %q: want rtsp or none", o.Stream)
	case o.Stream == StreamRTSP && o.FlatOut:
		return res, errors.New("bench edge: a stream comes at its own rate: not flat out")
	}
	if res.Road == "" {
		res.Road = fixtures.RoadDay
	}
	fo := fixtures.DefaultOptions()
	fo.Scenes, fo.VideoCars, fo.Width, fo.Height, fo.FPS, fo.HotEntries, fo.Seed, fo.Road = 0, o.Cars, o.Width, o.Height, o.FPS, 1000, 7, o.Road
	if o.GapFrames > 0 {
		fo.GapFrames = o.GapFrames
	}
	res.Gap = fo.GapFrames
	shiftDir := filepath.Join(o.Dir, fmt.Sprintf("shift-%d-%s", o.Height, res.Road))
	s, err := fixtures.GenerateShift(shiftDir, fo)
	if err != nil {
		return res, err
	}
	// A hot list with every plate of the video, so each read alerts.
	var b strings.Builder
	b.WriteString("NIC       ORI      DATE    LIC       LSLIY LTVYR VMA VMOVSVCO\n")
	plates := map[string]bool{}
	for _, tr := range s.Truth {
		if !plates[tr.Plate.Text] {
			plates[tr.Plate.Text] = true
			fmt.Fprintf(&b, "%-10s%-9s%-8s%-10s%-2s\n", "V"+strconv.Itoa(100000000+len(plates)), "MO0640000", "20260101", tr.Plate.Text, "MO")
		}
	}
	hot := filepath.Join(o.Dir, "bench-hot.ncic")
	if err := os.WriteFile(hot, []byte(b.String()), 0o600); err != nil {
		return res, err
	}
	eo := edge.DefaultOptions()
	eo.OCR.ModelsDir, eo.Realtime, eo.Track.Fuse = o.Models, !o.FlatOut, o.Fuse
	eo.Motion.Off, eo.ROI, eo.Workers, eo.SecondLook.Off = o.NoMotionGate, o.ROI, o.Workers, o.NoSecondLook
	for i := range o.Cameras {
		sp := capture.Spec{Camera: fmt.Sprintf("cam%d", i+1), Kind: capture.KindVideo, Target: filepath.Join(shiftDir, fixtures.VideoFile)}
		if o.Stream == StreamRTSP {
			// Once: when the video ends the camera is gone for good, which
			// ends the run.
			srv, err := rtsptest.Start(sp.Target, sp.Camera, o.Dir, true)
			if err != nil {
				return res, err
			}
			defer srv.Stop()
			sp.Kind, sp.Target = capture.KindRTSP, srv.URL()
			eo.Reconnect = capture.ReconnectOptions{First: 100 * time.Millisecond, Max: 500 * time.Millisecond, GiveUp: 2 * time.Second}
		}
		eo.Sources = append(eo.Sources, sp)
	}
	res.Workers = eo.RecognizerCount()
	eo.Start, eo.DriveDir, eo.Vehicle, eo.Officer = fo.Start, filepath.Join(o.Dir, "drive"), "bench", "bench"
	eo.Hotlists = []shift.HotlistConfig{{Path: hot, Format: "ncic"}}
	eo.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	al := &latencyAlerter{read: map[string]bool{}}
	eo.Alerter = al
	t0 := time.Now()
	stopRSS := sampleRSS(RSSEvery)
	cpu0 := cpuSeconds()
	st, err := edge.Run(ctx, eo)
	if o.Stream != StreamFile && errors.Is(err, capture.ErrCameraGone) {
		err = nil // the stream ended
	}
	rss := stopRSS()
	wall := time.Since(t0).Seconds()
	res.CPUCores = (cpuSeconds() - cpu0) / wall
	res.ReplayS, res.RSSEarlyMB, res.RSSLateMB = wall, rss[len(rss)/10], rss[len(rss)-1]
	if err != nil {
		return res, err
	}
	os.RemoveAll(eo.DriveDir)
	res.FPSPerCore = float64(st.Frames) / wall / float64(runtime.NumCPU())
	res.Dropped, res.Still, res.Gate, res.ROI, res.SecondLooks = st.Dropped, st.Still, !o.NoMotionGate, o.ROI, st.SecondLooks
	// Recall: the plates each camera read right, over the plates it showed.
	right := 0
	for _, sp := range eo.Sources {
		for p := range plates {
			if al.read[sp.Camera+" "+p] {
				right++
			} else {
				res.Missed = append(res.Missed, sp.Camera+" "+p)
			}
		}
	}
	for k := range al.read {
		if _, p, _ := strings.Cut(k, " "); !plates[p] {
			res.Other = append(res.Other, k)
		}
	}
	sort.Strings(res.Missed)
	sort.Strings(res.Other)
	res.Recall = float64(right) / float64(len(plates)*o.Cameras)
	res.Alerts, res.FlatOut = len(al.ms), o.FlatOut
	if !o.FlatOut {
		sort.Float64s(al.ms)
		res.AlertP50, res.AlertP95, res.AlertP99 = percentile(al.ms, 50), percentile(al.ms, 95), percentile(al.ms, 99)
	}
	res.RSSMB = peakRSSMB()
	return res, nil
}

// cpuSeconds is the processor time (user and system) this process has
// used.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// peakRSSMB reads the process's peak resident memory from /proc.
func peakRSSMB() float64 { return procStatusMB("VmHWM:") }

// procStatusMB reads one memory line of /proc/self/status, in MB.
func procStatusMB(key string) float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, key); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			return kb / 1024
		}
	}
	return 0
}

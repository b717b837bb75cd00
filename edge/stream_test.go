package edge

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gocv.io/x/gocv"

	"github.com/plateward/alpr/edge/capture"
	"github.com/plateward/alpr/edge/drive"
	"github.com/plateward/alpr/fixtures"
	"github.com/plateward/alpr/internal/mjpegtest"
	"github.com/plateward/alpr/internal/rtsptest"
)

// TestMJPEGCameraLostAndBack runs the reader on a network camera: the
// shift's video served as MJPEG over HTTP from a real server on loopback,
// read live through OpenCV's FFmpeg. Between two cars the server goes
// away and comes back: the drive records the camera lost and back, and
// every plate of the video is still read, once.
func TestMJPEGCameraLostAndBack(t *testing.T) {
	s, fo := smallShift(t)
	vc, err := gocv.VideoCaptureFile(filepath.Join(s.Dir, fixtures.VideoFile))
	if err != nil {
		t.Fatal(err)
	}
	var frames []gocv.Mat
	for {
		m := gocv.NewMat()
		if !vc.Read(&m) || m.Empty() {
			m.Close()
			break
		}
		frames = append(frames, m)
	}
	vc.Close()
	defer func() {
		for _, m := range frames {
			m.Close()
		}
	}()
	// The video, then the empty road for two seconds; the stream then ends.
	tail := 2 * fo.FPS
	var mu sync.Mutex
	srv, err := mjpegtest.Start(func(i int) (gocv.Mat, bool) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case i < len(frames):
			return frames[i], true
		case i < len(frames)+tail:
			return frames[len(frames)-1], true
		}
		return gocv.Mat{}, false
	}, fo.FPS)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()

	o := videoReplay(t, s)
	o.Sources = []capture.Spec{{Camera: "front", Kind: capture.KindHTTP, Target: srv.URL()}}
	o.Reconnect = capture.ReconnectOptions{First: 50 * time.Millisecond, Max: 200 * time.Millisecond, GiveUp: 3 * time.Second}
	o.DriveDir, o.Vehicle, o.Officer = t.TempDir(), "car7", "4127"
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { _, err := Run(ctx, o); done <- err }()

	// The cable is kicked in the gap after the first car, and plugged back.
	gap := fo.FramesPerCar + fo.GapFrames/2
	for srv.Sent() < gap {
		time.Sleep(10 * time.Millisecond)
	}
	addr := srv.Addr()
	srv.Stop()
	time.Sleep(300 * time.Millisecond)
	if err := srv.Restart(addr); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for srv.Sent() < len(frames)+tail {
		if time.Now().After(deadline) {
			t.Fatalf("the stream stalled at frame %d of %d", srv.Sent(), len(frames)+tail)
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(time.Second)
	cancel()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	dc := readDrive(t, o.DriveDir)
	var events []string
	for _, e := range dc.shifts {
		if e.Event == "camera" {
			events = append(events, e.Detail)
		}
	}
	if len(events) < 2 || !strings.Contains(events[0], "camera front lost") || !strings.Contains(events[1], "camera front back") {
		t.Fatalf("camera events on the drive: %q", events)
	}
	perPlate := map[string]int{}
	for _, r := range dc.reads {
		perPlate[r.Plate]++
	}
	for _, tr := range s.Truth {
		if tr.Source == fixtures.VideoFile && perPlate[tr.Plate.Text] != 1 {
			t.Errorf("plate %s read %d times from the stream, want once (reads: %v)", tr.Plate.Text, perPlate[tr.Plate.Text], perPlate)
		}
	}
}

// cameraWatch records the camera alarms the reader shows the officer.
type cameraWatch struct {
	mu   sync.Mutex
	seen []string
	lost chan struct{}
	once sync.Once
}

func (c *cameraWatch) Read(drive.Read)             {}
func (c *cameraWatch) Hit(drive.Hit, []byte) error { return nil }
func (c *cameraWatch) Status(key, text string) {
	if !strings.HasPrefix(key, "camera-") || text == "" {
		return
	}
	c.mu.Lock()
	c.seen = append(c.seen, text)
	c.mu.Unlock()
	if strings.Contains(text, "LOST") {
		c.once.Do(func() { close(c.lost) })
	}
}

// TestRTSPCameraReadsEveryPlate runs the reader on an RTSP camera: the
// shift's video as H.264 over RTP from GStreamer's RTSP server on
// loopback, read live through OpenCV's FFmpeg. Every plate of the video is
// read once, as from the file; when the video ends the server refuses the
// camera for good, and the officer is told it is lost.
func TestRTSPCameraReadsEveryPlate(t *testing.T) {
	s, _ := smallShift(t)
	srv, err := rtsptest.Start(filepath.Join(s.Dir, fixtures.VideoFile), "front", t.TempDir(), true)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	o := videoReplay(t, s)
	o.Sources = []capture.Spec{{Camera: "front", Kind: capture.KindRTSP, Target: srv.URL()}}
	o.Reconnect = capture.ReconnectOptions{First: 100 * time.Millisecond, Max: 500 * time.Millisecond, GiveUp: 3 * time.Second}
	o.DriveDir, o.Vehicle, o.Officer = t.TempDir(), "car7", "4127"
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	watch := &cameraWatch{lost: make(chan struct{})}
	o.Alerter = watch
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { _, err := Run(ctx, o); done <- err }()
	select {
	case <-watch.lost:
	case err := <-done:
		t.Fatalf("the reader stopped before the stream ended: %v", err)
	case <-time.After(2 * time.Minute):
		t.Fatalf("the stream never ended; alarms %q", watch.seen)
	}
	time.Sleep(500 * time.Millisecond)
	cancel()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	dc := readDrive(t, o.DriveDir)
	perPlate := map[string]int{}
	for _, r := range dc.reads {
		perPlate[r.Plate]++
	}
	want := map[string]bool{}
	for _, tr := range s.Truth {
		if tr.Source == fixtures.VideoFile {
			want[tr.Plate.Text] = true
		}
	}
	for p := range want {
		if perPlate[p] != 1 {
			t.Errorf("plate %s read %d times from the RTSP stream, want once (reads: %v)", p, perPlate[p], perPlate)
		}
	}
	if len(want) == 0 || len(dc.reads) != len(want) {
		t.Errorf("%d reads from the stream, want one for each of the video's %d plates: %v", len(dc.reads), len(want), perPlate)
	}
	var events []string
	for _, e := range dc.shifts {
		if e.Event == "camera" {
			events = append(events, e.Detail)
		}
	}
	if len(events) == 0 || !strings.Contains(events[0], "camera front lost") {
		t.Fatalf("camera events on the drive: %q", events)
	}
}

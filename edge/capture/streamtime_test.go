package capture

import (
	"fmt"
	"image"
	"image/color"
	"path/filepath"
	"testing"
	"time"

	"gocv.io/x/gocv"

	"github.com/plateward/alpr/internal/rtsptest"
)

// TestStreamClock drives the stream clock with positions and arrivals as a
// camera and a network give them.
func TestStreamClock(t *testing.T) {
	t0 := time.Date(2026, 12, 5, 14, 0, 0, 0, time.UTC)
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	type frame struct {
		pos     time.Duration
		noPos   bool
		arrived time.Duration // after t0
		want    time.Duration // capture time after t0
	}
	tests := []struct {
		name   string
		frames []frame
	}{
		{"no position: arrival", []frame{{noPos: true, arrived: ms(40), want: ms(40)}, {noPos: true, arrived: ms(90), want: ms(90)}}},
		{"steady stream: the camera's spacing from the fastest frame", []frame{
			{pos: 0, arrived: ms(12), want: ms(12)},
			{pos: ms(67), arrived: ms(72), want: ms(72)}, // 5 ms in transit: the fastest yet
			{pos: ms(133), arrived: ms(150), want: ms(138)},
			{pos: ms(200), arrived: ms(209), want: ms(205)},
		}},
		{"burst after a stall keeps the spacing", []frame{
			{pos: 0, arrived: ms(5), want: ms(5)},
			{pos: ms(500), arrived: ms(1200), want: ms(505)},
			{pos: ms(567), arrived: ms(1201), want: ms(572)},
			{pos: ms(633), arrived: ms(1202), want: ms(638)},
		}},
		{"never later than arrival", []frame{
			{pos: 0, arrived: ms(300), want: ms(300)}, // held up by the camera's probe
			{pos: ms(67), arrived: ms(310), want: ms(310)},
			{pos: ms(133), arrived: ms(140), want: ms(140)},
			{pos: ms(200), arrived: ms(210), want: ms(207)},
		}},
		{"a repeated position is unknown", []frame{
			{pos: 0, arrived: ms(10), want: ms(10)},
			{pos: 0, arrived: ms(50), want: ms(50)},
			{pos: ms(67), arrived: ms(80), want: ms(77)},
		}},
		{"a restarted stream starts again", []frame{
			{pos: ms(9000), arrived: ms(10), want: ms(10)},
			{pos: ms(9067), arrived: ms(80), want: ms(77)},
			{pos: ms(100), arrived: ms(5000), want: ms(5000)},
			{pos: ms(167), arrived: ms(5090), want: ms(5067)},
		}},
		{"a slow camera clock is followed, not fallen behind", []frame{
			{pos: 0, arrived: 0, want: 0},
			// The camera's clock loses 30 ms a minute: after a minute's
			// window, the offset comes from the last minute's frames
			// only (30 ms, not the first frame's 0).
			{pos: ms(30_000), arrived: ms(30_030), want: ms(30_000)},
			{pos: ms(61_000), arrived: ms(61_050), want: ms(61_030)},
			{pos: ms(61_067), arrived: ms(61_100), want: ms(61_097)},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c streamClock
			for i, f := range tt.frames {
				got := c.stamp(f.pos, !f.noPos, t0.Add(f.arrived)).Sub(t0)
				if got != f.want {
					t.Errorf("frame %d (position %v, arrived %v): capture %v, want %v", i, f.pos, f.arrived, got, f.want)
				}
			}
		})
	}
}

// TestRTSPFramesKeepTheCamerasTimes reads a real RTSP stream (GStreamer's
// server on loopback, 15 frames a second) with a reader that stalls for a
// second: the frames that waited in the buffer arrive together, and still
// carry times a frame apart, at or before their arrival.
func TestRTSPFramesKeepTheCamerasTimes(t *testing.T) {
	dir := t.TempDir()
	video := filepath.Join(dir, "clock.avi")
	writeClockVideo(t, video, 15, 150)
	srv, err := rtsptest.Start(video, "front", dir, false)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	src, err := Open(Spec{Camera: "front", Kind: KindRTSP, Target: srv.URL()}, Options{Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var f Frame
	next := func() (at, arrived time.Time) {
		if err := src.Next(&f); err != nil {
			t.Fatal(err)
		}
		return f.At, time.Now()
	}
	for range 30 { // a second of live reading: the clock learns the stream
		next()
	}
	time.Sleep(time.Second)
	var ats, arrivals []time.Time
	for range 10 {
		at, arr := next()
		ats, arrivals = append(ats, at), append(arrivals, arr)
	}
	for i := range ats {
		if ats[i].After(arrivals[i]) {
			t.Errorf("frame %d stamped %v, after it arrived (%v)", i, ats[i].Format("15:04:05.000"), arrivals[i].Format("15:04:05.000"))
		}
	}
	arrSpan, atSpan := arrivals[9].Sub(arrivals[0]), ats[9].Sub(ats[0])
	want := 9 * time.Second / 15
	if atSpan < want*8/10 || atSpan > want*12/10 {
		t.Errorf("10 buffered frames stamped over %v, want the camera's %v (they arrived over %v)", atSpan, want, arrSpan)
	}
	if arrSpan > want/2 {
		t.Logf("the buffered frames arrived over %v: the test did not stall the reader as meant", arrSpan)
	}
}

// writeClockVideo writes an MJPEG AVI of n frames at fps, each showing its
// number.
func writeClockVideo(t *testing.T, path string, fps, n int) {
	t.Helper()
	w, err := gocv.VideoWriterFile(path, "MJPG", float64(fps), 320, 240, true)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	m := gocv.NewMatWithSize(240, 320, gocv.MatTypeCV8UC3)
	defer m.Close()
	for i := range n {
		m.SetTo(gocv.NewScalar(40, 40, 40, 0))
		gocv.PutText(&m, fmt.Sprint(i), image.Pt(40, 150), gocv.FontHersheySimplex, 3, color.RGBA{240, 240, 240, 0}, 4)
		if err := w.Write(m); err != nil {
			t.Fatal(err)
		}
	}
}

package capture

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gocv.io/x/gocv"

	"github.com/plateward/alpr/internal/mjpegtest"
)

// mjpegServer is a camera's MJPEG stream on loopback (internal/mjpegtest)
// drawing numbered frames of w×h.
type mjpegServer struct {
	*mjpegtest.Server
	t    testing.TB
	w, h int
	img  gocv.Mat
}

func newMJPEGServer(t testing.TB, w, h, fps int) *mjpegServer {
	m := &mjpegServer{t: t, w: w, h: h, img: gocv.NewMat()}
	srv, err := mjpegtest.Start(m.frame, fps)
	if err != nil {
		t.Fatal(err)
	}
	m.Server = srv
	t.Cleanup(func() { srv.Stop(); m.img.Close() })
	return m
}

func (m *mjpegServer) frame(i int) (gocv.Mat, bool) {
	if m.img.Cols() != m.w || m.img.Rows() != m.h {
		m.img.Close()
		m.img = gocv.NewMatWithSize(m.h, m.w, gocv.MatTypeCV8UC3)
	}
	m.img.SetTo(gocv.NewScalar(float64(40+i%100), 90, 140, 0))
	gocv.PutText(&m.img, fmt.Sprintf("frame %d", i), image.Pt(20, m.h/2), gocv.FontHersheySimplex, 1.5, color.RGBA{255, 255, 255, 0}, 2)
	return m.img, true
}

func (m *mjpegServer) url() string { return m.URL() }
func (m *mjpegServer) stop()       { m.Stop() }
func (m *mjpegServer) start(addr string) {
	if err := m.Restart(addr); err != nil {
		m.t.Fatal(err)
	}
}

// rssKB is this process's resident memory.
func rssKB(t testing.TB) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return n
		}
	}
	t.Fatal("no VmRSS")
	return 0
}

type states struct {
	mu sync.Mutex
	s  []string
}

func (st *states) add(s string, _ error) { st.mu.Lock(); st.s = append(st.s, s); st.mu.Unlock() }
func (st *states) String() string        { st.mu.Lock(); defer st.mu.Unlock(); return strings.Join(st.s, " ") }

// TestMJPEGCameraReconnects reads an MJPEG camera over HTTP from a real
// server on loopback, through OpenCV's FFmpeg: it is read as a live
// source; when the server goes away and comes back — 50 times, once with
// a new resolution — the source reports the camera lost and back and
// goes on, without growing its goroutines or its memory; a camera that
// never comes back is reported gone.
func TestMJPEGCameraReconnects(t *testing.T) {
	m := newMJPEGServer(t, 640, 360, 30)
	sp, err := ParseSpec("front=" + m.url())
	if err != nil || sp.Kind != KindHTTP {
		t.Fatalf("%+v %v", sp, err)
	}
	var st states
	ctx := context.Background()
	rc, err := NewReconnecting(ctx, sp, Options{Now: time.Now},
		ReconnectOptions{First: 10 * time.Millisecond, Max: 100 * time.Millisecond, GiveUp: 5 * time.Second, OnState: st.add})
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var f Frame
	lost := 0
	read := func(n int) {
		t.Helper()
		for i := 0; i < n; i++ {
			err := rc.Next(&f)
			if errors.Is(err, ErrLost) {
				lost++ // said once per loss; the next call reconnects
				i--
				continue
			}
			if err != nil {
				t.Fatalf("after %q: %v", st.String(), err)
			}
		}
	}
	read(5)
	if f.Mat.Cols() != 640 || f.At.IsZero() || f.Seq != 4 {
		t.Fatalf("frame %dx%d seq %d at %v", f.Mat.Cols(), f.Mat.Rows(), f.Seq, f.At)
	}
	const cycles = 50
	var goroutines, rss int
	for i := range cycles {
		addr := m.Addr()
		m.stop()
		if i == cycles-1 {
			m.w, m.h = 1280, 720 // the camera comes back at another resolution
		}
		m.start(addr)
		read(3)
		if i == 9 {
			runtime.GC()
			goroutines, rss = runtime.NumGoroutine(), rssKB(t)
		}
	}
	if f.Mat.Cols() != 1280 || f.Mat.Rows() != 720 {
		t.Fatalf("after the new resolution: %dx%d", f.Mat.Cols(), f.Mat.Rows())
	}
	if got := strings.Count(st.String(), "lost"); got != cycles || strings.Count(st.String(), "back") != cycles || lost != cycles {
		t.Fatalf("%d cycles reported as %q, ErrLost %d times", cycles, st.String(), lost)
	}
	runtime.GC()
	if g := runtime.NumGoroutine(); g > goroutines+2 {
		t.Errorf("goroutines %d after 10 reconnects, %d after %d", goroutines, g, cycles)
	}
	if r := rssKB(t); r > rss+30_000 {
		t.Errorf("RSS %d kB after 10 reconnects, %d kB after %d", rss, r, cycles)
	}
	t.Logf("%d reconnects: goroutines %d -> %d, RSS %d -> %d kB", cycles, goroutines, runtime.NumGoroutine(), rss, rssKB(t))

	// A camera that never comes back is reported gone, not retried for ever.
	gone := &states{}
	rc.ro.GiveUp, rc.ro.OnState = 300*time.Millisecond, gone.add
	m.stop()
	t0 := time.Now()
	for {
		err = rc.Next(&f)
		if err != nil && !errors.Is(err, ErrLost) {
			break
		}
		if time.Since(t0) > 10*time.Second {
			t.Fatal("frames from a stopped server")
		}
	}
	if !errors.Is(err, ErrCameraGone) || gone.String() != "lost gone" {
		t.Fatalf("a camera that never comes back: %v, states %q", err, gone.String())
	}
}

// script is a Source that yields its steps in order: a frame (nil) or an
// error; io.EOF after the last.
type script struct {
	steps []error
	i     int
	mat   gocv.Mat
}

func (s *script) Next(f *Frame) error {
	if s.i >= len(s.steps) {
		return io.EOF
	}
	st := s.steps[s.i]
	s.i++
	if st != nil {
		return st
	}
	*f = Frame{Camera: "front", Seq: int64(s.i), At: time.Now(), Mat: s.mat}
	return nil
}
func (s *script) Close() error { return nil }
func (s *script) FPS() float64 { return 15 }

// TestLatestPassesOnALoss: a camera's loss (ErrLost) reaches the reader
// through Latest once, after the frames before it, and frames go on after.
func TestLatestPassesOnALoss(t *testing.T) {
	m := gocv.NewMatWithSize(8, 8, gocv.MatTypeCV8UC3)
	defer m.Close()
	src := &script{steps: []error{nil, ErrLost, nil, nil}, mat: m}
	l := NewLatest(context.Background(), src, false, time.Now)
	defer l.Close()
	var got []string
	var f Frame
	for {
		err := l.Next(&f)
		if errors.Is(err, io.EOF) {
			break
		}
		switch {
		case errors.Is(err, ErrLost):
			got = append(got, "lost")
		case err != nil:
			t.Fatal(err)
		default:
			got = append(got, "frame")
		}
	}
	// Latest keeps only the newest frame: a frame from before the loss not
	// yet taken is dropped, but the loss is never missed and frames follow it.
	s := strings.Join(got, " ")
	if strings.Count(s, "lost") != 1 || !strings.HasSuffix(s, "frame") || !strings.Contains(s, "lost frame") {
		t.Fatalf("reader saw %q", s)
	}
}

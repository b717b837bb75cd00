// Package mjpegtest is a camera's MJPEG-over-HTTP stream on loopback, for
// tests, served as IP cameras serve it (multipart/x-mixed-replace, one
// JPEG per part, at the camera's frame rate): a real HTTP server that the
// reader reaches through OpenCV's FFmpeg. It can be stopped and started
// again on the same address — a kicked cable, a rebooting camera.
package mjpegtest

import (
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"gocv.io/x/gocv"
)

// Frames gives the stream's frames: the i-th frame of connection conn
// (the count goes on across reconnects), and false when there are no more
// (the server then ends the stream). The Mat is the callee's; it is
// encoded before the next call.
type Frames func(i int) (gocv.Mat, bool)

// JPEGs gives the stream's frames already encoded: served as they are,
// with no work per frame (a long soak of several streams).
type JPEGs func(i int) ([]byte, bool)

// Server is a running stream.
type Server struct {
	frames JPEGs
	fps    int
	mu     sync.Mutex
	addr   string
	srv    *http.Server
	next   int // the next frame to send
}

// Start serves frames at fps on a free loopback port, encoding each.
func Start(frames Frames, fps int) (*Server, error) {
	return StartJPEG(func(i int) ([]byte, bool) {
		m, ok := frames(i)
		if !ok {
			return nil, false
		}
		buf, err := gocv.IMEncode(gocv.JPEGFileExt, m)
		if err != nil {
			return nil, false
		}
		defer buf.Close()
		return append([]byte(nil), buf.GetBytes()...), true
	}, fps)
}

// StartJPEG serves encoded frames at fps on a free loopback port.
func StartJPEG(frames JPEGs, fps int) (*Server, error) {
	s := &Server{frames: frames, fps: fps}
	return s, s.Restart("127.0.0.1:0")
}

// URL is the stream's address.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return "http://" + s.addr + "/video.mjpg"
}

// Addr is the server's address.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Sent is how many frames the server has sent.
func (s *Server) Sent() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.next
}

// Restart serves again on addr (its old address after Stop).
func (s *Server) Restart(addr string) error {
	var ln net.Listener
	var err error
	for range 50 { // the old socket may linger a moment
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("mjpegtest: listen %s: %w", addr, err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: time.Second}
	s.mu.Lock()
	s.addr, s.srv = ln.Addr().String(), srv
	s.mu.Unlock()
	go srv.Serve(ln) //nolint:errcheck // ends with Stop
	return nil
}

// Stop drops the stream and every connection.
func (s *Server) Stop() {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv != nil {
		_ = srv.Close() // closing is all a test needs
	}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	const boundary = "plateward"
	w.Header().Set("Content-Type", "multipart/x-mixed-replace; boundary="+boundary)
	tick := time.NewTicker(time.Second / time.Duration(s.fps))
	defer tick.Stop()
	for {
		s.mu.Lock()
		i := s.next
		s.mu.Unlock()
		b, ok := s.frames(i)
		if !ok {
			return
		}
		_, err := fmt.Fprintf(w, "--%s\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n", boundary, len(b))
		if err == nil {
			_, err = w.Write(b)
		}
		if err == nil {
			_, err = w.Write([]byte("\r\n"))
		}
		if err != nil {
			return
		}
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		s.mu.Lock()
		s.next++
		s.mu.Unlock()
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
		}
	}
}

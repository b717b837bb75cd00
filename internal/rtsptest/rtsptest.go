// Package rtsptest runs a real RTSP server on loopback for tests:
// GStreamer's gst-rtsp-server (Debian's gir1.2-gst-rtsp-server-1.0 with
// python3-gi, x264enc from gstreamer1.0-plugins-ugly), serving a video file
// as H.264 over RTP at the file's frame rate, as a network camera does.
package rtsptest

import (
	"bufio"
	_ "embed" // the server script
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

//go:embed server.py
var script []byte

// Server is a running RTSP server process.
type Server struct {
	cmd  *exec.Cmd
	url  string
	done chan error
}

// Start serves file at rtsp://127.0.0.1:PORT/path on a free port, and
// returns once the server listens (10 s at most). With once, the first
// client is served the file and any later one is refused (404): a camera
// gone for good when the video ends.
func Start(file, path, tmpDir string, once bool) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	sp := filepath.Join(tmpDir, "rtsp-server.py")
	if err := os.WriteFile(sp, script, 0o600); err != nil {
		return nil, err
	}
	args := []string{sp, "--file", file, "--port", fmt.Sprint(port), "--path", path}
	if once {
		args = append(args, "--once")
	}
	cmd := exec.Command("/usr/bin/python3", args...) //nolint:gosec // a test's own script and file
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("rtsp server: %w", err)
	}
	s := &Server{cmd: cmd, done: make(chan error, 1)}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "ready "); ok {
				ready <- u
			}
		}
	}()
	go func() { s.done <- cmd.Wait() }()
	select {
	case s.url = <-ready:
		return s, nil
	case err := <-s.done:
		return nil, fmt.Errorf("rtsp server exited: %w: %s", err, stderr.String())
	case <-time.After(10 * time.Second):
		s.Stop() // waits for the process: its stderr is complete
		return nil, errors.New("rtsp server: not ready within 10 s: " + stderr.String())
	}
}

// URL is the stream's address.
func (s *Server) URL() string { return s.url }

// Stop ends the server.
func (s *Server) Stop() {
	if s.cmd.Process != nil {
		_ = s.cmd.Process.Kill() // already gone is fine
	}
	select {
	case err := <-s.done:
		_ = err // killed: its exit status says only that
	case <-time.After(5 * time.Second):
	}
}

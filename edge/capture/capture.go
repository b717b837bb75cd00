// Package capture turns cameras, video files, RTSP and MJPEG (HTTP)
// streams and image folders into frames with a camera name, a sequence number and a capture
// time. Replayed sources (files and folders) take their times from a given
// start and their frame rate, so a replay is repeatable; live sources take
// the clock's time when the frame arrives, except RTSP streams, whose
// frames keep the camera's own spacing (streamtime.go).
package capture

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"gocv.io/x/gocv"
)

// Frame is one image from a camera. The Mat is owned by the source and is
// valid until the next call to Next; clone it to keep it.
type Frame struct {
	Camera string
	Seq    int64
	At     time.Time
	Mat    gocv.Mat
}

// Source yields frames until io.EOF.
type Source interface {
	// Next fills f with the next frame.
	Next(f *Frame) error
	// Close releases the device or file.
	Close() error
	// FPS is the rate the source delivers frames at.
	FPS() float64
}

// Kind is a kind of source.
type Kind string

// Source kinds.
const (
	KindFolder Kind = "folder" // a directory of JPEG or PNG images, in name order
	KindVideo  Kind = "video"  // a video file
	KindDevice Kind = "device" // a camera by index (/dev/videoN)
	KindRTSP   Kind = "rtsp"   // an RTSP URL
	KindHTTP   Kind = "http"   // an MJPEG stream over HTTP(S), as IP cameras serve it
)

// Live reports whether a kind is a live camera (not a replay).
func (k Kind) Live() bool { return k == KindDevice || k == KindRTSP || k == KindHTTP }

// Spec names a camera and where its frames come from.
type Spec struct {
	Camera string
	Kind   Kind
	Target string // path, device index or URL
}

// ParseSpec parses "NAME=TARGET": TARGET is a directory (folder), an
// integer (device), an rtsp:// or http(s):// (MJPEG) URL, or a video file.
func ParseSpec(s string) (Spec, error) {
	name, target, ok := strings.Cut(s, "=")
	if !ok || name == "" || target == "" {
		return Spec{}, fmt.Errorf("source %q: want CAMERA=PATH|DEVICE|rtsp://URL|http://URL", s)
	}
	sp := Spec{Camera: name, Target: target}
	switch {
	case strings.HasPrefix(target, "rtsp://"):
		sp.Kind = KindRTSP
	case strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://"):
		sp.Kind = KindHTTP
	case isInt(target):
		sp.Kind = KindDevice
	default:
		st, err := os.Stat(target)
		if err != nil {
			return Spec{}, fmt.Errorf("source %s: %w", name, err)
		}
		sp.Kind = KindVideo
		if st.IsDir() {
			sp.Kind = KindFolder
		}
	}
	return sp, nil
}

func isInt(s string) bool { _, err := strconv.Atoi(s); return err == nil }

// Options configures how a source stamps frames.
type Options struct {
	Start    time.Time        // time of a replay's first frame
	Interval time.Duration    // time between frames of a folder
	Now      func() time.Time // clock for live sources
}

// Open opens a source.
func Open(sp Spec, o Options) (Source, error) {
	switch sp.Kind {
	case KindFolder:
		return openFolder(sp, o)
	case KindVideo, KindDevice, KindRTSP, KindHTTP:
		return openVideo(sp, o)
	}
	return nil, fmt.Errorf("source %s: unknown kind %q", sp.Camera, sp.Kind)
}

type folder struct {
	sp    Spec
	o     Options
	files []string
	i     int
	mat   gocv.Mat
}

func openFolder(sp Spec, o Options) (*folder, error) {
	ents, err := os.ReadDir(sp.Target)
	if err != nil {
		return nil, fmt.Errorf("source %s: %w", sp.Camera, err)
	}
	var files []string
	for _, e := range ents {
		switch strings.ToLower(filepath.Ext(e.Name())) {
		case ".jpg", ".jpeg", ".png":
			files = append(files, filepath.Join(sp.Target, e.Name()))
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("source %s: no JPEG or PNG images in %s", sp.Camera, sp.Target)
	}
	sort.Strings(files)
	return &folder{sp: sp, o: o, files: files, mat: gocv.NewMat()}, nil
}

func (s *folder) Next(f *Frame) error {
	if s.i >= len(s.files) {
		return io.EOF
	}
	path := s.files[s.i]
	s.mat.Close()
	s.mat = gocv.IMRead(path, gocv.IMReadColor)
	if s.mat.Empty() {
		return fmt.Errorf("source %s: cannot decode %s", s.sp.Camera, path)
	}
	*f = Frame{Camera: s.sp.Camera, Seq: int64(s.i), At: s.o.Start.Add(time.Duration(s.i) * s.o.Interval), Mat: s.mat}
	s.i++
	return nil
}

func (s *folder) Close() error { return s.mat.Close() }

// FPS of a folder is one image per Interval.
func (s *folder) FPS() float64 {
	if s.o.Interval <= 0 {
		return 0
	}
	return float64(time.Second) / float64(s.o.Interval)
}

type video struct {
	sp   Spec
	o    Options
	vc   *gocv.VideoCapture
	mat  gocv.Mat
	fps  float64
	seq  int64
	live bool
	clk  *streamClock // RTSP: capture times from the stream's positions
}

func openVideo(sp Spec, o Options) (*video, error) {
	var vc *gocv.VideoCapture
	var err error
	switch sp.Kind {
	case KindDevice:
		id, _ := strconv.Atoi(sp.Target)
		vc, err = gocv.OpenVideoCapture(id)
	case KindRTSP, KindHTTP:
		// Streams through FFmpeg only: OpenCV's other backends would each
		// try (and log against) an address that is not answering.
		vc, err = gocv.VideoCaptureFileWithAPI(sp.Target, gocv.VideoCaptureFFmpeg)
	default:
		vc, err = gocv.VideoCaptureFile(sp.Target)
	}
	if err != nil {
		return nil, fmt.Errorf("source %s: open %s: %w", sp.Camera, sp.Target, err)
	}
	if !vc.IsOpened() {
		vc.Close()
		return nil, fmt.Errorf("source %s: OpenCV cannot open %s", sp.Camera, sp.Target)
	}
	fps := vc.Get(gocv.VideoCaptureFPS)
	if fps <= 0 || fps > 240 {
		fps = 15
	}
	live := sp.Kind.Live()
	if live && o.Now == nil {
		vc.Close()
		return nil, errors.New("live source needs a clock")
	}
	v := &video{sp: sp, o: o, vc: vc, mat: gocv.NewMat(), fps: fps, live: live}
	if sp.Kind == KindRTSP {
		v.clk = &streamClock{}
	}
	return v, nil
}

func (s *video) Next(f *Frame) error {
	if !s.vc.Read(&s.mat) || s.mat.Empty() {
		return io.EOF
	}
	at := s.o.Start.Add(time.Duration(float64(s.seq) / s.fps * float64(time.Second)))
	if s.live {
		at = s.o.Now()
		if s.clk != nil {
			ms := s.vc.Get(gocv.VideoCapturePosMsec)
			at = s.clk.stamp(time.Duration(ms*float64(time.Millisecond)), ms >= 0 && !math.IsNaN(ms), at)
		}
	}
	*f = Frame{Camera: s.sp.Camera, Seq: s.seq, At: at, Mat: s.mat}
	s.seq++
	return nil
}

// FPS is the video's or camera's frame rate.
func (s *video) FPS() float64 { return s.fps }

func (s *video) Close() error {
	s.mat.Close()
	return s.vc.Close()
}

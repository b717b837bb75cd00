package capture

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/plateward/alpr/fixtures"
)

func TestReplaySourcesStampFrames(t *testing.T) {
	o := fixtures.DefaultOptions()
	o.Scenes, o.VideoCars, o.HotEntries = 3, 1, 0
	dir := t.TempDir()
	if _, err := fixtures.GenerateShift(dir, o); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 5, 1, 13, 0, 0, 0, time.UTC)
	cases := []struct {
		name   string
		target string
		kind   Kind
		frames int
		step   time.Duration
	}{
		{"image folder", filepath.Join(dir, fixtures.ScenesDir), KindFolder, 3, 20 * time.Second},
		{"video file at its own frame rate", filepath.Join(dir, fixtures.VideoFile), KindVideo, o.FramesPerCar + o.GapFrames, time.Second / time.Duration(o.FPS)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sp, err := ParseSpec("front=" + tc.target)
			if err != nil || sp.Kind != tc.kind {
				t.Fatalf("spec %+v %v", sp, err)
			}
			src, err := Open(sp, Options{Start: start, Interval: 20 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			var f Frame
			n := 0
			for {
				err := src.Next(&f)
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				want := start.Add(time.Duration(n) * tc.step)
				if d := f.At.Sub(want); d < -time.Millisecond || d > time.Millisecond || f.Camera != "front" || f.Seq != int64(n) {
					t.Fatalf("frame %d: at %s want %s, camera %q seq %d", n, f.At, want, f.Camera, f.Seq)
				}
				n++
			}
			if n != tc.frames {
				t.Fatalf("%d frames, want %d", n, tc.frames)
			}
		})
	}
}

func TestBadSources(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "bad.jpg")
	if err := os.WriteFile(bad, []byte("not a jpeg"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, spec string }{
		{"no camera name", "=" + dir},
		{"missing path", "front=/nonexistent/video.avi"},
		{"folder without images", "front=" + dir},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sp, err := ParseSpec(tc.spec)
			if err == nil {
				_, err = Open(sp, Options{})
			}
			if err == nil {
				t.Fatal("bad source accepted")
			}
		})
	}
	t.Run("undecodable image is an error, not a skip", func(t *testing.T) {
		src, err := Open(Spec{Camera: "rear", Kind: KindFolder, Target: filepath.Dir(bad)}, Options{Interval: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		var f Frame
		if err := src.Next(&f); err == nil || errors.Is(err, io.EOF) {
			t.Fatalf("err %v", err)
		}
	})
}

// TestLatestDropsWhatASlowConsumerCannotTake plays a video at its frame
// rate to a consumer four times too slow: capture never waits, and what
// was skipped is counted.
func TestLatestDropsWhatASlowConsumerCannotTake(t *testing.T) {
	o := fixtures.DefaultOptions()
	o.Scenes, o.VideoCars, o.HotEntries = 1, 2, 0
	dir := t.TempDir()
	if _, err := fixtures.GenerateShift(dir, o); err != nil {
		t.Fatal(err)
	}
	src, err := Open(Spec{Camera: "front", Kind: KindVideo, Target: filepath.Join(dir, fixtures.VideoFile)}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	l := NewLatest(context.Background(), src, true, time.Now)
	defer l.Close()
	total := o.VideoCars * (o.FramesPerCar + o.GapFrames)
	taken := 0
	var last int64 = -1
	var f Frame
	for {
		err := l.Next(&f)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if f.Seq <= last || f.Mat.Empty() {
			t.Fatalf("frame %d after %d (empty %v)", f.Seq, last, f.Mat.Empty())
		}
		last = f.Seq
		taken++
		time.Sleep(4 * time.Second / 15) // four frame times
	}
	if d := l.Dropped(); int(d)+taken != total || d < int64(total/2) {
		t.Fatalf("took %d, dropped %d, of %d frames", taken, d, total)
	}
}

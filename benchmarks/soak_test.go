package benchmarks

import (
	"context"
	"testing"
	"time"

	"github.com/plateward/alpr/edge/models"
)

// TestSoakReadsLiveStreams runs a short soak: two 720p live streams are
// read (frames taken, plates read), memory is sampled all along, and the
// drive queue stays short.
func TestSoakReadsLiveStreams(t *testing.T) {
	dir, err := models.FindDir()
	if err != nil {
		t.Fatal(err)
	}
	res, err := Soak(context.Background(), SoakOptions{Streams: 2, Width: 1280, Height: 720, FPS: 15, Cars: 2, Duration: 8 * time.Second,
		Every: time.Second, Models: dir, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Frames < 30 || res.Reads == 0 {
		t.Fatalf("%d frames and %d reads from two streams in 8 s", res.Frames, res.Reads)
	}
	if len(res.Samples) < 6 || res.RSSTenthMB <= 0 || res.RSSEndMB <= 0 {
		t.Fatalf("%d samples, RSS %.0f → %.0f MB", len(res.Samples), res.RSSTenthMB, res.RSSEndMB)
	}
	if res.QueueMax > 50 {
		t.Fatalf("the drive queue reached %d records", res.QueueMax)
	}
}

package capture

import "time"

// Capture times of a live stream.
//
// An RTSP camera stamps every frame with its RTP timestamp, which OpenCV's
// FFmpeg backend gives as the frame's position in the stream
// (CAP_PROP_POS_MSEC: milliseconds since the stream's first frame). That
// is the camera's clock, not the wall clock, and OpenCV 4.6 does not pass
// on the RTCP sender reports that would tie the two. So the stream's
// timeline is tied to the wall clock by the frames' arrivals: no frame
// arrives before it was taken, so for every frame
//
//	capture = offset + position ≤ arrival,  offset ≤ arrival − position,
//
// and the best estimate of offset is the smallest arrival − position seen:
// the frame that came through fastest. A frame's capture time is then
// offset + position. A reader that falls behind, or a network that holds
// frames back and delivers them in a burst, no longer makes frames taken
// at different times look simultaneous and late: they keep the camera's
// spacing. The estimate is late by the fastest frame's transit time
// (a few milliseconds on a car's network), never early.
//
// The minimum is taken over the last streamWindow of arrivals, so that a
// camera's clock running slow against the car's (a crystal's 50 ppm is
// 3 ms a minute) cannot pull capture times ever further behind. A
// position that goes back by more than a second is a new stream (the
// camera restarted it): the window starts again.
//
// A frame whose position is not past the previous one's keeps its arrival
// time, as does every frame of a source without a stream clock (MJPEG
// over HTTP carries no timestamps; a device).

// streamWindow is how far back the smallest arrival − position is sought.
const streamWindow = time.Minute

// streamClock estimates capture times from stream positions and arrivals
// (see above). The zero value is ready.
type streamClock struct {
	last    time.Duration // the previous frame's position
	seen    bool          // last is set
	samples []clockSample // increasing arrival; offsets increasing (a monotone deque)
}

type clockSample struct {
	arrived time.Time
	offset  time.Time // arrival − position
}

// stamp returns the capture time of a frame at stream position pos (ok
// false: the stream gave none) that arrived at arrived.
func (c *streamClock) stamp(pos time.Duration, ok bool, arrived time.Time) time.Time {
	if !ok || pos < 0 {
		return arrived
	}
	switch {
	case c.seen && pos < c.last-time.Second:
		c.samples = c.samples[:0] // the stream started again
	case c.seen && pos <= c.last:
		// No new position (FFmpeg repeats the first frame's 0 while it
		// learns the stream's timing): this frame's time is unknown.
		return arrived
	}
	c.last, c.seen = pos, true
	off := arrived.Add(-pos)
	// Keep the deque's offsets increasing: a sample with a larger offset
	// than this one can never again be the minimum.
	for len(c.samples) > 0 && !c.samples[len(c.samples)-1].offset.Before(off) {
		c.samples = c.samples[:len(c.samples)-1]
	}
	c.samples = append(c.samples, clockSample{arrived: arrived, offset: off})
	for len(c.samples) > 1 && arrived.Sub(c.samples[0].arrived) > streamWindow {
		c.samples = c.samples[1:]
	}
	at := c.samples[0].offset.Add(pos)
	if at.After(arrived) {
		return arrived
	}
	return at
}

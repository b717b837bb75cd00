package edge

import (
	"errors"
	"fmt"
	"image"
	"time"

	"gocv.io/x/gocv"
)

// MotionOptions configure the motion gate: a frame in which nothing moved
// since the last one is not recognised, as a car parked on a stakeout
// sees the same empty street for minutes. A frame is still when fewer
// than MinChanged of the cells of a 160-pixel-wide grey thumbnail changed
// by ChangeLevels or more; sensor noise, averaged over a cell, stays far
// below that. A still frame is recognised anyway once MaxSkip has passed
// since the last recognised one, so a plate standing in view (a car
// stopped ahead) keeps its one track instead of ending it.
type MotionOptions struct {
	Off          bool
	ChangeLevels float32       // grey levels a cell must change by
	MinChanged   float64       // fraction of cells that must change
	MaxSkip      time.Duration // recognise at least this often
}

// DefaultMotionOptions: on, 10 grey levels in 0.1 % of the cells, and at
// least every 0.3 s (the tracker ends a track unseen for 0.7 s).
func DefaultMotionOptions() MotionOptions {
	return MotionOptions{ChangeLevels: 10, MinChanged: 0.001, MaxSkip: 300 * time.Millisecond}
}

// Validate reports the first invalid option.
func (o MotionOptions) Validate() error {
	switch {
	case o.Off:
		return nil
	case o.ChangeLevels <= 0 || o.ChangeLevels > 255:
		return fmt.Errorf("motion options: change of %v grey levels", o.ChangeLevels)
	case !(o.MinChanged > 0 && o.MinChanged < 1):
		return fmt.Errorf("motion options: changed fraction %v not in (0, 1)", o.MinChanged)
	case o.MaxSkip <= 0:
		return errors.New("motion options: max skip must be positive")
	}
	return nil
}

// thumbWidth is the width frames are compared at.
const thumbWidth = 160

// motionGate decides, frame by frame, whether a frame is worth
// recognising. One per camera; not safe for concurrent use.
type motionGate struct {
	o                       MotionOptions
	grey, thumb, prev, diff gocv.Mat
	last                    time.Time // when a frame was last recognised
	primed                  bool
}

func newMotionGate(o MotionOptions) *motionGate {
	return &motionGate{o: o, grey: gocv.NewMat(), thumb: gocv.NewMat(), prev: gocv.NewMat(), diff: gocv.NewMat()}
}

// worth reports whether frame f, taken at at, should be recognised.
func (g *motionGate) worth(f gocv.Mat, at time.Time) bool {
	if g.o.Off || f.Empty() {
		return true
	}
	if f.Channels() > 1 {
		gocv.CvtColor(f, &g.grey, gocv.ColorBGRToGray)
	} else {
		f.CopyTo(&g.grey)
	}
	h := max(1, g.grey.Rows()*thumbWidth/max(1, g.grey.Cols()))
	gocv.Resize(g.grey, &g.thumb, image.Pt(thumbWidth, h), 0, 0, gocv.InterpolationArea)
	moved := true
	if g.primed && g.prev.Rows() == g.thumb.Rows() {
		gocv.AbsDiff(g.thumb, g.prev, &g.diff)
		gocv.Threshold(g.diff, &g.diff, g.o.ChangeLevels-1, 255, gocv.ThresholdBinary)
		moved = float64(gocv.CountNonZero(g.diff)) >= g.o.MinChanged*float64(g.thumb.Rows()*g.thumb.Cols())
	}
	g.thumb.CopyTo(&g.prev)
	g.primed = true
	if moved || at.Sub(g.last) >= g.o.MaxSkip {
		g.last = at
		return true
	}
	return false
}

func (g *motionGate) Close() {
	g.grey.Close()
	g.thumb.Close()
	g.prev.Close()
	g.diff.Close()
}

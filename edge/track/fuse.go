package track

// fuse reads a track position by position (a vote per character, as
// ROVER does for speech): the plate's length is the one the frames' own
// readings have most weight at, and each position's character the one the
// frames' candidates of that length weigh most, each frame's own reading
// counting most as in the reading votes (Tracker.ObserveTrack). A plate
// seen in ten frames, each of which misreads a different character, is
// read whole. conf is the mean, over the positions, of the winning
// character's share of the position's weight. ok is false for a track
// without readings.
func fuse(obs []Observation) (text string, conf float32, ok bool) {
	lengths := map[int]float32{}
	for _, o := range obs {
		if len(o.Candidates) > 0 {
			lengths[len(o.Candidates[0].Text)] += 1 + o.Candidates[0].Confidence
		}
	}
	n, best := 0, float32(-1)
	for l, w := range lengths {
		if w > best || (w == best && l > n) {
			n, best = l, w
		}
	}
	if n == 0 {
		return "", 0, false
	}
	votes := make([]map[byte]float32, n)
	for i := range votes {
		votes[i] = map[byte]float32{}
	}
	for _, o := range obs {
		for i, c := range o.Candidates {
			if len(c.Text) != n {
				continue
			}
			w := c.Confidence
			if i == 0 {
				w++
			}
			for p := range n {
				votes[p][c.Text[p]] += w
			}
		}
	}
	out := make([]byte, n)
	for p, v := range votes {
		var top, total float32
		for ch, w := range v {
			total += w
			if w > top || (w == top && ch < out[p]) {
				out[p], top = ch, w
			}
		}
		conf += top / total / float32(n)
	}
	return string(out), conf, true
}

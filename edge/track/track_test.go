package track

import (
	"image"
	"testing"
	"time"
)

func obs(at time.Duration, text string, conf float32) Observation {
	return Observation{At: time.Unix(0, 0).Add(at), Box: image.Rect(0, 0, 100, 50), Candidates: []Candidate{{text, conf}}, Crop: []byte(text)}
}

func TestTracker(t *testing.T) {
	ms := time.Millisecond
	cases := []struct {
		name   string
		in     []Observation
		plates []string
	}{
		{"one plate over frames with a misread", []Observation{obs(0, "AB1C2D", .9), obs(66*ms, "A81C2D", .6), obs(133*ms, "AB1C2D", .95)}, []string{"AB1C2D"}},
		{"a dropped character joins the track", []Observation{obs(0, "AB1C2D", .9), obs(66*ms, "AB1C2", .5), obs(133*ms, "AB1C2D", .9)}, []string{"AB1C2D"}},
		{"gap ends a track", []Observation{obs(0, "AB1C2D", .9), obs(2*time.Second, "AB1C2D", .9)}, []string{"AB1C2D", "AB1C2D"}},
		{"two plates in one frame are not merged", []Observation{obs(0, "AB1C2D", .9), obs(0, "XYZ789", .9), obs(66*ms, "AB1C2D", .9), obs(66*ms, "XYZ789", .8)}, []string{"AB1C2D", "XYZ789"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := New("front", DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			var reads []Read
			for _, o := range tc.in {
				reads = append(reads, tr.Observe(o)...)
			}
			reads = append(reads, tr.Flush()...)
			if len(reads) != len(tc.plates) {
				t.Fatalf("got %d reads, want %d: %+v", len(reads), len(tc.plates), reads)
			}
			for i, r := range reads {
				if r.Plate != tc.plates[i] {
					t.Fatalf("read %d is %q, want %q", i, r.Plate, tc.plates[i])
				}
				if string(r.Best.Crop) != r.Plate {
					t.Fatalf("best crop is from a frame that read %q", r.Best.Crop)
				}
				if r.Candidates[0].Text != r.Plate || r.Camera != "front" {
					t.Fatalf("read %+v", r)
				}
			}
		})
	}
}

func TestEditDistanceAtMost1(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{"ABC", "ABC", true}, {"ABC", "ABD", true}, {"ABC", "AB", true}, {"ABC", "XABC", true},
		{"ABC", "A", false}, {"ABC", "BAC", false}, {"ABCD", "ABXY", false},
	}
	for _, tc := range cases {
		if got := editDistanceAtMost1(tc.a, tc.b); got != tc.want {
			t.Errorf("%q %q: %v", tc.a, tc.b, got)
		}
	}
}

package track

import (
	"image"
	"testing"
	"time"
)

func obs(at time.Duration, text string, conf float32) Observation {
	return obsAt(at, text, conf, image.Rect(0, 0, 100, 50))
}

func obsAt(at time.Duration, text string, conf float32, box image.Rectangle) Observation {
	return Observation{At: time.Unix(0, 0).Add(at), Box: box, Candidates: []Candidate{{text, conf}}, Crop: []byte(text)}
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
		{"far-off misreads join the plate where it was last seen", []Observation{
			obsAt(0, "HAALCU", .3, image.Rect(100, 100, 160, 130)), obsAt(66*ms, "0WALCU", .7, image.Rect(104, 106, 168, 138)),
			obsAt(133*ms, "044LCU", .8, image.Rect(108, 112, 176, 146)), obsAt(200*ms, "044LCU", .9, image.Rect(112, 118, 184, 154)),
		}, []string{"044LCU"}},
		{"a different plate elsewhere is another read", []Observation{
			obsAt(0, "AB1C2D", .9, image.Rect(100, 100, 160, 130)), obsAt(66*ms, "XYZ789", .9, image.Rect(400, 100, 460, 130)),
		}, []string{"AB1C2D", "XYZ789"}},
		{"the next car where the last one was, after the place gap, is another read", []Observation{
			obsAt(0, "AB1C2D", .9, image.Rect(100, 100, 160, 130)), obsAt(400*ms, "XYZ789", .9, image.Rect(100, 100, 160, 130)),
		}, []string{"AB1C2D", "XYZ789"}},
		{"another reading in the same place, a moment later, is another plate", []Observation{
			obsAt(0, "BU2S3H", .9, image.Rect(518, 409, 621, 454)), obsAt(94*ms, "KW8P9K", .9, image.Rect(490, 430, 609, 482)),
		}, []string{"BU2S3H", "KW8P9K"}},
		{"a plate twice as wide is not the same plate", []Observation{
			obsAt(0, "AB1C2D", .9, image.Rect(100, 100, 160, 130)), obsAt(66*ms, "XYZ789", .9, image.Rect(60, 80, 200, 150)),
		}, []string{"AB1C2D", "XYZ789"}},
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

// TestFuseReadsPerPosition: four frames each misread a different
// character as its look-alike, so the reading vote is a tie; read per
// position, the track reads the plate, which no frame read. Without Fuse
// the reading vote stands.
func TestFuseReadsPerPosition(t *testing.T) {
	ms := time.Millisecond
	in := []Observation{obs(0, "A81C2D", .9), obs(66*ms, "AB1CZD", .9), obs(133*ms, "AB1C20", .9), obs(200*ms, "ABIC2D", .9)}
	for _, tc := range []struct {
		name string
		fuse bool
		want string
	}{{"per reading", false, "A81C2D"}, {"per position", true, "AB1C2D"}} {
		t.Run(tc.name, func(t *testing.T) {
			o := DefaultOptions()
			o.Fuse = tc.fuse
			tr, err := New("front", o)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range in {
				tr.Observe(x)
			}
			reads := tr.Flush()
			if len(reads) != 1 || reads[0].Plate != tc.want {
				t.Fatalf("reads %+v, want one read of %s", reads, tc.want)
			}
			if tc.fuse && (reads[0].Confidence <= 0.5 || reads[0].Confidence > 1) {
				t.Fatalf("fused confidence %g", reads[0].Confidence)
			}
		})
	}
}

func TestFuseLengthAndTies(t *testing.T) {
	for _, tc := range []struct {
		name string
		obs  []Observation
		want string
	}{
		{"the plate's length is the frames' own readings' most weighed", []Observation{obs(0, "AB1C2D", .9), obs(0, "AB1C2", .95), obs(0, "AB1C2D", .8)}, "AB1C2D"},
		{"one frame", []Observation{obs(0, "XYZ123", .7)}, "XYZ123"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, conf, ok := fuse(tc.obs)
			if !ok || got != tc.want || conf <= 0 || conf > 1 {
				t.Fatalf("fuse = %q %g %v, want %q", got, conf, ok, tc.want)
			}
		})
	}
	if _, _, ok := fuse(nil); ok {
		t.Fatal("a track without readings fused")
	}
}

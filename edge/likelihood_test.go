package edge

import (
	"testing"

	"github.com/plateward/alpr/edge/detect"
	"github.com/plateward/alpr/edge/ocr"
)

func plateRead(text string, conf float32) Plate {
	return Plate{Region: detect.Region{Score: 1}, Result: ocr.Result{Candidates: []ocr.Candidate{{Text: text, Confidence: conf}}}}
}

// TestLikelihoodRanksMixedReadingsFirst: of two readings in a frame, the
// one that mixes letters and digits, as most US plates do, ranks above a
// fleet number or a badge read as surely; a clearly surer one still wins.
func TestLikelihoodRanksMixedReadingsFirst(t *testing.T) {
	tests := []struct {
		name          string
		better, worse Plate
	}{
		{"plate over a bus's fleet number", plateRead("5RIN962", 0.9), plateRead("219906", 0.95)},
		{"plate over a phone number", plateRead("AYE132", 0.9), plateRead("6470604", 0.95)},
		{"plate over a badge", plateRead("1049338", 0.95), plateRead("ENSKE", 0.7)},
		{"a sure vanity plate over an unsure mixed reading", plateRead("NTGUILTY", 0.95), plateRead("X1", 0.5)},
		{"a state's name ranks last", plateRead("ABC123", 0.5), plateRead("TEXAS", 0.99)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if b, w := tc.better.Likelihood(), tc.worse.Likelihood(); b <= w {
				t.Fatalf("%s %.3f ranks at or below %s %.3f", tc.better.Result.Best().Text, b, tc.worse.Result.Best().Text, w)
			}
		})
	}
}

func TestUnmixed(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"219906", true}, {"ENSKE", true}, {"5RIN962", false}, {"A1", false},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			if got := unmixed(tc.text); got != tc.want {
				t.Fatalf("unmixed(%q) = %v", tc.text, got)
			}
		})
	}
}

package edge

import (
	"image"
	"strings"
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

func plateAt(text string, chars image.Rectangle) Plate {
	p := plateRead(text, 0.9)
	p.Region.Chars = chars
	p.Region.Plate = chars.Inset(-chars.Dy() / 2)
	return p
}

// TestOnePerPlate: a frame's readings, likeliest first, keep one reading of
// each plate and never a state's name.
func TestOnePerPlate(t *testing.T) {
	row := image.Rect(765, 484, 888, 513)
	tests := []struct {
		name string
		in   []Plate
		want []string
	}{
		{"the legend above the row is the same plate", []Plate{plateAt("CDL4461", row), plateAt("TEXA5", image.Rect(800, 462, 853, 474))}, []string{"CDL4461"}},
		{"two cars' plates are two reads", []Plate{plateAt("CDL4461", row), plateAt("AG0R6T", image.Rect(58, 294, 141, 320))}, []string{"CDL4461", "AG0R6T"}},
		{"a state's name alone is no plate", []Plate{plateAt("TEXAS", image.Rect(800, 462, 853, 474))}, nil},
		{"a state's name beside a plate", []Plate{plateAt("0HI0", image.Rect(0, 0, 40, 10)), plateAt("ABC1234", row)}, []string{"ABC1234"}},
		{"a piece of the row read apart", []Plate{plateAt("CDL4461", row), plateAt("4461", image.Rect(830, 486, 888, 512))}, []string{"CDL4461"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, p := range onePerPlate(tc.in) {
				got = append(got, p.Result.Best().Text)
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Fatalf("kept %v, want %v", got, tc.want)
			}
		})
	}
}

// TestLikeliestOnly: a second look yields its likeliest plate alone.
func TestLikeliestOnly(t *testing.T) {
	rank := func(p Plate) float64 { return p.Likelihood() }
	tests := []struct {
		name string
		in   []Plate
		want string
	}{
		{"none", nil, ""},
		{"one", []Plate{plateRead("YF2U68", 0.6)}, "YF2U68"},
		{"a plate after a date", []Plate{plateRead("20140512", 0.99), plateRead("YF2U68", 0.9)}, "YF2U68"},
		{"a plate before a phone number", []Plate{plateRead("YF2U68", 0.9), plateRead("6470604", 0.95)}, "YF2U68"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := likeliestOnly(tc.in, rank)
			if tc.want == "" {
				if len(got) != 0 {
					t.Fatalf("kept %d plates of none", len(got))
				}
				return
			}
			if len(got) != 1 || got[0].Result.Best().Text != tc.want {
				t.Fatalf("kept %v, want %s alone", got, tc.want)
			}
		})
	}
}

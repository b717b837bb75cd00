package ocr

import (
	"fmt"
	"image"
	"image/color"
	"strings"

	"github.com/otiai10/gosseract/v2"
	"gocv.io/x/gocv"

	"github.com/plateward/alpr/edge/plate"
)

// stateNames are the names printed on US plates, by postal code.
func stateNames() map[string]string {
	return map[string]string{
		"AL": "ALABAMA", "AK": "ALASKA", "AZ": "ARIZONA", "AR": "ARKANSAS", "CA": "CALIFORNIA", "CO": "COLORADO",
		"CT": "CONNECTICUT", "DE": "DELAWARE", "DC": "DISTRICTOFCOLUMBIA", "FL": "FLORIDA", "GA": "GEORGIA", "HI": "HAWAII",
		"ID": "IDAHO", "IL": "ILLINOIS", "IN": "INDIANA", "IA": "IOWA", "KS": "KANSAS", "KY": "KENTUCKY",
		"LA": "LOUISIANA", "ME": "MAINE", "MD": "MARYLAND", "MA": "MASSACHUSETTS", "MI": "MICHIGAN", "MN": "MINNESOTA",
		"MS": "MISSISSIPPI", "MO": "MISSOURI", "MT": "MONTANA", "NE": "NEBRASKA", "NV": "NEVADA", "NH": "NEWHAMPSHIRE",
		"NJ": "NEWJERSEY", "NM": "NEWMEXICO", "NY": "NEWYORK", "NC": "NORTHCAROLINA", "ND": "NORTHDAKOTA", "OH": "OHIO",
		"OK": "OKLAHOMA", "OR": "OREGON", "PA": "PENNSYLVANIA", "RI": "RHODEISLAND", "SC": "SOUTHCAROLINA", "SD": "SOUTHDAKOTA",
		"TN": "TENNESSEE", "TX": "TEXAS", "UT": "UTAH", "VT": "VERMONT", "VA": "VIRGINIA", "WA": "WASHINGTON",
		"WV": "WESTVIRGINIA", "WI": "WISCONSIN", "WY": "WYOMING",
	}
}

// State is a plate's state as read from its name band.
type State struct {
	Code  string  // postal code, empty when not read
	Score float64 // 0–1: how closely the band's text matched the name
	Text  string  // what Tesseract read
}

// ReadState reads the state name printed above or below the plate's
// characters and matches it to the closest state name. The band is read by
// the DNN recogniser when the reader has one — measured on the development
// crops it finds the state on 66 % of plates where Tesseract finds 36 % —
// and by Tesseract otherwise. The top band is read first; the bottom one
// only when the top did not name a state clearly.
func (r *Reader) ReadState(frame gocv.Mat, region image.Rectangle) State {
	region = region.Intersect(image.Rect(0, 0, frame.Cols(), frame.Rows()))
	if region.Dx() < 8 || region.Dy() < 8 || (r.rec == nil && r.state == nil) {
		return State{}
	}
	roi := frame.Region(region)
	defer roi.Close()
	var best State
	for _, band := range []image.Rectangle{
		image.Rect(0, 0, roi.Cols(), roi.Rows()*28/100),
		image.Rect(0, roi.Rows()*74/100, roi.Cols(), roi.Rows()),
	} {
		if band.Dy() < 6 {
			continue
		}
		text, err := r.bandText(roi, band)
		if err != nil || text == "" {
			continue
		}
		if s := matchState(text); s.Score > best.Score {
			best = s
		}
		if best.Score >= 0.85 {
			break
		}
	}
	if best.Score < 0.6 {
		best.Code = ""
	}
	return best
}

func (r *Reader) bandText(roi gocv.Mat, band image.Rectangle) (string, error) {
	sub := roi.Region(band)
	defer sub.Close()
	if r.rec != nil {
		if sub.Channels() == 1 {
			gocv.CvtColor(sub, &r.color, gocv.ColorGrayToBGR)
		} else {
			sub.CopyTo(&r.color)
		}
		lr, err := r.rec.read(r.color, false)
		if err != nil {
			return "", err
		}
		var b strings.Builder
		for _, s := range lr.syms {
			b.WriteByte(s.ch)
		}
		return lettersOnly(strings.NewReplacer("0", "O", "1", "I", "5", "S", "8", "B").Replace(b.String())), nil
	}
	if sub.Channels() == 3 {
		gocv.CvtColor(sub, &r.gray, gocv.ColorBGRToGray)
	} else {
		sub.CopyTo(&r.gray)
	}
	const h = 48
	gocv.Resize(r.gray, &r.scaled, image.Pt(max(1, band.Dx()*h/band.Dy()), h), 0, 0, gocv.InterpolationCubic)
	gocv.Threshold(r.scaled, &r.bin, 0, 255, gocv.ThresholdBinary|gocv.ThresholdOtsu)
	gocv.CopyMakeBorder(r.bin, &r.padded, 8, 8, 8, 8, gocv.BorderConstant, color.RGBA{255, 255, 255, 255})
	if err := r.state.SetImageFromBytes(r.encodePGM(r.padded)); err != nil {
		return "", fmt.Errorf("tesseract image: %w", err)
	}
	text, err := r.state.Text()
	if err != nil {
		return "", err
	}
	return lettersOnly(text), nil
}

func lettersOnly(s string) string {
	var b strings.Builder
	for _, c := range strings.ToUpper(s) {
		if c >= 'A' && c <= 'Z' {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// matchState finds the state name in text (which may hold more words:
// "SHOWMESTATEMISSOURI"): the name with the best match inside the text.
func matchState(text string) State {
	best := State{Text: text}
	names := stateNames()
	for code, name := range names {
		// The best alignment of name with any window of text.
		n := len(name)
		for w := max(1, n-2); w <= n+2 && w <= len(text); w++ {
			for i := 0; i+w <= len(text); i++ {
				d := plate.Levenshtein(name, text[i:i+w])
				// On a tie the longer name wins: WEST VIRGINIA holds VIRGINIA.
				s := 1 - float64(d)/float64(n)
				if s > best.Score || (s == best.Score && n > len(names[best.Code])) {
					best.Code, best.Score = code, s
				}
			}
		}
	}
	return best
}

// newStateClient is a second Tesseract client, set up for words of letters.
func newStateClient(lang string) (*gosseract.Client, error) {
	c := gosseract.NewClient()
	if err := c.SetLanguage(lang); err != nil {
		c.Close()
		return nil, err
	}
	if err := c.SetWhitelist("ABCDEFGHIJKLMNOPQRSTUVWXYZ"); err != nil {
		c.Close()
		return nil, err
	}
	if err := c.SetPageSegMode(gosseract.PSM_SINGLE_LINE); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// IsStateName reports whether text, as the reader returns it (O read as
// 0), is the name of a state: the name band read as if it were the plate,
// which the plate's ranking discounts.
func IsStateName(text string) bool {
	for _, n := range stateNames() {
		if len(n) == len(text) && strings.ReplaceAll(n, "O", "0") == text {
			return true
		}
	}
	return false
}

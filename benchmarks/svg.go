package benchmarks

import (
	"fmt"
	"html"
	"math"
	"strings"
	"unicode/utf8"
)

// Series is one set of bars in a chart, one value per group.
type Series struct {
	Name   string
	Values []float64
}

// barColours are the series' colours, in order.
var barColours = [...]string{"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"}

// BarChart draws grouped horizontal bars as a self-contained SVG: one row
// of bars for each group, one bar for each series, the value written at
// the bar's end. A goal, when positive, is drawn as a dashed line.
func BarChart(title, unit string, groups []string, series []Series, goal float64) []byte {
	const (
		plotW, right, top, barH, gap = 590, 90, 44, 14, 10
		charW                        = 7 // a 12 px sans-serif character, generously
	)
	left := 60
	for _, g := range groups {
		left = max(left, charW*utf8.RuneCountInString(g)+12)
	}
	width := left + plotW
	rowH := barH*len(series) + gap
	height := top + rowH*len(groups) + 30
	top2 := 0.0
	for _, s := range series {
		for _, v := range s.Values {
			top2 = math.Max(top2, v)
		}
	}
	top2 = math.Max(top2, goal)
	if top2 <= 0 {
		top2 = 1
	}
	scale := float64(width-left-right) / top2
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n", width, height)
	fmt.Fprintf(&b, `<text x="10" y="20" font-size="14" font-weight="bold">%s</text>`+"\n", html.EscapeString(title))
	for i, s := range series {
		x := left + i*120
		fmt.Fprintf(&b, `<rect x="%d" y="27" width="10" height="10" fill="%s"/><text x="%d" y="36">%s</text>`+"\n",
			x, barColours[i%len(barColours)], x+14, html.EscapeString(s.Name))
	}
	for g, name := range groups {
		y := top + g*rowH
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", left-6, y+rowH/2+2, html.EscapeString(name))
		for i, s := range series {
			if g >= len(s.Values) {
				continue
			}
			v := s.Values[g]
			w := v * scale
			by := y + i*barH
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>`+"\n", left, by, w, barH-2, barColours[i%len(barColours)])
			fmt.Fprintf(&b, `<text x="%.1f" y="%d">%s %s</text>`+"\n", float64(left)+w+4, by+barH-4, trimFloat(v), html.EscapeString(unit))
		}
	}
	if goal > 0 {
		x := float64(left) + goal*scale
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#000" stroke-dasharray="4 3"/>`+"\n", x, top-4, x, height-24)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">goal %s %s</text>`+"\n", x, height-10, trimFloat(goal), html.EscapeString(unit))
	}
	b.WriteString("</svg>\n")
	return []byte(b.String())
}

// trimFloat writes v with three significant figures at most.
func trimFloat(v float64) string {
	switch a := math.Abs(v); {
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

package browsertest

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestAxeFindsViolations: the accessibility check fails a page it should
// (an image with no text, grey on grey, an unlabelled field), and passes
// the same page fixed.
func TestAxeFindsViolations(t *testing.T) {
	ctx := Start(t)
	for _, tt := range []struct {
		name, html string
		want       []string
	}{
		{"bad", `<html lang="en"><head><title>t</title></head><body><main><img src="x.png"><p style="color:#999;background:#aaa">faint</p><input name="q"></main></body></html>`,
			[]string{"image-alt", "color-contrast", "label"}},
		{"fixed", `<html lang="en"><head><title>t</title></head><body><main><img src="x.png" alt="a plate"><p style="color:#222;background:#fff">clear</p><label>Plate <input name="q"></label></main></body></html>`, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := Within(ctx, 20*time.Second, chromedp.Navigate("data:text/html,"+strings.ReplaceAll(tt.html, "#", "%23"))); err != nil {
				t.Fatal(err)
			}
			v, err := Axe(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(v, "\n")
			for _, w := range tt.want {
				if !strings.Contains(got, w+" (") {
					t.Errorf("no %s violation in:\n%s", w, got)
				}
			}
			if tt.want == nil && len(v) > 0 {
				t.Errorf("violations on a clean page:\n%s", got)
			}
		})
	}
}

package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// AxeEnv names the file of axe-core's axe.min.js (npm axe-core, pinned by
// SHA-256 in internal/browsertest/axe.sha256; `make axe` fetches it and
// `make test` sets this).
const AxeEnv = "ALPR_AXE"

// axeSource reads axe.min.js from $ALPR_AXE, or from var/cache above the
// working directory (where make axe leaves it).
func axeSource() ([]byte, error) {
	if p := os.Getenv(AxeEnv); p != "" {
		return os.ReadFile(p) //nolint:gosec // the test's own tool
	}
	dir, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	for {
		p := filepath.Join(dir, "var", "cache", "axe.min.js")
		if b, err := os.ReadFile(p); err == nil { //nolint:gosec // the test's own tool
			return b, nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return nil, errors.New("axe-core not found: run make axe, or set " + AxeEnv)
		}
		dir = up
	}
}

// axeRun asks axe for WCAG 2.1 A and AA violations and returns the serious
// and critical ones as lines: rule, impact, what it asks, where.
const axeRun = `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})
	.then(r => JSON.stringify(r.violations
		.filter(v => v.impact === 'serious' || v.impact === 'critical')
		.map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')
			+ (v.nodes.length > 3 ? ' and ' + (v.nodes.length - 3) + ' more' : ''))))`

// Axe runs axe-core on the page open in ctx and returns its serious and
// critical WCAG 2.1 A/AA violations (none: nil).
func Axe(ctx context.Context) ([]string, error) {
	src, err := axeSource()
	if err != nil {
		return nil, err
	}
	c, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if _, err := chromedp.Run(c, chromedp.Evaluate[bool](string(src)+"\n;true")); err != nil {
		return nil, fmt.Errorf("load axe-core: %w", err)
	}
	out, err := chromedp.Run(c, chromedp.Evaluate[string](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("axe.run: %w", err)
	}
	var v []string
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		return nil, fmt.Errorf("axe.run's answer: %w", err)
	}
	return v, nil
}

// AxeClean fails t for each serious or critical WCAG 2.1 A/AA violation
// axe-core finds on the page open in ctx; what names the page.
func AxeClean(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	v, err := Axe(ctx)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	for _, x := range v {
		t.Errorf("%s: %s", what, x)
	}
}

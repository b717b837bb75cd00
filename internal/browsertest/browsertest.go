// Package browsertest starts Debian's headless Chromium for tests of the
// app's pages (the in-car alert page, the back office) with chromedp.
package browsertest

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Start starts a headless Chromium for one test, closed at its end.
func Start(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath("/usr/bin/chromium"),
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.Headless,
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900), // an in-car display
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	// The first run starts the browser; its context must carry no timeout.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// Within runs steps with a time limit.
func Within(ctx context.Context, d time.Duration, steps ...chromedp.Action[chromedp.Void]) error {
	c, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	return chromedp.Do(c, steps...)
}

// Text returns the text of the first element sel matches, or "" when none
// appears within 10 seconds.
func Text(ctx context.Context, sel string) string {
	c, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	s, _ := chromedp.Run(c, chromedp.Text(chromedp.CSS(sel)))
	return s
}

// Eval evaluates a JavaScript expression in the page, as a string, within
// 10 seconds.
func Eval(ctx context.Context, expr string) (string, error) {
	c, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return chromedp.Run(c, chromedp.Evaluate[string](`String(`+expr+`)`))
}

// ScreenshotsEnv names the folder Shot writes the pages' pictures to
// (make screenshots: docs/screenshots); unset, Shot does nothing.
const ScreenshotsEnv = "ALPR_SCREENSHOTS"

// Shot saves the page open in ctx, whole, as NAME.jpg in the folder
// ScreenshotsEnv names: the README's pictures come from the browser tests,
// from the same pages the tests check. Without that folder it does nothing.
func Shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv(ScreenshotsEnv)
	if dir == "" {
		return
	}
	c, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	b, err := chromedp.Run(c, chromedp.FullScreenshot(90))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil { //nolint:gosec // the README's pictures, public
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".jpg"), b, 0o644); err != nil { //nolint:gosec // a picture for the README, public
		t.Fatal(err)
	}
}

package backoffice

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/plateward/alpr/internal/browsertest"
)

// screenshots are the pages this test pictures for the README (make
// screenshots), by user and page.
var screenshots = map[string]string{"supervisor1 /hits": "hit-audit", "clerk1 /records": "records", "it1 /audit": "audit-log",
	"chief1 /authorisations": "authorisations", "it1 /users": "users"}

// TestEveryPageMeetsWCAGAA runs axe-core in Chromium on the login page and
// on every page each role's menu offers, as that role: no serious or
// critical WCAG 2.1 A or AA violation anywhere.
func TestEveryPageMeetsWCAGAA(t *testing.T) {
	f := newFixture(t)
	abcRead(t, f)
	anon := browsertest.Start(t)
	if err := browsertest.Within(anon, 30*time.Second, chromedp.Navigate(f.srv.URL+"/login"), chromedp.WaitVisible("#login")); err != nil {
		t.Fatal(err)
	}
	browsertest.AxeClean(t, anon, "/login")
	for _, r := range Roles() {
		user := string(r) + "1"
		t.Run(user, func(t *testing.T) {
			ctx := browsertest.Start(t)
			loginIn(ctx, t, f.srv.URL, user)
			browsertest.AxeClean(t, ctx, "/ ("+user+")")
			// The menu fits a 1366-pixel office screen: no link off the
			// right edge, no sideways scrolling.
			if err := browsertest.Within(ctx, 10*time.Second, chromedp.EmulateViewport(1366, 768)); err != nil {
				t.Fatal(err)
			}
			if over, _ := browsertest.Eval(ctx, `Array.from(document.querySelectorAll('header a')).filter(a => a.getBoundingClientRect().right > window.innerWidth).map(a => a.textContent).join(', ') + (document.documentElement.scrollWidth > window.innerWidth ? ' (the page scrolls sideways)' : '')`); over != "" {
				t.Errorf("%s's menu at 1366 px: off the screen: %s", user, over)
			}
			links, err := browsertest.Eval(ctx, `Array.from(document.querySelectorAll('header a[href^="/"]')).map(a => a.getAttribute('href')).join(' ')`)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{"/": true}
			for _, href := range strings.Fields(links) {
				if seen[href] || href == "/logout" {
					continue
				}
				seen[href] = true
				if err := browsertest.Within(ctx, 30*time.Second, chromedp.Navigate(f.srv.URL+href), chromedp.WaitReady("body")); err != nil {
					t.Fatalf("%s: %v", href, err)
				}
				browsertest.AxeClean(t, ctx, href+" ("+user+")")
				if shot, ok := screenshots[user+" "+href]; ok {
					browsertest.Shot(t, ctx, shot)
				}
			}
			if len(seen) < 2 {
				t.Errorf("%s's menu offers no page: %q", user, links)
			}
			if r == Analyst { // a page of results, and the SQL console's answer
				searchIn(ctx, t, f.srv.URL, "ABC1234", "accessibility check", "26-0001")
				browsertest.AxeClean(t, ctx, "/search results")
				browsertest.Shot(t, ctx, "search-results")
				if err := browsertest.Within(ctx, 30*time.Second, chromedp.Navigate(f.srv.URL+"/sql"),
					chromedp.SetValue(`textarea[name="query"]`, "SELECT plate, camera FROM reads"),
					chromedp.SendKeys(`input[name="reason"]`, "accessibility check"), chromedp.SendKeys(`input[name="case"]`, "26-0001"),
					chromedp.Click("#run"), chromedp.WaitVisible("#results")); err != nil {
					t.Fatalf("sql: %v: %.900s", err, browsertest.Text(ctx, "body"))
				}
				browsertest.AxeClean(t, ctx, "/sql answer")
			}
			t.Logf("%s: %d pages checked", user, len(seen))
		})
	}
}

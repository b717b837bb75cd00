package alert

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plateward/alpr/edge/drive"
)

// memSink is a drive that keeps records in memory.
type memSink struct {
	mu   sync.Mutex
	recs []drive.Record
	fail error
}

func (m *memSink) add(r drive.Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	m.recs = append(m.recs, r)
	return nil
}

func (m *memSink) steps() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, r := range m.recs {
		d := r.(drive.Disposition)
		out = append(out, d.Step+"="+d.Code)
	}
	return out
}

func newServer(t testing.TB) (*Server, *memSink) {
	t.Helper()
	sink := &memSink{}
	o := DefaultOptions("4127", "car7", "shift-1")
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := New(o, sink.add)
	if err != nil {
		t.Fatal(err)
	}
	return s, sink
}

func hit(id, priority string) drive.Hit {
	return drive.Hit{ID: id, ReadID: "r-" + id, AlertedAt: time.Now(), Plate: "AB1C2D", MatchedPlate: "AB1C2D",
		MatchKind: "exact", ListName: "NCIC", Priority: priority, Reason: "Stolen vehicle"}
}

func TestStepOrder(t *testing.T) {
	type step struct{ step, value string }
	cases := []struct {
		name  string
		steps []step
		err   error // of the last step
		want  string
	}{
		{"match, wanted, stop made", []step{{"confirm", "match"}, {"verify", "wanted"}, {"disposition", "confirmed-stop"}}, nil,
			"confirm=match verify=wanted disposition=confirmed-stop"},
		{"misread goes straight to a disposition", []step{{"confirm", "misread"}, {"disposition", "misread"}}, nil,
			"confirm=misread disposition=misread"},
		{"no disposition before verification", []step{{"confirm", "match"}, {"disposition", "confirmed-stop"}}, ErrStepOrder, "confirm=match"},
		{"no verification before confirmation", []step{{"verify", "wanted"}}, ErrStepOrder, ""},
		{"no second confirmation", []step{{"confirm", "match"}, {"confirm", "misread"}}, ErrStepOrder, "confirm=match"},
		{"unknown disposition code", []step{{"confirm", "misread"}, {"disposition", "shrug"}}, ErrBadValue, "confirm=misread"},
		{"unknown confirmation", []step{{"confirm", "maybe"}}, ErrBadValue, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, sink := newServer(t)
			if err := s.Hit(hit("h1", "high"), []byte("jpeg")); err != nil {
				t.Fatal(err)
			}
			var err error
			for _, st := range tc.steps {
				err = s.Step("h1", st.step, st.value, "")
			}
			if !errors.Is(err, tc.err) {
				t.Fatalf("last step: %v, want %v", err, tc.err)
			}
			if got := strings.Join(sink.steps(), " "); got != tc.want {
				t.Fatalf("drive has %q, want %q", got, tc.want)
			}
		})
	}
}

func TestStepNotShownWhenTheDriveFails(t *testing.T) {
	s, sink := newServer(t)
	if err := s.Hit(hit("h1", "high"), nil); err != nil {
		t.Fatal(err)
	}
	sink.fail = errors.New("drive pulled")
	if err := s.Step("h1", "confirm", "match", ""); err == nil {
		t.Fatal("a step the drive did not take was accepted")
	}
	sink.fail = nil
	if err := s.Step("h1", "confirm", "match", ""); err != nil {
		t.Fatalf("the step after the drive came back: %v", err)
	}
}

func TestLogoutRefusedWhileHitsPending(t *testing.T) {
	s, _ := newServer(t)
	if err := s.Hit(hit("h1", "medium"), nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Logout("", ""); !errors.Is(err, ErrPendingHits) || !strings.Contains(err.Error(), "AB1C2D (medium, NCIC)") || strings.Contains(err.Error(), "h1") {
		t.Fatalf("logout with a pending hit: %v; want it refused, naming the plate, not the hit's id", err)
	}
	if err := s.Logout("9001", "9999"); !errors.Is(err, ErrNotOverrider) {
		t.Fatalf("override without a roster: %v", err)
	}
	if err := s.Step("h1", "confirm", "misread", ""); err != nil {
		t.Fatal(err)
	}
	if err := s.Step("h1", "disposition", "misread", ""); err != nil {
		t.Fatal(err)
	}
	if err := s.Logout("", ""); err != nil {
		t.Fatalf("logout after every disposition: %v", err)
	}
	select {
	case <-s.LoggedOut():
	default:
		t.Fatal("LoggedOut not closed")
	}
}

func TestCovertHitIsRecordedNotShown(t *testing.T) {
	s, sink := newServer(t)
	h := hit("h1", "high")
	h.Covert = true
	if err := s.Hit(h, nil); err != nil {
		t.Fatal(err)
	}
	if len(s.Pending()) != 0 || strings.Join(sink.steps(), " ") != "disposition=covert-no-action" {
		t.Fatalf("pending %v, drive %v", s.Pending(), sink.steps())
	}
}

func TestPostsNeedThePageToken(t *testing.T) {
	s, _ := newServer(t)
	if err := s.Hit(hit("h1", "high"), nil); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	req, _ := http.NewRequest("POST", ts.URL+"/hits/h1/confirm", strings.NewReader(`{"value":"match"}`))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("POST without token: %d", res.StatusCode)
	}
	req, _ = http.NewRequest("POST", ts.URL+"/hits/h1/confirm", strings.NewReader(`{"value":"match"}`))
	req.Header.Set("X-Plateward-Token", s.token)
	res, _ = http.DefaultClient.Do(req)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("POST with token: %d", res.StatusCode)
	}
	res, _ = http.Get(ts.URL + "/")
	res.Body.Close()
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Fatalf("CSP %q", csp)
	}
}

func TestListenLoopbackOnly(t *testing.T) {
	if _, err := Listen("0.0.0.0:0"); err == nil {
		t.Fatal("listened on every interface")
	}
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
}

// luminance is a CSS colour's (#rrggbb) relative luminance (WCAG 2.1).
func luminance(t *testing.T, hex string) float64 {
	t.Helper()
	var r, g, b int
	if _, err := fmt.Sscanf(hex, "#%02x%02x%02x", &r, &g, &b); err != nil {
		t.Fatalf("colour %q: %v", hex, err)
	}
	lin := func(c int) float64 {
		v := float64(c) / 255
		if v <= 0.03928 {
			return v / 12.92
		}
		return math.Pow((v+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// TestCardContrast: every priority's card text meets WCAG AA (4.5:1) on
// its colour, to be read in a moving car.
func TestCardContrast(t *testing.T) {
	for _, p := range []string{"high", "medium", "low"} {
		st := StyleOf(p)
		a, b := luminance(t, st.Colour), luminance(t, st.Ink)
		ratio := (max(a, b) + 0.05) / (min(a, b) + 0.05)
		if ratio < 4.5 {
			t.Errorf("%s: %s on %s is %.1f:1, want 4.5:1 or more", p, st.Ink, st.Colour, ratio)
		}
	}
}

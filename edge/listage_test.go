package edge

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plateward/alpr/edge/drive"
	"github.com/plateward/alpr/edge/hotlist"
)

func TestListAgeStatus(t *testing.T) {
	now := time.Date(2026, 11, 26, 18, 0, 0, 0, time.UTC)
	cases := []struct {
		name  string
		age   time.Duration
		stale bool
		want  string
	}{
		{"fresh", 40 * time.Minute, false, "hot list NCIC: 40 minutes old"},
		{"half a day", 12*time.Hour + 5*time.Minute, false, "hot list NCIC: 12 hours old"},
		{"just past a day", 25 * time.Hour, true, "HOT LIST NCIC IS 25 HOURS OLD"},
		{"a week", 7 * 24 * time.Hour, true, "HOT LIST NCIC IS 7 DAYS OLD"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			text, stale := listAgeStatus("NCIC", now.Add(-tc.age), now, 24*time.Hour)
			if stale != tc.stale || !strings.Contains(strings.ToUpper(text), strings.ToUpper(tc.want)) {
				t.Fatalf("%q stale=%v, want %q stale=%v", text, stale, tc.want, tc.stale)
			}
			if stale && !strings.Contains(text, "confirm wanted status") {
				t.Fatalf("a stale list's warning does not tell the officer what to do: %q", text)
			}
		})
	}
}

type statusRecorder struct {
	mu  sync.Mutex
	got map[string]string
	ch  chan struct{}
}

func (s *statusRecorder) Read(drive.Read)             {}
func (s *statusRecorder) Hit(drive.Hit, []byte) error { return nil }
func (s *statusRecorder) Status(key, text string) {
	s.mu.Lock()
	s.got[key] = text
	n := len(s.got)
	s.mu.Unlock()
	if n == 2 {
		close(s.ch)
	}
}

// The ages shown come from the list files a shift loaded: a list
// delivered two days ago is flagged, one delivered this morning is not.
func TestLoadedListsShowTheirAge(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	var lists []*hotlist.List
	for name, age := range map[string]time.Duration{"NCIC": 48 * time.Hour, "MULES": 3 * time.Hour} {
		p := filepath.Join(dir, name+".txt")
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, now.Add(-age), now.Add(-age)); err != nil {
			t.Fatal(err)
		}
		lists = append(lists, &hotlist.List{Name: name, Source: p})
	}
	rec := &statusRecorder{got: map[string]string{}, ch: make(chan struct{})}
	o := DefaultOptions()
	o.Alerter, o.Logger = rec, slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	go showListAges(ctx, o, &listClock{ages: listAges(lists)}, nil)
	<-rec.ch
	cancel()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if !strings.HasPrefix(rec.got["hotlist-NCIC"], "HOT LIST NCIC IS 48 HOURS OLD") || rec.got["hotlist-MULES"] != "hot list MULES: 3 hours old" {
		t.Fatalf("statuses %q", rec.got)
	}
}

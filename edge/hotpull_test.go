package edge

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plateward/alpr/edge/capture"
	"github.com/plateward/alpr/edge/drive"
	"github.com/plateward/alpr/edge/hotlist"
	"github.com/plateward/alpr/edge/models"
	"github.com/plateward/alpr/edge/shift"
	"github.com/plateward/alpr/fixtures"
)

// carAPI is a loopback HTTPS server speaking the back office's car API
// (our own small protocol, see BackOffice) for one token.
type carAPI struct {
	mu    sync.Mutex
	hits  map[string]bool // pushed hits' ids: true when a crop came with it
	lists map[string][]byte
	lie   map[string]bool // serve a manifest hash that does not match
	// noCrops answers 400 to a hit with a crop, as a station older than
	// the car does (its decoder takes no unknown field).
	noCrops bool
	srv     *httptest.Server
	ca      string
	pulled  int
}

func newCarAPI(t *testing.T, token string) *carAPI {
	c := &carAPI{lists: map[string][]byte{}, lie: map[string]bool{}, hits: map[string]bool{}}
	mux := http.NewServeMux()
	auth := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer "+token {
				http.Error(w, "no", http.StatusUnauthorized)
				return
			}
			h(w, r)
		}
	}
	mux.HandleFunc("GET /car/hotlists", auth(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		defer c.mu.Unlock()
		var m []map[string]any
		for name, b := range c.lists {
			sum := sha256.Sum256(b)
			h := hex.EncodeToString(sum[:])
			if c.lie[name] {
				h = strings.Repeat("0", 64)
			}
			m = append(m, map[string]any{"name": name, "sha256": h, "format": "ncic", "checked_at": time.Now().Add(-time.Hour)})
		}
		if err := json.NewEncoder(w).Encode(m); err != nil {
			t.Fatal(err)
		}
	}))
	mux.HandleFunc("GET /car/hotlists/{list}", auth(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.pulled++
		w.Write(c.lists[r.PathValue("list")])
	}))
	mux.HandleFunc("POST /car/hits", auth(func(w http.ResponseWriter, r *http.Request) {
		h, err := drive.DecodePushedHit(r.Body) // the back office's own checks
		c.mu.Lock()
		old := c.noCrops
		c.mu.Unlock()
		if err != nil || old && h.CropJPEG != nil {
			http.Error(w, "bad hit", http.StatusBadRequest)
			return
		}
		c.mu.Lock()
		c.hits[h.ID] = len(h.CropJPEG) > 0
		c.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	c.srv = httptest.NewTLSServer(mux)
	t.Cleanup(c.srv.Close)
	c.ca = filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(c.ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return c
}

func ncicBytes(t *testing.T, plates ...string) []byte {
	var es []hotlist.NCICRecord
	for _, p := range plates {
		es = append(es, hotlist.NCICRecord{NIC: "V000000001", ORI: "MO0640000", EnteredOn: time.Now(), Plate: p, State: "MO"})
	}
	var b strings.Builder
	if err := hotlist.FormatNCIC(&b, es); err != nil {
		t.Fatal(err)
	}
	return []byte(b.String())
}

func TestPullVerifiesAndReplacesOnlyNewerLists(t *testing.T) {
	dir := t.TempDir()
	api := newCarAPI(t, "tok")
	tokFile := filepath.Join(dir, "car.token")
	if err := os.WriteFile(tokFile, []byte("tok\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "ncic.txt")
	if err := os.WriteFile(path, ncicBytes(t, "OLD111"), 0o644); err != nil {
		t.Fatal(err)
	}
	o := DefaultOptions()
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	o.Hotlists = []shift.HotlistConfig{{Path: path, Format: "ncic"}}
	o.BackOffice = BackOffice{URL: api.srv.URL, TokenFile: tokFile, CAFile: api.ca, Every: time.Minute}
	lists, err := loadHotlists(o)
	if err != nil {
		t.Fatal(err)
	}
	p, err := newPuller(o, lists)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	api.lists["NCIC"] = ncicBytes(t, "OLD111", "NEW222")
	api.lists["OTHER"] = ncicBytes(t, "ZZZ999") // not a list this car loads
	ups, err := p.pull(ctx)
	if err != nil || len(ups) != 1 || ups[0].name != "NCIC" {
		t.Fatalf("updates %+v, err %v", ups, err)
	}
	if ms := ups[0].ix.Match([]string{"NEW222"}); len(ms) != 1 {
		t.Fatalf("the new list does not match its new plate: %v", ms)
	}
	if !strings.Contains(ups[0].versions, "NCIC@") {
		t.Fatalf("versions %q", ups[0].versions)
	}
	// The same version again: nothing is fetched.
	before := api.pulled
	if ups, err := p.pull(ctx); err != nil || len(ups) != 0 || api.pulled != before {
		t.Fatalf("second pull: %d updates, %d fetches, err %v", len(ups), api.pulled-before, err)
	}
	// A list whose bytes do not match the manifest is refused.
	api.lists["NCIC"] = ncicBytes(t, "EVIL00")
	api.lie["NCIC"] = true
	if ups, err := p.pull(ctx); err == nil || len(ups) != 0 || !strings.Contains(err.Error(), "do not match") {
		t.Fatalf("tampered list: %d updates, err %v", len(ups), err)
	}
	// A wrong token, and a token file others can read.
	if err := os.WriteFile(tokFile, []byte("guess"), 0o600); err != nil {
		t.Fatal(err)
	}
	bad, _ := newPuller(o, lists)
	if _, err := bad.pull(ctx); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("wrong token: %v", err)
	}
	if err := os.Chmod(tokFile, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := newPuller(o, lists); err == nil || !strings.Contains(err.Error(), "readable by others") {
		t.Fatalf("open token file: %v", err)
	}
}

// A shift that starts with a list that holds none of the shift's hot
// plates, and pulls the real list over the network: the hits come, the
// drive records the update, and every alerting hit reaches dispatch.
func TestShiftPullsANewerListAndAlertsOnIt(t *testing.T) {
	s, fo := smallShift(t)
	dir := t.TempDir()
	api := newCarAPI(t, "tok")
	hot, err := os.ReadFile(filepath.Join(s.Dir, fixtures.HotlistFile))
	if err != nil {
		t.Fatal(err)
	}
	api.lists["NCIC"] = hot
	tokFile := filepath.Join(dir, "car.token")
	if err := os.WriteFile(tokFile, []byte("tok"), 0o600); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, "stale.ncic")
	if err := os.WriteFile(stale, ncicBytes(t, "NOPE00"), 0o644); err != nil {
		t.Fatal(err)
	}
	o := DefaultOptions()
	if o.OCR.ModelsDir, err = models.FindDir(); err != nil {
		t.Fatal(err)
	}
	o.Sources = []capture.Spec{{Camera: "front", Kind: capture.KindVideo, Target: filepath.Join(s.Dir, fixtures.VideoFile)}}
	o.Start, o.DriveDir, o.Vehicle, o.Officer = fo.Start, t.TempDir(), "car7", "4127"
	o.Hotlists = []shift.HotlistConfig{{Path: stale, Format: "ncic"}}
	o.BackOffice = BackOffice{URL: api.srv.URL, TokenFile: tokFile, CAFile: api.ca, Every: time.Minute, PushHits: true}
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	dc := readDrive(t, o.DriveDir)
	var updated, logout string
	for _, e := range dc.shifts {
		switch e.Event {
		case "hotlist":
			updated = e.Detail
		case "logout":
			logout = e.HotlistVersion
		}
	}
	sum := sha256.Sum256(hot)
	if !strings.Contains(updated, "updated over the network") || !strings.Contains(logout, hex.EncodeToString(sum[:])[:12]) {
		t.Fatalf("shift events: update %q, logout version %q", updated, logout)
	}
	if st.Hits == 0 || len(dc.hits) == 0 {
		t.Fatalf("no hit after the pulled list arrived (%d reads)", st.Reads)
	}
	api.mu.Lock()
	defer api.mu.Unlock()
	alerting := 0
	for _, h := range dc.hits {
		if !h.Covert {
			alerting++
			if crop, ok := api.hits[h.ID]; !ok {
				t.Errorf("hit %s (%s) did not reach dispatch", h.ID, h.Plate)
			} else if !crop {
				t.Errorf("hit %s (%s) reached dispatch without its crop", h.ID, h.Plate)
			}
		}
	}
	if int64(alerting) != st.HitsPushed || st.HitsUnpushed != 0 || len(api.hits) != alerting {
		t.Fatalf("pushed %d, not pushed %d, dispatch got %d, drive has %d alerting hits", st.HitsPushed, st.HitsUnpushed, len(api.hits), alerting)
	}
}

// TestHitReachesAnOlderStationWithoutItsCrop: a station that refuses the
// crop (an older release) still gets the hit, without it, on the retry.
func TestHitReachesAnOlderStationWithoutItsCrop(t *testing.T) {
	api := newCarAPI(t, "tok")
	api.noCrops = true
	tokFile := filepath.Join(t.TempDir(), "car.token")
	if err := os.WriteFile(tokFile, []byte("tok"), 0o600); err != nil {
		t.Fatal(err)
	}
	o := DefaultOptions()
	o.BackOffice = BackOffice{URL: api.srv.URL, TokenFile: tokFile, CAFile: api.ca, Every: time.Minute, PushHits: true}
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	p, err := newPusher(o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go p.run(ctx)
	p.offer(drive.Hit{ID: "h1", AlertedAt: time.Now(), Plate: "ABC123", ListName: "NCIC", Reason: "Stolen vehicle", Priority: "high"},
		drive.Position{}, []byte("\xff\xd8 a crop \xff\xd9"))
	p.drain(10 * time.Second)
	api.mu.Lock()
	defer api.mu.Unlock()
	if crop, ok := api.hits["h1"]; !ok || crop || p.sent.Load() != 1 {
		t.Fatalf("the hit reached the station: %v, with a crop: %v (sent %d, failed %d)", ok, crop, p.sent.Load(), p.failed.Load())
	}
}

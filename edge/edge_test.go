package edge

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plateward/alpr/edge/capture"
	"github.com/plateward/alpr/edge/drive"
	"github.com/plateward/alpr/edge/hotlist"
	"github.com/plateward/alpr/edge/models"
	"github.com/plateward/alpr/edge/shift"
	"github.com/plateward/alpr/fixtures"
)

// smallShift generates a shift of 6 stills and 3 video cars in a temp dir.
func smallShift(t *testing.T) (*fixtures.Shift, fixtures.Options) {
	t.Helper()
	o := fixtures.DefaultOptions()
	o.Seed, o.Scenes, o.VideoCars, o.HotEntries = 3, 6, 3, 200
	s, err := fixtures.GenerateShift(t.TempDir(), o)
	if err != nil {
		t.Fatal(err)
	}
	return s, o
}

// testRecognizer returns a Recognizer with the prepared models and the
// default options as edit leaves them (edit may be nil), closed when the
// test ends.
func testRecognizer(t *testing.T, edit func(*RecognizerOptions)) *Recognizer {
	t.Helper()
	o := DefaultRecognizerOptions()
	var err error
	if o.OCR.ModelsDir, err = models.FindDir(); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(&o)
	}
	rz, err := NewRecognizer(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rz.Close() })
	return rz
}

// videoReplay returns options that replay the shift's video from one
// camera, "front", with the prepared models.
func videoReplay(t *testing.T, s *fixtures.Shift) Options {
	t.Helper()
	o := DefaultOptions()
	var err error
	if o.OCR.ModelsDir, err = models.FindDir(); err != nil {
		t.Fatal(err)
	}
	o.Sources = []capture.Spec{{Camera: "front", Kind: capture.KindVideo, Target: filepath.Join(s.Dir, fixtures.VideoFile)}}
	return o
}

// driveContents is every record of a drive, by kind.
type driveContents struct {
	reads        []drive.Read
	hits         []drive.Hit
	shifts       []drive.ShiftEvent
	dispositions []drive.Disposition
}

func readDrive(t *testing.T, dir string) driveContents {
	t.Helper()
	files, err := drive.List(dir)
	if err != nil {
		t.Fatal(err)
	}
	var c driveContents
	for _, fi := range files {
		if !fi.Sealed {
			t.Fatalf("%s left unsealed after a clean run", fi.Name)
		}
		f, err := drive.ReadFile(fi)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range f.Batches {
			switch f.Kind {
			case drive.KindReads:
				c.reads = append(c.reads, drive.DecodeReads(b)...)
			case drive.KindHits:
				c.hits = append(c.hits, drive.DecodeHits(b)...)
			case drive.KindShifts:
				c.shifts = append(c.shifts, drive.DecodeShiftEvents(b)...)
			case drive.KindDispositions:
				c.dispositions = append(c.dispositions, drive.DecodeDispositions(b)...)
			}
		}
		f.Release()
	}
	return c
}

// TestReplayShift runs the whole reader over a synthetic shift on the real
// OpenCV and Tesseract and checks the drive against the ground truth.
func TestReplayShift(t *testing.T) {
	s, fo := smallShift(t)
	o := DefaultOptions()
	dir, err := models.FindDir()
	if err != nil {
		t.Fatal(err)
	}
	o.OCR.ModelsDir = dir
	o.Sources = []capture.Spec{
		{Camera: "front", Kind: capture.KindVideo, Target: filepath.Join(s.Dir, fixtures.VideoFile)},
		{Camera: "rear", Kind: capture.KindFolder, Target: filepath.Join(s.Dir, fixtures.ScenesDir)},
	}
	o.Start, o.FolderInterval = fo.Start, fo.SceneInterval
	o.DriveDir = t.TempDir()
	o.Vehicle, o.Officer = "car7", "4127"
	o.Workers = 1 // the two cameras share one recogniser: every plate is still read once per camera pass
	o.Hotlists = []shift.HotlistConfig{{Path: filepath.Join(s.Dir, fixtures.HotlistFile), Format: "ncic"}}
	o.GPSTrack = filepath.Join(s.Dir, fixtures.NMEAFile) // the route as NMEA: fix quality, speed, heading
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	wantFrames := int64(fo.Scenes + fo.VideoCars*(fo.FramesPerCar+fo.GapFrames))
	if st.Frames != wantFrames {
		t.Fatalf("frames %d, want %d", st.Frames, wantFrames)
	}
	dc := readDrive(t, o.DriveDir)
	reads, hits, shifts := dc.reads, dc.hits, dc.shifts
	if int64(len(reads)) != st.Reads || int64(len(hits)) != st.Hits {
		t.Fatalf("drive has %d reads %d hits, stats say %d %d", len(reads), len(hits), st.Reads, st.Hits)
	}
	// Every plate of the shift, read once per camera pass.
	truth := map[string]int{}
	for _, tr := range s.Truth {
		truth[tr.Plate.Text] = 0
	}
	perPlate := map[string]int{}
	for _, r := range reads {
		perPlate[r.Plate]++
		if !r.Position.Fix || r.Position.Quality != 1 || r.Position.SpeedMps < 10 || r.ShiftID != st.ShiftID || len(r.CropJPEG) < 100 || r.Officer != "4127" {
			t.Errorf("read %s incomplete: fix %v shift %q crop %d bytes", r.Plate, r.Position.Fix, r.ShiftID, len(r.CropJPEG))
		}
	}
	found := 0
	for p := range truth {
		if perPlate[p] > 0 {
			found++
		}
		if perPlate[p] > 1 {
			t.Errorf("plate %s read %d times: the tracker split it", p, perPlate[p])
		}
	}
	stateOf := map[string]string{}
	for _, tr := range s.Truth {
		stateOf[tr.Plate.Text] = tr.Plate.State
	}
	// The state, on the reads whose plate was read right.
	states, right := 0, 0
	for _, r := range reads {
		if stateOf[r.Plate] == "" {
			continue
		}
		right++
		if r.State == stateOf[r.Plate] {
			states++
		} else {
			t.Logf("read %s: state %q, plate's %q", r.Plate, r.State, stateOf[r.Plate])
		}
	}
	t.Logf("%d of %d plates read exactly; %d reads, %d of %d right ones with the right state; %d hits", found, len(truth), len(reads), states, right, len(hits))
	if states*10 < right*7 {
		t.Fatalf("the state read right on %d of %d reads", states, right)
	}
	if found*10 < len(truth)*7 {
		t.Fatalf("only %d of %d plates read exactly (reads %v)", found, len(truth), perPlate)
	}
	// Each expected hit whose plate was read raises a hit on its entry.
	for _, x := range s.Expected {
		if perPlate[x.Plate] == 0 {
			continue
		}
		ok := false
		for _, h := range hits {
			if h.NCICNumber == x.NIC && h.Plate == x.Plate {
				ok = true
				if x.Match == "equivalent" && h.MatchKind == "exact" {
					t.Errorf("hit on %s listed as %s shown as exact", x.Plate, x.Listed)
				}
			}
		}
		if !ok {
			t.Errorf("plate %s is on the list as %s (%s) but raised no hit", x.Plate, x.Listed, x.NIC)
		}
	}
	var events []string
	for _, e := range shifts {
		events = append(events, e.Event)
		if e.Event == "selfcheck" && !e.SelfCheckOK {
			t.Errorf("camera %v failed its self-check on a clean synthetic shift: %s", e.Cameras, e.Detail)
		}
	}
	if got := strings.Join(events, " "); got != "login selfcheck selfcheck logout" || shifts[0].HotlistVersion == "" {
		t.Fatalf("shift events %s", got)
	}
	login, logout := shifts[0], shifts[len(shifts)-1]
	if !login.At.Equal(fo.Start) || logout.At.Before(login.At) || logout.At.After(s.End.Add(time.Second)) {
		t.Fatalf("replay times: login %s logout %s (shift %s–%s)", login.At, logout.At, fo.Start, s.End)
	}
}

// TestLostFixIsRecorded: the GPS log's last fix is one second into the
// shift, so with a maximum age of a second the position is lost two seconds
// in; the reads after that carry no position and the loss is a shift event.
func TestLostFixIsRecorded(t *testing.T) {
	s, fo := smallShift(t)
	nmea, err := os.ReadFile(filepath.Join(s.Dir, fixtures.NMEAFile))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(nmea), "\n")
	// 1 minute before the start, two sentences a second: keep 62 s.
	cut := filepath.Join(t.TempDir(), "short.nmea")
	if err := os.WriteFile(cut, []byte(strings.Join(lines[:2*62], "")), 0o644); err != nil {
		t.Fatal(err)
	}
	o := DefaultOptions()
	if o.OCR.ModelsDir, err = models.FindDir(); err != nil {
		t.Fatal(err)
	}
	o.Sources = []capture.Spec{{Camera: "front", Kind: capture.KindVideo, Target: filepath.Join(s.Dir, fixtures.VideoFile)}}
	o.Start, o.DriveDir, o.Vehicle, o.Officer = fo.Start, t.TempDir(), "car7", "4127"
	o.GPSTrack, o.GPSMaxAge = cut, time.Second
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	o.Metrics = NewMetrics()
	st, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	// IT's monitoring says what the run did: the same counts as its
	// stats, the fix lost, the replay's camera ended, the queue empty.
	mon := httptest.NewServer(o.Metrics.Handler())
	defer mon.Close()
	resp, err := http.Get(mon.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for metric, want := range map[string]float64{
		`alpr_edge_frames_total{camera="front"}`: float64(st.Frames),
		`alpr_edge_reads_total`:                  float64(st.Reads),
		`alpr_edge_hits_total`:                   float64(st.Hits),
		`alpr_edge_gps_fix`:                      0,
		`alpr_edge_camera_up{camera="front"}`:    0,
		`alpr_edge_drive_queue_records`:          0,
		`alpr_edge_alert_latency_seconds_count`:  0, // a replay's frame times are not the clock's
	} {
		re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(metric) + ` (\S+)$`)
		m := re.FindSubmatch(page)
		if m == nil || string(m[1]) != strconv.FormatFloat(want, 'g', -1, 64) {
			t.Errorf("%s = %s, want %g", metric, m, want)
		}
	}
	if st.Frames == 0 || st.Reads == 0 {
		t.Fatalf("a run of nothing: %+v", st)
	}
	dc := readDrive(t, o.DriveDir)
	var events []string
	for _, e := range dc.shifts {
		if e.Event == "gps" {
			events = append(events, e.Detail)
		}
	}
	if len(events) != 1 || !strings.HasPrefix(events[0], "GPS fix lost") {
		t.Fatalf("gps events %q", events)
	}
	lost := fo.Start.Add(2 * time.Second)
	for _, r := range dc.reads {
		if d := r.CapturedAt.Sub(lost); d > -200*time.Millisecond && d < 200*time.Millisecond {
			continue // a frame at the edge: either way is right
		}
		if late := r.CapturedAt.After(lost); late == r.Position.Fix {
			t.Errorf("read at %s: fix %v", r.CapturedAt.Sub(fo.Start), r.Position.Fix)
		}
	}
}

// TestRealtimeReplayNeverWaits replays the video at its own frame rate:
// every frame is either recognised or counted as skipped, and plates are
// still read.
func TestRealtimeReplayNeverWaits(t *testing.T) {
	s, fo := smallShift(t)
	o := videoReplay(t, s)
	o.Start, o.DriveDir, o.Vehicle, o.Officer, o.Realtime = fo.Start, t.TempDir(), "car7", "4127", true
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	total := int64(fo.VideoCars * (fo.FramesPerCar + fo.GapFrames))
	t.Logf("%d frames recognised, %d skipped, %d reads", st.Frames, st.Dropped, st.Reads)
	if st.Frames+st.Dropped != total || st.Reads == 0 {
		t.Fatalf("%d recognised + %d skipped of %d frames; %d reads", st.Frames, st.Dropped, total, st.Reads)
	}
}

// orderAlerter records the order in which the reader shows reads and hits.
type orderAlerter struct{ events []string }

func (a *orderAlerter) Read(r drive.Read) { a.events = append(a.events, "read "+r.ID) }
func (a *orderAlerter) Hit(h drive.Hit, _ []byte) error {
	a.events = append(a.events, "hit "+h.ReadID)
	return nil
}
func (a *orderAlerter) Status(string, string) {}

// TestHitAlertsBeforeItsTrackEnds: a confident frame that matches a hot
// list alerts at once; the read, under the same id, follows when the
// track ends.
func TestHitAlertsBeforeItsTrackEnds(t *testing.T) {
	s, fo := smallShift(t)
	o := videoReplay(t, s)
	o.Start, o.DriveDir, o.Vehicle, o.Officer = fo.Start, t.TempDir(), "car7", "4127"
	o.Hotlists = []shift.HotlistConfig{{Path: filepath.Join(s.Dir, fixtures.HotlistFile), Format: "ncic"}}
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	al := &orderAlerter{}
	o.Alerter = al
	if _, err := Run(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	pos := map[string]int{}
	for i, e := range al.events {
		pos[e] = i
	}
	early := 0
	for i, e := range al.events {
		id, isHit := strings.CutPrefix(e, "hit ")
		if !isHit {
			continue
		}
		r, ok := pos["read "+id]
		if !ok {
			t.Fatalf("hit on read %s, which never came", id)
		}
		if i < r {
			early++
		}
	}
	t.Logf("events %v", al.events)
	if early == 0 {
		t.Fatal("no hit alerted before its track ended")
	}
	dc := readDrive(t, o.DriveDir)
	ids := map[string]bool{}
	for _, r := range dc.reads {
		ids[r.ID] = true
	}
	for _, h := range dc.hits {
		if !ids[h.ReadID] {
			t.Fatalf("hit %s on the drive points at no read", h.ID)
		}
	}
}

// stallingDrive is a drive whose first hit write hangs, as a USB stick
// does on a slow fsync, until released (or a long timeout, which fails
// the test that uses it).
type stallingDrive struct {
	recordSink
	once    sync.Once
	release chan struct{}
	timeout atomic.Bool
}

func (s *stallingDrive) Add(r drive.Record) error {
	if r.Kind() == drive.KindHits {
		s.once.Do(func() {
			select {
			case <-s.release:
			case <-time.After(30 * time.Second):
				s.timeout.Store(true)
			}
		})
	}
	return s.recordSink.Add(r)
}

// releasingAlerter releases the stalled drive when the second hit alerts.
type releasingAlerter struct {
	hits    atomic.Int32
	release chan struct{}
}

func (a *releasingAlerter) Read(drive.Read) {}
func (a *releasingAlerter) Hit(drive.Hit, []byte) error {
	if a.hits.Add(1) == 2 {
		close(a.release)
	}
	return nil
}
func (a *releasingAlerter) Status(string, string) {}

// TestStalledDriveNeverDelaysAnAlert: while the drive hangs on the shift's
// first hit, the officer still gets the next one (the drive is released by
// that second alert; a reader that waited on the drive would never show
// it), and once the drive recovers every hit is on it.
func TestStalledDriveNeverDelaysAnAlert(t *testing.T) {
	s, fo := smallShift(t)
	o := videoReplay(t, s)
	o.Start, o.DriveDir, o.Vehicle, o.Officer = fo.Start, t.TempDir(), "car7", "4127"
	// Every plate of the video is hot, so the shift raises several hits.
	var recs []hotlist.NCICRecord
	seen := map[string]bool{}
	for _, tr := range s.Truth {
		if tr.Source == fixtures.VideoFile && !seen[tr.Plate.Text] {
			seen[tr.Plate.Text] = true
			recs = append(recs, hotlist.NCICRecord{NIC: fmt.Sprintf("V%09d", len(recs)), ORI: "MO0640000", EnteredOn: fo.Start, Plate: tr.Plate.Text, State: "MO"})
		}
	}
	var hot bytes.Buffer
	if err := hotlist.FormatNCIC(&hot, recs); err != nil {
		t.Fatal(err)
	}
	hotPath := filepath.Join(t.TempDir(), "all.ncic")
	if err := os.WriteFile(hotPath, hot.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	o.Hotlists = []shift.HotlistConfig{{Path: hotPath, Format: "ncic"}}
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	release := make(chan struct{})
	al := &releasingAlerter{release: release}
	o.Alerter = al
	stall := &stallingDrive{release: release}
	o.wrapDrive = func(r recordSink) recordSink { stall.recordSink = r; return stall }
	st, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if al.hits.Load() < 2 {
		t.Fatalf("the shift raised %d hits; the test needs two", al.hits.Load())
	}
	if stall.timeout.Load() {
		t.Fatal("the second alert waited for the stalled drive")
	}
	dc := readDrive(t, o.DriveDir)
	if int64(len(dc.hits)) != st.Hits || st.Hits != int64(al.hits.Load()) || st.QueueDropped != 0 {
		t.Fatalf("%d hits on the drive, %d raised, %d alerted, %d reads dropped", len(dc.hits), st.Hits, al.hits.Load(), st.QueueDropped)
	}
}

// Package edge is the in-car reader: it wires capture → detect → OCR →
// track → hot-list match → drive for every camera of a patrol car. The
// stages live in the sub-packages; this package only connects them and
// keeps the shift's records. Where the character-row detector's regions
// read nothing, the text detector takes a second look (SecondLookOptions).
package edge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"
	"golang.org/x/sync/errgroup"

	"github.com/plateward/alpr/edge/capture"
	"github.com/plateward/alpr/edge/detect"
	"github.com/plateward/alpr/edge/drive"
	"github.com/plateward/alpr/edge/gps"
	"github.com/plateward/alpr/edge/hotlist"
	"github.com/plateward/alpr/edge/ocr"
	"github.com/plateward/alpr/edge/shift"
	"github.com/plateward/alpr/edge/track"
)

// Options configures a run of the reader.
type Options struct {
	Sources         []capture.Spec
	Start           time.Time     // time of a replay's first frame
	FolderInterval  time.Duration // time between images of a folder source
	Realtime        bool          // replay files at their frame rate, dropping what the recogniser cannot keep up with, as live cameras do
	Workers         int           // recognisers the cameras share; 0: one per core; never more than there are cameras
	DriveDir        string
	Vehicle         string
	Officer         string
	Hotlists        []shift.HotlistConfig
	GPSTrack        string // recorded track for replays: CSV (time,lat,lon,...) or an NMEA log (.nmea); empty for none
	GPSLive         string // live position: "gpsd:HOST:PORT", or an NMEA serial device; empty for none
	GPSMaxAge       time.Duration
	HotlistMaxAge   time.Duration // a list delivered longer ago is flagged to the officer
	BackOffice      BackOffice    // newer lists from, and hits to, the back office during the shift
	Detect          detect.Options
	OCR             ocr.Options
	SecondLook      SecondLookOptions // the text detector's look where the first read nothing
	PlateGate       float32           // regions less likely a plate than this are not read (RecognizerOptions.PlateGate)
	LastGate        float32           // unless nothing better was found (RecognizerOptions.LastGate)
	PlateRank       float64           // plates of a frame ranked by plate probability to this power too (RecognizerOptions.PlateRank)
	Track           track.Options
	Reconnect       capture.ReconnectOptions // how a live camera (device, RTSP, HTTP) is reopened when its stream fails
	Motion          MotionOptions            // frames in which nothing moved are not recognised
	ROI             ROI                      // the band of each frame where plates appear; zero: the whole frame
	AlertConfidence float32                  // a single frame's reading alerts at once from this confidence; weaker ones wait for the track
	Drive           drive.Options            // Dir and Vehicle are taken from above
	SelfCheck       shift.CheckOptions
	ShiftID         string // empty: a new one
	Alerter         Alerter
	Steps           <-chan drive.Record // the officer's steps from the alert page, for the drive
	Shift           ShiftEnd            // when set, the run lasts until the officer logs out
	Now             func() time.Time
	Logger          *slog.Logger
	Metrics         *Metrics // IT's monitoring (NewMetrics); nil: none

	// wrapDrive, in tests, wraps the drive (to make it stall, say).
	wrapDrive func(recordSink) recordSink
}

// Alerter shows reads and hits to the officer. Its methods must not block:
// the alert path never waits on a page.
type Alerter interface {
	Read(drive.Read)
	Hit(h drive.Hit, crop []byte) error
	Status(key, text string)
}

// ShiftEnd tells the reader when the officer has logged out, and how.
type ShiftEnd interface {
	LoggedOut() <-chan struct{}
	LogoutDetail() string
}

// DefaultOptions returns options with every stage's defaults.
func DefaultOptions() Options {
	return Options{
		FolderInterval:  time.Second,
		GPSMaxAge:       5 * time.Second,
		HotlistMaxAge:   24 * time.Hour,
		BackOffice:      BackOffice{Every: 10 * time.Minute},
		Detect:          detect.DefaultOptions(),
		OCR:             ocr.DefaultOptions(),
		SecondLook:      DefaultSecondLookOptions(),
		PlateGate:       DefaultPlateGate,
		LastGate:        DefaultLastGate,
		PlateRank:       DefaultPlateRank,
		Track:           track.DefaultOptions(),
		Reconnect:       capture.DefaultReconnectOptions(),
		Motion:          DefaultMotionOptions(),
		AlertConfidence: 0.8,
		Drive:           drive.DefaultOptions("", ""),
		SelfCheck:       shift.DefaultCheckOptions(),
		Now:             time.Now,
		Logger:          slog.Default(),
	}
}

// Validate reports the first invalid option.
func (o Options) Validate() error {
	switch {
	case len(o.Sources) == 0:
		return errors.New("edge: no camera source")
	case o.DriveDir == "":
		return errors.New("edge: no drive directory")
	case o.Officer == "":
		return errors.New("edge: no officer: a shift belongs to a logged-in officer")
	case o.Now == nil || o.Logger == nil:
		return errors.New("edge: clock and logger are required")
	case o.HotlistMaxAge <= 0:
		return errors.New("edge: the hot lists' maximum age must be positive")
	case !o.SecondLook.Off && (o.SecondLook.MaxLines < 1 || o.SecondLook.Every < 0):
		return fmt.Errorf("edge: second look reads %d lines every %s: want at least 1, and no negative interval", o.SecondLook.MaxLines, o.SecondLook.Every)
	case o.Workers < 0:
		return fmt.Errorf("edge: %d workers", o.Workers)
	case o.PlateGate < 0 || o.PlateGate > 1 || o.LastGate < 0:
		return fmt.Errorf("edge: plate gates %g and %g outside 0..1", o.PlateGate, o.LastGate)
	case o.BackOffice.PushHits && o.BackOffice.URL == "":
		return errors.New("edge: pushing hits needs the back office's URL")
	case o.BackOffice.URL != "" && (o.BackOffice.Every <= 0 || o.BackOffice.TokenFile == ""):
		return errors.New("edge: a hot-list pull needs a token file and a positive interval")
	}
	seen := map[string]bool{}
	for _, s := range o.Sources {
		if seen[s.Camera] {
			return fmt.Errorf("edge: camera %q named twice", s.Camera)
		}
		seen[s.Camera] = true
	}
	d := o.Drive
	d.Dir, d.Vehicle = o.DriveDir, o.Vehicle
	var text error
	if o.SecondLook.active(o.OCR) {
		text = o.SecondLook.Text.Validate()
	}
	return errors.Join(o.Detect.Validate(), o.OCR.Validate(), text, o.Track.Validate(), o.Reconnect.Validate(), o.Motion.Validate(), o.ROI.Validate(), d.Validate(), o.SelfCheck.Validate())
}

// Stats counts what a run did.
type Stats struct {
	Frames       int64
	Dropped      int64 // frames skipped because the recogniser was busy (live or real-time only)
	Still        int64 // frames not recognised because nothing moved (of Frames)
	SecondLooks  int64 // frames the text detector looked at (SecondLookOptions)
	HitsPushed   int64 // hits the dispatch board received
	HitsUnpushed int64 // hits that did not reach it (no network, queue full): they are on the drive
	Observations int64
	Reads        int64
	Hits         int64
	Alerts       int64 // hits that alert the officer (not covert)
	QueueDropped int64 // reads dropped because the drive stalled for minutes (never hits)
	Files        []drive.Sealed
	ShiftID      string
	Hotlist      string // versions of the lists used
}

// camItem is what a camera sends to the recorder: a finished track, or
// the camera's self-check.
type camItem struct {
	read     *track.Read
	sighting *sighting
	check    *shift.CameraCheck
	ended    string // the camera's source ended (end of a replay, or a lost camera)
	cam      *camState
}

// camState is a live camera lost, back or gone (capture.Reconnecting).
type camState struct {
	camera, state string
	at            time.Time
	err           error
}

// sighting is one frame's reading of a plate, in the track it joined.
type sighting struct {
	track  string
	camera string
	obs    track.Observation
}

// Run reads every source to its end (replay) or until ctx is done (live).
func Run(ctx context.Context, o Options) (Stats, error) {
	var st Stats
	if err := o.Validate(); err != nil {
		return st, err
	}
	// OpenMP threads inside Tesseract fight the workers for cores.
	os.Setenv("OMP_THREAD_LIMIT", "1")
	lists, err := loadHotlists(o)
	if err != nil {
		return st, err
	}
	ix, version := hotlist.NewIndex(lists...), versionsOf(lists)
	st.Hotlist = version
	agesCtx, stopAges := context.WithCancel(ctx)
	defer stopAges()
	clock, kick := &listClock{ages: listAges(lists)}, make(chan struct{}, 1)
	go showListAges(agesCtx, o, clock, kick)
	var updates chan listUpdate
	var push *pusher
	if o.BackOffice.URL != "" && o.BackOffice.PushHits {
		if push, err = newPusher(o); err != nil {
			return st, err
		}
		go push.run(agesCtx)
	}
	if o.BackOffice.URL != "" {
		p, err := newPuller(o, append([]*hotlist.List(nil), lists...))
		if err != nil {
			return st, err
		}
		updates = make(chan listUpdate)
		go p.pullLoop(agesCtx, updates)
	}
	locator, err := openGPS(ctx, o)
	if err != nil {
		return st, err
	}
	dopts := o.Drive
	dopts.Dir, dopts.Vehicle, dopts.Logger = o.DriveDir, o.Vehicle, o.Logger
	dopts.OnState = func(s drive.State) {
		if o.Alerter == nil {
			return
		}
		switch {
		case s.Buffering:
			text := fmt.Sprintf("DRIVE FULL OR MISSING: recording to the car's disk (%.0f MB)", float64(s.BufferedBytes)/1e6)
			if s.Dropped > 0 {
				text += fmt.Sprintf("; %d reads dropped, buffer full", s.Dropped)
			}
			o.Alerter.Status("drive", text)
		case s.Dropped > 0:
			o.Alerter.Status("drive", fmt.Sprintf("drive back; %d reads were dropped while it was out", s.Dropped))
		default:
			o.Alerter.Status("drive", "")
		}
	}
	rec, err := drive.NewRecorder(dopts)
	if err != nil {
		return st, err
	}
	var sink recordSink = rec
	if o.wrapDrive != nil {
		sink = o.wrapDrive(rec)
	}
	// Nothing below waits on the drive: records queue for it (see driveQueue).
	dq := newDriveQueue(sink)
	st.ShiftID = o.ShiftID
	if st.ShiftID == "" {
		st.ShiftID = newID()
	}
	cams := make([]string, len(o.Sources))
	for i, s := range o.Sources {
		cams[i] = s.Camera
	}
	// A replay keeps the replayed shift's time; a live run, the clock's.
	loginAt := o.Now()
	if !o.Start.IsZero() {
		loginAt = o.Start
	}
	login := drive.ShiftEvent{ID: newID(), ShiftID: st.ShiftID, At: loginAt, Event: "login", Officer: o.Officer,
		Vehicle: o.Vehicle, Cameras: cams, HotlistVersion: version, SelfCheckOK: false,
		Detail: fmt.Sprintf("self-check of %d cameras follows", len(cams))}
	if err := dq.Add(login); err != nil {
		return st, errors.Join(err, dq.Close())
	}

	pool, err := newRecognizerPool(o)
	if err != nil {
		return st, errors.Join(err, dq.Close())
	}
	defer pool.close()
	camCtx, stopCams := context.WithCancel(ctx)
	defer stopCams()
	items := make(chan camItem, 64)
	g, gctx := errgroup.WithContext(camCtx)
	counts := make([]camCounts, len(o.Sources))
	o.Metrics.attach(cams, counts, dq)
	for i, sp := range o.Sources {
		g.Go(func() error { return runCamera(gctx, o, sp, pool, items, &counts[i]) })
	}
	done := make(chan error, 1)
	go func() {
		done <- g.Wait()
		close(items)
	}()
	rw := recordWriter{o: o, ix: ix, push: push, gps: locator, rec: dq, shift: st.ShiftID, last: loginAt, alerted: map[string][]drive.Hit{}}
	var loggedOut <-chan struct{}
	if o.Shift != nil {
		loggedOut = o.Shift.LoggedOut()
	}
	steps := o.Steps
	var werr error
	for items != nil || loggedOut != nil {
		select {
		case it, ok := <-items:
			if !ok {
				items = nil
				continue
			}
			if werr != nil {
				continue // drain so the cameras can finish
			}
			switch {
			case it.ended != "":
				o.Logger.Warn("camera stopped", "camera", it.ended)
				o.Metrics.camera(it.ended, false)
				if o.Alerter != nil {
					o.Alerter.Status("camera-"+it.ended, "camera "+it.ended+": stopped")
				}
			case it.cam != nil:
				werr = rw.cameraState(*it.cam)
			case it.check != nil:
				werr = rw.selfCheck(*it.check)
			case it.sighting != nil:
				werr = rw.sight(*it.sighting, &st)
			default:
				werr = rw.write(*it.read, &st)
			}
		case r := <-steps:
			if werr == nil {
				werr = dq.Add(r)
			}
		case u := <-updates:
			// A newer list, whole and verified: matched from the next read
			// on, and recorded on the drive.
			rw.ix, version = u.ix, u.versions
			clock.set(u.name, u.delivered)
			select {
			case kick <- struct{}{}:
			default:
			}
			o.Logger.Info("hot list updated over the network", "list", u.name, "version", u.version)
			if werr == nil {
				werr = dq.Add(drive.ShiftEvent{ID: newID(), ShiftID: st.ShiftID, At: o.Now(), Event: "hotlist", Officer: o.Officer,
					Vehicle: o.Vehicle, HotlistVersion: version, Detail: "hot list " + u.name + " updated over the network to " + u.version})
			}
		case <-loggedOut:
			loggedOut = nil
			stopCams()
		case <-ctx.Done():
			loggedOut = nil
		}
	}
	// Steps taken while the loop was ending still go to the drive.
	for drained := false; !drained && steps != nil; {
		select {
		case r := <-steps:
			werr = errors.Join(werr, dq.Add(r))
		default:
			drained = true
		}
	}
	cerr := <-done
	if errors.Is(cerr, context.Canceled) {
		cerr = nil // stopped by logout or signal: the normal end of a live shift
	}
	for _, c := range counts {
		st.Frames += c.frames
		st.Observations += c.observations
		st.Dropped += c.dropped
		st.Still += c.still
		st.SecondLooks += c.secondLooks
	}
	if push != nil {
		push.drain(5 * time.Second)
		st.HitsPushed, st.HitsUnpushed = push.sent.Load(), push.notPushed()
	}
	logoutAt := o.Now()
	if !o.Start.IsZero() {
		logoutAt = rw.last
	}
	detail := fmt.Sprintf("frames=%d reads=%d hits=%d", st.Frames, st.Reads, st.Hits)
	if push != nil {
		detail += fmt.Sprintf("; hits pushed to dispatch=%d, not pushed=%d", st.HitsPushed, st.HitsUnpushed)
	}
	werr = errors.Join(werr, dq.Wait())
	if ds := sink.State(); ds.Buffering || ds.Dropped > 0 {
		detail += fmt.Sprintf("; drive: buffering=%v dropped_reads=%d", ds.Buffering, ds.Dropped)
	}
	if st.QueueDropped = dq.Dropped(); st.QueueDropped > 0 {
		detail += fmt.Sprintf("; drive stalled: %d reads dropped waiting for it", st.QueueDropped)
	}
	if o.Shift != nil && o.Shift.LogoutDetail() != "" {
		detail = o.Shift.LogoutDetail() + "; " + detail
	}
	logout := drive.ShiftEvent{ID: newID(), ShiftID: st.ShiftID, At: logoutAt, Event: "logout", Officer: o.Officer,
		Vehicle: o.Vehicle, Cameras: cams, HotlistVersion: version, Detail: detail}
	aerr := dq.Add(logout)
	closeErr := dq.Close()
	st.Files = sink.Sealed()
	return st, errors.Join(cerr, werr, aerr, closeErr)
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func loadHotlists(o Options) ([]*hotlist.List, error) {
	var lists []*hotlist.List
	for _, h := range o.Hotlists {
		l, err := loadHotlist(h, o.Now())
		if err != nil {
			return nil, err
		}
		for _, s := range l.Skipped {
			o.Logger.Warn("hot-list line skipped", "error", s.Error())
		}
		if l.Expired > 0 {
			o.Logger.Info("expired hot-list entries not loaded", "list", l.Name, "expired", l.Expired)
		}
		lists = append(lists, l)
	}
	return lists, nil
}

func loadHotlist(h shift.HotlistConfig, now time.Time) (*hotlist.List, error) {
	f, err := os.Open(h.Path)
	if err != nil {
		return nil, fmt.Errorf("open hot list: %w", err)
	}
	defer f.Close()
	switch h.Format {
	case "", "ncic":
		return hotlist.ParseNCIC(f, "NCIC", h.Path, now)
	case "csv":
		m, err := hotlist.LoadMapping(h.Mapping)
		if err != nil {
			return nil, err
		}
		return hotlist.ParseCSV(f, m, h.Path, now)
	}
	return nil, fmt.Errorf("hot list %s: unknown format %q", h.Path, h.Format)
}

// openGPS returns where positions come from: a recorded track, a live
// receiver (started here, stopped with ctx), or nothing.
func openGPS(ctx context.Context, o Options) (gps.Locator, error) {
	switch {
	case o.GPSTrack != "" && o.GPSLive != "":
		return nil, errors.New("edge: a recorded GPS track or a live GPS, not both")
	case strings.HasSuffix(o.GPSTrack, ".nmea"):
		t, bad, err := gps.ReadNMEATrack(o.GPSTrack, o.GPSMaxAge)
		if bad > 0 {
			o.Logger.Warn("bad NMEA sentences skipped", "file", o.GPSTrack, "count", bad)
		}
		return t, err
	case o.GPSTrack != "":
		return gps.ReadTrackFile(o.GPSTrack, o.GPSMaxAge)
	case strings.HasPrefix(o.GPSLive, "gpsd:"):
		r := gps.NewReceiver(o.GPSMaxAge)
		addr := strings.TrimPrefix(o.GPSLive, "gpsd:")
		go func() {
			for ctx.Err() == nil {
				if err := r.ReadGPSD(ctx, addr); err != nil && ctx.Err() == nil {
					o.Logger.Warn("gpsd connection lost; retrying", "addr", addr, "error", err)
				}
				select {
				case <-ctx.Done():
				case <-time.After(2 * time.Second):
				}
			}
		}()
		return r, nil
	case o.GPSLive != "":
		f, err := os.Open(o.GPSLive)
		if err != nil {
			return nil, fmt.Errorf("open GPS device: %w", err)
		}
		r := gps.NewReceiver(o.GPSMaxAge)
		go func() {
			defer f.Close()
			if err := r.ReadNMEA(ctx, f); err != nil && ctx.Err() == nil {
				o.Logger.Error("GPS device stopped", "device", o.GPSLive, "error", err)
			}
		}()
		return r, nil
	}
	return nil, nil
}

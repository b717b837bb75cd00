package alert

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/plateward/alpr/edge/drive"
	"github.com/plateward/alpr/edge/shift"
)

//go:embed web
var webFS embed.FS

// Options configures the alert page.
type Options struct {
	Officer  string
	Vehicle  string
	ShiftID  string
	Codes    []Code        // disposition codes; DefaultCodes() when empty
	Roster   *shift.Roster // supervisors who may override a logout; nil: no override
	MaxReads int           // recent reads kept for the page
	TimeZone string        // the department's zone (IANA name): the page shows every time in it, 24-hour, with its abbreviation
	Now      func() time.Time
	Logger   *slog.Logger
}

// DefaultOptions returns options for a shift.
func DefaultOptions(officer, vehicle, shiftID string) Options {
	return Options{Officer: officer, Vehicle: vehicle, ShiftID: shiftID, Codes: DefaultCodes(), MaxReads: 200,
		TimeZone: "America/Chicago", Now: time.Now, Logger: slog.Default()}
}

// Validate reports the first invalid option.
func (o Options) Validate() error {
	switch {
	case o.Officer == "" || o.Vehicle == "" || o.ShiftID == "":
		return errors.New("alert options: officer, vehicle and shift are required")
	case len(o.Codes) == 0:
		return errors.New("alert options: no disposition codes")
	case o.MaxReads < 1:
		return errors.New("alert options: max reads < 1")
	case o.Now == nil || o.Logger == nil:
		return errors.New("alert options: clock and logger are required")
	}
	if _, err := time.LoadLocation(o.TimeZone); err != nil || o.TimeZone == "" {
		return fmt.Errorf("alert options: time zone %q: want an IANA zone such as America/Chicago", o.TimeZone)
	}
	return nil
}

// Sink writes the officer's steps to the drive. The edge reader passes one
// that hands them to its recorder.
type Sink func(drive.Record) error

// readView is a read as the page lists it.
type readView struct {
	ID     string    `json:"id"`
	Plate  string    `json:"plate"`
	At     time.Time `json:"at"`
	Camera string    `json:"camera"`
	Conf   float32   `json:"confidence"`
	Hit    bool      `json:"hit"`
}

type event struct {
	name string
	data []byte
}

// Server is the alert page.
type Server struct {
	o     Options
	sink  Sink
	token string
	page  *template.Template

	mu        sync.Mutex
	hits      map[string]*hitState
	order     []string
	reads     []readView
	crops     map[string][]byte
	cropOrder []string
	status    map[string]string
	subs      map[chan event]struct{}
	loggedOut chan struct{}
	logout    string
}

// New returns an alert page that writes steps to sink.
func New(o Options, sink Sink) (*Server, error) {
	if len(o.Codes) == 0 {
		o.Codes = DefaultCodes()
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	tok := make([]byte, 16)
	if _, err := rand.Read(tok); err != nil {
		return nil, err
	}
	page, err := template.ParseFS(webFS, "web/index.html")
	if err != nil {
		return nil, fmt.Errorf("alert page template: %w", err)
	}
	return &Server{o: o, sink: sink, token: hex.EncodeToString(tok), page: page,
		hits: map[string]*hitState{}, crops: map[string][]byte{}, status: map[string]string{},
		subs: map[chan event]struct{}{}, loggedOut: make(chan struct{})}, nil
}

// publish sends an event to every page without waiting: a page that
// cannot keep up is dropped and reconnects to a fresh snapshot, so the
// alert path never blocks on a browser.
func (s *Server) publish(name string, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		s.o.Logger.Error("alert event", "error", err)
		return
	}
	for ch := range s.subs {
		select {
		case ch <- event{name, data}:
		default:
			delete(s.subs, ch)
			close(ch)
		}
	}
}

func (s *Server) keepCrop(id string, crop []byte) {
	if len(crop) == 0 {
		return
	}
	s.crops[id] = crop
	s.cropOrder = append(s.cropOrder, id)
	for len(s.cropOrder) > 2*s.o.MaxReads {
		old := s.cropOrder[0]
		s.cropOrder = s.cropOrder[1:]
		if !s.isHitRead(old) {
			delete(s.crops, old)
		}
	}
}

func (s *Server) isHitRead(readID string) bool {
	for _, h := range s.hits {
		if h.Hit.ReadID == readID && !h.Done {
			return true
		}
	}
	return false
}

// Read shows a read in the live list.
func (s *Server) Read(r drive.Read) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := readView{ID: r.ID, Plate: r.Plate, At: r.CapturedAt, Camera: r.Camera, Conf: r.Confidence}
	s.reads = append(s.reads, v)
	if len(s.reads) > s.o.MaxReads {
		s.reads = s.reads[len(s.reads)-s.o.MaxReads:]
	}
	s.keepCrop(r.ID, r.CropJPEG)
	s.publish("read", v)
}

// Hit raises the alert for a hit. A covert hit raises none: it is recorded
// with a disposition by the system, as the list's owner asked.
func (s *Server) Hit(h drive.Hit, crop []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h.Covert {
		return s.sink(drive.Disposition{ID: newID(), HitID: h.ID, At: s.o.Now(), Step: StepDisposition,
			Code: "covert-no-action", Note: "covert list: no alert shown", Officer: "system",
			Vehicle: s.o.Vehicle, ShiftID: s.o.ShiftID})
	}
	st := StyleOf(h.Priority)
	hs := &hitState{Hit: h, Colour: st.Colour, Style: st, ReadAt: h.AlertedAt, crop: crop}
	s.hits[h.ID] = hs
	s.order = append(s.order, h.ID)
	s.keepCrop(h.ReadID, crop)
	s.publish("hit", hs)
	return nil
}

// Status sets a line of the page's status bar (camera self-check, drive,
// GPS); an empty text removes it.
func (s *Server) Status(key, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if text == "" {
		delete(s.status, key)
	} else {
		s.status[key] = text
	}
	s.publish("status", s.status)
}

// Pending returns the IDs of hits without a disposition, oldest first.
func (s *Server) Pending() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pendingLocked()
}

func (s *Server) pendingLocked() []string {
	var out []string
	for _, id := range s.order {
		if !s.hits[id].Done {
			out = append(out, id)
		}
	}
	return out
}

// Step records an officer's step on a hit, on the drive first: a step the
// drive did not take is not shown as taken.
func (s *Server) Step(hitID, step, value, note string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.hits[hitID]
	if !ok {
		return fmt.Errorf("%w: %s", ErrNoSuchHit, hitID)
	}
	trial := *h
	if err := trial.step(step, value, note, s.o.Codes); err != nil {
		return err
	}
	d := drive.Disposition{ID: newID(), HitID: hitID, At: s.o.Now(), Step: step, Code: value, Note: note,
		Officer: s.o.Officer, Vehicle: s.o.Vehicle, ShiftID: s.o.ShiftID}
	if err := s.sink(d); err != nil {
		return fmt.Errorf("record %s on the drive: %w", step, err)
	}
	*h = trial
	s.publish("hit", h)
	return nil
}

// Logout ends the shift. It is refused while hits lack a disposition,
// unless a trained supervisor overrides with their PIN.
func (s *Server) Logout(supervisor, pin string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.loggedOut:
		return nil
	default:
	}
	pending := s.pendingLocked()
	detail := "logout"
	if len(pending) > 0 {
		if supervisor == "" {
			// The officer knows hits by their plates, not their ids.
			plates := make([]string, len(pending))
			for i, id := range pending {
				h := s.hits[id].Hit
				plates[i] = h.Plate + " (" + h.Priority + ", " + h.ListName + ")"
			}
			return fmt.Errorf("%w: %d: %s", ErrPendingHits, len(pending), strings.Join(plates, ", "))
		}
		if s.o.Roster == nil {
			return fmt.Errorf("%w: no roster in this car", ErrNotOverrider)
		}
		o, err := s.o.Roster.Login(supervisor, pin, s.o.Now())
		if err != nil {
			return fmt.Errorf("%w: %w", ErrNotOverrider, err)
		}
		if o.Role != shift.RoleSupervisor {
			return fmt.Errorf("%w: %s is not a supervisor", ErrNotOverrider, supervisor)
		}
		detail = fmt.Sprintf("supervisor override by %s with %d hits without disposition: %s", supervisor, len(pending), strings.Join(pending, ", "))
	}
	s.logout = detail
	close(s.loggedOut)
	s.publish("logout", map[string]string{"detail": detail})
	return nil
}

// LoggedOut is closed when the officer has logged out.
func (s *Server) LoggedOut() <-chan struct{} { return s.loggedOut }

// LogoutDetail says how the shift ended (plain, or a supervisor override).
func (s *Server) LogoutDetail() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logout
}

// Handler returns the page's HTTP handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(webFS, "web/static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /{$}", s.index)
	mux.HandleFunc("GET /events", s.events)
	mux.HandleFunc("GET /crop/{id}", s.crop)
	mux.HandleFunc("POST /hits/{id}/{step}", s.postStep)
	mux.HandleFunc("POST /logout", s.postLogout)
	return secure(mux)
}

// secure sets the headers every response carries.
func secure(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	err := s.page.Execute(w, map[string]any{"Token": s.token, "TimeZone": s.o.TimeZone, "Officer": s.o.Officer, "Vehicle": s.o.Vehicle,
		"Shift": s.o.ShiftID, "Codes": s.o.Codes})
	if err != nil {
		s.o.Logger.Error("alert page", "error", err)
	}
}

func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	ch := make(chan event, 64)
	s.mu.Lock()
	snap := map[string]any{"reads": s.reads, "status": s.status, "codes": s.o.Codes}
	var hs []*hitState
	for _, id := range s.order {
		hs = append(hs, s.hits[id])
	}
	snap["hits"] = hs
	data, _ := json.Marshal(snap)
	s.subs[ch] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		if _, ok := s.subs[ch]; ok {
			delete(s.subs, ch)
			close(ch)
		}
		s.mu.Unlock()
	}()
	fmt.Fprintf(w, "event: snapshot\ndata: %s\n\n", data)
	fl.Flush()
	for {
		select {
		case <-r.Context().Done():
			return
		case ev, ok := <-ch:
			if !ok {
				return // too slow: the page reconnects to a new snapshot
			}
			fmt.Fprintf(w, "event: %s\ndata: %s\n\n", ev.name, ev.data)
			fl.Flush()
		}
	}
}

func (s *Server) crop(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	b, ok := s.crops[r.PathValue("id")]
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Write(b)
}

// checkToken refuses a POST that did not come from this page.
func (s *Server) checkToken(w http.ResponseWriter, r *http.Request) bool {
	if subtle.ConstantTimeCompare([]byte(r.Header.Get("X-Plateward-Token")), []byte(s.token)) != 1 {
		http.Error(w, "forbidden: not from the alert page", http.StatusForbidden)
		return false
	}
	return true
}

func (s *Server) postStep(w http.ResponseWriter, r *http.Request) {
	if !s.checkToken(w, r) {
		return
	}
	var body struct {
		Value string `json:"value"`
		Note  string `json:"note"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&body); err != nil {
		http.Error(w, "bad request: "+err.Error(), http.StatusBadRequest)
		return
	}
	err := s.Step(r.PathValue("id"), r.PathValue("step"), body.Value, strings.TrimSpace(body.Note))
	writeResult(w, err)
}

func (s *Server) postLogout(w http.ResponseWriter, r *http.Request) {
	if !s.checkToken(w, r) {
		return
	}
	var body struct {
		Supervisor string `json:"supervisor"`
		PIN        string `json:"pin"`
	}
	if r.ContentLength != 0 {
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&body); err != nil {
			http.Error(w, "bad request: "+err.Error(), http.StatusBadRequest)
			return
		}
	}
	writeResult(w, s.Logout(body.Supervisor, body.PIN))
}

func writeResult(w http.ResponseWriter, err error) {
	w.Header().Set("Content-Type", "application/json")
	switch {
	case err == nil:
		w.Write([]byte(`{"ok":true}`))
		return
	case errors.Is(err, ErrNoSuchHit):
		w.WriteHeader(http.StatusNotFound)
	case errors.Is(err, ErrStepOrder), errors.Is(err, ErrPendingHits):
		w.WriteHeader(http.StatusConflict)
	case errors.Is(err, ErrBadValue):
		w.WriteHeader(http.StatusBadRequest)
	case errors.Is(err, ErrNotOverrider):
		w.WriteHeader(http.StatusForbidden)
	default:
		w.WriteHeader(http.StatusInternalServerError)
	}
	_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()}) // the client may be gone
}

// Serve serves the page on ln until ctx is done.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 5 * time.Second}
	//nolint:gosec // shutdown runs after the serving context is done, so it needs its own
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			s.o.Logger.Warn("alert page shutdown", "err", err)
		}
	}()
	err := srv.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Listen opens the page's listener, on loopback only: the page is for the
// car's own computer.
func Listen(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("alert address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("alert address %q: the alert page listens on loopback only", addr)
	}
	return net.Listen("tcp", addr)
}

func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

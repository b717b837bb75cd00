package edge

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/plateward/alpr/edge/hotlist"
	"github.com/plateward/alpr/edge/shift"
	"github.com/plateward/alpr/internal/secure"
)

// BackOffice is the car's link to the back office's car API when a
// network is present, with the car's token:
//
//	GET  BASE/car/hotlists        a JSON manifest of {name, sha256, format, fetched_at, checked_at}
//	GET  BASE/car/hotlists/NAME   the current version's bytes
//	POST BASE/car/hits            a hit, as JSON, for the dispatch board
//
// The lists loaded at login from the drive stay in use until a newer
// version arrives whole and verified; hits are pushed from a bounded queue
// and always kept on the drive. Nothing in the alert path waits on the
// network.
type BackOffice struct {
	URL       string        // the back office, https://…; empty: no link
	TokenFile string        // the car's token (alpr cars token), mode 600
	CAFile    string        // PEM roots for the back office's certificate (default: the system's)
	Every     time.Duration // between hot-list pulls
	PushHits  bool          // send each alerting hit to the dispatch board
}

// maxPullBytes bounds one pulled list.
const maxPullBytes = 512 << 20

// listUpdate is a newer list, verified and parsed, for the reader.
type listUpdate struct {
	name, version string // the list and its new version
	versions      string // every loaded list's version, for the shift record
	ix            *hotlist.Index
	delivered     time.Time
}

type carListVersion struct {
	Name      string    `json:"name"`
	SHA256    string    `json:"sha256"`
	Format    string    `json:"format"`
	CheckedAt time.Time `json:"checked_at"`
}

// link is the car's authenticated HTTPS client to the back office.
type link struct {
	base   string
	client *http.Client
	token  string
}

func newLink(p BackOffice) (*link, error) {
	if !strings.HasPrefix(p.URL, "https://") {
		return nil, fmt.Errorf("back office: %q is not an https:// URL", p.URL)
	}
	token, err := secure.ReadSecret(p.TokenFile)
	if err != nil {
		return nil, fmt.Errorf("back office: token: %w", err)
	}
	client, err := secure.HTTPSClient(p.CAFile, time.Minute)
	if err != nil {
		return nil, fmt.Errorf("back office: %w", err)
	}
	return &link{base: strings.TrimSuffix(p.URL, "/"), token: token, client: client}, nil
}

// do sends a request with the car's token and returns the body of a 2xx
// answer.
func (l *link) do(ctx context.Context, method, path string, body []byte) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, l.base+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+l.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := l.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return nil, &statusError{code: resp.StatusCode, msg: fmt.Sprintf("%s %s answered %s", method, path, resp.Status)}
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxPullBytes+1))
	if err == nil && len(b) > maxPullBytes {
		err = errors.New("answer too large")
	}
	return b, err
}

// statusError is the back office's answer other than 2xx.
type statusError struct {
	code int
	msg  string
}

func (e *statusError) Error() string { return e.msg }

// refused reports whether err is the back office refusing the request
// itself (400), not a failure to answer.
func refused(err error) bool {
	var se *statusError
	return errors.As(err, &se) && se.code == http.StatusBadRequest
}

// puller fetches newer lists for the loaded ones.
type puller struct {
	o     Options
	l     *link
	lists []*hotlist.List       // the lists in use, in o.Hotlists order
	cfgs  []shift.HotlistConfig // how each was loaded
}

func newPuller(o Options, lists []*hotlist.List) (*puller, error) {
	l, err := newLink(o.BackOffice)
	if err != nil {
		return nil, err
	}
	return &puller{o: o, l: l, lists: lists, cfgs: o.Hotlists}, nil
}

func (p *puller) get(ctx context.Context, path string) ([]byte, error) {
	return p.l.do(ctx, http.MethodGet, path, nil)
}

// pull asks the back office once and returns the updates for lists whose
// current version differs from the one in use. A list that fails its
// hash or does not parse is skipped with an error; the others still come.
func (p *puller) pull(ctx context.Context) ([]listUpdate, error) {
	b, err := p.get(ctx, "/car/hotlists")
	if err != nil {
		return nil, err
	}
	var manifest []carListVersion
	if err := json.Unmarshal(b, &manifest); err != nil {
		return nil, fmt.Errorf("hot-list manifest: %w", err)
	}
	var out []listUpdate
	var errs []error
	for _, m := range manifest {
		i := p.index(m.Name)
		if i < 0 || p.lists[i].SHA256 == m.SHA256 {
			continue // not a list this car loads, or already in use
		}
		body, err := p.get(ctx, "/car/hotlists/"+m.Name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if sum := sha256.Sum256(body); hex.EncodeToString(sum[:]) != m.SHA256 {
			errs = append(errs, fmt.Errorf("hot list %s: the bytes do not match the manifest's SHA-256", m.Name))
			continue
		}
		l, err := parsePulled(p.cfgs[i], m.Name, body, p.o.BackOffice.URL, p.o.Now())
		if err != nil {
			errs = append(errs, err)
			continue
		}
		p.lists[i] = l
		out = append(out, listUpdate{name: m.Name, version: l.Version(), versions: versionsOf(p.lists), ix: hotlist.NewIndex(p.lists...), delivered: m.CheckedAt})
	}
	return out, errors.Join(errs...)
}

func (p *puller) index(name string) int {
	for i, l := range p.lists {
		if l.Name == name {
			return i
		}
	}
	return -1
}

func parsePulled(c shift.HotlistConfig, name string, body []byte, origin string, now time.Time) (*hotlist.List, error) {
	src := origin + "/car/hotlists/" + name
	switch c.Format {
	case "", "ncic":
		return hotlist.ParseNCIC(bytes.NewReader(body), name, src, now)
	case "csv":
		m, err := hotlist.LoadMapping(c.Mapping)
		if err != nil {
			return nil, err
		}
		return hotlist.ParseCSV(bytes.NewReader(body), m, src, now)
	}
	return nil, fmt.Errorf("hot list %s: unknown format %q", name, c.Format)
}

func versionsOf(lists []*hotlist.List) string {
	var vs []string
	for _, l := range lists {
		vs = append(vs, l.Version())
	}
	return strings.Join(vs, ",")
}

// pullLoop pulls now and then every Every until ctx ends, sending each
// newer list to the reader. A network that is not there is normal in a
// patrol car: it is shown on the alert page, not an error.
func (p *puller) pullLoop(ctx context.Context, updates chan<- listUpdate) {
	for {
		ups, err := p.pull(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			p.o.Logger.Info("hot-list pull", "err", err)
			if p.o.Alerter != nil {
				p.o.Alerter.Status("hotlist-pull", "hot-list updates: back office not reached; the lists from the drive stay in use")
			}
		} else if p.o.Alerter != nil {
			p.o.Alerter.Status("hotlist-pull", "")
		}
		for _, u := range ups {
			select {
			case updates <- u:
			case <-ctx.Done():
				return
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(p.o.BackOffice.Every):
		}
	}
}

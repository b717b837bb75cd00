package backoffice

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/analytics/hotlists"
	"github.com/plateward/alpr/internal/fsutil"
	"github.com/plateward/alpr/internal/strictjson"
)

// CarTokensFile holds, inside the store directory, the SHA-256 of each
// car's token for the car API (hot-list pulls during a shift). The token
// itself is shown once, when IT issues it, and lives only in the car.
const CarTokensFile = "car-tokens.json" //nolint:gosec // a file name, not a credential

var carName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$`)

// CarTokens is the file-backed store of car tokens.
type CarTokens struct {
	path  string
	mu    sync.Mutex
	byID  map[string]carToken
	mtime time.Time // of the file as last read: IT issues tokens while the server runs
}

type carToken struct {
	SHA256 string    `json:"sha256"`
	Issued time.Time `json:"issued"`
}

// OpenCarTokens reads dir/car-tokens.json, or starts empty.
func OpenCarTokens(dir string) (*CarTokens, error) {
	c := &CarTokens{path: filepath.Join(dir, CarTokensFile), byID: map[string]carToken{}}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c, c.reload()
}

// reload reads the file again if it changed since it was last read.
func (c *CarTokens) reload() error {
	info, err := os.Stat(c.path)
	if errors.Is(err, os.ErrNotExist) {
		c.byID, c.mtime = map[string]carToken{}, time.Time{}
		return nil
	}
	if err != nil {
		return fmt.Errorf("car tokens: %w", err)
	}
	if info.ModTime().Equal(c.mtime) {
		return nil
	}
	m := map[string]carToken{}
	if err := strictjson.ReadFile(c.path, &m); err != nil {
		return fmt.Errorf("car tokens: %w", err)
	}
	c.byID, c.mtime = m, info.ModTime()
	return nil
}

// Issue makes a new token for a car (replacing any older one) and returns
// it: the only time it is seen.
func (c *CarTokens) Issue(car string, now time.Time) (string, error) {
	if !carName.MatchString(car) {
		return "", fmt.Errorf("car %q: letters, digits, '.', '_' or '-', at most 32", car)
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	tok := hex.EncodeToString(b)
	sum := sha256.Sum256([]byte(tok))
	c.mu.Lock()
	defer c.mu.Unlock()
	next := map[string]carToken{}
	for k, v := range c.byID {
		next[k] = v
	}
	next[car] = carToken{SHA256: hex.EncodeToString(sum[:]), Issued: now.UTC()}
	if err := c.save(next); err != nil {
		return "", err
	}
	c.byID = next
	return tok, nil
}

// Revoke removes a car's token.
func (c *CarTokens) Revoke(car string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byID[car]; !ok {
		return fmt.Errorf("car %s has no token", car)
	}
	next := map[string]carToken{}
	for k, v := range c.byID {
		if k != car {
			next[k] = v
		}
	}
	if err := c.save(next); err != nil {
		return err
	}
	c.byID = next
	return nil
}

func (c *CarTokens) save(m map[string]carToken) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return fsutil.WriteFile(c.path, append(b, '\n'))
}

// Car returns the car a bearer token belongs to, comparing in constant
// time.
func (c *CarTokens) Car(token string) (string, bool) {
	sum := sha256.Sum256([]byte(token))
	got := hex.EncodeToString(sum[:])
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.reload(); err != nil {
		return "", false // an unreadable file admits no car
	}
	car := ""
	for k, v := range c.byID {
		if subtle.ConstantTimeCompare([]byte(v.SHA256), []byte(got)) == 1 {
			car = k
		}
	}
	return car, car != ""
}

// CarListVersion is one list in the car API's manifest.
type CarListVersion struct {
	Name      string    `json:"name"`
	SHA256    string    `json:"sha256"`
	Format    string    `json:"format"`
	FetchedAt time.Time `json:"fetched_at"`
	CheckedAt time.Time `json:"checked_at"`
}

// carAuth answers the car API only to a car with a valid token; every
// refusal and every pull is audited.
func (a *App) carAuth(h func(w http.ResponseWriter, r *http.Request, car string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		car := ""
		if ok && a.cars != nil {
			car, ok = a.cars.Car(strings.TrimSpace(tok))
		}
		if !ok {
			a.auditRefusal(r.Context(), "car:unknown", "car.refused", r.RemoteAddr, r.RemoteAddr+" "+r.URL.Path)
			http.Error(w, "a car token is required", http.StatusUnauthorized)
			return
		}
		h(w, r, car)
	}
}

// carManifest lists the current version of each configured list.
func (a *App) carManifest(w http.ResponseWriter, r *http.Request, car string) {
	if a.opts.Hotlists == nil {
		http.Error(w, "no hot-list sources are configured", http.StatusNotFound)
		return
	}
	ss, err := a.refresher().Status(r.Context(), *a.opts.Hotlists, a.opts.Now())
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	out := []CarListVersion{}
	for _, s := range ss {
		if s.Current != nil {
			out = append(out, CarListVersion{Name: s.Source.Name, SHA256: s.Current.SHA256, Format: s.Current.Format,
				FetchedAt: s.Current.FetchedAt, CheckedAt: s.Current.CheckedAt})
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out) // a car that has gone away pulls again
}

// carList sends a list's current version to a car, audited.
func (a *App) carList(w http.ResponseWriter, r *http.Request, car string) {
	if a.opts.Hotlists == nil {
		http.Error(w, "no hot-list sources are configured", http.StatusNotFound)
		return
	}
	list := r.PathValue("list")
	b, v, err := a.refresher().CurrentFile(r.Context(), list)
	if err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, hotlists.ErrNoVersion) {
			status = http.StatusNotFound
		}
		http.Error(w, err.Error(), status)
		return
	}
	if err := a.store.Audit(r.Context(), a.opts.Now(), analytics.Access{User: "car:" + car, Reason: "hot list pulled during a shift", Case: "hotlist:" + list},
		"hotlist.car-pull", fmt.Sprintf("list %s version %.12s", list, v.SHA256)); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Hotlist-SHA256", v.SHA256)
	w.Write(b)
}

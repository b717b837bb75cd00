// Package hotlists keeps the back office's hot lists fresh: each list has
// a source (a watched folder where the state or FBI file is delivered, or
// an HTTPS URL with credentials from a file); alpr serve fetches it on a
// schedule, validates it, keeps every version with its fate, holds a list
// that shrank suspiciously for IT's review instead of replacing the
// current one, and queues retro hits (earlier reads of newly listed
// plates) for the analysts.
//
// The sources file (format SourcesFormat):
//
//	{
//	  "format": "plateward-hotlist-sources/1",
//	  "schedule": "0 5,17 * * *",
//	  "max_age_hours": 24,
//	  "lists": [
//	    {"name": "NCIC", "format": "ncic", "folder": "/srv/alpr/inbox/ncic"},
//	    {"name": "MULES", "format": "csv", "mapping": "mules.mapping.json",
//	     "url": "https://mules.example.gov/lpr/export.csv",
//	     "credentials": "/etc/alpr/mules.cred", "ca_file": "/etc/alpr/mules-ca.pem",
//	     "max_shrink": 0.2, "max_bad_lines": 0.01}
//	  ]
//	}
//
// A credentials file holds one line, "basic USER:PASSWORD" or "bearer
// TOKEN", and must not be readable by group or others.
//
// Versions are stored under STORE/hotlists/<list>/<sha256>.<format>; the
// hotlist_versions table records each with its state: current, previous
// (the one before current), superseded (older), review (held: it shrank
// by more than max_shrink) or rejected (unparseable, too many bad lines,
// or rejected by IT).
package hotlists

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/plateward/alpr/edge/hotlist"
	"github.com/plateward/alpr/internal/secure"
	"github.com/plateward/alpr/internal/strictjson"
)

// Dir is where a store keeps its hot-list versions.
func Dir(storeDir string) string { return filepath.Join(storeDir, "hotlists") }

// SourcesFormat is the sources file's required "format".
const SourcesFormat = "plateward-hotlist-sources/1"

// ErrSources is an invalid sources file.
var ErrSources = errors.New("invalid hot-list sources")

// Source is where one list comes from and how it is checked.
type Source struct {
	Name        string  `json:"name"`
	Format      string  `json:"format"`  // ncic or csv
	Mapping     string  `json:"mapping"` // csv: the column mapping file
	Folder      string  `json:"folder"`  // a watched delivery folder: the newest file is the list
	URL         string  `json:"url"`     // or an HTTPS URL
	Credentials string  `json:"credentials"`
	CAFile      string  `json:"ca_file"`       // PEM roots for the URL's certificate (default: the system's)
	MaxShrink   float64 `json:"max_shrink"`    // fraction; a version with fewer entries than (1-MaxShrink)×current is held
	MaxBadLines float64 `json:"max_bad_lines"` // fraction of lines that may be unusable before the version is rejected

	mapping hotlist.Mapping
}

// Config is the sources file.
type Config struct {
	Format      string   `json:"format"`
	Schedule    string   `json:"schedule"`      // cron, in the department's zone
	MaxAgeHours float64  `json:"max_age_hours"` // a list not confirmed fresh for this long is flagged
	Lists       []Source `json:"lists"`
}

// MaxAge is MaxAgeHours as a duration.
func (c Config) MaxAge() time.Duration { return time.Duration(c.MaxAgeHours * float64(time.Hour)) }

var listName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$`)

// LoadConfig reads and checks a sources file. Relative paths in it are
// relative to the file's folder.
func LoadConfig(path string) (Config, error) {
	var c Config
	if err := strictjson.ReadFile(path, &c); err != nil {
		return c, fmt.Errorf("%w: %w", ErrSources, err)
	}
	base := filepath.Dir(path)
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(base, p)
	}
	for i := range c.Lists {
		s := &c.Lists[i]
		s.Mapping, s.Folder, s.Credentials, s.CAFile = abs(s.Mapping), abs(s.Folder), abs(s.Credentials), abs(s.CAFile)
	}
	if err := c.Validate(); err != nil {
		return c, fmt.Errorf("%s: %w", path, err)
	}
	for i := range c.Lists {
		if c.Lists[i].Format == "csv" {
			m, err := hotlist.LoadMapping(c.Lists[i].Mapping)
			if err != nil {
				return c, fmt.Errorf("%s: list %s: %w", path, c.Lists[i].Name, err)
			}
			c.Lists[i].mapping = m
		}
	}
	return c, nil
}

// Validate reports the first invalid field, with defaults applied: twice
// a day at 05:00 and 17:00, 24 hours' age, 20 % shrink, 1 % bad lines.
func (c *Config) Validate() error {
	if c.Format != SourcesFormat {
		return fmt.Errorf("%w: format %q, want %q", ErrSources, c.Format, SourcesFormat)
	}
	if c.Schedule == "" {
		c.Schedule = "0 5,17 * * *"
	}
	if c.MaxAgeHours == 0 {
		c.MaxAgeHours = 24
	}
	if c.MaxAgeHours < 0 {
		return fmt.Errorf("%w: max_age_hours must be positive", ErrSources)
	}
	if len(c.Lists) == 0 {
		return fmt.Errorf("%w: no lists", ErrSources)
	}
	seen := map[string]bool{}
	for i := range c.Lists {
		s := &c.Lists[i]
		switch {
		case !listName.MatchString(s.Name):
			return fmt.Errorf("%w: list name %q: letters, digits, '.', '_' or '-', at most 40", ErrSources, s.Name)
		case seen[strings.ToLower(s.Name)]:
			return fmt.Errorf("%w: list %s named twice", ErrSources, s.Name)
		case s.Format != "ncic" && s.Format != "csv":
			return fmt.Errorf("%w: list %s: format %q, want ncic or csv", ErrSources, s.Name, s.Format)
		case s.Format == "csv" && s.Mapping == "":
			return fmt.Errorf("%w: list %s: a csv list needs its mapping file", ErrSources, s.Name)
		case (s.Folder == "") == (s.URL == ""):
			return fmt.Errorf("%w: list %s: give a folder or a url, not both", ErrSources, s.Name)
		case s.URL != "" && !strings.HasPrefix(s.URL, "https://"):
			return fmt.Errorf("%w: list %s: the url must be https:// (hot lists are criminal justice information)", ErrSources, s.Name)
		case s.MaxShrink < 0 || s.MaxShrink >= 1 || s.MaxBadLines < 0 || s.MaxBadLines >= 1:
			return fmt.Errorf("%w: list %s: max_shrink and max_bad_lines are fractions in [0, 1)", ErrSources, s.Name)
		}
		seen[strings.ToLower(s.Name)] = true
		if s.MaxShrink == 0 {
			s.MaxShrink = 0.2
		}
		if s.MaxBadLines == 0 {
			s.MaxBadLines = 0.01
		}
		if s.Credentials != "" {
			if _, err := credentials(s.Credentials); err != nil {
				return fmt.Errorf("%w: list %s: %w", ErrSources, s.Name, err)
			}
		}
	}
	return nil
}

// credentials reads a credentials file into an Authorization header value.
func credentials(path string) (string, error) {
	text, err := secure.ReadSecret(path)
	if err != nil {
		return "", fmt.Errorf("credentials: %w", err)
	}
	kind, val, ok := strings.Cut(text, " ")
	val = strings.TrimSpace(val)
	switch {
	case ok && strings.EqualFold(kind, "bearer") && val != "":
		return "Bearer " + val, nil
	case ok && strings.EqualFold(kind, "basic") && strings.Contains(val, ":"):
		return "basic:" + val, nil // set with SetBasicAuth
	}
	return "", fmt.Errorf("credentials file %s: want one line, \"basic USER:PASSWORD\" or \"bearer TOKEN\"", path)
}

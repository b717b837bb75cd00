package retention

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/plateward/alpr/internal/strictjson"
)

// The record series of the Missouri Police Clerks' Retention Schedule that
// the system keeps (order D.2).
const (
	SeriesReads            = "reads"
	SeriesPlateImages      = "plate_images"
	SeriesOverviewImages   = "overview_images"
	SeriesHits             = "hits"
	SeriesDispositions     = "dispositions"
	SeriesShiftRecords     = "shift_records" // login, logout and pre-shift self-checks
	SeriesAuditLog         = "audit_log"
	SeriesDisseminationLog = "dissemination_log"
	SeriesDestructionLog   = "destruction_log"
)

// PolicyFormat is the first line of defence against a wrong file: the
// policy file's "format" must be exactly this.
const PolicyFormat = "plateward-retention-policy/1"

// AllSeries lists every series in report order.
func AllSeries() []string {
	return []string{SeriesReads, SeriesPlateImages, SeriesOverviewImages, SeriesHits, SeriesDispositions,
		SeriesShiftRecords, SeriesAuditLog, SeriesDisseminationLog, SeriesDestructionLog}
}

// followsReads reports whether a series lives and dies with its read: a
// hit, its dispositions and the read's images are destroyed with the read
// and kept by the read's holds, so their period must be the reads' period.
func followsReads(series string) bool {
	switch series {
	case SeriesPlateImages, SeriesOverviewImages, SeriesHits, SeriesDispositions:
		return true
	}
	return false
}

// Period is how long a series is kept: Months after creation, or
// Permanent.
type Period struct {
	Months    int  `json:"months,omitempty"`
	Permanent bool `json:"permanent,omitempty"`
}

func (p Period) String() string {
	if p.Permanent {
		return "permanent"
	}
	return fmt.Sprintf("%d months", p.Months)
}

// Policy is how long each record series is kept, in the department's time
// zone. ReadsMonths governs reads and the series that follow them; Series
// holds the others. A series the policy does not name is kept permanently:
// nothing is destroyed that the policy does not call for.
type Policy struct {
	ReadsMonths int            // reads, plate and overview images, hits, dispositions
	Zone        *time.Location // the department's zone: a day is a local day
	Series      map[string]Period
	Version     string // "label@sha256-prefix" for a file; recorded in the destruction log
}

// DefaultPolicy is the order's, parsed from DefaultPolicyFile: reads,
// images, hits and dispositions six calendar months in America/Chicago;
// shift records three years; the audit, dissemination and destruction logs
// permanently.
func DefaultPolicy() (Policy, error) {
	return ParsePolicy(DefaultPolicyFile())
}

// Period returns a series' period under the policy.
func (p Policy) Period(series string) Period {
	if series == SeriesReads || followsReads(series) {
		return Period{Months: p.ReadsMonths}
	}
	if per, ok := p.Series[series]; ok {
		return per
	}
	return Period{Permanent: true}
}

// ErrPolicy is an invalid retention policy.
var ErrPolicy = errors.New("invalid retention policy")

// Validate reports the first invalid field.
func (p Policy) Validate() error {
	if p.ReadsMonths < 1 {
		return fmt.Errorf("%w: reads kept %d months, at least 1", ErrPolicy, p.ReadsMonths)
	}
	if p.Zone == nil {
		return fmt.Errorf("%w: no time zone", ErrPolicy)
	}
	known := map[string]bool{}
	for _, s := range AllSeries() {
		known[s] = true
	}
	for _, s := range sortedKeys(p.Series) {
		per := p.Series[s]
		switch {
		case !known[s]:
			return fmt.Errorf("%w: unknown series %q (known: %s)", ErrPolicy, s, strings.Join(AllSeries(), ", "))
		case per.Permanent == (per.Months > 0):
			return fmt.Errorf("%w: series %s: give either months (at least 1) or permanent", ErrPolicy, s)
		case s == SeriesReads || followsReads(s):
			if per.Permanent || per.Months != p.ReadsMonths {
				return fmt.Errorf("%w: series %s is destroyed and held with its reads; its period must be the reads' (%d months), not %s",
					ErrPolicy, s, p.ReadsMonths, per)
			}
		case s == SeriesAuditLog && !per.Permanent:
			return fmt.Errorf("%w: the audit log is hash-chained and kept permanently in this version; give \"permanent\": true", ErrPolicy)
		case !per.Permanent && per.Months < p.ReadsMonths:
			return fmt.Errorf("%w: series %s kept %d months, shorter than the reads it accounts for (%d)", ErrPolicy, s, per.Months, p.ReadsMonths)
		}
	}
	return nil
}

func sortedKeys(m map[string]Period) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// policyFile is the versioned policy file (format PolicyFormat):
//
//	{
//	  "format": "plateward-retention-policy/1",
//	  "version": "2026-11 adopted by the Chief",
//	  "time_zone": "America/Chicago",
//	  "series": {
//	    "reads": {"months": 6},
//	    "shift_records": {"months": 36},
//	    "audit_log": {"permanent": true}
//	  }
//	}
//
// "reads" is required; the series that follow reads may be named but must
// match it; unnamed series are kept permanently.
type policyFile struct {
	Format   string            `json:"format"`
	Version  string            `json:"version"`
	TimeZone string            `json:"time_zone"`
	Series   map[string]Period `json:"series"`
}

// ParsePolicy reads a policy file's bytes. The policy's Version is the
// file's version label and the first 12 hex digits of its SHA-256, so an
// edited file never passes for the one it replaced.
func ParsePolicy(b []byte) (Policy, error) {
	var f policyFile
	if err := strictjson.Decode(b, &f); err != nil {
		return Policy{}, fmt.Errorf("%w: %w", ErrPolicy, err)
	}
	if f.Format != PolicyFormat {
		return Policy{}, fmt.Errorf("%w: format %q, want %q", ErrPolicy, f.Format, PolicyFormat)
	}
	if strings.TrimSpace(f.Version) == "" {
		return Policy{}, fmt.Errorf("%w: no version label", ErrPolicy)
	}
	loc, err := time.LoadLocation(f.TimeZone)
	if err != nil || f.TimeZone == "" {
		return Policy{}, fmt.Errorf("%w: time_zone %q is not a zone name such as America/Chicago", ErrPolicy, f.TimeZone)
	}
	reads, ok := f.Series[SeriesReads]
	if !ok || reads.Permanent {
		return Policy{}, fmt.Errorf("%w: series reads needs a period in months (the order's is 6)", ErrPolicy)
	}
	sum := sha256.Sum256(b)
	p := Policy{ReadsMonths: reads.Months, Zone: loc, Series: f.Series,
		Version: strings.TrimSpace(f.Version) + "@" + hex.EncodeToString(sum[:6])}
	if err := p.Validate(); err != nil {
		return Policy{}, err
	}
	return p, nil
}

// LoadPolicy reads the policy file at path.
func LoadPolicy(path string) (Policy, []byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Policy{}, nil, fmt.Errorf("retention policy: %w", err)
	}
	p, err := ParsePolicy(b)
	if err != nil {
		return Policy{}, nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, b, nil
}

// Cutoff is the first instant whose records a series still keeps at now:
// records created before it are due. The cutoff is a local midnight, so a
// whole local day is due at once; ok is false for a permanent series.
func (p Policy) Cutoff(series string, now time.Time) (cut time.Time, ok bool) {
	per := p.Period(series)
	if per.Permanent {
		return time.Time{}, false
	}
	return cutoff(now, per.Months, p.Zone), true
}

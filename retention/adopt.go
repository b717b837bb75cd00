package retention

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/plateward/alpr/analytics"
)

// ErrPolicyVersionReused is a policy file whose text changed but whose
// version label did not.
var ErrPolicyVersionReused = errors.New("retention policy changed without a new version")

// AdoptPolicy records the policy file in force. A version seen before is
// a no-op; a new one is stored with its text and SHA-256 and the change is
// audited (who, from which version to which). The same label with other
// text is refused: an edited policy needs a new version. adopted reports
// whether this call recorded a change.
func AdoptPolicy(ctx context.Context, st *analytics.Store, p Policy, body []byte, by string, now time.Time) (adopted bool, err error) {
	if err := p.Validate(); err != nil {
		return false, err
	}
	sum := sha256.Sum256(body)
	digest := hex.EncodeToString(sum[:])
	var have string
	err = st.DB().QueryRowContext(ctx, `SELECT sha256 FROM retention_policies WHERE version = ?`, p.Version).Scan(&have)
	switch {
	case err == nil && have == digest:
		return false, nil
	case err == nil:
		return false, fmt.Errorf("%w: version %q was adopted with SHA-256 %.12s…, this file is %.12s…", ErrPolicyVersionReused, p.Version, have, digest)
	case !errors.Is(err, sql.ErrNoRows):
		return false, fmt.Errorf("read adopted policies: %w", err)
	}
	prev, err := CurrentPolicyVersion(ctx, st)
	if err != nil {
		return false, err
	}
	if _, err := st.DB().ExecContext(ctx, `INSERT INTO retention_policies VALUES (?, ?, ?, ?, ?)`, p.Version, digest, string(body), now, by); err != nil {
		return false, fmt.Errorf("record retention policy: %w", err)
	}
	if prev == "" {
		prev = "none recorded"
	}
	detail := fmt.Sprintf("retention policy %s (sha256 %s) replaces %s; reads %d months, zone %s", p.Version, digest, prev, p.ReadsMonths, p.Zone)
	for _, s := range AllSeries() {
		detail += fmt.Sprintf("; %s %s", s, p.Period(s))
	}
	return true, st.Audit(ctx, now, analytics.Access{User: by, Reason: "retention policy adopted (order D.2)", Case: "records-schedule"},
		"retention.policy", detail)
}

// CurrentPolicyVersion is the version most recently adopted, or "".
func CurrentPolicyVersion(ctx context.Context, st *analytics.Store) (string, error) {
	var v string
	err := st.DB().QueryRowContext(ctx, `SELECT version FROM retention_policies ORDER BY adopted_at DESC LIMIT 1`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read adopted policies: %w", err)
	}
	return v, nil
}

// DefaultPolicyFile is the built-in policy written as a policy file: the
// starting point for a department's own (alpr retention policy --print).
func DefaultPolicyFile() []byte {
	return []byte(`{
  "format": "` + PolicyFormat + `",
  "version": "builtin-order-D1/v1",
  "time_zone": "America/Chicago",
  "series": {
    "reads": {"months": 6},
    "plate_images": {"months": 6},
    "overview_images": {"months": 6},
    "hits": {"months": 6},
    "dispositions": {"months": 6},
    "shift_records": {"months": 36},
    "audit_log": {"permanent": true},
    "dissemination_log": {"permanent": true},
    "destruction_log": {"permanent": true}
  }
}
`)
}

package analytics

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Agency is a law-enforcement agency on the department's list (IT keeps
// it): records may go to it for an investigative function without the
// Chief's authorisation (BasisInvestigative); to anyone else they need one.
type Agency struct {
	ORI     string // NCIC originating agency identifier: the state's two letters and seven letters or digits
	Name    string
	AddedBy string
	AddedAt time.Time
}

// ErrAgency is an agency that cannot be listed (a malformed ORI, no name)
// or removed (not on the list).
var ErrAgency = errors.New("agency list")

var oriPattern = regexp.MustCompile(`^[A-Z]{2}[A-Z0-9]{7}$`)

// agencyAccess is the audit entry's access for a change of the list.
func agencyAccess(by string) Access {
	return Access{User: by, Reason: "agency list", Case: "agency list"}
}

// AddAgency puts an agency on the list, audited as agency.add.
func (s *Store) AddAgency(ctx context.Context, by string, a Agency, now time.Time) error {
	a.ORI, a.Name = strings.ToUpper(strings.TrimSpace(a.ORI)), strings.TrimSpace(a.Name)
	switch {
	case !oriPattern.MatchString(a.ORI):
		return fmt.Errorf("%w: ORI %q is not two letters and seven letters or digits", ErrAgency, a.ORI)
	case a.Name == "" || len(a.Name) > 200:
		return fmt.Errorf("%w: an agency needs its name (at most 200 characters)", ErrAgency)
	}
	return s.Audited(ctx, agencyAccess(by), "agency.add", map[string]any{"ori": a.ORI, "name": a.Name}, now, func(tx *sql.Tx) (int, error) {
		_, err := tx.ExecContext(ctx, `INSERT INTO agencies VALUES (?, ?, ?, ?) ON CONFLICT (ori) DO UPDATE SET name = excluded.name`, a.ORI, a.Name, by, now.UTC())
		return 1, err
	})
}

// RemoveAgency takes an agency off the list, audited as agency.remove.
func (s *Store) RemoveAgency(ctx context.Context, by, ori string, now time.Time) error {
	ori = strings.ToUpper(strings.TrimSpace(ori))
	return s.Audited(ctx, agencyAccess(by), "agency.remove", map[string]any{"ori": ori}, now, func(tx *sql.Tx) (int, error) {
		res, err := tx.ExecContext(ctx, `DELETE FROM agencies WHERE ori = ?`, ori)
		if err != nil {
			return 0, err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return 0, fmt.Errorf("%w: %s is not on the list", ErrAgency, ori)
		}
		return 1, nil
	})
}

// Agencies lists the agencies by name.
func (s *Store) Agencies(ctx context.Context) ([]Agency, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT ori, name, added_by, added_at FROM agencies ORDER BY lower(name)`)
	if err != nil {
		return nil, fmt.Errorf("read the agency list: %w", err)
	}
	defer rows.Close()
	var out []Agency
	for rows.Next() {
		var a Agency
		if err := rows.Scan(&a.ORI, &a.Name, &a.AddedBy, &a.AddedAt); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// listedAgency reports whether recipient names an agency on the list, by
// its name (any case) or its ORI.
func listedAgency(ctx context.Context, tx *sql.Tx, recipient string) (bool, error) {
	var n int
	r := strings.TrimSpace(recipient)
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM agencies WHERE lower(name) = lower(?) OR ori = upper(?)`, r, r).Scan(&n)
	return n > 0, err
}

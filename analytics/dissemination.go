package analytics

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/plateward/alpr/edge/plate"
)

// The bases on which records may leave the department (order E.1).
const (
	// BasisInvestigative is an export to a law-enforcement agency for an
	// investigative function.
	BasisInvestigative = "law-enforcement-investigative"
	// BasisChief is any other export, under an authorisation the Chief
	// (or designee) gave in the app.
	BasisChief = "chief-authorised"
)

// ErrNoBasis is an export without a recipient, a purpose or a basis, or
// with an authorisation that does not cover it.
var ErrNoBasis = errors.New("export refused")

// Dissemination is one export that left the department.
type Dissemination struct {
	ID            string
	At            time.Time
	User          string
	Recipient     string
	Purpose       string
	Basis         string
	Authorisation string // the Chief's authorisation id when Basis is BasisChief
	Case          string
	Reason        string
	What          string
	Rows          int
}

// Authorisation is the Chief's (or designee's) permission for one
// recipient, purpose and case, until it expires.
type Authorisation struct {
	ID        string
	GrantedAt time.Time
	GrantedBy string
	Recipient string
	Purpose   string
	Case      string
	Expires   time.Time
	Revoked   time.Time // zero: not revoked
	RevokedBy string
}

// State is what an authorisation allows at now: "active", "expired" or
// "revoked".
func (x Authorisation) State(now time.Time) string {
	switch {
	case !x.Revoked.IsZero():
		return "revoked"
	case !now.Before(x.Expires):
		return "expired"
	}
	return "active"
}

func newID(prefix string) string {
	b := make([]byte, 6)
	rand.Read(b)
	return prefix + "-" + strings.ToUpper(hex.EncodeToString(b))
}

// Authorise records the Chief's authorisation. The caller checks that
// by holds the Chief's role.
func (s *Store) Authorise(ctx context.Context, by string, x Authorisation, now time.Time) (Authorisation, error) {
	x.Recipient, x.Purpose, x.Case = strings.TrimSpace(x.Recipient), strings.TrimSpace(x.Purpose), strings.TrimSpace(x.Case)
	if x.Recipient == "" || x.Purpose == "" || x.Case == "" {
		return x, errors.New("an authorisation names a recipient agency, a purpose and a case number")
	}
	if !x.Expires.After(now) {
		return x, errors.New("an authorisation must expire in the future")
	}
	x.ID, x.GrantedAt, x.GrantedBy = newID("AUTH"), now.UTC(), by
	err := s.audited(ctx, Access{User: by, Reason: "dissemination authorisation", Case: x.Case}, "export.authorise",
		map[string]any{"id": x.ID, "recipient": x.Recipient, "purpose": x.Purpose, "expires": x.Expires}, now,
		func(tx *sql.Tx) (int, error) {
			_, err := tx.ExecContext(ctx, `INSERT INTO authorisations (id, granted_at, granted_by, recipient, purpose, case_number, expires_at)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, x.ID, x.GrantedAt, x.GrantedBy, x.Recipient, x.Purpose, x.Case, x.Expires)
			return 1, err
		})
	return x, err
}

// Authorisations lists the Chief's authorisations, newest first: at most
// limit (0: 200).
func (s *Store) Authorisations(ctx context.Context, limit int) ([]Authorisation, error) {
	if limit <= 0 {
		limit = 200
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, granted_at, granted_by, recipient, purpose, case_number, expires_at,
		coalesce(revoked_at, 'epoch'::TIMESTAMPTZ), coalesce(revoked_by, '') FROM authorisations ORDER BY granted_at DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Authorisation
	for rows.Next() {
		var x Authorisation
		if err := rows.Scan(&x.ID, &x.GrantedAt, &x.GrantedBy, &x.Recipient, &x.Purpose, &x.Case, &x.Expires, &x.Revoked, &x.RevokedBy); err != nil {
			return nil, err
		}
		if x.Revoked.Unix() == 0 {
			x.Revoked = time.Time{}
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// ErrNoAuthorisation is a revocation of an authorisation that does not
// exist or is no longer active.
var ErrNoAuthorisation = errors.New("no such active authorisation")

// RevokeAuthorisation ends the Chief's authorisation id now: exports under
// it are refused from then on. The caller checks that by holds the Chief's
// role; the revocation is audited.
func (s *Store) RevokeAuthorisation(ctx context.Context, by, id string, now time.Time) (Authorisation, error) {
	var x Authorisation
	id = strings.TrimSpace(id)
	var caseNo string
	switch err := s.db.QueryRowContext(ctx, `SELECT case_number FROM authorisations WHERE id = ?`, id).Scan(&caseNo); {
	case errors.Is(err, sql.ErrNoRows):
		return x, fmt.Errorf("%w: %q", ErrNoAuthorisation, id)
	case err != nil:
		return x, err
	}
	err := s.audited(ctx, Access{User: by, Reason: "dissemination authorisation revoked", Case: caseNo}, "export.revoke",
		map[string]any{"id": id}, now, func(tx *sql.Tx) (int, error) {
			var revoked sql.NullTime
			err := tx.QueryRowContext(ctx, `SELECT id, recipient, purpose, case_number, expires_at, revoked_at FROM authorisations WHERE id = ?`,
				id).Scan(&x.ID, &x.Recipient, &x.Purpose, &x.Case, &x.Expires, &revoked)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				return 0, fmt.Errorf("%w: %q", ErrNoAuthorisation, id)
			case err != nil:
				return 0, err
			case revoked.Valid || !now.Before(x.Expires):
				return 0, fmt.Errorf("%w: %s has already ended", ErrNoAuthorisation, x.ID)
			}
			x.Revoked, x.RevokedBy = now.UTC(), by
			_, err = tx.ExecContext(ctx, `UPDATE authorisations SET revoked_at = ?, revoked_by = ? WHERE id = ?`, x.Revoked, by, x.ID)
			return 1, err
		})
	return x, err
}

// checkBasis refuses an export that names no recipient, purpose or
// basis, or whose Chief's authorisation is unknown, expired, or for
// another recipient or case.
func checkBasis(ctx context.Context, tx *sql.Tx, d Dissemination, now time.Time) error {
	if d.Recipient == "" || d.Purpose == "" {
		return fmt.Errorf("%w: name the recipient agency and the purpose", ErrNoBasis)
	}
	switch d.Basis {
	case BasisInvestigative:
		ok, err := listedAgency(ctx, tx, d.Recipient)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: %s is not on the department's list of law-enforcement agencies (IT keeps it); "+
				"an export to anyone else needs the Chief's authorisation", ErrNoBasis, d.Recipient)
		}
		return nil
	case BasisChief:
		var recipient, caseNo string
		var expires time.Time
		var revoked sql.NullTime
		err := tx.QueryRowContext(ctx, `SELECT recipient, case_number, expires_at, revoked_at FROM authorisations WHERE id = ?`,
			strings.TrimSpace(d.Authorisation)).Scan(&recipient, &caseNo, &expires, &revoked)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("%w: no Chief's authorisation %q", ErrNoBasis, d.Authorisation)
		case err != nil:
			return err
		case !strings.EqualFold(recipient, d.Recipient) || caseNo != d.Case:
			return fmt.Errorf("%w: authorisation %s is for %s, case %s", ErrNoBasis, d.Authorisation, recipient, caseNo)
		case revoked.Valid:
			return fmt.Errorf("%w: authorisation %s was revoked %s", ErrNoBasis, d.Authorisation, revoked.Time.Format(time.DateOnly))
		case !now.Before(expires):
			return fmt.Errorf("%w: authorisation %s expired %s", ErrNoBasis, d.Authorisation, expires.Format(time.DateOnly))
		}
		return nil
	default:
		return fmt.Errorf("%w: an export outside the department needs either a law-enforcement investigative purpose "+
			"or the Chief's authorisation", ErrNoBasis)
	}
}

// MaxExportRows bounds an export: more matching reads refuse it
// (ErrExportTooLarge) rather than cut it.
const MaxExportRows = 100_000

// ErrExportTooLarge is an export whose search matched more reads than an
// export holds.
var ErrExportTooLarge = errors.New("export refused: too many reads")

// ExportPlateReads runs a plate search for export: the basis is checked
// first, and the search, its audit entry and the dissemination log row
// are written in one transaction, so no export leaves unlogged.
func (s *Store) ExportPlateReads(ctx context.Context, a Access, q PlateQuery, d Dissemination, now time.Time) ([]ReadRow, Dissemination, error) {
	p := q
	p.Plate = plate.Normalize(q.Plate)
	if p.Plate == "" {
		return nil, d, errors.New("export: no plate given")
	}
	d.Recipient, d.Purpose = strings.TrimSpace(d.Recipient), strings.TrimSpace(d.Purpose)
	d.ID, d.At, d.User, d.Case, d.Reason = newID("EXP"), now.UTC(), a.User, a.Case, a.Reason
	d.What = "plate " + p.Plate
	from, to := Window{p.From, p.To}.bounds()
	var out []ReadRow
	err := s.audited(ctx, a, "export.plate", map[string]any{"plate": p.Plate, "from": p.From, "to": p.To,
		"recipient": d.Recipient, "purpose": d.Purpose, "basis": d.Basis, "export": d.ID}, now,
		func(tx *sql.Tx) (int, error) {
			if err := checkBasis(ctx, tx, d, now); err != nil {
				return 0, err
			}
			limit := p.Limit
			if limit <= 0 {
				limit = MaxExportRows
			}
			rows, err := tx.QueryContext(ctx, readSelectFrom(plateCTE+",", "k", "r.plate = ?", "0"),
				plateKey(p.Plate), from, to, p.Plate, limit)
			if err != nil {
				return 0, err
			}
			out, err = scanReads(rows)
			rows.Close()
			if err != nil {
				return 0, err
			}
			if m := Matched(out); m > len(out) {
				// An export is complete or does not leave.
				return 0, fmt.Errorf("%w: %d reads match and an export holds at most %d: narrow the time window", ErrExportTooLarge, m, len(out))
			}
			d.Rows = len(out)
			_, err = tx.ExecContext(ctx, `INSERT INTO disseminations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				d.ID, d.At, d.User, d.Recipient, d.Purpose, d.Basis, nullIfEmpty(d.Authorisation), d.Case, d.Reason, d.What, d.Rows)
			return len(out), err
		})
	if err != nil {
		return nil, d, s.auditRefusal(ctx, now, a, "export.refused", err, err.Error())
	}
	return out, d, nil
}

// RecordDissemination checks the basis of an export made outside this
// package (an evidence package) and, in one audited transaction under
// action, writes its dissemination-log row. The caller writes the export
// only once this succeeds.
func (s *Store) RecordDissemination(ctx context.Context, a Access, d Dissemination, action string, params map[string]any, now time.Time) (Dissemination, error) {
	d.Recipient, d.Purpose = strings.TrimSpace(d.Recipient), strings.TrimSpace(d.Purpose)
	d.ID, d.At, d.User, d.Case, d.Reason = newID("EXP"), now.UTC(), a.User, a.Case, a.Reason
	if params == nil {
		params = map[string]any{}
	}
	params["recipient"], params["purpose"], params["basis"], params["export"] = d.Recipient, d.Purpose, d.Basis, d.ID
	err := s.audited(ctx, a, action, params, now, func(tx *sql.Tx) (int, error) {
		if err := checkBasis(ctx, tx, d, now); err != nil {
			return 0, err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO disseminations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			d.ID, d.At, d.User, d.Recipient, d.Purpose, d.Basis, nullIfEmpty(d.Authorisation), d.Case, d.Reason, d.What, d.Rows)
		return d.Rows, err
	})
	if err != nil {
		return d, s.auditRefusal(ctx, now, a, "export.refused", err, err.Error())
	}
	return d, nil
}

func nullIfEmpty(s string) any {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return strings.TrimSpace(s)
}

// Disseminations returns the dissemination log, newest first.
func (s *Store) Disseminations(ctx context.Context, limit int) ([]Dissemination, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, exported_at, user_name, recipient, purpose, basis, coalesce(authorisation_id, ''),
		case_number, reason, what, rows FROM disseminations ORDER BY exported_at DESC LIMIT ?`, limitOr(limit))
	if err != nil {
		return nil, fmt.Errorf("read dissemination log: %w", err)
	}
	defer rows.Close()
	var out []Dissemination
	for rows.Next() {
		var d Dissemination
		if err := rows.Scan(&d.ID, &d.At, &d.User, &d.Recipient, &d.Purpose, &d.Basis, &d.Authorisation, &d.Case, &d.Reason, &d.What, &d.Rows); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

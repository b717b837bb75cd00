package analytics

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Access is who asks, and why. Records are closed (RSMo 610.100): every
// query names a user, a reason and a case number, and is audited.
type Access struct {
	User   string
	Reason string
	Case   string
}

// ErrAccess is a query without a user, a reason or a case number.
var ErrAccess = errors.New("access refused")

// Validate refuses an access without user, reason or case number.
func (a Access) Validate() error {
	var missing []string
	if strings.TrimSpace(a.User) == "" {
		missing = append(missing, "user")
	}
	if strings.TrimSpace(a.Reason) == "" {
		missing = append(missing, "reason")
	}
	if strings.TrimSpace(a.Case) == "" {
		missing = append(missing, "case number")
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: ALPR records are closed; a query needs a %s", ErrAccess, strings.Join(missing, ", "))
	}
	return nil
}

// AuditEntry is one row of the audit log.
type AuditEntry struct {
	Seq      int64
	At       time.Time
	User     string
	Action   string
	Reason   string
	Case     string
	Detail   string
	PrevHash string
	Hash     string
}

// genesis is the previous hash of the first entry.
const genesis = "0000000000000000000000000000000000000000000000000000000000000000"

func (e AuditEntry) digest() string {
	h := sha256.New()
	for _, f := range []string{e.PrevHash, strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339Nano),
		e.User, e.Action, e.Reason, e.Case, e.Detail} {
		// Length-prefixed, so no two different rows hash the same bytes.
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// execQuerier is what audit appends need: a *sql.Tx or *sql.DB.
type execQuerier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// appendAudit adds an entry at the end of the chain. Run it in the same
// transaction as the access it records.
func appendAudit(ctx context.Context, q execQuerier, at time.Time, a Access, action, detail string) error {
	var seq sql.NullInt64
	var prev sql.NullString
	err := q.QueryRowContext(ctx, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").Scan(&seq, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read audit head: %w", err)
	}
	e := AuditEntry{Seq: seq.Int64 + 1, At: at.UTC().Truncate(time.Microsecond), User: a.User, Action: action,
		Reason: a.Reason, Case: a.Case, Detail: detail, PrevHash: genesis}
	if prev.Valid {
		e.PrevHash = prev.String
	}
	e.Hash = e.digest()
	_, err = q.ExecContext(ctx, `INSERT INTO audit_log (seq, event_at, user_name, action, reason, case_number, detail, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.Seq, e.At, e.User, e.Action, e.Reason, e.Case, e.Detail, e.PrevHash, e.Hash)
	if err != nil {
		return fmt.Errorf("append audit: %w", err)
	}
	return nil
}

// Audit appends an entry for an access that is not a query of this
// package (a CLI export, a login).
func (s *Store) Audit(ctx context.Context, at time.Time, a Access, action, detail string) error {
	s.auditMu.Lock()
	defer s.auditMu.Unlock()
	return appendAudit(ctx, s.db, at, a, action, detail)
}

// auditRefusal records a refused access in the audit chain and returns
// the refusal, joined with the audit's own failure if it could not be
// recorded (a refusal is never silently unaudited).
func (s *Store) auditRefusal(ctx context.Context, at time.Time, a Access, action string, refusal error, detail string) error {
	if err := s.Audit(ctx, at, a, action, detail); err != nil {
		return errors.Join(refusal, fmt.Errorf("audit of the refusal: %w", err))
	}
	return refusal
}

// ErrAuditBroken is an audit log whose chain does not verify.
var ErrAuditBroken = errors.New("audit chain broken")

// VerifyAudit walks the chain from the first entry and returns how many
// entries verify, or ErrAuditBroken naming the first bad one.
func (s *Store) VerifyAudit(ctx context.Context) (int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT seq, event_at, user_name, action, coalesce(reason, ''), coalesce(case_number, ''),
		coalesce(detail, ''), prev_hash, hash FROM audit_log ORDER BY seq`)
	if err != nil {
		return 0, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	prev := genesis
	var n int64
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.Seq, &e.At, &e.User, &e.Action, &e.Reason, &e.Case, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
			return n, err
		}
		if e.Seq != n+1 {
			return n, fmt.Errorf("%w: entry %d follows %d", ErrAuditBroken, e.Seq, n)
		}
		if e.PrevHash != prev || e.digest() != e.Hash {
			return n, fmt.Errorf("%w at entry %d", ErrAuditBroken, e.Seq)
		}
		prev = e.Hash
		n++
	}
	return n, rows.Err()
}

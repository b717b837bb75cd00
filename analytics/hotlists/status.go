package hotlists

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

// Version is one fetched version of a list.
type Version struct {
	List, SHA256, Format, Source string
	Entries, Skipped             int
	FetchedAt, CheckedAt         time.Time
	State, Detail                string
	DecidedBy                    string
	DecidedAt                    time.Time
}

// ListStatus is a list's state for the hot-list page and the dashboard.
type ListStatus struct {
	Source  Source
	Current *Version // nil: no usable version yet
	Age     time.Duration
	Stale   bool // not confirmed fresh within the configured age
	History []Version
}

// Versions lists a list's versions, newest first.
func (r Refresher) Versions(ctx context.Context, list string) ([]Version, error) {
	rows, err := r.St.DB().QueryContext(ctx, `SELECT list, sha256, format, source, entries, skipped, fetched_at, checked_at, state, detail,
		coalesce(decided_by, ''), decided_at FROM hotlist_versions WHERE list = ? ORDER BY fetched_at DESC`, list)
	if err != nil {
		return nil, fmt.Errorf("read hot-list versions: %w", err)
	}
	defer rows.Close()
	var out []Version
	for rows.Next() {
		var v Version
		var dec sql.NullTime
		if err := rows.Scan(&v.List, &v.SHA256, &v.Format, &v.Source, &v.Entries, &v.Skipped, &v.FetchedAt, &v.CheckedAt,
			&v.State, &v.Detail, &v.DecidedBy, &dec); err != nil {
			return nil, err
		}
		v.DecidedAt = dec.Time
		out = append(out, v)
	}
	return out, rows.Err()
}

// Status is every configured list's current version, age and history. A
// list with no current version, or whose current version was last
// confirmed longer ago than the config's age, is stale.
func (r Refresher) Status(ctx context.Context, c Config, now time.Time) ([]ListStatus, error) {
	var out []ListStatus
	for _, s := range c.Lists {
		vs, err := r.Versions(ctx, s.Name)
		if err != nil {
			return nil, err
		}
		ls := ListStatus{Source: s, History: vs, Stale: true}
		for i := range vs {
			if vs[i].State == StateCurrent {
				ls.Current = &vs[i]
				ls.Age = now.Sub(vs[i].CheckedAt)
				ls.Stale = ls.Age > c.MaxAge()
			}
		}
		out = append(out, ls)
	}
	return out, nil
}

// ErrNoVersion is a version that is not there, or not in the state the
// action needs.
var ErrNoVersion = errors.New("no such hot-list version")

// source finds a list's source in the config.
func source(c Config, list string) (Source, error) {
	for _, s := range c.Lists {
		if s.Name == list {
			return s, nil
		}
	}
	return Source{}, fmt.Errorf("%w: no list %q is configured", ErrNoVersion, list)
}

func (r Refresher) state(ctx context.Context, list, sha string) (string, error) {
	var st string
	err := r.St.DB().QueryRowContext(ctx, `SELECT state FROM hotlist_versions WHERE list = ? AND sha256 = ?`, list, sha).Scan(&st)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("%w: %s %.12s", ErrNoVersion, list, sha)
	}
	return st, err
}

// Accept makes a version held for review current (IT's decision, audited),
// and queues its retro hits.
func (r Refresher) Accept(ctx context.Context, c Config, list, sha, by string, now time.Time) (Outcome, error) {
	o := Outcome{List: list, SHA256: sha}
	s, err := source(c, list)
	if err != nil {
		return o, err
	}
	st, err := r.state(ctx, list, sha)
	if err != nil {
		return o, err
	}
	if st != StateReview {
		return o, fmt.Errorf("%w: %s %.12s is %s, not held for review", ErrNoVersion, list, sha, st)
	}
	if err := r.audit(ctx, by, "hotlist.accept", list, sha, now, "accepted after review"); err != nil {
		return o, err
	}
	o.State = StateCurrent
	o.Added, o.Retro, err = r.promote(ctx, s, sha, by, now)
	return o, err
}

// Reject refuses a version held for review; the current version stays.
func (r Refresher) Reject(ctx context.Context, list, sha, by, reason string, now time.Time) error {
	if strings.TrimSpace(reason) == "" {
		return errors.New("reject: a reason is required")
	}
	st, err := r.state(ctx, list, sha)
	if err != nil {
		return err
	}
	if st != StateReview {
		return fmt.Errorf("%w: %s %.12s is %s, not held for review", ErrNoVersion, list, sha, st)
	}
	if _, err := r.St.DB().ExecContext(ctx, `UPDATE hotlist_versions SET state = ?, decided_by = ?, decided_at = ?, detail = detail || ?
		WHERE list = ? AND sha256 = ?`, StateRejected, by, now, "; rejected: "+reason, list, sha); err != nil {
		return err
	}
	return r.audit(ctx, by, "hotlist.reject", list, sha, now, reason)
}

// CurrentFile is the current version's bytes, for the drive the cars load
// at login.
func (r Refresher) CurrentFile(ctx context.Context, list string) ([]byte, Version, error) {
	vs, err := r.Versions(ctx, list)
	if err != nil {
		return nil, Version{}, err
	}
	for _, v := range vs {
		if v.State == StateCurrent {
			b, err := os.ReadFile(r.file(list, v.SHA256, v.Format))
			return b, v, err
		}
	}
	return nil, Version{}, fmt.Errorf("%w: list %s has no current version", ErrNoVersion, list)
}

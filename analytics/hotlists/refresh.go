package hotlists

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/edge/hotlist"
	"github.com/plateward/alpr/edge/plate"
	"github.com/plateward/alpr/internal/fsutil"
)

// Version states.
const (
	StateCurrent    = "current"
	StatePrevious   = "previous"
	StateSuperseded = "superseded"
	StateReview     = "review"
	StateRejected   = "rejected"
)

// RetroLimit bounds the retro hits queued for one refresh.
const RetroLimit = 10000

// Outcome is what one refresh of one list did.
type Outcome struct {
	List      string
	SHA256    string
	State     string // the version's state after the refresh; "unchanged" when the current one was fetched again
	Entries   int
	Skipped   int
	Added     int // plates new to the list (exact entries)
	Retro     int // earlier reads of them queued for the analysts
	Detail    string
	FetchedAt time.Time
}

func (o Outcome) String() string {
	s := fmt.Sprintf("%s: %s", o.List, o.State)
	if o.SHA256 != "" {
		s += fmt.Sprintf(" %.12s, %d entries", o.SHA256, o.Entries)
	}
	if o.Added > 0 || o.Retro > 0 {
		s += fmt.Sprintf(", %d plates added, %d retro hits queued", o.Added, o.Retro)
	}
	if o.Detail != "" {
		s += " (" + o.Detail + ")"
	}
	return s
}

// Refresher fetches lists into the store and its version folder.
type Refresher struct {
	St  *analytics.Store
	Dir string // STORE/hotlists
}

// file is where a version's bytes are kept.
func (r Refresher) file(list, sha, format string) string {
	return filepath.Join(r.Dir, list, sha+"."+format)
}

// RefreshAll refreshes every list of the config; one list's failure does
// not stop the others.
func (r Refresher) RefreshAll(ctx context.Context, c Config, now time.Time) ([]Outcome, error) {
	var out []Outcome
	var errs []error
	for _, s := range c.Lists {
		o, err := r.Refresh(ctx, s, now)
		if err != nil {
			errs = append(errs, fmt.Errorf("list %s: %w", s.Name, err))
			continue
		}
		out = append(out, o)
	}
	return out, errors.Join(errs...)
}

// Refresh fetches one list, validates it and records the version: the
// same bytes as the current version only mark it checked; a list that
// cannot be parsed, or has too many bad lines, is rejected; one that
// shrank by more than MaxShrink is held for review; otherwise it becomes
// current, the old current is kept as previous, and retro hits for the
// plates it adds are queued.
func (r Refresher) Refresh(ctx context.Context, s Source, now time.Time) (Outcome, error) {
	data, origin, err := fetch(ctx, s)
	if err != nil {
		return Outcome{List: s.Name, FetchedAt: now}, err
	}
	return r.take(ctx, s, data, origin, "job:hotlist-refresh", now)
}

// Import takes a list file IT uploads in the back office (a delivery that
// came another way), with the same checks as a fetched one: rejected if
// unusable, held for review if it shrank, otherwise current with its
// retro hits queued.
func (r Refresher) Import(ctx context.Context, c Config, list string, data []byte, filename, by string, now time.Time) (Outcome, error) {
	s, err := source(c, list)
	if err != nil {
		return Outcome{List: list}, err
	}
	if len(data) > MaxListBytes {
		return Outcome{List: list}, fmt.Errorf("import: larger than %d MB", MaxListBytes>>20)
	}
	return r.take(ctx, s, data, "upload/"+filepath.Base(filename), by, now)
}

// KeepRejected is how long a rejected delivery's file stays for IT to
// look into; its row (checksum, when, why) stays in the history.
const KeepRejected = 30 * 24 * time.Hour

// pruneRejected removes the files of versions rejected more than
// KeepRejected ago: a delivery nobody may use does not stay forever.
func (r Refresher) pruneRejected(ctx context.Context, now time.Time) error {
	rows, err := r.St.DB().QueryContext(ctx, `SELECT list, sha256, format FROM hotlist_versions
		WHERE state = ? AND coalesce(decided_at, fetched_at) < ?`, StateRejected, now.Add(-KeepRejected))
	if err != nil {
		return fmt.Errorf("rejected hot-list versions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var list, sha, format string
		if err := rows.Scan(&list, &sha, &format); err != nil {
			return err
		}
		if err := os.Remove(r.file(list, sha, format)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove a rejected hot-list version: %w", err)
		}
	}
	return rows.Err()
}

// take validates and records a delivered version of a list.
func (r Refresher) take(ctx context.Context, s Source, data []byte, origin, by string, now time.Time) (Outcome, error) {
	o := Outcome{List: s.Name, FetchedAt: now}
	if err := r.pruneRejected(ctx, now); err != nil {
		return o, err
	}
	var err error
	sum := sha256.Sum256(data)
	o.SHA256 = hex.EncodeToString(sum[:])
	db := r.St.DB()
	var state string
	err = db.QueryRowContext(ctx, `SELECT state FROM hotlist_versions WHERE list = ? AND sha256 = ?`, s.Name, o.SHA256).Scan(&state)
	switch {
	case err == nil && state == StateCurrent:
		o.State = "unchanged"
		_, err := db.ExecContext(ctx, `UPDATE hotlist_versions SET checked_at = ? WHERE list = ? AND sha256 = ?`, now, s.Name, o.SHA256)
		return o, err
	case err == nil:
		o.State, o.Detail = state, "this delivery was seen before"
		return o, nil
	case !errors.Is(err, sql.ErrNoRows):
		return o, fmt.Errorf("read hot-list versions: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(r.Dir, s.Name), 0o750); err != nil {
		return o, fmt.Errorf("hot-list versions folder: %w", err)
	}
	if err := fsutil.WriteFile(r.file(s.Name, o.SHA256, s.Format), data); err != nil {
		return o, err
	}
	l, perr := parse(s, data, origin, now)
	if l != nil {
		o.Entries, o.Skipped = len(l.Entries), len(l.Skipped)
	}
	cur, err := r.current(ctx, s.Name)
	if err != nil {
		return o, err
	}
	switch {
	case perr != nil:
		o.State, o.Detail = StateRejected, perr.Error()
	case o.Skipped > 0 && float64(o.Skipped) > s.MaxBadLines*float64(o.Entries+o.Skipped):
		o.State, o.Detail = StateRejected, fmt.Sprintf("%d of %d lines unusable (more than %.1f %%): %s",
			o.Skipped, o.Entries+o.Skipped, 100*s.MaxBadLines, hotlist.FirstErrors(l.Skipped, 5))
	case cur.entries > 0 && float64(o.Entries) < (1-s.MaxShrink)*float64(cur.entries):
		o.State, o.Detail = StateReview, fmt.Sprintf("%d entries where the current version has %d: shrank by %.0f %%, more than %.0f %%; held for IT's review",
			o.Entries, cur.entries, 100*(1-float64(o.Entries)/float64(cur.entries)), 100*s.MaxShrink)
	default:
		o.State = StateCurrent
		if o.Skipped > 0 {
			o.Detail = fmt.Sprintf("%d lines skipped: %s", o.Skipped, hotlist.FirstErrors(l.Skipped, 5))
		}
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO hotlist_versions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)`,
		s.Name, o.SHA256, s.Format, origin, o.Entries, o.Skipped, now, now, StateReview, o.Detail); err != nil {
		return o, fmt.Errorf("record hot-list version: %w", err)
	}
	switch o.State {
	case StateCurrent:
		o.Added, o.Retro, err = r.promote(ctx, s, o.SHA256, by, now)
		return o, err
	case StateRejected:
		if _, err := db.ExecContext(ctx, `UPDATE hotlist_versions SET state = ? WHERE list = ? AND sha256 = ?`, StateRejected, s.Name, o.SHA256); err != nil {
			return o, err
		}
	}
	return o, r.audit(ctx, by, "hotlist."+o.State, s.Name, o.SHA256, now, o.Detail)
}

func parse(s Source, data []byte, origin string, now time.Time) (*hotlist.List, error) {
	if s.Format == "ncic" {
		return hotlist.ParseNCIC(bytes.NewReader(data), s.Name, origin, now)
	}
	m := s.mapping
	m.Name = s.Name
	return hotlist.ParseCSV(bytes.NewReader(data), m, origin, now)
}

type versionRef struct {
	sha, format string
	entries     int
}

// current is the list's current version (zero if none).
func (r Refresher) current(ctx context.Context, list string) (versionRef, error) {
	var v versionRef
	err := r.St.DB().QueryRowContext(ctx, `SELECT sha256, format, entries FROM hotlist_versions WHERE list = ? AND state = ?`,
		list, StateCurrent).Scan(&v.sha, &v.format, &v.entries)
	if errors.Is(err, sql.ErrNoRows) {
		return versionRef{}, nil
	}
	return v, err
}

func (r Refresher) audit(ctx context.Context, user, action, list, sha string, now time.Time, detail string) error {
	return r.St.Audit(ctx, now, analytics.Access{User: user, Reason: "hot-list refresh", Case: "hotlist:" + list},
		action, strings.TrimSpace(fmt.Sprintf("list %s version %.12s %s", list, sha, detail)))
}

// promote makes a version current: the old current becomes previous, the
// old previous superseded; then retro hits for the plates the new version
// adds are queued. It returns the plates added and the hits queued.
func (r Refresher) promote(ctx context.Context, s Source, sha, by string, now time.Time) (added, retro int, err error) {
	old, err := r.current(ctx, s.Name)
	if err != nil {
		return 0, 0, err
	}
	tx, err := r.St.DB().BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, err
	}
	defer tx.Rollback()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`UPDATE hotlist_versions SET state = ? WHERE list = ? AND state = ?`, []any{StateSuperseded, s.Name, StatePrevious}},
		{`UPDATE hotlist_versions SET state = ? WHERE list = ? AND state = ?`, []any{StatePrevious, s.Name, StateCurrent}},
		{`UPDATE hotlist_versions SET state = ?, decided_by = ?, decided_at = ? WHERE list = ? AND sha256 = ?`, []any{StateCurrent, by, now, s.Name, sha}},
	} {
		if _, err := tx.ExecContext(ctx, q.sql, q.args...); err != nil {
			return 0, 0, fmt.Errorf("promote hot-list version: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, 0, err
	}
	if err := r.audit(ctx, by, "hotlist.current", s.Name, sha, now, "replaces "+fmt.Sprintf("%.12s", old.sha)); err != nil {
		return 0, 0, err
	}
	return r.queueRetro(ctx, s, old, sha, now)
}

// queueRetro finds the earlier reads of the plates the new version adds
// (exact entries; wildcard entries are for the cars) and queues them.
func (r Refresher) queueRetro(ctx context.Context, s Source, old versionRef, sha string, now time.Time) (int, int, error) {
	newList, err := r.load(s, sha, s.Format, now)
	if err != nil {
		return 0, 0, err
	}
	had := map[string]bool{}
	if old.sha != "" {
		oldList, err := r.load(s, old.sha, old.format, now)
		if err != nil {
			return 0, 0, err
		}
		for _, e := range oldList.Entries {
			had[e.Plate] = true
		}
	}
	cz := plate.NewCanonicalizer()
	byKey := map[string]hotlist.Entry{}
	var plates []string
	for _, e := range newList.Entries {
		if e.Wildcard || had[e.Plate] {
			continue
		}
		if _, dup := byKey[cz.Canonical(e.Plate)]; dup {
			continue
		}
		byKey[cz.Canonical(e.Plate)] = e
		plates = append(plates, e.Plate)
	}
	if len(plates) == 0 {
		return 0, 0, nil
	}
	acc := analytics.Access{User: "job:hotlist-refresh", Reason: "retro-hit search for plates added to " + s.Name, Case: "hotlist:" + s.Name + "@" + sha[:12]}
	reads, err := r.St.RetroHits(ctx, acc, plates, analytics.Window{}, RetroLimit, now)
	if err != nil {
		return len(plates), 0, err
	}
	tx, err := r.St.DB().BeginTx(ctx, nil)
	if err != nil {
		return len(plates), 0, err
	}
	defer tx.Rollback()
	for _, rd := range reads {
		e := byKey[cz.Canonical(rd.Plate)]
		if _, err := tx.ExecContext(ctx, `INSERT INTO retro_queue (id, list, version, entry_plate, reason, read_id, queued_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			uuid.Must(uuid.NewV7()).String(), s.Name, sha, e.Plate, e.Reason, rd.ID, now); err != nil {
			return len(plates), 0, fmt.Errorf("queue retro hit: %w", err)
		}
	}
	return len(plates), len(reads), tx.Commit()
}

// load parses a kept version.
func (r Refresher) load(s Source, sha, format string, now time.Time) (*hotlist.List, error) {
	data, err := os.ReadFile(r.file(s.Name, sha, format))
	if err != nil {
		return nil, fmt.Errorf("kept hot-list version: %w", err)
	}
	s.Format = format
	return parse(s, data, r.file(s.Name, sha, format), now)
}

package analytics

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// LateSource is the source_file of a disposition a supervisor entered in
// the back office after the shift, so reports can tell it from the car's.
const LateSource = "back-office:late"

// ErrHasDisposition is a late disposition for a hit that already has one.
var ErrHasDisposition = errors.New("hit already has a disposition")

// LateDisposition records a supervisor's disposition for a hit the
// officer left without one (order C.2b). It is marked late, by whom, in
// the row (source LateSource, note) and in the audit log. The caller
// checks the code against the department's list. It returns the hit, so
// that people are told of it by its plate and time, not its id.
func (s *Store) LateDisposition(ctx context.Context, a Access, hitID, code, note string, now time.Time) (LateHit, error) {
	var hit LateHit
	hitID, code = strings.TrimSpace(hitID), strings.TrimSpace(code)
	if hitID == "" || code == "" {
		return hit, errors.New("late disposition: name the hit and the disposition")
	}
	err := s.audited(ctx, a, "hits.late-disposition", map[string]any{"hit": hitID, "code": code, "note": note}, now,
		func(tx *sql.Tx) (int, error) {
			var vehicle, shiftID sql.NullString
			var done bool
			err := tx.QueryRowContext(ctx, `SELECT h.vehicle, h.shift_id, h.plate, h.alerted_at,
				EXISTS (SELECT 1 FROM dispositions d WHERE d.hit_id = h.id AND d.step = 'disposition')
				FROM hits h WHERE h.id = ?`, hitID).Scan(&vehicle, &shiftID, &hit.Plate, &hit.AlertedAt, &done)
			if errors.Is(err, sql.ErrNoRows) {
				return 0, errors.New("no such hit: it may have been destroyed under the retention policy")
			}
			if err != nil {
				return 0, err
			}
			if done {
				return 0, fmt.Errorf("%w: the hit on %s at %s", ErrHasDisposition, hit.Plate, hit.AlertedAt.In(s.loc).Format("2006-01-02 15:04 MST"))
			}
			text := fmt.Sprintf("late: entered by %s in the back office", a.User)
			if n := strings.TrimSpace(note); n != "" {
				text += "; " + n
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO dispositions (id, hit_id, event_at, step, code, note, officer, vehicle, shift_id,
				source_file, loaded_at) VALUES (?, ?, ?, 'disposition', ?, ?, ?, ?, ?, ?, ?)`,
				newID("DISP"), hitID, now.UTC(), code, text, a.User, vehicle, shiftID, LateSource, now.UTC())
			return 1, err
		})
	return hit, err
}

// LateHit is the hit a late disposition was entered for.
type LateHit struct {
	Plate     string
	AlertedAt time.Time
}

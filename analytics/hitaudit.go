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
// checks the code against the department's list.
func (s *Store) LateDisposition(ctx context.Context, a Access, hitID, code, note string, now time.Time) error {
	hitID, code = strings.TrimSpace(hitID), strings.TrimSpace(code)
	if hitID == "" || code == "" {
		return errors.New("late disposition: name the hit and the disposition")
	}
	return s.audited(ctx, a, "hits.late-disposition", map[string]any{"hit": hitID, "code": code, "note": note}, now,
		func(tx *sql.Tx) (int, error) {
			var vehicle, shiftID sql.NullString
			var done bool
			err := tx.QueryRowContext(ctx, `SELECT h.vehicle, h.shift_id,
				EXISTS (SELECT 1 FROM dispositions d WHERE d.hit_id = h.id AND d.step = 'disposition')
				FROM hits h WHERE h.id = ?`, hitID).Scan(&vehicle, &shiftID, &done)
			if errors.Is(err, sql.ErrNoRows) {
				return 0, fmt.Errorf("no hit %q", hitID)
			}
			if err != nil {
				return 0, err
			}
			if done {
				return 0, fmt.Errorf("%w: %s", ErrHasDisposition, hitID)
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
}

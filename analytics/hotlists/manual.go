package hotlists

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/edge/plate"
	"github.com/plateward/alpr/internal/csvsafe"
)

// ManualList is the name the cars know the manual entries by.
const ManualList = "LOCAL"

// MaxManualDays bounds a manual entry's life: it is renewed, not left.
const MaxManualDays = 90

// ManualEntry is one entry of the department's own list.
type ManualEntry struct {
	ID, Plate, State, Reason, Case string
	Expires                        time.Time
	AddedBy                        string
	AddedAt                        time.Time
}

// AddManual records an entry, audited. The plate is normalised; a reason,
// a case number and an expiry within MaxManualDays are required.
func AddManual(ctx context.Context, st *analytics.Store, e ManualEntry, by string, now time.Time) (ManualEntry, error) {
	e.Plate, e.State = plate.Normalize(e.Plate), strings.ToUpper(strings.TrimSpace(e.State))
	e.Reason, e.Case = strings.TrimSpace(e.Reason), strings.TrimSpace(e.Case)
	switch {
	case len(e.Plate) < 2 || len(e.Plate) > 10:
		return e, fmt.Errorf("manual entry: plate %q: 2 to 10 letters and digits", e.Plate)
	case e.Reason == "" || e.Case == "":
		return e, errors.New("manual entry: a reason and a case number are required")
	case !e.Expires.After(now):
		return e, errors.New("manual entry: the expiry must be in the future")
	case e.Expires.After(now.AddDate(0, 0, MaxManualDays)):
		return e, fmt.Errorf("manual entry: at most %d days; renew it if it is still wanted", MaxManualDays)
	case e.State != "" && !plate.IsStateCode(e.State):
		return e, fmt.Errorf("manual entry: state %q is not a state's, territory's or province's two-letter code (leave it empty for any state)", e.State)
	}
	e.ID, e.AddedBy, e.AddedAt = uuid.Must(uuid.NewV7()).String(), by, now.UTC()
	if _, err := st.DB().ExecContext(ctx, `INSERT INTO manual_entries (id, plate, state, reason, case_number, expires_at, added_by, added_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, e.ID, e.Plate, e.State, e.Reason, e.Case, e.Expires, by, e.AddedAt); err != nil {
		return e, fmt.Errorf("manual entry: %w", err)
	}
	return e, st.Audit(ctx, now, analytics.Access{User: by, Reason: e.Reason, Case: e.Case}, "hotlist.manual.add",
		fmt.Sprintf("entry %s plate %s state %q until %s", e.ID, e.Plate, e.State, e.Expires.UTC().Format(time.RFC3339)))
}

// ExpireManual ends an entry early, audited; it stays in the history.
func ExpireManual(ctx context.Context, st *analytics.Store, id, by, note string, now time.Time) error {
	if strings.TrimSpace(note) == "" {
		return errors.New("expire: say why (recovered, cleared, entered in error)")
	}
	var caseNo string
	err := st.DB().QueryRowContext(ctx, `SELECT case_number FROM manual_entries WHERE id = ? AND expired_at IS NULL AND expires_at > ?`, id, now).Scan(&caseNo)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("expire: no active entry %s", id)
	}
	if err != nil {
		return err
	}
	if _, err := st.DB().ExecContext(ctx, `UPDATE manual_entries SET expired_by = ?, expired_at = ?, expire_note = ? WHERE id = ?`, by, now, note, id); err != nil {
		return err
	}
	return st.Audit(ctx, now, analytics.Access{User: by, Reason: note, Case: caseNo}, "hotlist.manual.expire", "entry "+id)
}

// ActiveManual lists the entries in force at now, newest first.
func ActiveManual(ctx context.Context, st *analytics.Store, now time.Time) ([]ManualEntry, error) {
	rows, err := st.DB().QueryContext(ctx, `SELECT id, plate, coalesce(state, ''), reason, case_number, expires_at, added_by, added_at
		FROM manual_entries WHERE expired_at IS NULL AND expires_at > ? ORDER BY added_at DESC`, now)
	if err != nil {
		return nil, fmt.Errorf("read manual entries: %w", err)
	}
	defer rows.Close()
	var out []ManualEntry
	for rows.Next() {
		var e ManualEntry
		if err := rows.Scan(&e.ID, &e.Plate, &e.State, &e.Reason, &e.Case, &e.Expires, &e.AddedBy, &e.AddedAt); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// ManualCSV is the active entries as the CSV list the cars load with
// ManualMapping.
func ManualCSV(es []ManualEntry) []byte {
	var b bytes.Buffer
	w := csvsafe.NewWriter(&b)
	w.Write([]string{"plate", "state", "reason", "case", "expires"})
	for _, e := range es {
		w.Write([]string{e.Plate, e.State, e.Reason, e.Case, e.Expires.UTC().Format(time.RFC3339)})
	}
	w.Flush()
	return b.Bytes()
}

// ManualMapping is the column mapping of ManualCSV for the cars.
func ManualMapping() []byte {
	return []byte(`{"name": "` + ManualList + `", "priority": "high", "default_reason": "Department entry",
 "columns": {"plate": "plate", "state": "state", "reason": "reason", "record": "case", "expires": "expires"},
 "expires_layout": "2006-01-02T15:04:05Z07:00", "max_wildcards": 0}
`)
}

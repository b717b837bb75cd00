package retention

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/edge/plate"
)

// NewHold is a request to keep records: evidence designation or a
// retention request (order D.1).
type NewHold struct {
	Case      string
	Plate     string // empty: any plate
	ReadID    string // empty: any read
	HitID     string // a hit: held through its read (a hit lives and dies with its read)
	From, To  time.Time
	Until     time.Time // zero: until released
	Requester string
	Reason    string
}

// AddHold records a hold, created by user, and audits it.
func AddHold(ctx context.Context, st *analytics.Store, h NewHold, user string, now time.Time) (string, error) {
	h.Plate = plate.Normalize(h.Plate)
	if h.HitID = strings.TrimSpace(h.HitID); h.HitID != "" {
		var readID string
		if err := st.DB().QueryRowContext(ctx, `SELECT read_id FROM hits WHERE id = ?`, h.HitID).Scan(&readID); err != nil {
			return "", fmt.Errorf("hold: no hit %q", h.HitID)
		}
		if h.ReadID != "" && h.ReadID != readID {
			return "", fmt.Errorf("hold: hit %s is of read %s, not %s", h.HitID, readID, h.ReadID)
		}
		h.ReadID = readID
	}
	switch {
	case strings.TrimSpace(h.Case) == "":
		return "", errors.New("hold: a case number is required")
	case strings.TrimSpace(h.Requester) == "" || strings.TrimSpace(h.Reason) == "":
		return "", errors.New("hold: a requester and a reason are required")
	case h.Plate == "" && h.ReadID == "" && (h.From.IsZero() || h.To.IsZero()):
		return "", errors.New("hold: name a plate, a read, or a closed time range (a hold on everything, forever, is not a hold)")
	case !h.From.IsZero() && !h.To.IsZero() && !h.To.After(h.From):
		return "", errors.New("hold: the range ends before it starts")
	}
	id := uuid.Must(uuid.NewV7()).String()
	null := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t
	}
	nullS := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	if _, err := st.DB().ExecContext(ctx, `INSERT INTO holds (id, case_number, plate, read_id, from_ts, to_ts, requester, reason, until_ts, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, h.Case, nullS(h.Plate), nullS(h.ReadID), null(h.From), null(h.To),
		h.Requester, h.Reason, null(h.Until), now, user); err != nil {
		return "", fmt.Errorf("add hold: %w", err)
	}
	err := st.Audit(ctx, now, analytics.Access{User: user, Reason: h.Reason, Case: h.Case}, "hold.add",
		fmt.Sprintf("hold %s plate=%q read=%q hit=%q from=%v to=%v until=%v requester=%q", id, h.Plate, h.ReadID, h.HitID, h.From, h.To, h.Until, h.Requester))
	return id, err
}

// ReleaseHold ends a hold; it stays in the history.
func ReleaseHold(ctx context.Context, st *analytics.Store, id, user, reason string, now time.Time) error {
	if strings.TrimSpace(reason) == "" {
		return errors.New("release hold: a reason is required")
	}
	var caseNo string
	if err := st.DB().QueryRowContext(ctx, `SELECT case_number FROM holds WHERE id = ? AND released_at IS NULL`, id).Scan(&caseNo); err != nil {
		return fmt.Errorf("release hold %s: no such active hold", id)
	}
	if _, err := st.DB().ExecContext(ctx, `UPDATE holds SET released_at = ?, released_by = ? WHERE id = ?`, now, user, id); err != nil {
		return fmt.Errorf("release hold: %w", err)
	}
	return st.Audit(ctx, now, analytics.Access{User: user, Reason: reason, Case: caseNo}, "hold.release", "hold "+id)
}

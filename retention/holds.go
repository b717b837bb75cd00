package retention

import (
	"context"
	"database/sql"
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

// checkHold normalises a new hold (the plate as reads store it; a hit
// named becomes its read) and refuses one that names nothing.
func checkHold(ctx context.Context, st *analytics.Store, h NewHold) (NewHold, error) {
	h.Plate = plate.Normalize(h.Plate)
	if h.HitID = strings.TrimSpace(h.HitID); h.HitID != "" {
		var readID string
		if err := st.DB().QueryRowContext(ctx, `SELECT read_id FROM hits WHERE id = ?`, h.HitID).Scan(&readID); err != nil {
			return h, fmt.Errorf("hold: no hit %q", h.HitID)
		}
		if h.ReadID != "" && h.ReadID != readID {
			return h, fmt.Errorf("hold: hit %s is of read %s, not %s", h.HitID, readID, h.ReadID)
		}
		h.ReadID = readID
	}
	switch {
	case strings.TrimSpace(h.Case) == "":
		return h, errors.New("hold: a case number is required")
	case strings.TrimSpace(h.Requester) == "" || strings.TrimSpace(h.Reason) == "":
		return h, errors.New("hold: a requester and a reason are required")
	case h.Plate == "" && h.ReadID == "" && (h.From.IsZero() || h.To.IsZero()):
		return h, errors.New("hold: name a plate, a read, or a closed time range (a hold on everything, forever, is not a hold)")
	case !h.From.IsZero() && !h.To.IsZero() && !h.To.After(h.From):
		return h, errors.New("hold: the range ends before it starts")
	}
	return h, nil
}

// HoldScope is what a hold keeps now: its plate as stored, and the reads
// it matches and their span.
type HoldScope struct {
	Plate       string // normalised (reads store O as 0)
	ReadID      string // the read named, or the hit's
	Reads       int64
	First, Last time.Time
}

// ScopeHold checks a new hold as AddHold would and says what it keeps
// now, without placing it: the clerk sees it before the hold is placed,
// and a hold that matches nothing says so.
func ScopeHold(ctx context.Context, st *analytics.Store, h NewHold, now time.Time) (HoldScope, error) {
	h, err := checkHold(ctx, st, h)
	if err != nil {
		return HoldScope{}, err
	}
	sc := HoldScope{Plate: h.Plate, ReadID: h.ReadID}
	cond, args := heldClause([]Hold{{Plate: h.Plate, ReadID: h.ReadID, From: h.From, To: h.To, Until: h.Until}}, now)
	var first, last sql.NullTime
	err = st.DB().QueryRowContext(ctx, `SELECT count(*), min(captured_at), max(captured_at) FROM reads WHERE `+cond, args...).Scan(&sc.Reads, &first, &last)
	sc.First, sc.Last = first.Time, last.Time
	return sc, err
}

// AddHold records a hold, created by user, and audits it.
func AddHold(ctx context.Context, st *analytics.Store, h NewHold, user string, now time.Time) (string, error) {
	h, err := checkHold(ctx, st, h)
	if err != nil {
		return "", err
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
	err = st.Audit(ctx, now, analytics.Access{User: user, Reason: h.Reason, Case: h.Case}, "hold.add",
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

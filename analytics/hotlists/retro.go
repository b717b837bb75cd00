package hotlists

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/plateward/alpr/analytics"
)

// RetroItem is one queued retro hit: an earlier read of a plate newly on
// a list, with the read's details joined from the reads table.
type RetroItem struct {
	ID, List, Version, EntryPlate, Reason string
	ReadID, ReadPlate, Camera, Vehicle    string
	CapturedAt, QueuedAt                  time.Time
	HasFix                                bool
	Lat, Lon                              float64
	ReviewedBy, Note                      string
	ReviewedAt                            time.Time
}

// RetroQueue lists the queue, unreviewed first, then newest; the view is
// an access to closed records, so it needs an access and is audited.
func (r Refresher) RetroQueue(ctx context.Context, a analytics.Access, pendingOnly bool, limit int, now time.Time) ([]RetroItem, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	cond := "true"
	if pendingOnly {
		cond = "q.reviewed_at IS NULL"
	}
	rows, err := r.St.DB().QueryContext(ctx, `SELECT q.id, q.list, q.version, q.entry_plate, q.reason, q.read_id, r.plate,
		coalesce(r.camera, ''), coalesce(r.vehicle, ''), r.captured_at, q.queued_at, coalesce(r.gps_fix, false), coalesce(r.lat, 0), coalesce(r.lon, 0),
		coalesce(q.reviewed_by, ''), coalesce(q.note, ''), q.reviewed_at
		FROM retro_queue q JOIN reads r ON r.id = q.read_id WHERE `+cond+`
		ORDER BY q.reviewed_at IS NOT NULL, q.queued_at DESC, r.captured_at DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("read retro queue: %w", err)
	}
	defer rows.Close()
	var out []RetroItem
	for rows.Next() {
		var x RetroItem
		var rev sql.NullTime
		if err := rows.Scan(&x.ID, &x.List, &x.Version, &x.EntryPlate, &x.Reason, &x.ReadID, &x.ReadPlate, &x.Camera, &x.Vehicle,
			&x.CapturedAt, &x.QueuedAt, &x.HasFix, &x.Lat, &x.Lon, &x.ReviewedBy, &x.Note, &rev); err != nil {
			return nil, err
		}
		x.ReviewedAt = rev.Time
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, r.St.Audit(ctx, now, a, "retro.queue", fmt.Sprintf("%d items shown", len(out)))
}

// Review marks a queued retro hit reviewed by an analyst, with a note.
func (r Refresher) Review(ctx context.Context, a analytics.Access, id, note string, now time.Time) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if strings.TrimSpace(note) == "" {
		return errors.New("review: a note is required (what was done with the lead)")
	}
	res, err := r.St.DB().ExecContext(ctx, `UPDATE retro_queue SET reviewed_by = ?, reviewed_at = ?, note = ? WHERE id = ? AND reviewed_at IS NULL`,
		a.User, now, note, id)
	if err != nil {
		return fmt.Errorf("review retro hit: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("review: no unreviewed retro hit %s", id)
	}
	return r.St.Audit(ctx, now, a, "retro.review", "retro hit "+id+": "+note)
}

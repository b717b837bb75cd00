package analytics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/plateward/alpr/edge/plate"
)

// PlateQuery asks for every read of one plate in a time window.
type PlateQuery struct {
	Plate string    // normalised before use
	From  time.Time // inclusive; zero for no bound
	To    time.Time // exclusive; zero for no bound
	Limit int       // 0 for DefaultLimit
}

// DefaultLimit bounds a search's rows unless the query asks otherwise.
const DefaultLimit = 1000

// ReadRow is one read as searches return it.
type ReadRow struct {
	ID         string
	CapturedAt time.Time
	Plate      string
	Confidence float32
	State      string
	Camera     string
	Vehicle    string
	Officer    string
	HasFix     bool
	Lat, Lon   float64
	CropPath   string // relative to the image store
	Hits       []string
}

// PlateReads returns every read of q.Plate, newest first, and records the
// access in the audit log in the same transaction: no audit, no answer.
func (s *Store) PlateReads(ctx context.Context, a Access, q PlateQuery, now time.Time) ([]ReadRow, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	q.Plate = plate.Normalize(q.Plate)
	if q.Plate == "" {
		return nil, errors.New("plate search: no plate given")
	}
	if q.Limit <= 0 {
		q.Limit = DefaultLimit
	}
	from, to := q.From, q.To
	if from.IsZero() {
		from = time.Unix(0, 0)
	}
	if to.IsZero() {
		to = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	s.auditMu.Lock()
	defer s.auditMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `
		SELECT r.id, r.captured_at, r.plate, r.confidence, coalesce(r.state, ''), r.camera, r.vehicle, r.officer,
		       r.gps_fix, coalesce(r.lat, 0), coalesce(r.lon, 0), coalesce(r.crop_path, ''),
		       coalesce(list(h.list_code || ' ' || h.reason || ' (' || h.match_kind || ')' ORDER BY h.priority), [])
		FROM reads r LEFT JOIN hits h ON h.read_id = r.id
		WHERE r.plate = ? AND r.captured_at >= ? AND r.captured_at < ?
		GROUP BY ALL
		ORDER BY r.captured_at DESC
		LIMIT ?`, q.Plate, from, to, q.Limit)
	if err != nil {
		return nil, fmt.Errorf("plate search: %w", err)
	}
	var out []ReadRow
	for rows.Next() {
		var r ReadRow
		var hits []any
		if err := rows.Scan(&r.ID, &r.CapturedAt, &r.Plate, &r.Confidence, &r.State, &r.Camera, &r.Vehicle, &r.Officer,
			&r.HasFix, &r.Lat, &r.Lon, &r.CropPath, &hits); err != nil {
			rows.Close()
			return nil, fmt.Errorf("plate search: %w", err)
		}
		for _, h := range hits {
			if s, ok := h.(string); ok {
				r.Hits = append(r.Hits, s)
			}
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("plate search: %w", err)
	}
	rows.Close()
	detail, _ := json.Marshal(map[string]any{"plate": q.Plate, "from": q.From, "to": q.To, "limit": q.Limit, "rows": len(out)})
	if err := appendAudit(ctx, tx, now, a, "search.plate", string(detail)); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("plate search: commit audit: %w", err)
	}
	return out, nil
}

package analytics

import (
	"context"
	"errors"
	"math"
	"strings"
	"time"

	"github.com/plateward/alpr/edge/plate"
)

// Point is a latitude and longitude in degrees.
type Point struct{ Lat, Lon float64 }

// Geofence returns the reads inside a polygon (a rectangle is four
// points) in a window, optionally only plates matching a pattern. The
// database narrows to the polygon's bounding box; the exact inside test
// (ray casting) runs here, as no spatial extension can be installed.
func (s *Store) Geofence(ctx context.Context, a Access, poly []Point, w Window, pattern string, limit int, now time.Time) ([]ReadRow, error) {
	if len(poly) < 3 || len(poly) > 1000 {
		return nil, errors.New("geofence: a polygon needs 3 to 1000 points")
	}
	minLat, maxLat, minLon, maxLon := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, p := range poly {
		if !onEarth(p.Lat, p.Lon) {
			return nil, errors.New("geofence: a point is not a position")
		}
		minLat, maxLat = math.Min(minLat, p.Lat), math.Max(maxLat, p.Lat)
		minLon, maxLon = math.Min(minLon, p.Lon), math.Max(maxLon, p.Lon)
	}
	from, to := w.bounds()
	cond := `r.gps_fix AND r.captured_at >= ? AND r.captured_at < ? AND r.lat BETWEEN ? AND ? AND r.lon BETWEEN ? AND ?`
	args := []any{from, to, minLat, maxLat, minLon, maxLon}
	if pattern != "" {
		cond += " AND r.plate LIKE ?"
		args = append(args, strings.NewReplacer("?", "_", "*", "%").Replace(plate.NormalizePattern(pattern)))
	}
	limit = limitOr(limit)
	var out []ReadRow
	err := s.auditedRead(ctx, a, "search.geofence", map[string]any{"points": len(poly), "from": w.From, "to": w.To, "pattern": pattern}, now,
		func(tx queryer) (int, error) {
			// The box holds more than the polygon: fetch generously, keep
			// the reads inside, then apply the limit.
			rows, err := tx.QueryContext(ctx, readSelect(cond, "0"), append(args, 20*limit)...)
			if err != nil {
				return 0, err
			}
			defer rows.Close()
			all, err := scanReads(rows)
			if err != nil {
				return 0, err
			}
			n := 0
			for _, r := range all {
				if inside(poly, r.Lat, r.Lon) {
					n++
					if len(out) < limit {
						out = append(out, r)
					}
				}
			}
			// The count is of the reads fetched: when the box around the
			// polygon held more than 20 × limit reads, a lower bound.
			for i := range out {
				out[i].Matched = n
			}
			return len(out), nil
		})
	return out, err
}

// inside is the ray-casting test: a point is inside when a ray from it
// crosses the polygon's edges an odd number of times.
func inside(poly []Point, lat, lon float64) bool {
	in := false
	for i, j := 0, len(poly)-1; i < len(poly); j, i = i, i+1 {
		a, b := poly[i], poly[j]
		if (a.Lat > lat) != (b.Lat > lat) && lon < (b.Lon-a.Lon)*(lat-a.Lat)/(b.Lat-a.Lat)+a.Lon {
			in = !in
		}
	}
	return in
}

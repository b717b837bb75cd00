package backoffice

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/analytics/imagepack"
)

// The searches of the search page (the investigations issue), by kind.
var searchKinds = []struct{ Kind, Label string }{
	{"plate", "Plate (exact)"},
	{"partial", "Partial plate (? one character, * any run)"},
	{"misread", "Plate, misread-tolerant"},
	{"locate", "Where and when a plate is seen"},
	{"convoy", "Vehicles travelling with a plate"},
	{"stakeout", "Stakeout: reads near a point"},
	{"geofence", "Geofence: reads inside a polygon"},
}

// parsePolygon reads "lat,lon; lat,lon; …" (at least three corners).
func parsePolygon(s string) ([]analytics.Point, error) {
	var out []analytics.Point
	for _, part := range strings.Split(s, ";") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		la, lo, ok := strings.Cut(part, ",")
		lat, err1 := strconv.ParseFloat(strings.TrimSpace(la), 64)
		lon, err2 := strconv.ParseFloat(strings.TrimSpace(lo), 64)
		if !ok || err1 != nil || err2 != nil {
			return nil, fmt.Errorf("polygon corner %q: want lat,lon", strings.TrimSpace(part))
		}
		out = append(out, analytics.Point{Lat: lat, Lon: lon})
	}
	if len(out) < 3 {
		return nil, errors.New("a polygon needs at least three corners: lat,lon; lat,lon; lat,lon")
	}
	return out, nil
}

func formFloat(r *http.Request, name string) (float64, error) {
	v := strings.TrimSpace(r.PostFormValue(name))
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%s %q: want a number", name, v)
	}
	return f, nil
}

// runSearch runs the form's kind of search into f.
func (a *App) runSearch(r *http.Request, f *searchForm, acc analytics.Access, w analytics.Window) error {
	ctx, now, loc := r.Context(), a.opts.Now(), a.store.Location()
	st := a.store
	var err error
	lim := max(1, f.Page) * pageSize // the page's reads and every newer one
	var shape mapView                // the stakeout's circle or the geofence
	switch f.Kind {
	case "", "plate":
		f.Kind = "plate"
		f.Rows, err = st.PlateReads(ctx, acc, analytics.PlateQuery{Plate: f.Plate, From: w.From, To: w.To, Limit: lim}, now)
	case "partial":
		f.Rows, err = st.PartialReads(ctx, acc, f.Plate, w, lim, now)
	case "misread":
		f.Rows, err = st.MisreadReads(ctx, acc, f.Plate, w, lim, now)
	case "locate":
		var s analytics.Sightings
		if s, err = st.Locate(ctx, acc, f.Plate, w, now); err == nil {
			f.Sight, f.Map = &s, placesMap(s.Places, loc).withTiles(a.opts.Map)
		}
		return err
	case "convoy":
		within, e1 := strconv.Atoi(strings.TrimSpace(f.Within))
		minTimes, e2 := strconv.Atoi(strings.TrimSpace(f.MinTimes))
		if e1 != nil || e2 != nil || within < 1 || minTimes < 1 {
			return errors.New("convoy: give the minutes (at least 1) and the times seen together (at least 1)")
		}
		f.Assoc, err = st.Convoy(ctx, acc, analytics.ConvoyQuery{Plate: f.Plate, Window: w, Within: time.Duration(within) * time.Minute, MinTimes: minTimes}, now)
		return err
	case "stakeout":
		lat, e1 := formFloat(r, "lat")
		lon, e2 := formFloat(r, "lon")
		rad, e3 := formFloat(r, "radius")
		if err := errors.Join(e1, e2, e3); err != nil {
			return err
		}
		f.Rows, err = st.Stakeout(ctx, acc, analytics.StakeoutQuery{Lat: lat, Lon: lon, RadiusM: rad, Window: w, Pattern: f.Plate, Limit: lim}, now)
		shape.Circle = &mapCircle{Lat: lat, Lon: lon, RadiusM: rad}
	case "geofence":
		poly, perr := parsePolygon(f.Polygon)
		if perr != nil {
			return perr
		}
		f.Rows, err = st.Geofence(ctx, acc, poly, w, f.Plate, lim, now)
		for _, c := range poly {
			shape.Polygon = append(shape.Polygon, [2]float64{c.Lat, c.Lon})
		}
	default:
		return fmt.Errorf("unknown search %q", f.Kind)
	}
	if err == nil {
		f.paginate()
		m := readsMap(f.Rows, loc)
		m.Circle, m.Polygon = shape.Circle, shape.Polygon
		f.Map = m.withTiles(a.opts.Map)
	}
	return err
}

// crop sends the plate crop of a read the user's last search returned:
// crops are records too, and a user sees only those of an audited search.
func (a *App) crop(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !current(r).sawRead(id) {
		http.Error(w, "no such crop among your last search's results: open the read from a search first", http.StatusNotFound)
		return
	}
	var rel string
	if err := a.store.DB().QueryRowContext(r.Context(), `SELECT coalesce(crop_path, '') FROM reads WHERE id = ?`, id).Scan(&rel); err != nil || rel == "" {
		http.Error(w, "no crop for this read", http.StatusNotFound)
		return
	}
	b, err := a.store.ReadImage(rel)
	if errors.Is(err, imagepack.ErrBadRef) {
		http.Error(w, "bad image path", http.StatusInternalServerError)
		return
	}
	if err != nil {
		http.Error(w, "the image is not in the image store", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Write(b)
}

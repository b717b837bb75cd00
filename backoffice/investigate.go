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

// plot is a map-free location view: the positions of the results scaled
// into an SVG box (no map tiles can be fetched, and none are needed to see
// where reads cluster). North is up; the box keeps the aspect of the area.
type plot struct {
	W, H   float64
	Points []plotPoint
	Span   string // the area shown, for the caption
}

type plotPoint struct {
	X, Y, R float64
	Title   string
}

// plotOf scales points (lat, lon, weight, title) into a plot; nil when no
// point has a position.
func plotOf(pts []plotPoint, lat, lon []float64) *plot {
	if len(pts) == 0 {
		return nil
	}
	minLat, maxLat, minLon, maxLon := lat[0], lat[0], lon[0], lon[0]
	for i := range lat {
		minLat, maxLat = math.Min(minLat, lat[i]), math.Max(maxLat, lat[i])
		minLon, maxLon = math.Min(minLon, lon[i]), math.Max(maxLon, lon[i])
	}
	// Metres per degree at the centre: keep the area's true aspect.
	kx := 111320 * math.Cos((minLat+maxLat)/2*math.Pi/180)
	wm, hm := math.Max((maxLon-minLon)*kx, 50), math.Max((maxLat-minLat)*110540, 50)
	const size, pad = 560.0, 20.0
	scale := size / math.Max(wm, hm)
	p := &plot{W: wm*scale + 2*pad, H: hm*scale + 2*pad, Span: fmt.Sprintf("%.0f m × %.0f m", wm, hm)}
	for i, pt := range pts {
		pt.X = pad + (lon[i]-minLon)*kx*scale
		pt.Y = pad + (maxLat-lat[i])*110540*scale
		p.Points = append(p.Points, pt)
	}
	return p
}

func readsPlot(rows []analytics.ReadRow, loc *time.Location) *plot {
	var pts []plotPoint
	var lat, lon []float64
	for _, r := range rows {
		if r.HasFix {
			pts = append(pts, plotPoint{R: 5, Title: r.Plate + " " + r.CapturedAt.In(loc).Format("2006-01-02 15:04")})
			lat, lon = append(lat, r.Lat), append(lon, r.Lon)
		}
	}
	return plotOf(pts, lat, lon)
}

func placesPlot(ps []analytics.Place, loc *time.Location) *plot {
	var pts []plotPoint
	var lat, lon []float64
	for _, p := range ps {
		pts = append(pts, plotPoint{R: 4 + 3*math.Sqrt(float64(p.Reads)),
			Title: fmt.Sprintf("%d reads, %s to %s", p.Reads, p.First.In(loc).Format("2006-01-02"), p.Last.In(loc).Format("2006-01-02"))})
		lat, lon = append(lat, p.Lat), append(lon, p.Lon)
	}
	return plotOf(pts, lat, lon)
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
			f.Sight, f.Plot = &s, placesPlot(s.Places, loc)
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
	case "geofence":
		poly, perr := parsePolygon(f.Polygon)
		if perr != nil {
			return perr
		}
		f.Rows, err = st.Geofence(ctx, acc, poly, w, f.Plate, lim, now)
	default:
		return fmt.Errorf("unknown search %q", f.Kind)
	}
	if err == nil {
		f.paginate()
		f.Plot = readsPlot(f.Rows, loc)
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

package backoffice

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strings"
	"time"

	"github.com/plateward/alpr/analytics"
)

// MapTiles is the tile server the search page's map draws under the
// results: the department's own or a state GIS service, an XYZ template
// such as https://gis.example.gov/tiles/{z}/{x}/{y}.png. With none the
// map shows the positions, the stakeout's circle and the geofence on a
// plain ground with a scale: nothing is fetched from anywhere.
type MapTiles struct {
	URL         string // {z}, {x} and {y} are replaced; one host ({s} is not supported)
	Attribution string // shown on the map, as the tiles' licence asks
	MaxZoom     int    // the server's deepest zoom level
}

// ErrTileURL is returned for a tile server address the map cannot use.
var ErrTileURL = errors.New("map tiles: want an http or https address with {z}, {x} and {y}, such as https://gis.example.gov/tiles/{z}/{x}/{y}.png")

// hostChars are those a tile server's host (and port) may have: it goes
// into the pages' content security policy as it is.
const hostChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]"

// Validate reports whether t names a usable tile server (or none).
func (t MapTiles) Validate() error {
	if t.URL == "" {
		return nil
	}
	u, err := url.Parse(t.URL)
	switch {
	case err != nil, u.Scheme != "http" && u.Scheme != "https", u.Host == "", strings.Trim(u.Host, hostChars) != "":
		return fmt.Errorf("%w: %q", ErrTileURL, t.URL)
	}
	for _, p := range []string{"{z}", "{x}", "{y}"} {
		if !strings.Contains(t.URL, p) {
			return fmt.Errorf("%w: %q has no %s", ErrTileURL, t.URL, p)
		}
	}
	if t.MaxZoom < 1 || t.MaxZoom > 22 {
		return fmt.Errorf("map tiles: max zoom %d outside 1..22", t.MaxZoom)
	}
	return nil
}

// origin is the tile server's scheme and host, for the pages' content
// security policy; empty with no server.
func (t MapTiles) origin() string {
	u, err := url.Parse(t.URL)
	if t.URL == "" || err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// mapView is what a search's map shows (static/map.js draws it with
// Leaflet): its results' positions, and the stakeout's circle or the
// geofence the search asked about. It reaches the page as JSON in an
// attribute: no inline script, and the policy stays 'self'.
type mapView struct {
	Points  []mapPoint   `json:"points"`
	Circle  *mapCircle   `json:"circle,omitempty"`
	Polygon [][2]float64 `json:"polygon,omitempty"`
	// Tiles and the rest come from the app's MapTiles.
	Tiles       string `json:"tiles,omitempty"`
	Attribution string `json:"attribution,omitempty"`
	MaxZoom     int    `json:"maxZoom"`
}

type mapPoint struct {
	Lat   float64 `json:"lat"`
	Lon   float64 `json:"lon"`
	R     float64 `json:"r"` // radius in screen pixels
	Title string  `json:"title"`
}

type mapCircle struct {
	Lat     float64 `json:"lat"`
	Lon     float64 `json:"lon"`
	RadiusM float64 `json:"radiusM"`
}

// JSON is the view as the page's data-map attribute carries it.
func (m *mapView) JSON() string {
	b, err := json.Marshal(m)
	if err != nil { // only floats that are not numbers: none reach here
		return "{}"
	}
	return string(b)
}

// Count says how many positions the map shows, for its caption.
func (m *mapView) Count() int { return len(m.Points) }

// readsMap places the reads that have a position; nil when none has and
// the search drew no shape.
func readsMap(rows []analytics.ReadRow, loc *time.Location) *mapView {
	m := &mapView{}
	for _, r := range rows {
		if r.HasFix && !math.IsNaN(r.Lat) && !math.IsNaN(r.Lon) {
			m.Points = append(m.Points, mapPoint{Lat: r.Lat, Lon: r.Lon, R: 6,
				Title: r.Plate + " " + r.CapturedAt.In(loc).Format("2006-01-02 15:04 MST") + " " + r.Vehicle})
		}
	}
	return m
}

// placesMap places a plate's sightings, each sized by its reads.
func placesMap(ps []analytics.Place, loc *time.Location) *mapView {
	m := &mapView{}
	for _, p := range ps {
		m.Points = append(m.Points, mapPoint{Lat: p.Lat, Lon: p.Lon, R: 5 + 3*math.Sqrt(float64(p.Reads)),
			Title: fmt.Sprintf("%d reads, %s to %s", p.Reads, p.First.In(loc).Format("2006-01-02"), p.Last.In(loc).Format("2006-01-02"))})
	}
	return m
}

// withTiles fills in the app's tile server; nil when there is nothing to
// show.
func (m *mapView) withTiles(t MapTiles) *mapView {
	if m == nil || len(m.Points) == 0 && m.Circle == nil && len(m.Polygon) == 0 {
		return nil
	}
	m.Tiles, m.Attribution, m.MaxZoom = t.URL, t.Attribution, t.MaxZoom
	if m.MaxZoom == 0 {
		m.MaxZoom = DefaultMapMaxZoom
	}
	return m
}

// DefaultMapMaxZoom is the deepest zoom of the map: streets and houses.
const DefaultMapMaxZoom = 19

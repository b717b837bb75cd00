package backoffice

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/plateward/alpr/analytics"
	"time"

	"github.com/plateward/alpr/analytics/imagepack"
	"github.com/plateward/alpr/edge/plate"
)

// The search page's kinds of search, the location plot, and plate crops
// shown only for reads the user's last search returned.
func TestSearchKindsPlotAndCrops(t *testing.T) {
	f := newFixture(t)
	now := f.clk.now()
	cz := plate.NewCanonicalizer()
	if err := os.MkdirAll(filepath.Join(f.store.ImageRoot(), "2026-11-19"), 0o750); err != nil {
		t.Fatal(err)
	}
	// r1's crop is a file of its own (as stored before image packs), r2's
	// a range of a day's pack (as ingest stores them).
	pack, err := imagepack.Create(f.store.ImageRoot(), "2026-11-19", "00aa")
	if err != nil {
		t.Fatal(err)
	}
	r2crop, err := pack.Add("r2", imagepack.Crop, []byte("\xff\xd8jpeg r2"))
	if err != nil {
		t.Fatal(err)
	}
	if err := pack.Commit(); err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct {
		id, plate string
		lat, lon  float64
		crop      string
	}{
		{"r1", "ABC123", 38.6270, -90.1994, "2026-11-19/r1.jpg"},
		{"r2", "XYZ789", 38.6272, -90.1990, r2crop},
		{"r3", "ABC123", 38.7000, -90.3000, "../" + UsersFile},
	} {
		if r.crop != "" && !strings.HasPrefix(r.crop, "..") && !strings.Contains(r.crop, "@") {
			if err := os.WriteFile(filepath.Join(f.store.ImageRoot(), r.crop), []byte("\xff\xd8jpeg "+r.id), 0o640); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.store.DB().Exec(`INSERT INTO reads (id, captured_at, plate, plate_key, confidence, camera, vehicle, gps_fix, lat, lon, crop_path, source_file, loaded_at)
			VALUES (?, ?, ?, ?, 0.9, 'front', 'car7', true, ?, ?, ?, 'f', ?)`, r.id, now.Add(-24*time.Hour), r.plate, cz.Canonical(r.plate), r.lat, r.lon, r.crop, now); err != nil {
			t.Fatal(err)
		}
	}
	c := f.client(t)
	_, tok := f.login(t, c, "analyst1", testPassword)
	search := func(v url.Values) (int, string) {
		v.Set("csrf", tok)
		v.Set("reason", "burglary series")
		v.Set("case", "26-100")
		return post(t, c, f.srv.URL+"/search", v)
	}
	if code, _, _ := get(t, c, f.srv.URL+"/crops/r1"); code != http.StatusNotFound {
		t.Fatalf("a crop before any search: %d", code)
	}
	code, body := search(url.Values{"kind": {"stakeout"}, "lat": {"38.6271"}, "lon": {"-90.1992"}, "radius": {"100"}})
	if code != http.StatusOK || !strings.Contains(body, `id="count">2 reads`) || !strings.Contains(body, `src="/crops/r1"`) || !strings.Contains(body, `<a href="/crops/r1" target="_blank"`) {
		t.Fatalf("stakeout %d:\n%s", code, body)
	}
	if m := mapOf(t, body); len(m.Points) != 2 || m.Circle == nil || m.Circle.RadiusM != 100 || m.Tiles != "" {
		t.Fatalf("stakeout's map %+v: want its 2 reads, its circle, no tiles", m)
	}
	for _, id := range []string{"r1", "r2"} {
		resp, err := c.Get(f.srv.URL + "/crops/" + id)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" || string(b) != "\xff\xd8jpeg "+id {
			t.Fatalf("crop of %s after the search: %d %q", id, resp.StatusCode, b)
		}
	}
	if code, _, _ := get(t, c, f.srv.URL+"/crops/r3"); code != http.StatusNotFound {
		t.Fatalf("a crop the search did not return: %d", code)
	}
	// A stored path that leaves the image store is never followed.
	if code, body = search(url.Values{"kind": {"plate"}, "plate": {"ABC123"}}); code != http.StatusOK || !strings.Contains(body, `id="count">2 reads`) {
		t.Fatalf("plate search %d", code)
	}
	if code, body, _ := get(t, c, f.srv.URL+"/crops/r3"); code != http.StatusInternalServerError || strings.Contains(body, "argon2") {
		t.Fatalf("crop path outside the image store: %d %q", code, body)
	}
	if _, body := search(url.Values{"kind": {"geofence"}, "polygon": {"38.62,-90.21; 38.64,-90.21; 38.64,-90.19"}}); len(mapOf(t, body).Polygon) != 3 {
		t.Fatalf("geofence's map %+v: want its three corners", mapOf(t, body))
	}
	for _, tc := range []struct {
		name string
		v    url.Values
		want string
	}{
		{"partial", url.Values{"kind": {"partial"}, "plate": {"ABC*"}}, `id="count">2 reads`},
		{"misread", url.Values{"kind": {"misread"}, "plate": {"A8C123"}}, `id="count">2 reads`},
		{"geofence", url.Values{"kind": {"geofence"}, "polygon": {"38.62,-90.21; 38.64,-90.21; 38.64,-90.19; 38.62,-90.19"}}, `id="count">2 reads`},
		{"locate", url.Values{"kind": {"locate"}, "plate": {"ABC123"}}, `id="places"`},
		{"convoy", url.Values{"kind": {"convoy"}, "plate": {"ABC123"}, "within": {"5"}, "min_times": {"1"}}, `id="convoy"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, body := search(tc.v); code != http.StatusOK || !strings.Contains(body, tc.want) {
				t.Fatalf("%d, want %q:\n%s", code, tc.want, body)
			}
		})
	}
	// A convoy partner is a button that runs its own plate search for the
	// same case.
	_, body = search(url.Values{"kind": {"convoy"}, "plate": {"ABC123"}, "within": {"5"}, "min_times": {"1"}})
	partner := regexp.MustCompile(`name="kind" value="plate"><input type="hidden" name="plate" value="([^"]+)">`).FindStringSubmatch(body)
	if partner == nil {
		t.Fatalf("no convoy partner to follow:\n%s", body)
	}
	if code, body := search(url.Values{"kind": {"plate"}, "plate": {partner[1]}}); code != http.StatusOK || !strings.Contains(body, " of "+partner[1]+" (case") {
		t.Fatalf("following partner %s: %d", partner[1], code)
	}
	if _, body := search(url.Values{"kind": {"geofence"}, "polygon": {"38.62,-90.21; 38.64,-90.21; 38.64,-90.19"}}); len(mapOf(t, body).Polygon) != 3 {
		t.Fatalf("geofence's map %+v: want its three corners", mapOf(t, body))
	}
	for _, tc := range []struct {
		name string
		v    url.Values
		want string
	}{
		{"polygon of two corners", url.Values{"kind": {"geofence"}, "polygon": {"38.62,-90.21; 38.64,-90.21"}}, "at least three corners"},
		{"stakeout without a point", url.Values{"kind": {"stakeout"}, "lat": {"north"}, "lon": {"-90"}, "radius": {"100"}}, "lat"},
		{"convoy without minutes", url.Values{"kind": {"convoy"}, "plate": {"ABC123"}, "within": {"x"}, "min_times": {"1"}}, "minutes"},
		{"unknown kind", url.Values{"kind": {"everything"}}, "unknown search"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, body := search(tc.v); code != http.StatusBadRequest || !strings.Contains(body, tc.want) {
				t.Fatalf("%d, want 400 about %q", code, tc.want)
			}
		})
	}
}

// A stakeout's reads are exported with a basis and land in the
// dissemination log; a summary search has no export.
func TestExportOfOtherSearches(t *testing.T) {
	f := newFixture(t)
	now := f.clk.now()
	if _, err := f.store.DB().Exec(`INSERT INTO reads (id, captured_at, plate, plate_key, camera, vehicle, gps_fix, lat, lon, source_file, loaded_at)
		VALUES ('r1', ?, 'ABC123', 'A8C123', 'front', 'car7', true, 38.627, -90.199, 'f', ?)`, now.Add(-time.Hour), now); err != nil {
		t.Fatal(err)
	}
	c := f.client(t)
	_, tok := f.login(t, c, "analyst1", testPassword)
	v := url.Values{"csrf": {tok}, "kind": {"stakeout"}, "lat": {"38.627"}, "lon": {"-90.199"}, "radius": {"50"}, "reason": {"burglary"}, "case": {"26-9"},
		"recipient": {"Boone County Sheriff"}, "purpose": {"burglary series"}}
	if code, body := post(t, c, f.srv.URL+"/export", v); code != http.StatusBadRequest || !strings.Contains(body, "export refused") {
		t.Fatalf("export without a basis: %d", code)
	}
	v.Set("basis", "law-enforcement-investigative")
	code, body := post(t, c, f.srv.URL+"/export", v)
	if code != http.StatusOK || !strings.Contains(body, "ABC123") || !strings.Contains(body, "to Boone County Sheriff") ||
		!strings.HasPrefix(body, "captured_at,plate,") || !strings.Contains(body, "1 reads, complete") {
		t.Fatalf("export %d: want the header first and the note last:\n%s", code, body)
	}
	log, _ := f.store.Disseminations(t.Context(), 10)
	if len(log) != 1 || log[0].Rows != 1 || !strings.HasPrefix(log[0].What, "stakeout search") {
		t.Fatalf("dissemination log %+v", log)
	}
	v.Set("kind", "locate")
	v.Set("plate", "ABC123")
	if code, body := post(t, c, f.srv.URL+"/export", v); code != http.StatusBadRequest || !strings.Contains(body, "has no export") {
		t.Fatalf("locate export: %d", code)
	}
}

// TestSearchPageSaysWhenResultsAreCut: a plate with more reads than a
// page shows says how many match, which are shown, and offers the older.
func TestSearchPageSaysWhenResultsAreCut(t *testing.T) {
	f := newFixture(t)
	if _, err := f.store.DB().Exec(`INSERT INTO reads (id, captured_at, plate, plate_key, confidence, camera, vehicle, gps_fix, source_file, loaded_at)
		SELECT 'm' || i, TIMESTAMPTZ '2026-11-01 10:00:00+00' + i * INTERVAL 1 MINUTE, 'MANY12', 'MANY12', 0.9, 'front', 'car7', false, 'f', now()
		FROM range(1234) t(i)`); err != nil {
		t.Fatal(err)
	}
	c := f.client(t)
	_, tok := f.login(t, c, "analyst1", testPassword)
	code, body := post(t, c, f.srv.URL+"/search", url.Values{"csrf": {tok}, "kind": {"plate"}, "plate": {"MANY12"}, "reason": {"fraud"}, "case": {"26-9"}})
	if code != http.StatusOK || !strings.Contains(body, "1234 reads of MANY12 match; <strong>1–1000 are shown</strong>, newest first") || !strings.Contains(body, `id="older"`) {
		t.Fatalf("%d: %s", code, body[strings.Index(body, `id="count"`):][:300])
	}
}

// TestSQLConsoleTimesAndCSV: the console shows times in the department's
// zone and downloads its answer as a CSV whose first line is the header,
// formulas neutralised.
func TestSQLConsoleTimesAndCSV(t *testing.T) {
	f := newFixture(t)
	c := f.client(t)
	_, tok := f.login(t, c, "analyst1", testPassword)
	q := url.Values{"csrf": {tok}, "reason": {"fraud"}, "case": {"26-9"},
		"query": {"SELECT TIMESTAMPTZ '2026-11-19 14:30:00+00' AS seen, '=1+1' AS note FROM range(2)"}}
	code, body := post(t, c, f.srv.URL+"/sql", q)
	if code != http.StatusOK || !strings.Contains(body, "2026-11-19 08:30:00 CST") {
		t.Fatalf("console %d: want the time in the department's zone", code)
	}
	q.Set("format", "csv")
	resp, err := c.PostForm(f.srv.URL+"/sql", q)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
		string(b) != "seen,note\n2026-11-19 08:30:00 CST,'=1+1\n2026-11-19 08:30:00 CST,'=1+1\n" {
		t.Fatalf("CSV %d %q:\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
}

// TestRefusedExportKeepsTheResults: a plate export refused for want of a
// basis shows the search's results again, saying what is missing; an
// export that would be cut at a search's limit is refused, not cut.
func TestRefusedExportKeepsTheResults(t *testing.T) {
	f := newFixture(t)
	if _, err := f.store.DB().Exec(`INSERT INTO reads (id, captured_at, plate, plate_key, camera, vehicle, gps_fix, lat, lon, source_file, loaded_at)
		SELECT 'm' || i, TIMESTAMPTZ '2026-11-01 10:00:00+00' + i * INTERVAL 1 MINUTE, 'MANY12', 'MANY12', 'front', 'car7', true, 38.627, -90.199, 'f', now()
		FROM range(1100) t(i)`); err != nil {
		t.Fatal(err)
	}
	c := f.client(t)
	_, tok := f.login(t, c, "analyst1", testPassword)
	v := url.Values{"csrf": {tok}, "kind": {"plate"}, "plate": {"MANY12"}, "reason": {"fraud"}, "case": {"26-9"},
		"recipient": {"Boone County Sheriff"}, "purpose": {"fraud"}}
	code, body := post(t, c, f.srv.URL+"/export", v)
	if code != http.StatusBadRequest || !strings.Contains(body, "The export was refused") || !strings.Contains(body, `id="results"`) || !strings.Contains(body, "1100 reads of MANY12 match") {
		t.Fatalf("a refused export %d: want the results kept and the reason", code)
	}
	v.Set("kind", "partial")
	v.Set("plate", "MANY*")
	v.Set("basis", "law-enforcement-investigative")
	if code, body := post(t, c, f.srv.URL+"/export", v); code != http.StatusBadRequest || !strings.Contains(body, "1100 reads match and this search lists at most 1000") {
		t.Fatalf("an export cut at the limit: %d", code)
	}
	if log, _ := f.store.Disseminations(t.Context(), 10); len(log) != 0 {
		t.Fatalf("refused exports in the dissemination log: %+v", log)
	}
}

// TestResultsPageThroughEveryRead: a search matching more reads than a
// page holds says how many match and which are shown, and pages back to
// the oldest and forward again, each page an audited search.
func TestResultsPageThroughEveryRead(t *testing.T) {
	f := newFixture(t)
	if _, err := f.store.DB().Exec(`INSERT INTO reads (id, captured_at, plate, plate_key, confidence, camera, vehicle, officer, gps_fix, source_file, loaded_at)
		SELECT printf('p%05d', i), TIMESTAMPTZ '2026-11-01 00:00:00+00' + to_minutes(i), 'PGE1234', 'P6E1234', 0.9, 'front', 'car7', '4127', false, 'f', now()
		FROM range(2500) t(i)`); err != nil {
		t.Fatal(err)
	}
	c := f.client(t)
	_, tok := f.login(t, c, "analyst1", testPassword)
	form := url.Values{"csrf": {tok}, "kind": {"plate"}, "plate": {"PGE1234"}, "reason": {"paging check"}, "case": {"26-0003"}}
	for _, tc := range []struct {
		page           string
		shown          string
		newer, older   bool
		newest, oldest string // the page's first and last read time, in the department's zone
	}{
		{"", "1–1000 are shown", false, true, "2026-11-02 11:39:00 CST", "2026-11-01 19:00:00 CST"},
		{"2", "1001–2000 are shown", true, true, "2026-11-01 18:59:00 CST", "2026-11-01 02:20:00 CST"},
		{"3", "2001–2500 are shown", true, false, "2026-11-01 02:19:00 CST", "2026-10-31 19:00:00 CDT"},
	} {
		t.Run("page "+tc.page, func(t *testing.T) {
			v := url.Values{}
			for k, x := range form {
				v[k] = x
			}
			if tc.page != "" {
				v.Set("page", tc.page)
			}
			code, body := post(t, c, f.srv.URL+"/search", v)
			if code != http.StatusOK || !strings.Contains(body, "2500 reads of PGE1234 match") || !strings.Contains(body, tc.shown) {
				t.Fatalf("%d, want %q: %.600s", code, tc.shown, body)
			}
			if strings.Contains(body, `id="newer"`) != tc.newer || strings.Contains(body, `id="older"`) != tc.older {
				t.Errorf("newer %v older %v: %s", strings.Contains(body, `id="newer"`), strings.Contains(body, `id="older"`), regexp.MustCompile(`<nav class="pager"[\s\S]*?</nav>`).FindString(body))
			}
			times := regexp.MustCompile(`<td>(2026-1[01]-\d\d \d\d:\d\d:\d\d C[SD]T)</td>`).FindAllStringSubmatch(body, -1)
			if len(times) == 0 || times[0][1] != tc.newest || times[len(times)-1][1] != tc.oldest {
				t.Errorf("%d rows, from %v to %v; want %s to %s", len(times), times[0], times[len(times)-1], tc.newest, tc.oldest)
			}
		})
	}
	es, err := f.store.AuditLog(context.Background(), analytics.AuditFilter{Action: "search.plate", Case: "26-0003"})
	if err != nil || len(es) != 3 {
		t.Errorf("%d audited searches (%v), want one a page", len(es), err)
	}
}

// mapOf decodes a page's map (its data-map attribute).
func mapOf(t *testing.T, body string) mapView {
	t.Helper()
	_, rest, ok := strings.Cut(body, `data-map="`)
	attr, _, ok2 := strings.Cut(rest, `"`)
	var m mapView
	if !ok || !ok2 {
		t.Fatalf("no map on the page:\n%s", body)
	}
	if err := json.Unmarshal([]byte(html.UnescapeString(attr)), &m); err != nil {
		t.Fatalf("the map's data %q: %v", attr, err)
	}
	return m
}

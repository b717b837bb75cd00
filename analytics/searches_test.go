package analytics

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

// fixedStore holds a few reads around downtown St. Louis, two hits and one
// disposition.
func fixedStore(t *testing.T) *Store {
	t.Helper()
	s := openStore(t, t.TempDir())
	base := time.Date(2026, 5, 1, 17, 0, 0, 0, time.UTC)
	// 0.0044966° of latitude is 500 m.
	for i, r := range []struct {
		plate    string
		lat, lon float64
		min      int
	}{
		{"AB1C2D", 38.6270, -90.1994, 0},
		{"A81C2D", 38.6270 + 0.0044966, -90.1994, 5},
		{"AB1C2", 38.6400, -90.2500, 10},
		{"XYZ123", 38.6270 + 0.0179864, -90.1994, 15},
		{"ABXC2D", 38.7000, -90.3000, 20},
		{"QRS456", 0, 0, 25},
	} {
		fix := r.lat != 0
		if _, err := s.DB().Exec(`INSERT INTO reads (id, captured_at, plate, plate_key, confidence, camera, vehicle, officer, gps_fix, lat, lon, source_file, loaded_at)
			VALUES (?, ?, ?, translate(?, 'ODQILZSBG', '000112586'), 0.9, 'front', 'car7', '4127', ?, ?, ?, 'f', now())`,
			fmt.Sprintf("r%d", i), base.Add(time.Duration(r.min)*time.Minute), r.plate, r.plate, fix, nullIf(fix, r.lat), nullIf(fix, r.lon)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.DB().Exec(`INSERT INTO hits (id, read_id, alerted_at, plate, matched_plate, match_kind, list_name, list_code, priority, reason, covert, officer, vehicle, source_file, loaded_at) VALUES
		('h0', 'r0', ?, 'AB1C2D', 'AB1C2D', 'exact', 'NCIC', 'V', 'medium', 'Stolen vehicle', false, '4127', 'car7', 'f', now()),
		('h1', 'r3', ?, 'XYZ123', 'XYZ123', 'exact', 'NCIC', 'W', 'high', 'Wanted person', false, '4127', 'car7', 'f', now())`, base, base.Add(15*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().Exec(`INSERT INTO dispositions (id, hit_id, event_at, step, code, officer, source_file, loaded_at) VALUES
		('d0', 'h0', ?, 'confirm', 'match', '4127', 'f', now()), ('d1', 'h0', ?, 'disposition', 'confirmed-stop', '4127', 'f', now()),
		('d2', 'h1', ?, 'confirm', 'misread', '4127', 'f', now())`, base, base, base); err != nil {
		t.Fatal(err)
	}
	return s
}

func nullIf(ok bool, v float64) any {
	if !ok {
		return nil
	}
	return v
}

var detective = Access{User: "det.smith", Reason: "robbery", Case: "26-000123"}

func plates(rs []ReadRow) string {
	var p []string
	for _, r := range rs {
		p = append(p, r.Plate)
	}
	return strings.Join(p, " ")
}

// TestSearchesGolden runs every search on the fixed store and compares the
// answers with testdata/searches.golden.
func TestSearchesGolden(t *testing.T) {
	s := fixedStore(t)
	ctx := context.Background()
	now := time.Date(2026, 5, 2, 0, 0, 0, 0, time.UTC)
	var b bytes.Buffer
	must := func(name string, rs []ReadRow, err error) {
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		fmt.Fprintf(&b, "%s: %s\n", name, plates(rs))
	}
	rs, err := s.PlateReads(ctx, detective, PlateQuery{Plate: "ab-1c2d"}, now)
	must("plate AB1C2D", rs, err)
	rs, err = s.PartialReads(ctx, detective, "AB?C*", Window{}, 0, now)
	must("partial AB?C*", rs, err)
	rs, err = s.PartialReads(ctx, detective, "*C2D", Window{}, 0, now)
	must("partial *C2D", rs, err)
	rs, err = s.MisreadReads(ctx, detective, "AB1C2D", Window{}, 0, now)
	must("misread AB1C2D", rs, err)
	rs, err = s.Stakeout(ctx, detective, StakeoutQuery{Lat: 38.6270, Lon: -90.1994, RadiusM: 1000}, now)
	must("stakeout 1 km", rs, err)
	for _, r := range rs {
		fmt.Fprintf(&b, "  %s at %.0f m\n", r.Plate, r.DistanceM)
	}
	rs, err = s.Stakeout(ctx, detective, StakeoutQuery{Lat: 38.6270, Lon: -90.1994, RadiusM: 2500, Pattern: "XYZ*"}, now)
	must("stakeout 2.5 km XYZ*", rs, err)
	// A target and a car that follows it: convoy and locate.
	base := time.Date(2026, 5, 1, 17, 0, 0, 0, time.UTC)
	for i, r := range []struct {
		plate string
		sec   int
	}{{"TGT111", 6000}, {"FOL222", 6020}, {"TGT111", 12000}, {"FOL222", 12030}, {"ONE333", 12040}, {"TGT111", 18000}, {"FOL222", 17990}} {
		if _, err := s.DB().Exec(`INSERT INTO reads (id, captured_at, plate, plate_key, vehicle, gps_fix, lat, lon, source_file, loaded_at)
			VALUES (?, ?, ?, translate(?, 'ODQILZSBG', '000112586'), 'car9', true, 38.6270, -90.1994, 'f', now())`,
			fmt.Sprintf("c%d", i), base.Add(time.Duration(r.sec)*time.Second), r.plate, r.plate); err != nil {
			t.Fatal(err)
		}
	}
	as, err := s.Convoy(ctx, detective, ConvoyQuery{Plate: "TGT111", Within: time.Minute, MinTimes: 2}, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range as {
		fmt.Fprintf(&b, "convoy TGT111: %s seen near %d of its reads\n", x.Plate, x.Times)
	}
	loc, err := s.Locate(ctx, detective, "TGT111", Window{}, now)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "locate TGT111: %d reads, %d places, first %s, last %s, by hour %v\n", loc.Reads, len(loc.Places),
		loc.First.Format(time.RFC3339), loc.Last.Format(time.RFC3339), loc.ByHour)
	rs, err = s.RetroHits(ctx, detective, []string{"AB1C2D", "QRS4S6"}, Window{}, 0, now)
	must("retro hits AB1C2D QRS4S6", rs, err)
	hs, err := s.HitsWithoutDisposition(ctx, detective, Window{}, "", "", "", now)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hs {
		fmt.Fprintf(&b, "hit without disposition: %s %s steps %v\n", h.ID, h.Plate, h.Steps)
	}
	golden := filepath.Join("testdata", "searches.golden")
	if *update {
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if !bytes.Equal(want, b.Bytes()) {
		t.Fatalf("got:\n%s\nwant:\n%s", b.Bytes(), want)
	}
	var n int
	if err := s.DB().QueryRow("SELECT count(*) FROM audit_log").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 10 {
		t.Fatalf("%d audit entries for 10 searches", n)
	}
}

func TestStakeoutDistanceIsHaversine(t *testing.T) {
	s := fixedStore(t)
	rs, err := s.Stakeout(context.Background(), detective, StakeoutQuery{Lat: 38.6270, Lon: -90.1994, RadiusM: 600}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Plate == "A81C2D" && math.Abs(r.DistanceM-500) > 1 {
			t.Fatalf("500 m north measured as %.1f m", r.DistanceM)
		}
	}
	if len(rs) != 2 {
		t.Fatalf("stakeout 600 m: %s", plates(rs))
	}
}

func TestAdHocSQLIsReadOnly(t *testing.T) {
	s := fixedStore(t)
	ctx := context.Background()
	res, err := s.SQL(ctx, detective, "SELECT plate, count(*) AS n FROM reads GROUP BY plate ORDER BY plate;", 3, time.Second, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 3 || !res.Truncated || res.Columns[0] != "plate" {
		t.Fatalf("result %+v", res)
	}
	cases := []struct{ name, q string }{
		{"insert", "INSERT INTO reads (id, captured_at, plate, source_file, loaded_at) VALUES ('x', now(), 'X', 'f', now())"},
		{"delete", "DELETE FROM audit_log"},
		{"two statements", "SELECT 1; DROP TABLE reads"},
		{"set", "SET enable_external_access = true"},
		{"copy out", "COPY reads TO '/tmp/leak.csv'"},
		{"attach", "ATTACH '/tmp/other.duckdb' AS other"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.SQL(ctx, detective, tc.q, 10, time.Second, time.Now()); !errors.Is(err, ErrNotReadOnly) {
				t.Fatalf("err %v, want ErrNotReadOnly", err)
			}
		})
	}
	closed := []struct{ name, q string }{
		{"the audit log", "SELECT * FROM audit_log"},
		{"the audit log, qualified", "SELECT count(*) FROM main.audit_log"},
		{"the audit log by catalog", "SELECT count(*) FROM alpr.main.audit_log"},
		{"the dissemination log in a subquery", "SELECT plate FROM reads WHERE id IN (SELECT what FROM disseminations)"},
		{"holds in a join", "SELECT * FROM reads r JOIN holds h ON h.plate = r.plate"},
		{"query_table", "SELECT * FROM query_table('audit_log')"},
		{"query", "SELECT * FROM query('SELECT * FROM audit_log')"},
		{"duckdb_tables", "SELECT * FROM duckdb_tables()"},
		{"information_schema", "SELECT * FROM information_schema.tables"},
		{"describe", "DESCRIBE audit_log"},
		{"show tables", "SHOW TABLES"},
		{"a WITH query named like a table", "SELECT * FROM (WITH audit_log AS (SELECT 1) SELECT * FROM audit_log), audit_log"},
		// Names that mean a WITH query in one scope and a catalog view in
		// another: what DuckDB binds decides (checkPlan).
		{"a catalog view through a WITH name", "SELECT * FROM (WITH duckdb_tables AS (SELECT 1) SELECT 1), duckdb_tables"},
		{"settings through a WITH name", "SELECT * FROM (WITH pg_settings AS (SELECT 1) SELECT 1), pg_settings"},
		{"columns through a WITH name", "SELECT * FROM (WITH duckdb_columns AS (SELECT 1) SELECT 1), duckdb_columns"},
		{"databases through a WITH name", "SELECT * FROM (WITH x AS (SELECT 1) SELECT 1), (WITH pragma_database_list AS (SELECT 1) SELECT 1) q, pragma_database_list()"},
		{"a catalog view by name", "SELECT * FROM duckdb_views"},
	}
	for _, tc := range closed {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.SQL(ctx, detective, tc.q, 10, time.Second, time.Now()); !errors.Is(err, ErrTableNotOpen) {
				t.Fatalf("err %v, want ErrTableNotOpen", err)
			}
		})
	}
	for _, q := range []string{
		"WITH h AS (SELECT read_id FROM hits) SELECT r.plate, d.code FROM reads r JOIN h ON h.read_id = r.id LEFT JOIN dispositions d ON true",
		"DESCRIBE reads",
		"SELECT count(*) FROM main.reads",
		"SELECT * FROM range(3), shift_events",
		"SELECT unnest([1, 2])",
		"SELECT * FROM (VALUES (1), (2)) v(x)",
		"WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r",
		"WITH m AS MATERIALIZED (SELECT plate FROM reads) SELECT * FROM m, m m2",
		"SELECT * FROM reads r WHERE EXISTS (SELECT 1 FROM hits h WHERE h.read_id = r.id)",
	} {
		if _, err := s.SQL(ctx, detective, q, 10, time.Second, time.Now()); err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
	t.Run("a SELECT that reads a server file", func(t *testing.T) {
		if _, err := s.SQL(ctx, detective, "SELECT * FROM read_csv('/etc/passwd')", 10, time.Second, time.Now()); err == nil {
			t.Fatal("read a file outside the store")
		}
	})
	var refused int
	if err := s.DB().QueryRow("SELECT count(*) FROM audit_log WHERE action = 'sql.refused'").Scan(&refused); err != nil {
		t.Fatal(err)
	}
	// read_csv is refused too: not a table function open to the console.
	if refused != len(cases)+len(closed)+1 {
		t.Fatalf("%d refusals audited, want %d", refused, len(cases)+len(closed)+1)
	}
	var reads int
	if err := s.DB().QueryRow("SELECT count(*) FROM reads").Scan(&reads); err != nil {
		t.Fatal(err)
	}
	if reads != 6 {
		t.Fatalf("reads changed: %d", reads)
	}
}

func TestGeofence(t *testing.T) {
	s := fixedStore(t)
	// A triangle around the first two reads (38.6270 and 38.6315 north of
	// the centre) that leaves out the others.
	tri := []Point{{38.6250, -90.2020}, {38.6250, -90.1960}, {38.6330, -90.1990}}
	rs, err := s.Geofence(context.Background(), detective, tri, Window{}, "", 0, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got := plates(rs); got != "A81C2D AB1C2D" {
		t.Fatalf("inside the triangle: %s", got)
	}
	// An L whose bounding box holds the two reads but whose notch leaves
	// them out: the inside test, not the box, decides.
	ell := []Point{{38.620, -90.21}, {38.640, -90.21}, {38.640, -90.205}, {38.625, -90.205}, {38.625, -90.19}, {38.620, -90.19}}
	rs, _ = s.Geofence(context.Background(), detective, ell, Window{}, "", 0, time.Now())
	if len(rs) != 0 {
		t.Fatalf("in the L's notch but returned: %s", plates(rs))
	}
	if _, err := s.Geofence(context.Background(), detective, tri[:2], Window{}, "", 0, time.Now()); err == nil {
		t.Fatal("a two-point polygon was accepted")
	}
}

func TestStakeoutRefusesWhatIsNotAPlace(t *testing.T) {
	s := fixedStore(t)
	nan, inf := math.NaN(), math.Inf(1)
	cases := []struct {
		name string
		q    StakeoutQuery
	}{
		{"latitude NaN", StakeoutQuery{Lat: nan, Lon: -90, RadiusM: 100}},
		{"longitude infinite", StakeoutQuery{Lat: 38, Lon: inf, RadiusM: 100}},
		{"radius NaN", StakeoutQuery{Lat: 38, Lon: -90, RadiusM: nan}},
		{"latitude past the pole", StakeoutQuery{Lat: 90.5, Lon: -90, RadiusM: 100}},
		{"radius over 50 km", StakeoutQuery{Lat: 38, Lon: -90, RadiusM: 50_001}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.Stakeout(context.Background(), detective, tc.q, time.Now()); err == nil {
				t.Fatalf("stakeout %+v accepted", tc.q)
			}
		})
	}
}

// TestSQLRefusesEveryCatalogView asks DuckDB for every view of its
// catalog (duckdb_tables, pg_settings, information_schema's …) and
// reaches each from the console both by name and through a WITH query of
// the same name in another scope: every one is refused, and audited.
func TestSQLRefusesEveryCatalogView(t *testing.T) {
	s := fixedStore(t)
	ctx := context.Background()
	rows, err := s.DB().Query("SELECT DISTINCT schema_name, view_name FROM duckdb_views() WHERE internal ORDER BY ALL")
	if err != nil {
		t.Fatal(err)
	}
	var views [][2]string
	for rows.Next() {
		var v [2]string
		if err := rows.Scan(&v[0], &v[1]); err != nil {
			t.Fatal(err)
		}
		views = append(views, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if len(views) < 10 {
		t.Fatalf("DuckDB lists %d catalog views", len(views))
	}
	n := 0
	for _, v := range views {
		name := v[1]
		if v[0] != "main" && v[0] != "pg_catalog" {
			name = v[0] + "." + v[1]
		}
		for _, q := range []string{
			"SELECT * FROM " + name,
			fmt.Sprintf("SELECT * FROM (WITH %s AS (SELECT 1) SELECT 1), %s", v[1], name),
		} {
			n++
			if _, err := s.SQL(ctx, detective, q, 10, time.Second, time.Now()); !errors.Is(err, ErrTableNotOpen) && !errors.Is(err, ErrNotReadOnly) {
				t.Errorf("%s: err %v, want a refusal", q, err)
			}
		}
	}
	var refused int
	if err := s.DB().QueryRow("SELECT count(*) FROM audit_log WHERE action = 'sql.refused'").Scan(&refused); err != nil {
		t.Fatal(err)
	}
	if refused != n {
		t.Fatalf("%d refusals audited for %d queries", refused, n)
	}
}

// TestSearchesCountEveryMatch: a search cut at its limit says how many
// reads matched in all, and an export that would be cut is refused, in
// the audit log, rather than cut.
func TestSearchesCountEveryMatch(t *testing.T) {
	s := fixedStore(t)
	ctx := context.Background()
	if _, err := s.DB().Exec(`INSERT INTO reads (id, captured_at, plate, plate_key, confidence, camera, vehicle, officer, gps_fix, source_file, loaded_at)
		SELECT 'm' || i, TIMESTAMPTZ '2026-05-02 10:00:00+00' + i * INTERVAL 1 MINUTE, 'MANY12', 'MANY12', 0.9, 'front', 'car7', '4127', false, 'f', now()
		FROM range(25) t(i)`); err != nil {
		t.Fatal(err)
	}
	rows, err := s.PlateReads(ctx, detective, PlateQuery{Plate: "MANY12", Limit: 10}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 10 || Matched(rows) != 25 {
		t.Fatalf("%d rows, %d matched; want 10 of 25", len(rows), Matched(rows))
	}
	if rows, _ := s.PartialReads(ctx, detective, "MANY*", Window{}, 5, time.Now()); len(rows) != 5 || Matched(rows) != 25 {
		t.Fatalf("partial: %d rows of %d", len(rows), Matched(rows))
	}
	if rows, _ := s.PlateReads(ctx, detective, PlateQuery{Plate: "MANY12"}, time.Now()); len(rows) != 25 || Matched(rows) != 25 {
		t.Fatalf("under the limit: %d rows of %d", len(rows), Matched(rows))
	}
	if err := s.AddAgency(ctx, "it1", Agency{ORI: "MOMHP0000", Name: "MSHP"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.ExportPlateReads(ctx, detective, PlateQuery{Plate: "MANY12", Limit: 10},
		Dissemination{Recipient: "MSHP", Purpose: "robbery", Basis: BasisInvestigative}, time.Now())
	if !errors.Is(err, ErrExportTooLarge) || !strings.Contains(err.Error(), "25 reads match") {
		t.Fatalf("an export of 25 reads cut at 10: %v", err)
	}
	if log, _ := s.Disseminations(ctx, 0); len(log) != 0 {
		t.Fatalf("a refused export is in the dissemination log: %+v", log)
	}
	if e, _ := s.AuditLog(ctx, AuditFilter{Action: "export.refused"}); len(e) != 1 {
		t.Fatalf("%d refusals audited", len(e))
	}
}

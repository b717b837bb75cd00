package ingest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestImportCSV(t *testing.T) {
	dir := t.TempDir()
	mp := filepath.Join(dir, "stc.json")
	if err := os.WriteFile(mp, []byte(`{"agency": "St. Charles County PD", "time_layout": "2006-01-02 15:04:05", "time_zone": "America/Chicago",
		"columns": {"plate": "Plate", "time": "ReadTime", "lat": "Latitude", "lon": "Longitude", "camera": "Camera"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := LoadReadMapping(mp)
	if err != nil {
		t.Fatal(err)
	}
	good := "Plate,ReadTime,Latitude,Longitude,Camera\nab-1c2d,2026-05-01 08:00:00,38.78,-90.48,I-70 WB\nXYZ123,2026-05-01 08:05:00,,,I-70 EB\n"
	csvPath := filepath.Join(dir, "stc.csv")
	if err := os.WriteFile(csvPath, []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	s := openStore(t)
	ctx := context.Background()
	rep, err := ImportCSV(ctx, s, csvPath, m, false, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows != 2 || rep.Loaded != 1 {
		t.Fatalf("report %+v", rep)
	}
	var plate, vehicle string
	var fix bool
	if err := s.DB().QueryRow("SELECT plate, vehicle, gps_fix FROM reads WHERE captured_at = TIMESTAMPTZ '2026-05-01 13:00:00+00'").Scan(&plate, &vehicle, &fix); err != nil {
		t.Fatal(err)
	}
	if plate != "AB1C2D" || vehicle != "St. Charles County PD" || !fix {
		t.Fatalf("imported read %s %s %v (the time is Chicago's)", plate, vehicle, fix)
	}
	// The same export again loads nothing.
	rep, err = ImportCSV(ctx, s, csvPath, m, false, testOpts())
	if err != nil || rep.Loaded != 0 || rep.AlreadyLoaded != 1 {
		t.Fatalf("second import: %+v %v", rep, err)
	}

	bad := good + "QQQ999,yesterday,,,x\n"
	if err := os.WriteFile(csvPath, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ImportCSV(ctx, s, csvPath, m, false, testOpts()); !errors.Is(err, ErrImport) || !strings.Contains(err.Error(), "stc.csv:4: bad time") {
		t.Fatalf("bad line: %v", err)
	}
	rep, err = ImportCSV(ctx, s, csvPath, m, true, testOpts())
	if err != nil || len(rep.Skipped) != 1 || rep.Rows != 2 {
		t.Fatalf("skip-bad: %+v %v", rep, err)
	}
}

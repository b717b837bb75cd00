package benchmarks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCapacityRows(t *testing.T) {
	c := &CapacityResult{Search: SearchResult{Reads: 100_000_000, DBBytes: 8_000_000_000}, CropBytes: 4000}
	rows := CapacityRows(c)
	if len(rows) != len(capacityFleets) {
		t.Fatalf("%d rows, want %d", len(rows), len(capacityFleets))
	}
	for _, r := range rows {
		wantDay := r.Fleet.Cars*carReadsPerDay + r.Fleet.Fixed*fixedReadsPerDay
		if r.ReadsPerDay != wantDay || r.Reads != wantDay*retentionDays {
			t.Errorf("fleet %+v: %d a day, %d in six months; want %d, %d", r.Fleet, r.ReadsPerDay, r.Reads, wantDay, wantDay*retentionDays)
		}
		// 80 bytes a read in the database, 4 KB of crop.
		if db, img := float64(r.Reads)*80/1e9, float64(r.Reads)*4000/1e9; !near(r.DBGB, db) || !near(r.ImagesGB, img) || !near(r.TotalGB, db+img) {
			t.Errorf("fleet %+v: %.2f + %.2f = %.2f GB, want %.2f + %.2f", r.Fleet, r.DBGB, r.ImagesGB, r.TotalGB, db, img)
		}
		if r.Measured != (r.Reads <= c.Search.Reads) {
			t.Errorf("fleet %+v: measured %v with %d reads against a store of %d", r.Fleet, r.Measured, r.Reads, c.Search.Reads)
		}
	}
	if rows[0].Measured == rows[len(rows)-1].Measured {
		t.Errorf("the fleets should run from inside the measured store to beyond it: %+v", rows)
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

func TestLoadCapacity(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, path, wantErr string
	}{
		{"a run", write("ok.json", `{"search":{"reads":1000,"db_bytes":90000,"retro":{"p50_ms":1,"p95_ms":2}},"crop_bytes":3500}`), ""},
		{"missing", filepath.Join(dir, "none.json"), "no such file"},
		{"not JSON", write("bad.json", "{"), "capacity file"},
		{"no store", write("empty.json", `{"search":{}}`), "no store measured"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := LoadCapacity(tt.path)
			if tt.wantErr == "" {
				if err != nil || c.Search.Retro == nil || c.Search.Retro.P95Ms != 2 {
					t.Fatalf("got %+v, %v", c, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want one with %q", err, tt.wantErr)
			}
		})
	}
}

package retention

import (
	"context"
	"testing"
	"time"

	"github.com/plateward/alpr/analytics"
)

func TestDryRunCountsDueAndHeldReads(t *testing.T) {
	ctx := context.Background()
	st, err := analytics.Open(ctx, analytics.DefaultOptions(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p, _ := DefaultPolicy()
	old := time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)
	recent := time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)
	ins := `INSERT INTO reads (id, captured_at, plate, plate_key, source_file, loaded_at) VALUES ($1, $2, $3, translate($3, 'ODQILZSBG', '000112586'), 'f', now())`
	for i, r := range []struct {
		at    time.Time
		plate string
	}{{old, "AB1C2D"}, {old, "AB1C2D"}, {old, "XYZ123"}, {old.Add(time.Minute), "QRS456"}, {recent, "AB1C2D"}} {
		if _, err := st.DB().Exec(ins, string(rune('a'+i)), r.at, r.plate); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.DB().Exec(`INSERT INTO holds (id, case_number, plate, requester, reason, created_at, created_by)
		VALUES ('h1', '26-77', 'AB1C2D', 'det.smith', 'evidence in robbery', now(), 'clerk')`); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, p.Zone)
	rep, err := DryRun(ctx, st, p, now)
	if err != nil {
		t.Fatal(err)
	}
	if rep.DueDays != 1 || rep.ReadsDue != 2 || rep.ReadsHeld != 2 {
		t.Fatalf("due days %d, due %d, held %d; want 1, 2, 2", rep.DueDays, rep.ReadsDue, rep.ReadsHeld)
	}
	var n int
	if err := st.DB().QueryRow("SELECT count(*) FROM reads").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 5 {
		t.Fatalf("a dry run changed the store: %d reads", n)
	}
}

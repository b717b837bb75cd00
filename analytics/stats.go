package analytics

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Stats is what the station's monitoring reads from the store: counts
// kept in its permanent tables, so they survive restarts and are the same
// whichever process asks.
type Stats struct {
	Reads                  int64
	AuditByAction          map[string]int64 // audit entries by action (search.plate, login, export, …)
	IngestFiles            map[string]int64 // drive files loaded, by kind
	IngestRows             map[string]int64 // rows loaded, by kind
	Quarantined            int64            // drive files quarantined
	DestroyedBySeries      map[string]int64 // records destroyed, from the destruction log
	Jobs                   []JobStat
	Hotlists               []HotlistStat
	HitsWithoutDisposition int64
}

// JobStat is a scheduled job's runs.
type JobStat struct {
	Job        string
	OK, Failed int64
	LastOK     time.Time // zero if it never succeeded
}

// HotlistStat is a hot list's version in use.
type HotlistStat struct {
	List      string
	FetchedAt time.Time // when the version in use was first fetched
	CheckedAt time.Time // the last fetch that found it still current
}

// Stats reads the store's counts. It reads no record values.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	st := Stats{AuditByAction: map[string]int64{}, IngestFiles: map[string]int64{}, IngestRows: map[string]int64{},
		DestroyedBySeries: map[string]int64{}}
	db := s.db
	one := func(q string, dst *int64) error {
		if err := db.QueryRowContext(ctx, q).Scan(dst); err != nil {
			return fmt.Errorf("stats: %w", err)
		}
		return nil
	}
	if err := one(`SELECT count(*) FROM reads`, &st.Reads); err != nil {
		return st, err
	}
	if err := one(`SELECT count(*) FROM ingest_quarantine`, &st.Quarantined); err != nil {
		return st, err
	}
	// A hit still waiting for its officer's disposition (order C.2b).
	if err := one(`SELECT count(*) FROM hits h WHERE NOT EXISTS
		(SELECT 1 FROM dispositions d WHERE d.hit_id = h.id AND d.step = 'disposition')`, &st.HitsWithoutDisposition); err != nil {
		return st, err
	}
	groups := []struct {
		q   string
		dst func(k string, a, b int64)
	}{
		{`SELECT action, count(*), 0 FROM audit_log GROUP BY action`, func(k string, a, _ int64) { st.AuditByAction[k] = a }},
		{`SELECT kind, count(*), coalesce(sum(rows), 0) FROM ingest_manifest GROUP BY kind`, func(k string, a, b int64) {
			st.IngestFiles[k], st.IngestRows[k] = a, b
		}},
		{`SELECT series, coalesce(sum(rows_destroyed), 0), 0 FROM destruction_log GROUP BY series`, func(k string, a, _ int64) {
			st.DestroyedBySeries[k] = a
		}},
	}
	for _, g := range groups {
		if err := scanGroups(ctx, db, g.q, g.dst); err != nil {
			return st, err
		}
	}
	rows, err := db.QueryContext(ctx, `SELECT job, count(*) FILTER (WHERE ok), count(*) FILTER (WHERE NOT ok),
		max(finished_at) FILTER (WHERE ok) FROM job_runs GROUP BY job ORDER BY job`)
	if err != nil {
		return st, fmt.Errorf("stats: %w", err)
	}
	for rows.Next() {
		var j JobStat
		var last sql.NullTime
		if err := rows.Scan(&j.Job, &j.OK, &j.Failed, &last); err != nil {
			rows.Close()
			return st, err
		}
		j.LastOK = last.Time
		st.Jobs = append(st.Jobs, j)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return st, err
	}
	rows, err = db.QueryContext(ctx, `SELECT list, fetched_at, checked_at FROM hotlist_versions WHERE state = 'current' ORDER BY list`)
	if err != nil {
		return st, fmt.Errorf("stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var h HotlistStat
		if err := rows.Scan(&h.List, &h.FetchedAt, &h.CheckedAt); err != nil {
			return st, err
		}
		st.Hotlists = append(st.Hotlists, h)
	}
	return st, rows.Err()
}

func scanGroups(ctx context.Context, db *sql.DB, q string, fn func(k string, a, b int64)) error {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var a, b int64
		if err := rows.Scan(&k, &a, &b); err != nil {
			return err
		}
		fn(k, a, b)
	}
	return rows.Err()
}

// Ping checks the store answers.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.db.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Work is what waits for someone's action, counted for the dashboard:
// counts only, no plate, no record's content (reading the records behind
// them is an audited search on their own pages).
type Work struct {
	OpenDispatch       int64 // hits on the dispatch board not yet acknowledged
	RetroUnreviewed    int64 // retro hits not yet reviewed
	HoldsEnding        int64 // active holds whose end falls in the next 30 days
	Authorisations     int64 // the Chief's authorisations in force
	AuthorisationsSoon int64 // of those, ending in the next 7 days
}

// WorkCounts counts what waits, as of now.
func (s *Store) WorkCounts(ctx context.Context, now time.Time) (Work, error) {
	var w Work
	err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM dispatch_hits WHERE acked_at IS NULL),
		(SELECT count(*) FROM retro_queue WHERE reviewed_at IS NULL),
		(SELECT count(*) FROM holds WHERE released_at IS NULL AND until_ts IS NOT NULL AND until_ts >= $1 AND until_ts < $1 + INTERVAL 30 DAY),
		(SELECT count(*) FROM authorisations WHERE expires_at > $1 AND revoked_at IS NULL),
		(SELECT count(*) FROM authorisations WHERE expires_at > $1 AND revoked_at IS NULL AND expires_at < $1 + INTERVAL 7 DAY)`, now).
		Scan(&w.OpenDispatch, &w.RetroUnreviewed, &w.HoldsEnding, &w.Authorisations, &w.AuthorisationsSoon)
	if err != nil {
		return w, fmt.Errorf("count the work waiting: %w", err)
	}
	return w, nil
}

package retention

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/analytics/imagepack"
	"github.com/plateward/alpr/internal/fsutil"
)

// EvidenceDir is where held images go, inside the image store, when their
// day's folder is destroyed.
const EvidenceDir = "evidence"

// PurgeOptions configures a purge.
type PurgeOptions struct {
	Policy        Policy
	PolicyVersion string // recorded in the destruction log; Policy.Version when empty
	Actor         string // the job or user that runs it
	Logger        *slog.Logger
	// Ledger, when set, records every destruction with its ids before it
	// commits (see FileLedger): a station that keeps backups must set it,
	// or a restore could bring back what a purge destroyed.
	Ledger Ledger
	// crashAfter, in tests, stops the purge after a day reaches this state,
	// as a crash would; beforeSweep runs between the plan and the sweep.
	crashAfter  string
	beforeSweep func()
}

// PurgeReport is what a purge destroyed and kept.
type PurgeReport struct {
	RunID     string
	Days      []string
	Reads     int64
	Hits      int64
	Images    int64
	Held      int64
	Resumed   int // days an interrupted run had left half done
	Remaining int // due days not reached (the context ended)
	// Series counts the rows destroyed of the series kept by their own
	// period (shift records, dissemination and destruction logs).
	Series map[string]int64
}

// ErrNoLedger is a purge without a destruction ledger on a station that
// keeps backups: a restore from a backup would bring back what it
// destroyed.
var ErrNoLedger = errors.New("purge: this station keeps backups: give the purge the backup folder and key (--backup-dir, --backup-to) so a restore cannot bring back what it destroys")

// errCrash stops a purge in tests.
var errCrash = errors.New("simulated crash")

// Purge destroys every record past its retention that no hold keeps, day
// by day, marking then sweeping:
//
//  1. the day is marked in purge_marks;
//  2. the images of held reads are copied to the evidence store;
//  3. in one transaction: holds are read again, the day's unheld reads,
//     their hits and the hits' dispositions are deleted, held reads point
//     at their evidence copies, a destruction-log row per series records
//     the counts and a SHA-256 over the destroyed ids, and the mark
//     becomes "rows";
//  4. the day's image folder is removed, and the day's marks are deleted;
//  5. at the end, a CHECKPOINT writes the deletions into the database file
//     and truncates the write-ahead log.
//
// A crash after 3 leaves images without rows, never rows without images;
// the next run finds the "rows" mark and finishes the sweep.
func Purge(ctx context.Context, st *analytics.Store, o PurgeOptions, now time.Time) (PurgeReport, error) {
	rep := PurgeReport{RunID: uuid.Must(uuid.NewV7()).String()}
	if err := o.Policy.Validate(); err != nil {
		return rep, err
	}
	if o.PolicyVersion == "" {
		o.PolicyVersion = o.Policy.Version
	}
	if o.Actor == "" || o.PolicyVersion == "" {
		return rep, errors.New("purge: an actor and a policy version are required for the destruction log")
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Ledger == nil {
		var backups int
		if err := st.DB().QueryRowContext(ctx, `SELECT count(*) FROM audit_log WHERE action = 'backup'`).Scan(&backups); err != nil {
			return rep, fmt.Errorf("purge: %w", err)
		}
		if backups > 0 {
			return rep, ErrNoLedger
		}
	}
	if err := resume(ctx, st, &rep, now); err != nil {
		return rep, err
	}
	plan, err := DryRun(ctx, st, o.Policy, now)
	if err != nil {
		return rep, err
	}
	for i, dp := range plan.Days {
		if !dp.Due || dp.Whole {
			continue
		}
		if ctx.Err() != nil {
			for _, d := range plan.Days[i:] {
				if d.Due && !d.Whole {
					rep.Remaining++
				}
			}
			return rep, ctx.Err()
		}
		if err := purgeDay(ctx, st, o, rep.RunID, dp.Day.Day, now, &rep); err != nil {
			return rep, fmt.Errorf("purge %s: %w", dp.Day.Day, err)
		}
	}
	if err := purgeLogs(ctx, st, o, rep.RunID, now, &rep); err != nil {
		return rep, err
	}
	if len(rep.Days) > 0 || len(rep.Series) > 0 || rep.Resumed > 0 {
		// Write the deletions into the database file and truncate the
		// write-ahead log, which would otherwise keep destroyed rows, and
		// grow, until DuckDB's own threshold.
		if err := st.Checkpoint(ctx); err != nil {
			return rep, fmt.Errorf("after purge: %w", err)
		}
	}
	return rep, nil
}

func mark(ctx context.Context, q interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, run, day, state string, now time.Time) error {
	_, err := q.ExecContext(ctx, `INSERT INTO purge_marks (run_id, day, state, event_at) VALUES (?, ?, ?, ?)`, run, day, state, now)
	return err
}

// unmark forgets a finished day's marks: the destruction log is the
// record; the marks only serve an interrupted run.
func unmark(ctx context.Context, st *analytics.Store, run, day string) error {
	_, err := st.DB().ExecContext(ctx, `DELETE FROM purge_marks WHERE run_id = ? AND day = ?`, run, day)
	return err
}

// resume finishes the sweep of days an interrupted run left at "rows".
func resume(ctx context.Context, st *analytics.Store, rep *PurgeReport, now time.Time) error {
	// A day marked but without "rows" crashed before its transaction
	// committed: nothing of it was removed, and the plan finds it again.
	if _, err := st.DB().ExecContext(ctx, `DELETE FROM purge_marks m WHERE NOT EXISTS
		(SELECT 1 FROM purge_marks r WHERE r.run_id = m.run_id AND r.day = m.day AND r.state = 'rows')`); err != nil {
		return fmt.Errorf("clear purge marks: %w", err)
	}
	rows, err := st.DB().QueryContext(ctx, `SELECT DISTINCT run_id, strftime(day, '%Y-%m-%d') FROM purge_marks WHERE state = 'rows'`)
	if err != nil {
		return fmt.Errorf("read purge marks: %w", err)
	}
	type rd struct{ run, day string }
	var todo []rd
	for rows.Next() {
		var x rd
		if err := rows.Scan(&x.run, &x.day); err != nil {
			rows.Close()
			return err
		}
		todo = append(todo, x)
	}
	rows.Close()
	for _, x := range todo {
		if err := os.RemoveAll(filepath.Join(st.ImageRoot(), x.day)); err != nil {
			return fmt.Errorf("resume purge of %s: %w", x.day, err)
		}
		if err := unmark(ctx, st, x.run, x.day); err != nil {
			return err
		}
		rep.Resumed++
	}
	return nil
}

func purgeDay(ctx context.Context, st *analytics.Store, o PurgeOptions, run, day string, now time.Time, rep *PurgeReport) error {
	if err := mark(ctx, st.DB(), run, day, "marked", now); err != nil {
		return err
	}
	dayOf := dayCond(st.TimeZone())
	if o.beforeSweep != nil {
		o.beforeSweep()
	}
	// Holds are read again now, at sweep time: one placed since the plan
	// was made still keeps its records.
	holds, err := LoadHolds(ctx, st)
	if err != nil {
		return err
	}
	heldCond, heldArgs := heldClause(holds, now)

	// Copy held images (crops and overviews) to the evidence store before
	// anything is removed.
	keep, err := copyToEvidence(ctx, st, day, heldCond, heldArgs)
	if err != nil {
		return err
	}

	tx, err := st.DB().BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	ids := func(q string, args ...any) ([]string, error) {
		r, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		defer r.Close()
		var out []string
		for r.Next() {
			var s string
			if err := r.Scan(&s); err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, r.Err()
	}
	readArgs := append([]any{day}, heldArgs...)
	doomedReads, err := ids(`SELECT id FROM reads WHERE `+dayOf("captured_at")+` AND NOT (`+heldCond+`) ORDER BY id`, readArgs...)
	if err != nil {
		return fmt.Errorf("select reads: %w", err)
	}
	// A hit goes with its read; a hit whose read is held stays with it.
	doomedHits, err := ids(`SELECT h.id FROM hits h WHERE `+dayOf("h.alerted_at")+`
		AND NOT EXISTS (SELECT 1 FROM reads r WHERE r.id = h.read_id AND (`+heldCond+`)) ORDER BY h.id`, readArgs...)
	if err != nil {
		return fmt.Errorf("select hits: %w", err)
	}
	var doomedDisps []string
	if len(doomedHits) > 0 {
		if doomedDisps, err = ids(`SELECT id FROM dispositions WHERE hit_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY id`, doomedHits); err != nil {
			return fmt.Errorf("select dispositions: %w", err)
		}
	}
	var held int64
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM reads WHERE `+dayOf("captured_at")+` AND (`+heldCond+`)`, readArgs...).Scan(&held); err != nil {
		return err
	}
	for _, del := range []struct {
		table string
		ids   []string
	}{{"dispositions", doomedDisps}, {"hits", doomedHits}, {"reads", doomedReads}} {
		// A retro-hit queue item points at a read, a dispatch copy is of a
		// hit: each goes with it.
		if del.table == "reads" && len(del.ids) > 0 {
			if _, err := tx.ExecContext(ctx, `DELETE FROM retro_queue WHERE read_id IN (SELECT unnest(?::VARCHAR[]))`, del.ids); err != nil {
				return fmt.Errorf("delete retro queue items: %w", err)
			}
		}
		if del.table == "hits" && len(del.ids) > 0 {
			if _, err := tx.ExecContext(ctx, `DELETE FROM dispatch_hits WHERE id IN (SELECT unnest(?::VARCHAR[]))`, del.ids); err != nil {
				return fmt.Errorf("delete dispatch copies: %w", err)
			}
		}
		if len(del.ids) == 0 {
			continue
		}
		//nolint:gosec // del.table comes from a fixed list of table names; ids are bound
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+del.table+` WHERE id IN (SELECT unnest(?::VARCHAR[]))`, del.ids); err != nil {
			return fmt.Errorf("delete %s: %w", del.table, err)
		}
	}
	if len(keep) > 0 {
		if err := pointAtEvidence(ctx, tx, st.TimeZone(), day, heldCond, readArgs); err != nil {
			return err
		}
	}
	// The day folder's files are the doomed reads' images (the held ones
	// were copied out): crops and overviews, counted apart for the log.
	crops, overviews, err := countImages(filepath.Join(st.ImageRoot(), day), o.Logger)
	if err != nil {
		return err
	}
	var heldCrops, heldOverviews int64
	for _, x := range keep {
		if x.suffix == overviewSuffix {
			heldOverviews++
		} else {
			heldCrops++
		}
	}
	cropIDs, overviewIDs := imageIDs(doomedReads, crops), imageIDs(doomedReads, overviews)
	var entries []LedgerEntry
	for _, s := range []struct {
		series string
		ids    []string
		files  int64
		held   int64
	}{{SeriesReads, doomedReads, 0, held}, {SeriesPlateImages, cropIDs, int64(len(cropIDs)), heldCrops},
		{SeriesOverviewImages, overviewIDs, int64(len(overviewIDs)), heldOverviews},
		{SeriesHits, doomedHits, 0, 0}, {SeriesDispositions, doomedDisps, 0, 0}} {
		if len(s.ids) == 0 && s.held == 0 {
			continue
		}
		entries = append(entries, LedgerEntry{ID: uuid.Must(uuid.NewV7()).String(), RunID: run, At: now, Series: s.series, Day: day,
			Rows: int64(len(s.ids)), Files: max(0, s.files), Held: s.held, Actor: o.Actor, PolicyVersion: o.PolicyVersion,
			IDsSHA256: digest(s.ids), IDs: s.ids})
	}
	if err := logDestruction(ctx, tx, o.Ledger, entries); err != nil {
		return err
	}
	if err := mark(ctx, tx, run, day, "rows", now); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit purge: %w", err)
	}
	if o.crashAfter == "rows" {
		return errCrash
	}
	if err := os.RemoveAll(filepath.Join(st.ImageRoot(), day)); err != nil {
		return fmt.Errorf("remove image day: %w", err)
	}
	if err := unmark(ctx, st, run, day); err != nil {
		return err
	}
	rep.Days = append(rep.Days, day)
	rep.Reads += int64(len(doomedReads))
	rep.Hits += int64(len(doomedHits))
	rep.Images += int64(len(cropIDs) + len(overviewIDs))
	rep.Held += held
	o.Logger.Info("destroyed", "day", day, "reads", len(doomedReads), "hits", len(doomedHits), "held", held)
	return nil
}

// heldImage is a held read's image copied to the evidence store.
type heldImage struct{ id, path, suffix string }

// copyToEvidence copies the images (crops and overviews) of a day's reads
// that cond (a condition on reads, with args) keeps, and that are still in
// the day's folder, to the evidence store, as files named after their
// read.
func copyToEvidence(ctx context.Context, st *analytics.Store, day, cond string, args []any) ([]heldImage, error) {
	dayOf := dayCond(st.TimeZone())
	q := `SELECT id, crop_path, '.jpg' FROM reads WHERE ` + dayOf("captured_at") + ` AND ` + notEvidence("crop_path") +
		` AND (` + cond + `) UNION ALL SELECT id, overview_path, '` + overviewSuffix + `' FROM reads WHERE ` + dayOf("captured_at") +
		` AND ` + notEvidence("overview_path") + ` AND (` + cond + `)`
	rows, err := st.DB().QueryContext(ctx, q, append(append(append([]any{day}, args...), day), args...)...)
	if err != nil {
		return nil, fmt.Errorf("find held images: %w", err)
	}
	// An image is a file or a range of a day's pack; its evidence copy is
	// a file named after its read.
	var keep []heldImage
	for rows.Next() {
		var x heldImage
		if err := rows.Scan(&x.id, &x.path, &x.suffix); err != nil {
			rows.Close()
			return nil, err
		}
		keep = append(keep, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	evDir := filepath.Join(st.ImageRoot(), EvidenceDir)
	if len(keep) > 0 {
		if err := os.MkdirAll(evDir, 0o750); err != nil {
			return nil, err
		}
	}
	for _, x := range keep {
		b, err := st.ReadImage(x.path)
		if err != nil {
			return nil, fmt.Errorf("held image of read %s: %w", x.id, err)
		}
		if err := fsutil.WriteFile(filepath.Join(evDir, x.id+x.suffix), b); err != nil {
			return nil, err
		}
	}
	return keep, nil
}

// pointAtEvidence points the images of a day's reads that cond keeps at
// their evidence copies; args are the day, then cond's.
func pointAtEvidence(ctx context.Context, tx *sql.Tx, tz, day, cond string, args []any) error {
	dayOf := dayCond(tz)
	for _, c := range [][2]string{{"crop_path", ".jpg"}, {"overview_path", overviewSuffix}} {
		col := c[0]
		if _, err := tx.ExecContext(ctx, `UPDATE reads SET `+col+` = '`+EvidenceDir+`/' || id || '`+c[1]+`' WHERE `+dayOf("captured_at")+ //nolint:gosec // col and its suffix come from a fixed list; values are bound
			` AND `+notEvidence(col)+` AND (`+cond+`)`, args...); err != nil {
			return fmt.Errorf("point held reads at evidence: %w", err)
		}
	}
	return nil
}

// dayCond returns a condition on a timestamp column true on the local day
// given as its one argument (YYYY-MM-DD) in zone tz.
func dayCond(tz string) func(col string) string {
	return func(col string) string {
		return fmt.Sprintf("strftime(timezone('%s', %s), '%%Y-%%m-%%d') = ?", tz, col)
	}
}

// notEvidence is true for an image path that is not yet in the evidence
// store.
func notEvidence(col string) string {
	return col + ` IS NOT NULL AND NOT starts_with(` + col + `, '` + EvidenceDir + `/')`
}

// heldClause is a SQL condition on reads (columns plate, id, captured_at)
// true for a read that an active hold keeps, with its arguments.
func heldClause(holds []Hold, now time.Time) (string, []any) {
	cond := "false"
	var args []any
	for _, h := range holds {
		if !h.Active(now) {
			continue
		}
		cond += " OR ((? = '' OR plate = ?) AND (? = '' OR id = ?) AND (? OR captured_at >= ?) AND (? OR captured_at < ?))"
		args = append(args, h.Plate, h.Plate, h.ReadID, h.ReadID, h.From.IsZero(), h.From, h.To.IsZero(), h.To)
	}
	return cond, args
}

// digest is the SHA-256 over sorted ids, one per line: the certificate
// that these records, and only these, were destroyed.
func digest(ids []string) string {
	s := append([]string(nil), ids...)
	sort.Strings(s)
	h := sha256.New()
	for _, id := range s {
		h.Write([]byte(id))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// overviewSuffix ends an overview image's name in the image store; a
// crop is "<read id>.jpg".
const overviewSuffix = ".overview.jpg"

// countImages lists the read ids whose crop and overview images are in a
// day folder, as files or in packs (none if it is gone).
func countImages(dir string, log *slog.Logger) (crops, overviews map[string]bool, err error) {
	crops, overviews = map[string]bool{}, map[string]bool{}
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return crops, overviews, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("list images: %w", err)
	}
	for _, e := range ents {
		name := e.Name()
		if strings.HasSuffix(name, imagepack.Ext) {
			// A damaged pack still counts the images before the damage;
			// it is removed with its day all the same.
			es, err := imagepack.Scan(filepath.Join(dir, name))
			if err != nil {
				log.Warn("image pack damaged: counted up to the damage", "pack", name, "images", len(es), "err", err)
			}
			for _, x := range es {
				if x.Kind == imagepack.Overview {
					overviews[x.ID] = true
				} else {
					crops[x.ID] = true
				}
			}
			continue
		}
		if id, ok := strings.CutSuffix(name, overviewSuffix); ok {
			overviews[id] = true
		} else if id, ok := strings.CutSuffix(name, ".jpg"); ok {
			crops[id] = true
		}
	}
	return crops, overviews, nil
}

// imageIDs are the doomed reads whose image is present.
func imageIDs(reads []string, present map[string]bool) []string {
	var out []string
	for _, id := range reads {
		if present[id] {
			out = append(out, id)
		}
	}
	return out
}

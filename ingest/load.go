package ingest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/duckdb/duckdb-go/v2"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/edge/drive"
	"github.com/plateward/alpr/internal/fsutil"
)

// loader holds one connection and its Arrow interface for a whole ingest.
type loader struct {
	st    *analytics.Store
	o     Options
	conn  *sql.Conn
	arrow *duckdb.Arrow
}

func newLoader(ctx context.Context, st *analytics.Store, o Options) (*loader, error) {
	conn, err := st.DB().Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("ingest connection: %w", err)
	}
	var ar *duckdb.Arrow
	// The Arrow handle is taken inside Raw and used outside it: using it
	// inside deadlocks on the connection's lock.
	err = conn.Raw(func(dc any) error {
		var err error
		ar, err = duckdb.NewArrowFromConn(dc.(driver.Conn))
		return err
	})
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("ingest arrow interface: %w", err)
	}
	return &loader{st: st, o: o, conn: conn, arrow: ar}, nil
}

func (l *loader) close() { l.conn.Close() }

func (l *loader) loaded(ctx context.Context, sha string) (bool, error) {
	var n int
	err := l.conn.QueryRowContext(ctx, "SELECT count(*) FROM ingest_manifest WHERE sha256 = ?", sha).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("read manifest: %w", err)
	}
	return n > 0, nil
}

// target is where a kind's rows go: the table and its record-time column.
type target struct{ table, timeCol string }

func targetOf(k drive.Kind) target {
	switch k {
	case drive.KindReads:
		return target{"reads", "captured_at"}
	case drive.KindHits:
		return target{"hits", "alerted_at"}
	case drive.KindDispositions:
		return target{"dispositions", "event_at"}
	}
	return target{"shift_events", "event_at"}
}

// insertSQL is each kind's INSERT … SELECT from the registered view, with
// the load time as parameter $1 (for reads the plate-key translation
// follows). The view has a source_file column more than the file (see
// withSourceFile), and in a reads file's view the images' references stand
// where the file has the images (see packImages). With dedupe, two more
// parameters follow: the file's time window (see mayHoldCopies).
//
// Each statement reads every column of the view. DuckDB pushes a
// projection down into an Arrow view's scan, and duckdb-go's view then
// hands it the wrong columns or crashes the process (seen with v2.10506.0
// on 2026-11-27: a statement that left out two columns read NULL for
// others); TestInsertReadsEveryColumn holds this.
func insertSQL(k drive.Kind, schema *arrow.Schema, dedupe bool) string {
	var q string
	switch k {
	case drive.KindReads:
		// Format 1.0 files have no motion columns.
		motion := "NULL, NULL, NULL"
		if schema.HasField("gps_quality") {
			motion = "gps_quality, gps_speed_mps, gps_heading_deg"
		}
		q = `INSERT INTO reads SELECT id, captured_at, plate, raw_text, confidence, candidates, candidate_confidences,
			state, camera, vehicle, officer, shift_id, gps_fix, lat, lon, gps_at, box_x, box_y, box_w, box_h,
			crop_ref, overview_ref, source_file, $1, translate(plate, $2, $3), ` + motion + ` FROM drive_batch v`
	case drive.KindHits:
		q = `INSERT INTO hits SELECT id, read_id, alerted_at, plate, matched_plate, match_kind, list_name, list_code,
			ncic_number, priority, reason, list_state, vehicle_desc, covert, camera, vehicle, officer, shift_id, source_file, $1
			FROM drive_batch v`
	case drive.KindDispositions:
		q = `INSERT INTO dispositions SELECT id, hit_id, event_at, step, code, note, officer, vehicle, shift_id, source_file, $1
			FROM drive_batch v`
	case drive.KindShifts:
		q = `INSERT INTO shift_events SELECT id, shift_id, event_at, event, officer, vehicle, cameras, hotlist_version,
			selfcheck_ok, detail, source_file, $1 FROM drive_batch v`
	default:
		return ""
	}
	if !dedupe {
		return q
	}
	n := 2
	if k == drive.KindReads {
		n = 4
	}
	return q + fmt.Sprintf(` WHERE NOT EXISTS (SELECT 1 FROM %s t WHERE t.%s BETWEEN $%d AND $%d AND t.id = v.id)`,
		targetOf(k).table, targetOf(k).timeCol, n, n+1)
}

// mayHoldCopies reports whether the store may already hold some of the
// records of files of kind k from the given vehicles in [lo, hi]. A
// record can reach the station twice: in the salvaged tail of a drive that
// failed in the car and again in the file the car rewrote to its own disk.
// Both copies come from the same car and carry the record's own time, so a
// store without a row of the files' vehicles inside their time window
// holds none of their records, and they load without the per-row check
// (an anti-join that cost a quarter of the database's time on a fresh
// window; measured with alpr bench ingest). The window check reads only
// the row groups whose zone maps overlap it.
func (l *loader) mayHoldCopies(ctx context.Context, k drive.Kind, vehicles []string, lo, hi time.Time) (bool, error) {
	t := targetOf(k)
	var found bool
	err := l.conn.QueryRowContext(ctx, fmt.Sprintf(`SELECT EXISTS (SELECT 1 FROM %s WHERE %s BETWEEN ? AND ?
		AND vehicle IN (SELECT unnest(?::VARCHAR[])))`, t.table, t.timeCol), lo, hi, vehicles).Scan(&found)
	if err != nil {
		return false, fmt.Errorf("look for copies already loaded: %w", err)
	}
	return found, nil
}

// fileVehicles returns the distinct vehicles of a file's records (one, as
// the car writes them); false if the file has no vehicle column.
func fileVehicles(f *drive.File) ([]string, bool) {
	cols := f.Schema.FieldIndices("vehicle")
	if len(cols) != 1 {
		return nil, false
	}
	col := cols[0]
	seen := map[string]bool{}
	var out []string
	for _, b := range f.Batches {
		vs := b.Column(col).(*array.String)
		for i := range vs.Len() {
			if v := vs.Value(i); !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	return out, true
}

// timeWindow returns the earliest and latest time of a file's records.
func timeWindow(f *drive.File) (time.Time, time.Time) {
	col := 2 // hits, dispositions and shift events
	if f.Kind == drive.KindReads {
		col = 1
	}
	var lo, hi int64
	first := true
	for _, b := range f.Batches {
		ts := b.Column(col).(*array.Timestamp)
		for i := range ts.Len() {
			v := int64(ts.Value(i))
			if first || v < lo {
				lo = v
			}
			if first || v > hi {
				hi = v
			}
			first = false
		}
	}
	return time.UnixMicro(lo).UTC(), time.UnixMicro(hi).UTC()
}

// errBadRecord is a record that must not be loaded (an id that could
// escape the image store, say): its file is quarantined.
var errBadRecord = errors.New("bad record")

// checkRecords refuses ids that are not plain identifiers: ids become file
// names in the image store, and a drive is outside input.
func checkRecords(f *drive.File) error {
	for _, b := range f.Batches {
		ids := b.Column(0).(*array.String)
		for i := range ids.Len() {
			id := ids.Value(i)
			if id == "" || len(id) > 64 || strings.Trim(id, "0123456789abcdefABCDEF-") != "" {
				return fmt.Errorf("%w: id %q is not a hex identifier", errBadRecord, id)
			}
		}
	}
	return nil
}

func (l *loader) quarantine(ctx context.Context, fi drive.FileInfo, why error, rep *Report) error {
	raw, err := os.ReadFile(fi.Path)
	if err != nil {
		return fmt.Errorf("quarantine %s: %w", fi.Name, err)
	}
	sum := sha256.Sum256(raw)
	sha := hex.EncodeToString(sum[:])
	var seen int
	if err := l.conn.QueryRowContext(ctx, "SELECT count(*) FROM ingest_quarantine WHERE sha256 = ?", sha).Scan(&seen); err != nil {
		return fmt.Errorf("read quarantine: %w", err)
	}
	rep.Quarantined = append(rep.Quarantined, fi.Name+": "+why.Error())
	if seen > 0 {
		return nil // the same bytes were set aside by an earlier run
	}
	//nolint:gosec // the quarantine directory is the station's own configuration
	if err := os.MkdirAll(l.o.QuarantineDir, 0o750); err != nil {
		return fmt.Errorf("quarantine dir: %w", err)
	}
	dst := filepath.Join(l.o.QuarantineDir, fi.Name)
	// Copy, not move: the drive is evidence and stays as it came in.
	for _, p := range []string{fi.Path, fi.Path + drive.SealExt} {
		b, err := os.ReadFile(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("quarantine %s: %w", fi.Name, err)
		}
		if err := fsutil.WriteFile(filepath.Join(l.o.QuarantineDir, filepath.Base(p)), b); err != nil {
			return fmt.Errorf("quarantine %s: %w", fi.Name, err)
		}
	}
	if _, err := l.conn.ExecContext(ctx, `INSERT INTO ingest_quarantine (sha256, file_name, reason, moved_to, event_at) VALUES (?, ?, ?, ?, ?)`,
		sha, fi.Name, why.Error(), dst, l.o.Now().UTC()); err != nil {
		return fmt.Errorf("record quarantine: %w", err)
	}
	l.o.Logger.Error("drive file quarantined", "file", fi.Name, "reason", why, "copy", dst)
	return nil
}

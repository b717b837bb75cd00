package benchmarks

import (
	"bufio"
	"context"
	"database/sql/driver"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/duckdb/duckdb-go/v2"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/edge/drive"
	"github.com/plateward/alpr/edge/plate"
	"github.com/plateward/alpr/ingest"
)

// IngestResult is the ingest benchmark's figures; the JSON keys are fixed
// by the benchmark's contract.
type IngestResult struct {
	Reads              int     `json:"reads"`
	ReadsPerS          float64 `json:"reads_per_s"`
	MBPerS             float64 `json:"mb_per_s"`
	AppenderReadsPerS  float64 `json:"appender_reads_per_s"`
	CSVReadsPerS       float64 `json:"csv_reads_per_s"`
	DriveMB            float64 `json:"-"`
	WithImages         bool    `json:"-"`
	IngestS, AppenderS float64 `json:"-"`
	// The Arrow path's time by phase: reading the drive's files (checksum,
	// decryption, decoding), writing images, inserting into the database.
	ReadS, ImagesS, InsertS float64 `json:"-"`
	// CheckpointS is the Arrow path's final checkpoint (in IngestS).
	CheckpointS float64 `json:"-"`
	// With images: their megabytes, the speed the image phase wrote them,
	// and the store disk's own speed in the same run (the same bytes
	// written to one file and synced).
	ImagesMB, ImagesMBPerS, DiskMBPerS float64 `json:"-"`
}

// IngestOptions sizes the benchmark.
type IngestOptions struct {
	Reads    int    // reads on the generated drive
	CropSize int    // bytes of plate crop per read; 0: no images
	Dir      string // scratch space for the drive and the three stores
	Logger   *slog.Logger
}

// Ingest writes an encrypted drive of o.Reads reads, then loads the same
// reads three ways, each into a fresh on-disk store, one after another in
// this one run, each timed to a checkpointed database: (1) ingest.Drive,
// the Arrow path, end to end from sealed, encrypted files; (2) the DuckDB
// Appender, row by row, from the same decrypted files; (3) DuckDB's
// read_csv of the same reads written as CSV (the CSV is written before the
// clock starts).
func Ingest(ctx context.Context, o IngestOptions) (IngestResult, error) {
	res := IngestResult{Reads: o.Reads, WithImages: o.CropSize > 0}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return res, err
	}
	driveDir := filepath.Join(o.Dir, "drive")
	if err := writeDrive(driveDir, o, id.Recipient()); err != nil {
		return res, err
	}
	files, err := drive.List(driveDir)
	if err != nil {
		return res, err
	}
	var bytes int64
	for _, f := range files {
		bytes += f.Size
	}
	res.DriveMB = float64(bytes) / 1e6

	// 1. The Arrow path.
	st, err := analytics.Open(ctx, analytics.DefaultOptions(filepath.Join(o.Dir, "store-arrow")))
	if err != nil {
		return res, err
	}
	io := ingest.DefaultOptions()
	io.Identities, io.Logger = []age.Identity{id}, o.Logger
	t0 := time.Now()
	rep, err := ingest.Drive(ctx, st, driveDir, io)
	if err == nil {
		t1 := time.Now()
		err = checkpoint(ctx, st)
		res.CheckpointS = time.Since(t1).Seconds()
	}
	res.IngestS = time.Since(t0).Seconds()
	st.Close()
	if err != nil {
		return res, err
	}
	if rep.Rows[drive.KindReads] != int64(o.Reads) {
		return res, fmt.Errorf("ingest loaded %d of %d reads", rep.Rows[drive.KindReads], o.Reads)
	}
	res.ReadS, res.ImagesS, res.InsertS = rep.ReadTime.Seconds(), rep.ImageTime.Seconds(), rep.InsertTime.Seconds()
	res.ReadsPerS = float64(o.Reads) / res.IngestS
	res.MBPerS = res.DriveMB / res.IngestS
	if o.CropSize > 0 {
		res.ImagesMB = float64(o.Reads) * float64(o.CropSize) / 1e6
		res.ImagesMBPerS = res.ImagesMB / res.ImagesS
		s, err := diskWrite(filepath.Join(o.Dir, "disk"), int64(o.Reads)*int64(o.CropSize))
		if err != nil {
			return res, err
		}
		res.DiskMBPerS = res.ImagesMB / s
	}

	// 2. The Appender, row by row, from the same files.
	if res.AppenderS, err = appendReads(ctx, filepath.Join(o.Dir, "store-appender"), files, id); err != nil {
		return res, err
	}
	res.AppenderReadsPerS = float64(o.Reads) / res.AppenderS

	// 3. DuckDB's own CSV reader.
	csvPath := filepath.Join(o.Dir, "reads.csv")
	if err := writeCSV(csvPath, files, id); err != nil {
		return res, err
	}
	csvS, err := loadCSV(ctx, filepath.Join(o.Dir, "store-csv"), csvPath)
	if err != nil {
		return res, err
	}
	res.CSVReadsPerS = float64(o.Reads) / csvS
	return res, nil
}

func benchRead(i int, crop []byte) drive.Read {
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC).Add(time.Duration(i) * 10 * time.Millisecond)
	p := fmt.Sprintf("AB%05d", i%100000)
	return drive.Read{ID: fmt.Sprintf("00000000-0000-7000-8000-%012x", i), CapturedAt: at, Plate: p, RawText: p,
		Confidence: 0.93, Candidates: []drive.Candidate{{Text: p, Confidence: 0.93}}, State: "MO",
		Camera: "front", Vehicle: "car12", Officer: "4127", ShiftID: "bench",
		Position: drive.Position{Fix: true, Lat: 38.6 + float64(i%1000)*1e-5, Lon: -90.2, At: at},
		Box:      drive.Box{X: 100, Y: 200, W: 150, H: 75}, CropJPEG: crop}
}

func writeDrive(dir string, o IngestOptions, rcp age.Recipient) error {
	do := drive.DefaultOptions(dir, "car12")
	// The car's own batch size and file rotation (256 reads a batch, 64 MB
	// or 15 minutes a file): at a read every 10 ms, 90,000 reads a file.
	do.Recipients, do.Logger = []age.Recipient{rcp}, o.Logger
	rec, err := drive.NewRecorder(do)
	if err != nil {
		return err
	}
	var crop []byte
	if o.CropSize > 0 {
		crop = make([]byte, o.CropSize)
		for i := range crop {
			crop[i] = byte(i * 7)
		}
	}
	for i := range o.Reads {
		if err := rec.Add(benchRead(i, crop)); err != nil {
			return err
		}
	}
	return rec.Close()
}

// readColumns are the reads table's columns the appender fills.
func appendReads(ctx context.Context, dir string, files []drive.FileInfo, id age.Identity) (float64, error) {
	st, err := analytics.Open(ctx, analytics.DefaultOptions(dir))
	if err != nil {
		return 0, err
	}
	defer st.Close()
	conn, err := st.DB().Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	cz := plate.NewCanonicalizer()
	t0 := time.Now()
	err = conn.Raw(func(dc any) error {
		app, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", "reads")
		if err != nil {
			return err
		}
		for _, fi := range files {
			f, err := drive.ReadFile(fi, id)
			if err != nil {
				return err
			}
			for _, b := range f.Batches {
				for _, r := range drive.DecodeReads(b) {
					cands := make([]any, len(r.Candidates))
					confs := make([]any, len(r.Candidates))
					for i, c := range r.Candidates {
						cands[i], confs[i] = c.Text, c.Confidence
					}
					err := app.AppendRow(r.ID, r.CapturedAt, r.Plate, r.RawText, r.Confidence, cands, confs, r.State,
						r.Camera, r.Vehicle, r.Officer, r.ShiftID, r.Position.Fix, r.Position.Lat, r.Position.Lon,
						r.Position.At, r.Box.X, r.Box.Y, r.Box.W, r.Box.H, nil, nil, fi.Name, time.Now(), cz.Canonical(r.Plate),
						r.Position.Quality, r.Position.SpeedMps, r.Position.HeadingDeg)
					if err != nil {
						f.Release()
						return err
					}
				}
			}
			f.Release()
		}
		return app.Close()
	})
	if err == nil {
		err = checkpoint(ctx, st)
	}
	return time.Since(t0).Seconds(), err
}

func writeCSV(path string, files []drive.FileInfo, id age.Identity) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	for _, fi := range files {
		df, err := drive.ReadFile(fi, id)
		if err != nil {
			return err
		}
		for _, b := range df.Batches {
			for _, r := range drive.DecodeReads(b) {
				writeCSVRow(w, r, fi.Name)
			}
		}
		df.Release()
	}
	return w.Flush()
}

func writeCSVRow(w io.Writer, r drive.Read, file string) {
	f := strconv.FormatFloat
	fmt.Fprintln(w, strings.Join([]string{r.ID, r.CapturedAt.Format(time.RFC3339Nano), r.Plate, r.RawText,
		f(float64(r.Confidence), 'f', -1, 32), r.State, r.Camera, r.Vehicle, r.Officer, r.ShiftID,
		strconv.FormatBool(r.Position.Fix), f(r.Position.Lat, 'f', -1, 64), f(r.Position.Lon, 'f', -1, 64),
		r.Position.At.Format(time.RFC3339Nano), strconv.Itoa(int(r.Box.X)), strconv.Itoa(int(r.Box.Y)),
		strconv.Itoa(int(r.Box.W)), strconv.Itoa(int(r.Box.H)), file}, ","))
}

func loadCSV(ctx context.Context, dir, csvPath string) (float64, error) {
	so := analytics.DefaultOptions(dir)
	so.AllowFiles = true
	st, err := analytics.Open(ctx, so)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	from, to := plate.TranslateArgs()
	t0 := time.Now()
	_, err = st.DB().ExecContext(ctx, `INSERT INTO reads
		SELECT id, captured_at, plate, raw_text, confidence, [plate], [confidence], state, camera, vehicle, officer, shift_id,
		       gps_fix, lat, lon, gps_at, box_x, box_y, box_w, box_h, NULL, NULL, source_file, now(), translate(plate, ?, ?), NULL, NULL, NULL
		FROM read_csv(?, header = false, columns = {
			'id': 'VARCHAR', 'captured_at': 'TIMESTAMPTZ', 'plate': 'VARCHAR', 'raw_text': 'VARCHAR', 'confidence': 'FLOAT',
			'state': 'VARCHAR', 'camera': 'VARCHAR', 'vehicle': 'VARCHAR', 'officer': 'VARCHAR', 'shift_id': 'VARCHAR',
			'gps_fix': 'BOOLEAN', 'lat': 'DOUBLE', 'lon': 'DOUBLE', 'gps_at': 'TIMESTAMPTZ', 'box_x': 'INTEGER',
			'box_y': 'INTEGER', 'box_w': 'INTEGER', 'box_h': 'INTEGER', 'source_file': 'VARCHAR'})`, from, to, csvPath)
	if err == nil {
		err = checkpoint(ctx, st)
	}
	return time.Since(t0).Seconds(), err
}

// checkpoint ends each of the three paths: the rows are in the database
// file, stored and compressed, not only in its write-ahead log. A commit
// of fewer rows than a row group (a car's 15-minute file) leaves them in
// the log, uncompressed, for the next checkpoint to store: 1.8–3 s a
// million reads of car-sized files, 0.2 s for one large file (measured
// 2026-11-27), work a path that stopped at the commit would hide.
func checkpoint(ctx context.Context, st *analytics.Store) error {
	if _, err := st.DB().ExecContext(ctx, "CHECKPOINT"); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// diskWrite writes n bytes to a new file in 1 MiB writes and syncs it: the
// disk's own sequential speed, the bound for writing image packs.
func diskWrite(path string, n int64) (float64, error) {
	buf := make([]byte, 1<<20)
	for i := range buf {
		buf[i] = byte(i * 7)
	}
	t0 := time.Now()
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer os.Remove(path)
	for n > 0 {
		k := min(n, int64(len(buf)))
		if _, err := f.Write(buf[:k]); err != nil {
			f.Close()
			return 0, err
		}
		n -= k
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return 0, err
	}
	if err := f.Close(); err != nil {
		return 0, err
	}
	return time.Since(t0).Seconds(), nil
}

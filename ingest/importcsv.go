package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/edge/drive"
	"github.com/plateward/alpr/edge/plate"
	"github.com/plateward/alpr/internal/strictjson"
)

// ReadMapping describes another agency's export of reads as CSV: who sent
// it and which header holds which field. It is kept as JSON:
//
//	{"agency": "St. Charles County PD", "time_layout": "2006-01-02 15:04:05",
//	 "time_zone": "America/Chicago",
//	 "columns": {"plate": "Plate", "time": "ReadTime", "lat": "Latitude",
//	             "lon": "Longitude", "camera": "Camera", "state": "State"}}
type ReadMapping struct {
	Agency     string            `json:"agency"`
	TimeLayout string            `json:"time_layout"`
	TimeZone   string            `json:"time_zone"`
	Columns    map[string]string `json:"columns"`
}

// ErrImport is a third-party file that cannot be imported as it is.
var ErrImport = errors.New("cannot import")

// LoadReadMapping reads and checks a read mapping.
func LoadReadMapping(path string) (ReadMapping, error) {
	var m ReadMapping
	if err := strictjson.ReadFile(path, &m); err != nil {
		return m, fmt.Errorf("%w: %w", ErrImport, err)
	}
	switch {
	case strings.TrimSpace(m.Agency) == "":
		return m, fmt.Errorf("%s: %w: no agency: imported reads must say whose they are", path, ErrImport)
	case m.Columns["plate"] == "" || m.Columns["time"] == "":
		return m, fmt.Errorf("%s: %w: plate and time columns are required", path, ErrImport)
	case m.TimeLayout == "":
		return m, fmt.Errorf("%s: %w: no time_layout", path, ErrImport)
	}
	if m.TimeZone == "" {
		m.TimeZone = "UTC"
	}
	if _, err := time.LoadLocation(m.TimeZone); err != nil {
		return m, fmt.Errorf("%s: %w: time zone: %w", path, ErrImport, err)
	}
	return m, nil
}

// ImportReport says what an import did.
type ImportReport struct {
	Rows    int
	Skipped []string // file:line: why
	Report
}

// ImportCSV loads another agency's reads through the same path as a drive:
// the rows become a sealed drive file in a scratch folder, which Drive
// loads, and its manifest entry keeps the same export from loading twice.
// Read IDs are digests of the reads, so a read repeated in a later export
// keeps its ID. A bad line is reported with its
// line number; unless skipBad, any bad line refuses the whole file.
func ImportCSV(ctx context.Context, st *analytics.Store, path string, m ReadMapping, skipBad bool, o Options) (ImportReport, error) {
	var rep ImportReport
	data, err := os.ReadFile(path)
	if err != nil {
		return rep, fmt.Errorf("read %s: %w", path, err)
	}
	sum := sha256.Sum256(data)
	tag := hex.EncodeToString(sum[:])
	loc, _ := time.LoadLocation(m.TimeZone)
	r := csv.NewReader(strings.NewReader(string(data)))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return rep, fmt.Errorf("%s:1: %w: header: %w", path, ErrImport, err)
	}
	col := map[string]int{}
	for f, name := range m.Columns {
		col[f] = -1
		for i, h := range header {
			if strings.EqualFold(strings.TrimSpace(h), name) {
				col[f] = i
			}
		}
		if col[f] < 0 {
			return rep, fmt.Errorf("%s:1: %w: no column %q for %s", path, ErrImport, name, f)
		}
	}
	get := func(rec []string, f string) string {
		if i, ok := col[f]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	name := filepath.Base(path)
	var reads []drive.Read
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			rep.Skipped = append(rep.Skipped, fmt.Sprintf("%s:%d: %v", name, line, err))
			continue
		}
		rd, why := importRow(get, rec, m, loc)
		if why != "" {
			rep.Skipped = append(rep.Skipped, fmt.Sprintf("%s:%d: %s", name, line, why))
			continue
		}
		// The ID is a digest of the read itself, so one read keeps one ID in
		// every export it appears in.
		h := sha256.Sum256(fmt.Appendf(nil, "%s|%s|%s|%s|%v|%v", m.Agency, rd.Plate, rd.CapturedAt.Format(time.RFC3339Nano),
			rd.Camera, rd.Position.Lat, rd.Position.Lon))
		x := hex.EncodeToString(h[:16])
		rd.ID = x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]
		rd.ShiftID = "import-" + tag[:12]
		reads = append(reads, rd)
	}
	if len(rep.Skipped) > 0 && !skipBad {
		return rep, fmt.Errorf("%w %s: %d bad lines (first: %s); fix them or import with --skip-bad", ErrImport, name, len(rep.Skipped), rep.Skipped[0])
	}
	if len(reads) == 0 {
		return rep, fmt.Errorf("%w %s: no valid read", ErrImport, name)
	}
	scratch, err := os.MkdirTemp("", "alpr-import-")
	if err != nil {
		return rep, err
	}
	defer os.RemoveAll(scratch)
	fileName := fmt.Sprintf("reads-import-%s-000001%s", tag[:16], drive.FileExt)
	if _, err := drive.WriteRecords(filepath.Join(scratch, fileName), drive.KindReads, reads); err != nil {
		return rep, err
	}
	rep.Rows = len(reads)
	rep.Report, err = Drive(ctx, st, scratch, o)
	return rep, err
}

func importRow(get func([]string, string) string, rec []string, m ReadMapping, loc *time.Location) (drive.Read, string) {
	var rd drive.Read
	raw := get(rec, "plate")
	rd.Plate = plate.Normalize(raw)
	if rd.Plate == "" {
		return rd, fmt.Sprintf("empty plate %q", raw)
	}
	at, err := time.ParseInLocation(m.TimeLayout, get(rec, "time"), loc)
	if err != nil {
		return rd, fmt.Sprintf("bad time %q (layout %s)", get(rec, "time"), m.TimeLayout)
	}
	rd.CapturedAt, rd.RawText, rd.Confidence = at.UTC(), raw, 1
	rd.Candidates = []drive.Candidate{{Text: rd.Plate, Confidence: 1}}
	rd.State, rd.Camera = get(rec, "state"), get(rec, "camera")
	rd.Vehicle, rd.Officer = m.Agency, "import"
	if lat, lon := get(rec, "lat"), get(rec, "lon"); lat != "" || lon != "" {
		la, err1 := strconv.ParseFloat(lat, 64)
		lo, err2 := strconv.ParseFloat(lon, 64)
		if err1 != nil || err2 != nil || !(math.Abs(la) <= 90 && math.Abs(lo) <= 180) {
			return rd, fmt.Sprintf("bad position %q,%q", lat, lon)
		}
		rd.Position = drive.Position{Fix: true, Lat: la, Lon: lo, At: rd.CapturedAt}
	}
	return rd, ""
}

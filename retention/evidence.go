package retention

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/internal/csvsafe"
	"github.com/plateward/alpr/internal/fsutil"
)

// Evidence package layout (a folder; part of the chain of custody):
//
//	reads.csv, hits.csv, dispositions.csv, audit.csv   the case's records
//	images/<read id>.jpg                               plate crops
//	summary.txt                                        for the prosecutor
//	custody.log                                        who exported, when, to whom, why
//	manifest.json                                      SHA-256 of every file above
const (
	ManifestName = "manifest.json"
	CustodyName  = "custody.log"
)

// ErrDissemination is an export without a recipient agency, a purpose or
// an authorisation (order E.1).
var ErrDissemination = errors.New("export refused")

// ErrTampered is an evidence package whose files do not match its manifest.
var ErrTampered = errors.New("evidence package does not verify")

// AuthInvestigation is the Authorisation of an export to a law-enforcement
// agency for an investigative function; any other value names the Chief's
// authorisation (order E.1).
const AuthInvestigation = "investigation"

// Export describes who takes a case's records and why.
type Export struct {
	Case          string
	Recipient     string // the receiving agency (outside law enforcement, or a court)
	Purpose       string
	Authorisation string // AuthInvestigation, or the id of the Chief's authorisation for this recipient and case
	User          string
}

// PackageManifest lists a package's files and their hashes.
type PackageManifest struct {
	Case       string            `json:"case"`
	ExportedAt time.Time         `json:"exported_at"`
	ExportedBy string            `json:"exported_by"`
	Recipient  string            `json:"recipient"`
	Files      map[string]string `json:"files_sha256"`
	Reads      int               `json:"reads"`
	Hits       int               `json:"hits"`
}

// ExportCase writes the records a case's holds keep into a new package
// folder under dir and returns its path. The export is refused without a
// recipient, a purpose and an authorisation, and is audited.
func ExportCase(ctx context.Context, st *analytics.Store, e Export, dir string, now time.Time) (string, error) {
	for name, v := range map[string]string{"case": e.Case, "recipient agency": e.Recipient, "purpose": e.Purpose,
		"authorisation": e.Authorisation, "user": e.User} {
		if strings.TrimSpace(v) == "" {
			return "", fmt.Errorf("%w: no %s (order E.1: records leave the department only to law enforcement for an investigation, or with the Chief's authorisation)", ErrDissemination, name)
		}
	}
	holds, err := LoadHolds(ctx, st)
	if err != nil {
		return "", err
	}
	var mine []Hold
	for _, h := range holds {
		if h.Case == e.Case {
			// A released or ended hold still names the case's records.
			h.Released, h.Until = false, time.Time{}
			mine = append(mine, h)
		}
	}
	if len(mine) == 0 {
		return "", fmt.Errorf("evidence: case %s has no hold: place one first (alpr retention hold add)", e.Case)
	}
	cond, args := heldClause(mine, now)
	name := fmt.Sprintf("case-%s-%s", safeName(e.Case), now.UTC().Format("20060102T150405Z"))
	final := filepath.Join(dir, name)
	tmp := final + fsutil.TmpSuffix
	if err := os.MkdirAll(filepath.Join(tmp, "images"), 0o750); err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	man := PackageManifest{Case: e.Case, ExportedAt: now.UTC(), ExportedBy: e.User, Recipient: e.Recipient, Files: map[string]string{}}
	db := st.DB()
	if man.Reads, err = queryCSV(ctx, db, filepath.Join(tmp, "reads.csv"), `SELECT id, captured_at, plate, confidence, state, camera, vehicle,
		officer, shift_id, gps_fix, lat, lon, crop_path, overview_path, source_file FROM reads WHERE `+cond+` ORDER BY captured_at`, args...); err != nil {
		return "", err
	}
	hitsCond := `read_id IN (SELECT id FROM reads WHERE ` + cond + `)`
	if man.Hits, err = queryCSV(ctx, db, filepath.Join(tmp, "hits.csv"), `SELECT id, read_id, alerted_at, plate, matched_plate, match_kind,
		list_name, ncic_number, priority, reason, officer, vehicle FROM hits WHERE `+hitsCond+` ORDER BY alerted_at`, args...); err != nil {
		return "", err
	}
	if _, err := queryCSV(ctx, db, filepath.Join(tmp, "dispositions.csv"), `SELECT id, hit_id, event_at, step, code, note, officer
		FROM dispositions WHERE hit_id IN (SELECT id FROM hits WHERE `+hitsCond+`) ORDER BY event_at`, args...); err != nil {
		return "", err
	}
	if _, err := queryCSV(ctx, db, filepath.Join(tmp, "audit.csv"), `SELECT seq, event_at, user_name, action, reason, detail, hash
		FROM audit_log WHERE case_number = ? ORDER BY seq`, e.Case); err != nil {
		return "", err
	}
	// Each read's plate crop and, where the camera kept one, its overview.
	//nolint:gosec // cond is a constant fragment chosen by the caller; values are bound parameters
	rows, err := db.QueryContext(ctx, `SELECT id || '.jpg', crop_path FROM reads WHERE crop_path IS NOT NULL AND (`+cond+`)
		UNION ALL SELECT id || '`+overviewSuffix+`', overview_path FROM reads WHERE overview_path IS NOT NULL AND (`+cond+`)`, append(append([]any{}, args...), args...)...)
	if err != nil {
		return "", err
	}
	for rows.Next() {
		var name, p string
		if err := rows.Scan(&name, &p); err != nil {
			rows.Close()
			return "", err
		}
		b, err := st.ReadImage(p)
		if err != nil {
			rows.Close()
			return "", fmt.Errorf("image %s: %w", name, err)
		}
		//nolint:gosec // name comes from the read's id, inside the package's own directory
		if err := os.WriteFile(filepath.Join(tmp, "images", name), b, 0o600); err != nil {
			rows.Close()
			return "", err
		}
	}
	rows.Close()
	summary := fmt.Sprintf("Plateward evidence package\n\nCase: %s\nExported: %s by %s\nTo: %s\nPurpose: %s\nAuthorisation: %s\n\n"+
		"Reads: %d\nHits: %d\nHolds on the case: %d\n\nEvery file is listed in %s with its SHA-256.\n"+
		"Check the package with: alpr evidence verify <folder>\n",
		e.Case, now.UTC().Format(time.RFC3339), e.User, e.Recipient, e.Purpose, e.Authorisation, man.Reads, man.Hits, len(mine), ManifestName)
	if err := os.WriteFile(filepath.Join(tmp, "summary.txt"), []byte(summary), 0o600); err != nil {
		return "", err
	}
	custody := fmt.Sprintf("%s\texported\tby=%s\tto=%s\tpurpose=%s\tauthorisation=%s\n", now.UTC().Format(time.RFC3339), e.User, e.Recipient, e.Purpose, e.Authorisation)
	if err := os.WriteFile(filepath.Join(tmp, CustodyName), []byte(custody), 0o600); err != nil {
		return "", err
	}
	if man.Files, err = hashTree(tmp); err != nil {
		return "", err
	}
	mj, _ := json.MarshalIndent(man, "", "  ")
	if err := os.WriteFile(filepath.Join(tmp, ManifestName), append(mj, '\n'), 0o600); err != nil {
		return "", err
	}
	// The export is logged (order E.1), its basis checked, before the
	// package appears.
	d := analytics.Dissemination{Recipient: e.Recipient, Purpose: e.Purpose, Basis: analytics.BasisChief, Authorisation: e.Authorisation,
		What: "evidence package " + name, Rows: man.Reads}
	if strings.EqualFold(strings.TrimSpace(e.Authorisation), AuthInvestigation) {
		d.Basis, d.Authorisation = analytics.BasisInvestigative, ""
	}
	if _, err := st.RecordDissemination(ctx, analytics.Access{User: e.User, Reason: e.Purpose, Case: e.Case}, d, "evidence.export",
		map[string]any{"package": name, "reads": man.Reads, "hits": man.Hits}, now); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, final); err != nil {
		return "", err
	}
	return final, fsutil.SyncDir(dir)
}

// VerifyPackage checks every file of a package against its manifest, and
// that no file was added or removed.
func VerifyPackage(dir string) (PackageManifest, error) {
	var man PackageManifest
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		return man, fmt.Errorf("%w: %w", ErrTampered, err)
	}
	if err := json.Unmarshal(b, &man); err != nil {
		return man, fmt.Errorf("%w: manifest: %w", ErrTampered, err)
	}
	got, err := hashTree(dir)
	if err != nil {
		return man, err
	}
	delete(got, ManifestName)
	var problems []string
	for f, sum := range man.Files {
		switch g, ok := got[f]; {
		case !ok:
			problems = append(problems, f+": missing")
		case g != sum:
			problems = append(problems, f+": changed")
		}
	}
	for f := range got {
		if _, ok := man.Files[f]; !ok {
			problems = append(problems, f+": not in the manifest")
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return man, fmt.Errorf("%w: %s", ErrTampered, strings.Join(problems, "; "))
	}
	return man, nil
}

func hashTree(root string) (map[string]string, error) {
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if rel == ManifestName {
			return nil
		}
		// p is walked inside the package directory being verified; a link
		// is refused by the manifest check.
		sum, err := fsutil.SHA256(p)
		if err != nil {
			return err
		}
		out[filepath.ToSlash(rel)] = sum
		return nil
	})
	return out, err
}

// queryCSV writes a query's rows to a CSV file with a header and returns
// how many rows it wrote.
func queryCSV(ctx context.Context, db *sql.DB, path, q string, args ...any) (int, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("export %s: %w", filepath.Base(path), err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	w := csvsafe.NewWriter(f)
	w.Write(cols)
	n := 0
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		rec := make([]string, len(vals))
		for i, v := range vals {
			switch t := v.(type) {
			case nil:
			case time.Time:
				rec[i] = t.UTC().Format(time.RFC3339Nano)
			default:
				rec[i] = fmt.Sprint(t)
			}
		}
		w.Write(rec)
		n++
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return n, err
	}
	return n, rows.Err()
}

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '_'
	}, s)
}

package ingest

import (
	"regexp"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/plateward/alpr/edge/drive"
)

// TestInsertReadsEveryColumn: DuckDB pushes a projection into an Arrow
// view's scan, and duckdb-go's view then reads the wrong columns or
// crashes; every insert must read every column of its view.
func TestInsertReadsEveryColumn(t *testing.T) {
	for _, k := range drive.Kinds() {
		schema, err := drive.Schema(k)
		if err != nil {
			t.Fatal(err)
		}
		if k == drive.KindReads {
			fields := schema.Fields()
			fields[colCrop].Name, fields[colOverview].Name = "crop_ref", "overview_ref"
			schema = arrow.NewSchema(fields, nil)
		}
		for _, dedupe := range []bool{false, true} {
			q := insertSQL(k, schema, dedupe)
			for _, f := range schema.Fields() {
				if !regexp.MustCompile(`\b` + f.Name + `\b`).MatchString(q) {
					t.Errorf("%s insert (dedupe %v) does not read %s", k, dedupe, f.Name)
				}
			}
		}
	}
}

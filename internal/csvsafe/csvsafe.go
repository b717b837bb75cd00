// Package csvsafe writes CSV files that are safe to open in a spreadsheet.
// A cell that starts with =, +, -, @, a tab or a carriage return is read by
// Excel, LibreOffice and Google Sheets as a formula, and a formula typed
// into a reason, a requester, a case number or a note would run on the
// computer of whoever opens the export (CSV injection, CWE-1236). Such a
// cell is written with a leading apostrophe, which the spreadsheet shows as
// text; a plain number (a negative longitude, say) is left as it is.
//
// Every CSV the system writes for people goes through Writer: search
// exports, the clerk's reports, evidence packages and hot-list downloads.
package csvsafe

import (
	"encoding/csv"
	"io"
	"strconv"
)

// Writer is a csv.Writer whose cells are neutralised (see the package doc).
type Writer struct {
	*csv.Writer
	buf []string
}

// NewWriter returns a Writer writing to w.
func NewWriter(w io.Writer) *Writer { return &Writer{Writer: csv.NewWriter(w)} }

// Write writes one record, each cell neutralised.
func (w *Writer) Write(record []string) error {
	w.buf = w.buf[:0]
	for _, c := range record {
		w.buf = append(w.buf, Cell(c))
	}
	return w.Writer.Write(w.buf)
}

// WriteAll writes every record and flushes.
func (w *Writer) WriteAll(records [][]string) error {
	for _, r := range records {
		if err := w.Write(r); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

// Cell returns s as a cell no spreadsheet reads as a formula.
func Cell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if _, err := strconv.ParseFloat(s, 64); err == nil && s[0] != '\t' && s[0] != '\r' {
			return s // a number, not a formula
		}
		return "'" + s
	}
	return s
}

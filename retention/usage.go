package retention

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/internal/csvsafe"
)

// UsageLine is one figure of the usage and transparency report.
type UsageLine struct {
	Section string // "reads", "hits by list", "dispositions", "searches by reason", "exports"
	Key     string
	Count   int64
}

// UsageReport is what a department publishes about its ALPR use in a
// period: reads, hits by list, dispositions by code, searches by reason and
// exports by recipient agency.
type UsageReport struct {
	From, To time.Time
	Lines    []UsageLine
}

// BuildUsageReport gathers the figures for [from, to).
func BuildUsageReport(ctx context.Context, st *analytics.Store, from, to time.Time) (UsageReport, error) {
	rep := UsageReport{From: from, To: to}
	queries := []struct{ section, q string }{
		{"reads", `SELECT 'all', count(*) FROM reads WHERE captured_at >= ? AND captured_at < ?`},
		{"reads by car", `SELECT coalesce(vehicle, '(no car named)'), count(*) FROM reads WHERE captured_at >= ? AND captured_at < ? GROUP BY ALL ORDER BY ALL`},
		{"hits by list", `SELECT concat_ws(' ', list_name, list_code, reason), count(*) FROM hits WHERE alerted_at >= ? AND alerted_at < ? GROUP BY ALL ORDER BY ALL`},
		{"hits by match", `SELECT coalesce(match_kind, ''), count(*) FROM hits WHERE alerted_at >= ? AND alerted_at < ? GROUP BY ALL ORDER BY ALL`},
		{"dispositions", `SELECT coalesce(code, ''), count(*) FROM dispositions WHERE step = 'disposition' AND event_at >= ? AND event_at < ? GROUP BY ALL ORDER BY ALL`},
		{"hits without disposition", `SELECT 'all', count(*) FROM hits h WHERE alerted_at >= ? AND alerted_at < ?
			AND NOT EXISTS (SELECT 1 FROM dispositions d WHERE d.hit_id = h.id AND d.step = 'disposition')`},
		{"searches by reason", `SELECT coalesce(reason, ''), count(*) FROM audit_log WHERE (action LIKE 'search.%' OR action = 'sql')
			AND event_at >= ? AND event_at < ? GROUP BY ALL ORDER BY ALL`},
		{"exports by recipient", `SELECT coalesce(recipient, ''), count(*) FROM disseminations WHERE exported_at >= ? AND exported_at < ? GROUP BY ALL ORDER BY ALL`},
	}
	for _, q := range queries {
		rows, err := st.DB().QueryContext(ctx, q.q, from, to)
		if err != nil {
			return rep, fmt.Errorf("usage report %s: %w", q.section, err)
		}
		for rows.Next() {
			l := UsageLine{Section: q.section}
			if err := rows.Scan(&l.Key, &l.Count); err != nil {
				rows.Close()
				return rep, err
			}
			rep.Lines = append(rep.Lines, l)
		}
		rows.Close()
	}
	return rep, nil
}

// WriteCSV writes the report as CSV: section, key, count.
func (r UsageReport) WriteCSV(w io.Writer) error {
	cw := csvsafe.NewWriter(w)
	cw.Write([]string{"period_from", "period_to", "section", "key", "count"})
	for _, l := range r.Lines {
		cw.Write([]string{r.From.Format("2006-01-02"), r.To.Format("2006-01-02"), l.Section, l.Key, strconv.FormatInt(l.Count, 10)})
	}
	cw.Flush()
	return cw.Error()
}

// WritePDF writes the report as a PDF a department can publish: one table
// per section, with the period and the preparation time.
func (r UsageReport) WritePDF(w io.Writer, department string, now time.Time) error {
	pdf := fpdf.New("P", "mm", "Letter", "")
	pdf.SetTitle("ALPR usage and transparency report", false)
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 16)
	pdf.Cell(0, 10, department+": ALPR usage report")
	pdf.Ln(12)
	pdf.SetFont("Helvetica", "", 11)
	pdf.Cell(0, 6, fmt.Sprintf("Period: %s to %s", r.From.Format("January 2, 2006"), r.To.AddDate(0, 0, -1).Format("January 2, 2006")))
	pdf.Ln(6)
	pdf.Cell(0, 6, "Prepared "+now.In(r.From.Location()).Format("January 2, 2006 15:04 MST"))
	pdf.Ln(8)
	section := ""
	for _, l := range r.Lines {
		if l.Section != section {
			section = l.Section
			pdf.Ln(3)
			pdf.SetFont("Helvetica", "B", 11)
			pdf.CellFormat(150, 7, strings.ToUpper(section[:1])+section[1:], "B", 0, "L", false, 0, "")
			pdf.Ln(-1)
			pdf.SetFont("Helvetica", "", 10)
		}
		if pdf.GetY() > 250 {
			pdf.AddPage()
		}
		key := l.Key
		if key == "" {
			key = "(none given)"
		}
		pdf.CellFormat(120, 6, pdf.UnicodeTranslatorFromDescriptor("")(key), "", 0, "L", false, 0, "")
		pdf.CellFormat(30, 6, strconv.FormatInt(l.Count, 10), "", 0, "R", false, 0, "")
		pdf.Ln(-1)
	}
	return pdf.Output(w)
}

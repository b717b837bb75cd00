package ocr

import "testing"

// TestTrimOutside: only unsure symbols at the ends, outside the row of
// characters, are dropped; a sure one stops the trim, and nothing inside
// the row is touched.
func TestTrimOutside(t *testing.T) {
	mk := func(spec ...any) []sym {
		var out []sym
		for i := 0; i < len(spec); i += 3 {
			out = append(out, sym{ch: spec[i].(string)[0], x: float32(spec[i+1].(float64)), conf: float32(spec[i+2].(float64))})
		}
		return out
	}
	text := func(ss []sym) string {
		b := make([]byte, len(ss))
		for i, s := range ss {
			b[i] = s.ch
		}
		return string(b)
	}
	tests := []struct {
		name   string
		syms   []sym
		lo, hi float32
		want   string
	}{
		{"emblem before the row", mk("F", 0.03, 0.7, "V", 0.2, 0.99, "T", 0.35, 0.99, "P", 0.5, 0.99, "7", 0.65, 0.99, "8", 0.8, 0.99, "1", 0.93, 0.99), 0.12, 0.98, "VTP781"},
		{"stacked letters, two unsure", mk("S", 0.08, 0.76, "5", 0.18, 0.29, "R", 0.33, 0.73, "S", 0.45, 0.99, "A", 0.6, 0.99, "M", 0.75, 0.99, "P", 0.9, 0.99), 0.36, 0.99, "SAMP"},
		{"sure character the segmentation missed", mk("8", 0.1, 0.99, "3", 0.3, 0.99, "2", 0.45, 0.99, "A", 0.6, 0.99, "X", 0.75, 0.99, "V", 0.86, 0.88), 0, 0.79, "832AXV"},
		{"sure one stops the trim", mk("C", 0.08, 0.5, "3", 0.35, 1.0, "4", 0.5, 0.99, "2", 0.65, 0.99, "3", 0.8, 0.99, "0", 0.93, 0.99), 0.37, 1, "34230"},
		{"trailing intruder", mk("2", 0.1, 0.99, "6", 0.3, 0.99, "7", 0.5, 0.99, "8", 0.7, 0.99, "H", 0.9, 0.43), 0.04, 0.89, "2678"},
		{"unsure inside the row stays", mk("A", 0.2, 0.3, "B", 0.5, 0.3, "C", 0.8, 0.3), 0.1, 0.9, "ABC"},
		{"all outside and unsure", mk("A", 0.05, 0.3, "B", 0.95, 0.3), 0.1, 0.9, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := text(trimOutside(tc.syms, tc.lo, tc.hi)); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

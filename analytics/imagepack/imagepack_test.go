package imagepack

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type img struct {
	id   string
	kind Kind
	b    []byte
}

func writePack(t *testing.T, root string, imgs []img) []string {
	t.Helper()
	w, err := Create(root, "2026-05-01", "0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, m := range imgs {
		ref, err := w.Add(m.id, m.kind, m.b)
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, ref)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	return refs
}

var sample = []img{
	{"0000aaaa-0000-7000-8000-000000000001", Crop, []byte("\xff\xd8crop one\xff\xd9")},
	{"0000aaaa-0000-7000-8000-000000000001", Overview, bytes.Repeat([]byte{7}, 5000)},
	{"0000aaaa-0000-7000-8000-000000000002", Crop, []byte("\xff\xd8crop two\xff\xd9")},
	{"0000aaaa-0000-7000-8000-000000000003", Crop, nil},
}

func TestRoundTrip(t *testing.T) {
	root := t.TempDir()
	refs := writePack(t, root, sample)
	if refs[0] != "2026-05-01/0123456789abcdef.pack@51+12" {
		t.Errorf("first reference %q", refs[0])
	}
	for i, ref := range refs {
		b, err := Read(root, ref)
		if err != nil {
			t.Fatalf("%s: %v", ref, err)
		}
		if !bytes.Equal(b, sample[i].b) {
			t.Errorf("%s: %d bytes back, want %d", ref, len(b), len(sample[i].b))
		}
	}
	es, err := Scan(filepath.Join(root, "2026-05-01", "0123456789abcdef"+Ext))
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != len(sample) {
		t.Fatalf("scan found %d entries, want %d", len(es), len(sample))
	}
	for i, e := range es {
		r, _ := ParseRef(refs[i])
		if e.ID != sample[i].id || e.Kind != sample[i].kind || e.Offset != r.Offset || e.Size != r.Size {
			t.Errorf("entry %d: %+v, want %s kind %d at %d+%d", i, e, sample[i].id, sample[i].kind, r.Offset, r.Size)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(root, "2026-05-01", "*.tmp")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestPlainFileRef(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "evidence"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "evidence", "x.jpg"), []byte("jpeg"), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := Read(root, "evidence/x.jpg")
	if err != nil || string(b) != "jpeg" {
		t.Fatalf("plain file: %q, %v", b, err)
	}
}

func TestParseRef(t *testing.T) {
	tests := []struct {
		name, ref string
		want      Ref
		bad       bool
	}{
		{"pack", "2026-05-01/ab.pack@8+10", Ref{"2026-05-01/ab.pack", 8, 10}, false},
		{"plain file", "2026-05-01/x.jpg", Ref{"2026-05-01/x.jpg", 0, -1}, false},
		{"empty", "", Ref{}, true},
		{"absolute", "/etc/passwd", Ref{}, true},
		{"climbs out", "../alpr.duckdb", Ref{}, true},
		{"climbs out inside", "2026-05-01/../../x", Ref{}, true},
		{"empty segment", "2026-05-01//x.jpg", Ref{}, true},
		{"backslash", "2026-05-01\\x.jpg", Ref{}, true},
		{"range on a plain file", "2026-05-01/x.jpg@8+10", Ref{}, true},
		{"range inside the header", "2026-05-01/ab.pack@4+10", Ref{}, true},
		{"negative size", "2026-05-01/ab.pack@8+-1", Ref{}, true},
		{"huge size", "2026-05-01/ab.pack@8+999999999", Ref{}, true},
		{"no size", "2026-05-01/ab.pack@8", Ref{}, true},
		{"not a number", "2026-05-01/ab.pack@x+1", Ref{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRef(tt.ref)
			if tt.bad {
				if !errors.Is(err, ErrBadRef) {
					t.Errorf("ParseRef(%q) = %+v, %v; want ErrBadRef", tt.ref, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseRef(%q) = %+v, %v; want %+v", tt.ref, got, err, tt.want)
			}
		})
	}
}

func TestCreateRefusesOddNames(t *testing.T) {
	for _, c := range [][2]string{{"2026-5-1", "ab"}, {"../x", "ab"}, {"2026-05-01", "../ab"}, {"2026-05-01", "AB"}, {"2026-05-01", ""}} {
		if _, err := Create(t.TempDir(), c[0], c[1]); !errors.Is(err, ErrBadRef) {
			t.Errorf("Create(%q, %q): %v, want ErrBadRef", c[0], c[1], err)
		}
	}
}

// TestBadBytes writes damaged packs on purpose: each is reported as
// corrupt, never read past its end, never a panic.
func TestBadBytes(t *testing.T) {
	root := t.TempDir()
	refs := writePack(t, root, sample)
	path := filepath.Join(root, "2026-05-01", "0123456789abcdef"+Ext)
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		bytes func() []byte
		valid int // entries Scan still returns before the damage
	}{
		{"torn tail", func() []byte { return good[:len(good)-3] }, 3},
		{"cut inside an entry header", func() []byte { return good[:len(Magic)+2+10] }, 0},
		{"wrong magic", func() []byte { b := bytes.Clone(good); b[0] = 'X'; return b }, 0},
		{"id length zero", func() []byte { b := bytes.Clone(good); b[len(Magic)], b[len(Magic)+1] = 0, 0; return b }, 0},
		{"size past the end", func() []byte {
			b := bytes.Clone(good)
			at := len(Magic) + 2 + len(sample[0].id) + 1
			b[at+3] = 0x7f
			return b
		}, 0},
		{"unknown kind", func() []byte { b := bytes.Clone(good); b[len(Magic)+2+len(sample[0].id)] = 9; return b }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.WriteFile(path, tt.bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			es, err := Scan(path)
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("Scan: %v, want ErrCorrupt", err)
			}
			if len(es) != tt.valid {
				t.Errorf("Scan kept %d entries, want %d", len(es), tt.valid)
			}
		})
	}
	// A reference into a pack that was cut short is refused, not read short.
	if err := os.WriteFile(path, good[:60], 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(root, refs[1]); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "past the end") {
		t.Errorf("read past a cut pack: %v", err)
	}
}

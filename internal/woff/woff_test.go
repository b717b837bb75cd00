package woff

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"testing"

	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/opentype"
)

// encode wraps an sfnt in WOFF 1.0, compressing every table that shrinks:
// the writer's side, for the tests only.
func encode(t *testing.T, sfnt []byte) []byte {
	t.Helper()
	be := binary.BigEndian
	n := int(be.Uint16(sfnt[4:]))
	var body bytes.Buffer
	dir := make([]byte, 20*n)
	off := 44 + 20*n
	for i := range n {
		e := sfnt[12+16*i:]
		tag, check, toff, tlen := be.Uint32(e), be.Uint32(e[4:]), be.Uint32(e[8:]), be.Uint32(e[12:])
		raw := sfnt[toff : toff+tlen]
		var z bytes.Buffer
		zw := zlib.NewWriter(&z)
		if _, err := zw.Write(raw); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		data := raw
		if z.Len() < len(raw) {
			data = z.Bytes()
		}
		d := dir[20*i:]
		be.PutUint32(d, tag)
		be.PutUint32(d[4:], uint32(off+body.Len()))
		be.PutUint32(d[8:], uint32(len(data)))
		be.PutUint32(d[12:], tlen)
		be.PutUint32(d[16:], check)
		body.Write(data)
		for body.Len()%4 != 0 {
			body.WriteByte(0)
		}
	}
	hdr := make([]byte, 44)
	copy(hdr, "wOFF")
	copy(hdr[4:], sfnt[:4])
	be.PutUint32(hdr[8:], uint32(44+len(dir)+body.Len()))
	be.PutUint16(hdr[12:], uint16(n))
	return append(append(hdr, dir...), body.Bytes()...)
}

func TestDecode(t *testing.T) {
	w := encode(t, gobold.TTF)
	if len(w) >= len(gobold.TTF) {
		t.Fatalf("the test's WOFF is %d bytes, the font %d: nothing was compressed", len(w), len(gobold.TTF))
	}
	sfnt, err := Decode(w)
	if err != nil {
		t.Fatal(err)
	}
	want, err := opentype.Parse(gobold.TTF)
	if err != nil {
		t.Fatal(err)
	}
	got, err := opentype.Parse(sfnt)
	if err != nil {
		t.Fatalf("decoded font does not parse: %v", err)
	}
	if got.NumGlyphs() != want.NumGlyphs() {
		t.Fatalf("%d glyphs, want %d", got.NumGlyphs(), want.NumGlyphs())
	}
}

func TestDecodeRefusesBadFiles(t *testing.T) {
	good := encode(t, gobold.TTF)
	for _, tc := range []struct {
		name string
		b    []byte
		is   error
	}{
		{"a TrueType file", gobold.TTF, ErrNotWOFF},
		{"empty", nil, ErrNotWOFF},
		{"directory cut", good[:60], nil},
		{"tables cut", good[:len(good)/2], nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.b)
			if err == nil {
				t.Fatal("decoded")
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Fatalf("%v, want %v", err, tc.is)
			}
		})
	}
}

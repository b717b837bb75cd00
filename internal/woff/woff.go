// Package woff turns a WOFF 1.0 font (the web fonts the npm @fontsource
// packages ship) back into the plain sfnt (TrueType or OpenType) bytes that
// golang.org/x/image/font/opentype parses.
//
// WOFF 1.0 (W3C Recommendation, 2012) is an sfnt whose tables are each
// zlib-compressed, or stored, behind a 44-byte header and a table directory
// of 20-byte entries:
//
//	header:    signature "wOFF" | flavor u32 | length u32 | numTables u16 |
//	           reserved u16 | totalSfntSize u32 | major u16 | minor u16 |
//	           metaOffset u32 | metaLength u32 | metaOrigLength u32 |
//	           privOffset u32 | privLength u32
//	directory: tag u32 | offset u32 | compLength u32 | origLength u32 |
//	           origChecksum u32
//
// A table whose compLength equals its origLength is stored as is.
package woff

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"
)

// ErrNotWOFF means the bytes do not start with the WOFF 1.0 signature.
var ErrNotWOFF = errors.New("not a WOFF 1.0 font")

// maxTable bounds one table's decompressed size: fonts for plates are
// small, and a hostile file must not make us allocate without limit.
const maxTable = 32 << 20

type entry struct {
	tag                    uint32
	off, comp, orig, check uint32
}

// Decode returns the sfnt bytes of the WOFF 1.0 font b.
func Decode(b []byte) ([]byte, error) {
	if len(b) < 44 || string(b[:4]) != "wOFF" {
		return nil, ErrNotWOFF
	}
	be := binary.BigEndian
	flavor := be.Uint32(b[4:])
	n := int(be.Uint16(b[12:]))
	if 44+20*n > len(b) {
		return nil, fmt.Errorf("woff: directory of %d tables runs past the file's %d bytes", n, len(b))
	}
	es := make([]entry, n)
	for i := range es {
		d := b[44+20*i:]
		es[i] = entry{be.Uint32(d), be.Uint32(d[4:]), be.Uint32(d[8:]), be.Uint32(d[12:]), be.Uint32(d[16:])}
	}
	tables := make([][]byte, n)
	for i, e := range es {
		end := uint64(e.off) + uint64(e.comp)
		if end > uint64(len(b)) || e.orig > maxTable || e.comp > e.orig {
			return nil, fmt.Errorf("woff: table %d: offset %d, %d→%d bytes outside the file", i, e.off, e.comp, e.orig)
		}
		raw := b[e.off:end]
		if e.comp == e.orig {
			tables[i] = raw
			continue
		}
		zr, err := zlib.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("woff: table %d: %w", i, err)
		}
		t, err := io.ReadAll(io.LimitReader(zr, int64(e.orig)+1))
		if err != nil {
			return nil, fmt.Errorf("woff: table %d: %w", i, err)
		}
		if len(t) != int(e.orig) {
			return nil, fmt.Errorf("woff: table %d: %d bytes decompressed, directory says %d", i, len(t), e.orig)
		}
		tables[i] = t
	}
	// The sfnt: offset table, directory sorted by tag, tables 4-aligned.
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, c int) bool { return es[order[a]].tag < es[order[c]].tag })
	var out bytes.Buffer
	hdr := make([]byte, 12)
	be.PutUint32(hdr, flavor)
	be.PutUint16(hdr[4:], uint16(n)) //nolint:gosec // n came from a u16
	sr, sel := 1, 0
	for sr*2 <= n {
		sr *= 2
		sel++
	}
	be.PutUint16(hdr[6:], uint16(sr*16))       //nolint:gosec // at most 16·2^15
	be.PutUint16(hdr[8:], uint16(sel))         //nolint:gosec // at most 15
	be.PutUint16(hdr[10:], uint16(n*16-sr*16)) //nolint:gosec // n ≤ 65535
	out.Write(hdr)
	off := 12 + 16*n
	dir := make([]byte, 16*n)
	for k, i := range order {
		d := dir[16*k:]
		be.PutUint32(d, es[i].tag)
		be.PutUint32(d[4:], es[i].check)
		be.PutUint32(d[8:], uint32(off))             //nolint:gosec // bounded by maxTable·n
		be.PutUint32(d[12:], uint32(len(tables[i]))) //nolint:gosec // ≤ maxTable
		off += (len(tables[i]) + 3) &^ 3
	}
	out.Write(dir)
	for _, i := range order {
		out.Write(tables[i])
		out.Write(make([]byte, (4-len(tables[i])%4)%4))
	}
	return out.Bytes(), nil
}

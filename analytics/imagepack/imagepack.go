// Package imagepack stores a drive file's plate crops and overview images
// for one day in one file, a pack, instead of a file an image.
//
// A station loads hundreds of thousands of images a day. Written one file
// each, they cost the store's filesystem 40–270 µs apiece in metadata (a
// million crops: minutes), while the same bytes appended to one file go at
// the disk's speed. Retention removes whole days, so nothing is ever
// deleted from inside a pack.
//
// # Layout (version 1, frozen)
//
// A pack is named after the drive file it came from (the first 16 hex
// digits of its SHA-256) and lives in the image store's day folder:
// images/2026-05-01/0123456789abcdef.pack. It is written under a temporary
// name, synced and renamed before the database commit that points at it; a
// re-run of the same drive file writes the same bytes under the same name.
//
//	magic    8 bytes  "PWPACK01"
//	entry*   repeated to the end of the file:
//	  id_len   uint16, little-endian   (1–64)
//	  id       id_len bytes            the read's id
//	  kind     1 byte                  0 plate crop, 1 overview
//	  size     uint32, little-endian   (at most MaxImageBytes)
//	  image    size bytes              the JPEG, as the car wrote it
//
// The entries make a pack readable without the database (Scan lists them);
// the database finds an image by its reference, a path relative to the image
// store with the image's byte range: 2026-05-01/0123456789abcdef.pack@8+3061
// (offset of the JPEG's first byte, then its length). A reference without
// "@" is a plain file (images stored one a file before packs, and evidence
// copies).
package imagepack

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/plateward/alpr/internal/fsutil"
)

// Magic starts every pack.
const Magic = "PWPACK01"

// Ext is a pack's file extension.
const Ext = ".pack"

// MaxImageBytes bounds one image: a JPEG overview of a 4K frame is well
// under it, and a reference that claims more is refused.
const MaxImageBytes = 16 << 20

// Kind tells a plate crop from an overview image.
type Kind byte

// The kinds of image a pack holds.
const (
	Crop     Kind = 0
	Overview Kind = 1
)

// Errors.
var (
	// ErrBadRef is a reference that does not name an image inside the
	// image store.
	ErrBadRef = errors.New("bad image reference")
	// ErrCorrupt is a pack whose bytes do not follow the layout.
	ErrCorrupt = errors.New("corrupt image pack")
)

// Writer appends images to a new pack.
type Writer struct {
	f   *fsutil.File
	w   *bufio.Writer
	rel string // the pack's path relative to the image store
	off int64
	err error
}

// Create starts the pack root/day/name.pack (day folder created if needed).
func Create(root, day, name string) (*Writer, error) {
	if !validDay(day) || !validName(name) {
		return nil, fmt.Errorf("%w: pack %s/%s", ErrBadRef, day, name)
	}
	dir := filepath.Join(root, day)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("image day folder: %w", err)
	}
	f, err := fsutil.Create(filepath.Join(dir, name+Ext))
	if err != nil {
		return nil, err
	}
	w := &Writer{f: f, w: bufio.NewWriterSize(f, 1<<20), rel: day + "/" + name + Ext}
	w.write([]byte(Magic))
	return w, w.err
}

func (w *Writer) write(b []byte) {
	if w.err != nil {
		return
	}
	n, err := w.w.Write(b)
	w.off += int64(n)
	if err != nil {
		w.err = fmt.Errorf("write image pack: %w", err)
	}
}

// Add appends one image and returns its reference.
func (w *Writer) Add(id string, k Kind, img []byte) (string, error) {
	if len(id) == 0 || len(id) > 64 {
		return "", fmt.Errorf("%w: id of %d bytes", ErrBadRef, len(id))
	}
	if len(img) > MaxImageBytes {
		return "", fmt.Errorf("%w: image of %d bytes for %s", ErrBadRef, len(img), id)
	}
	var h [7]byte
	binary.LittleEndian.PutUint16(h[:2], uint16(len(id))) //nolint:gosec // at most 64, checked above
	w.write(h[:2])
	w.write([]byte(id))
	h[2] = byte(k)
	binary.LittleEndian.PutUint32(h[3:7], uint32(len(img))) //nolint:gosec // at most MaxImageBytes, checked above
	w.write(h[2:7])
	at := w.off
	w.write(img)
	if w.err != nil {
		return "", w.err
	}
	return w.rel + "@" + strconv.FormatInt(at, 10) + "+" + strconv.Itoa(len(img)), nil
}

// Flush hands what was added to the operating system (a full disk shows
// here), without waiting for it to reach the disk.
func (w *Writer) Flush() error {
	if w.err == nil {
		if err := w.w.Flush(); err != nil {
			w.err = fmt.Errorf("write image pack: %w", err)
		}
	}
	return w.err
}

// Commit makes the pack durable under its name.
func (w *Writer) Commit() error {
	if err := w.Flush(); err != nil {
		return errors.Join(err, w.f.Abort())
	}
	return w.f.Commit()
}

// Abort removes the unfinished pack.
func (w *Writer) Abort() error { return w.f.Abort() }

// Ref is a parsed image reference.
type Ref struct {
	Path         string // relative to the image store, with "/" separators
	Offset, Size int64  // the byte range in a pack; Size -1 for a plain file
}

// ParseRef checks a reference and splits it. A reference must stay inside
// the image store: no absolute path, no "..", no empty or odd segment.
func ParseRef(s string) (Ref, error) {
	path, rng, packed := strings.Cut(s, "@")
	if path == "" || strings.HasPrefix(path, "/") || strings.Contains(path, "\\") {
		return Ref{}, fmt.Errorf("%w: %q", ErrBadRef, s)
	}
	for _, seg := range strings.Split(path, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return Ref{}, fmt.Errorf("%w: %q", ErrBadRef, s)
		}
	}
	if !packed {
		return Ref{Path: path, Size: -1}, nil
	}
	o, n, ok := strings.Cut(rng, "+")
	off, err1 := strconv.ParseInt(o, 10, 64)
	size, err2 := strconv.ParseInt(n, 10, 64)
	if !ok || err1 != nil || err2 != nil || !strings.HasSuffix(path, Ext) || off < int64(len(Magic)) || size < 0 || size > MaxImageBytes {
		return Ref{}, fmt.Errorf("%w: %q", ErrBadRef, s)
	}
	return Ref{Path: path, Offset: off, Size: size}, nil
}

// Read returns the image a reference names under root.
func Read(root, ref string) ([]byte, error) {
	r, err := ParseRef(ref)
	if err != nil {
		return nil, err
	}
	p := filepath.Join(root, filepath.FromSlash(r.Path))
	if r.Size < 0 {
		//nolint:gosec // p is under root: ParseRef refuses absolute paths and ".."
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read image: %w", err)
		}
		return b, nil
	}
	f, size, err := openPack(p)
	if err != nil {
		return nil, fmt.Errorf("read image: %w", err)
	}
	defer f.Close()
	if r.Offset+r.Size > size {
		return nil, fmt.Errorf("%w: %s: bytes %d+%d past the end (%d)", ErrCorrupt, r.Path, r.Offset, r.Size, size)
	}
	b := make([]byte, r.Size)
	if _, err := f.ReadAt(b, r.Offset); err != nil {
		return nil, fmt.Errorf("read image: %w", err)
	}
	return b, nil
}

// Entry is one image as Scan finds it.
type Entry struct {
	ID           string
	Kind         Kind
	Offset, Size int64
}

// Scan lists a pack's images in order without reading them.
func Scan(path string) ([]Entry, error) {
	f, size, err := openPack(path)
	if err != nil {
		return nil, fmt.Errorf("scan image pack: %w", err)
	}
	defer f.Close()
	r := bufio.NewReader(f)
	magic := make([]byte, len(Magic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != Magic {
		return nil, fmt.Errorf("%w: %s: no pack header", ErrCorrupt, path)
	}
	off := int64(len(Magic))
	var out []Entry
	var h [2]byte
	for {
		if _, err := io.ReadFull(r, h[:]); err == io.EOF {
			return out, nil
		} else if err != nil {
			return out, fmt.Errorf("%w: %s: entry header at byte %d cut", ErrCorrupt, path, off)
		}
		idLen := int(binary.LittleEndian.Uint16(h[:]))
		if idLen == 0 || idLen > 64 {
			return out, fmt.Errorf("%w: %s: id of %d bytes at byte %d", ErrCorrupt, path, idLen, off)
		}
		rest := make([]byte, idLen+5)
		if _, err := io.ReadFull(r, rest); err != nil {
			return out, fmt.Errorf("%w: %s: entry header at byte %d cut", ErrCorrupt, path, off)
		}
		e := Entry{ID: string(rest[:idLen]), Kind: Kind(rest[idLen]), Size: int64(binary.LittleEndian.Uint32(rest[idLen+1:]))}
		e.Offset = off + 2 + int64(idLen) + 5
		if e.Kind > Overview || e.Size > MaxImageBytes || e.Offset+e.Size > size {
			return out, fmt.Errorf("%w: %s: entry for %s at byte %d runs past the end", ErrCorrupt, path, e.ID, off)
		}
		if _, err := r.Discard(int(e.Size)); err != nil {
			return out, fmt.Errorf("%w: %s: image of %s cut", ErrCorrupt, path, e.ID)
		}
		out = append(out, e)
		off = e.Offset + e.Size
	}
}

// openPack opens a pack and returns its size.
func openPack(path string) (*os.File, int64, error) {
	//nolint:gosec // path is under the image store: ParseRef refuses absolute paths and "..", Scan is given the store's own packs
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, st.Size(), nil
}

func validDay(day string) bool {
	if len(day) != len("2006-01-02") {
		return false
	}
	for i, c := range day {
		if (i == 4 || i == 7) != (c == '-') || (c != '-' && (c < '0' || c > '9')) {
			return false
		}
	}
	return true
}

func validName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	return strings.Trim(name, "0123456789abcdef") == ""
}

package drive

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"filippo.io/age"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// FileInfo describes a stream file found on a drive.
type FileInfo struct {
	Path      string
	Name      string
	Kind      Kind // from the file name; the schema is checked when read
	Sealed    bool
	Encrypted bool // an age stream (EncExt)
	Size      int64
}

// List returns the stream files in dir, sealed or not, in name order.
// Temporary files are not listed: see Salvage.
func List(dir string) ([]FileInfo, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list drive %s: %w", dir, err)
	}
	var out []FileInfo
	for _, e := range ents {
		name := e.Name()
		enc := strings.HasSuffix(name, EncExt)
		if e.IsDir() || !strings.HasSuffix(name, FileExt) && !enc {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return nil, fmt.Errorf("stat %s: %w", name, err)
		}
		kind, _, _ := strings.Cut(name, "-")
		p := filepath.Join(dir, name)
		_, serr := os.Stat(p + SealExt) //nolint:gosec // p is a file listed in the drive directory being read
		out = append(out, FileInfo{Path: p, Name: name, Kind: Kind(kind), Sealed: serr == nil, Encrypted: enc, Size: info.Size()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// File is a drive file read into memory and verified.
type File struct {
	Info    FileInfo
	Kind    Kind
	SHA256  string // of the stream bytes as read
	Schema  *arrow.Schema
	Batches []arrow.RecordBatch
	Rows    int64
	// Tail is non-nil when an unsealed file ends inside a batch: every
	// batch before it is in Batches. It wraps ErrTornTail.
	Tail error
}

// Release frees the batches.
func (f *File) Release() {
	for _, b := range f.Batches {
		b.Release()
	}
	f.Batches = nil
}

// ReadFile reads and verifies one drive file. A sealed file must match its
// seal (ErrChecksum otherwise) and read to the end; an unsealed file yields
// its complete batches and reports the torn remainder in File.Tail. An
// encrypted file needs the identity of one of its recipients; one whose
// authentication fails is ErrDecrypt.
func ReadFile(info FileInfo, ids ...age.Identity) (f *File, err error) {
	// The Arrow reader panics on some malformed input; a drive file is
	// outside input, so that is a corrupt file, not a crash.
	defer func() {
		if r := recover(); r != nil {
			if f != nil {
				f.Release()
			}
			f, err = nil, fmt.Errorf("%s: %w: %v", info.Name, ErrCorrupt, r)
		}
	}()
	data, err := os.ReadFile(info.Path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", info.Path, err)
	}
	sum := sha256.Sum256(data)
	f = &File{Info: info, SHA256: hex.EncodeToString(sum[:])}
	if info.Sealed {
		want, err := readSeal(info.Path + SealExt)
		if err != nil {
			return nil, err
		}
		if want != f.SHA256 {
			return nil, fmt.Errorf("%s: %w: seal says %s, file is %s", info.Name, ErrChecksum, want, f.SHA256)
		}
	}
	plain := data
	var decErr error
	if info.Encrypted {
		if len(ids) == 0 {
			return nil, fmt.Errorf("%s: %w: the file is encrypted and no station identity was given", info.Name, ErrNoIdentity)
		}
		r, err := age.Decrypt(bytes.NewReader(data), ids...)
		if err != nil {
			return nil, fmt.Errorf("%s: %w: %w", info.Name, ErrDecrypt, err)
		}
		// A cut or altered chunk stops the plaintext there: what came
		// before it is authentic.
		// The plaintext is shorter than the file: one buffer of the
		// file's size holds it without growing (io.ReadAll's doubling
		// cost a third of reading a large file).
		buf := bytes.NewBuffer(make([]byte, 0, len(data)+bytes.MinRead))
		_, decErr = buf.ReadFrom(r)
		plain = buf.Bytes()
		if decErr != nil && info.Sealed {
			return nil, fmt.Errorf("%s: %w: %w", info.Name, ErrDecrypt, decErr)
		}
	}
	// The reader trusts the lengths a stream declares; check them first,
	// and give it only the complete messages.
	complete, cerr := checkStream(plain)
	var cut error
	switch {
	case cerr != nil && (info.Sealed || complete == 0):
		return nil, fmt.Errorf("%s: %w", info.Name, cerr)
	case complete < len(plain) && info.Sealed:
		return nil, fmt.Errorf("%s: %w: sealed stream ends inside a message at byte %d of %d", info.Name, ErrCorrupt, complete, len(plain))
	case complete < len(plain):
		cut = fmt.Errorf("%s: %w: complete messages end at byte %d of %d", info.Name, ErrTornTail, complete, len(plain))
		if cerr != nil {
			cut = fmt.Errorf("%w (%w)", cut, cerr)
		}
		plain = plain[:complete]
	}
	cr := &countReader{r: bytes.NewReader(plain)}
	rd, err := ipc.NewReader(cr, ipc.WithAllocator(memory.DefaultAllocator))
	if err != nil {
		if !info.Sealed && cr.n == int64(len(plain)) {
			return nil, fmt.Errorf("%s: %w: no complete schema in %d bytes", info.Name, ErrTornTail, len(plain))
		}
		return nil, fmt.Errorf("%s: open stream: %w", info.Name, err)
	}
	defer rd.Release()
	f.Schema = rd.Schema()
	if f.Kind, err = CheckSchema(f.Schema); err != nil {
		return nil, fmt.Errorf("%s: %w", info.Name, err)
	}
	good := cr.n
	var bad error
	for rd.Next() {
		b := rd.RecordBatch()
		if bad = validateBatch(b); bad != nil {
			break
		}
		b.Retain()
		f.Batches = append(f.Batches, b)
		f.Rows += b.NumRows()
		good = cr.n
	}
	if bad != nil {
		if info.Sealed {
			f.Release()
			return nil, fmt.Errorf("%s: batch %d: %w", info.Name, len(f.Batches)+1, bad)
		}
		f.Tail = fmt.Errorf("%s: %w after %d complete batches at byte %d: %w", info.Name, ErrTornTail, len(f.Batches), good, bad)
		return f, nil
	}
	if err := rd.Err(); err != nil {
		if info.Sealed {
			f.Release()
			return nil, fmt.Errorf("%s: sealed file unreadable after %d batches: %w", info.Name, len(f.Batches), err)
		}
		f.Tail = fmt.Errorf("%s: %w after %d complete batches at byte %d of %d: %w", info.Name, ErrTornTail, len(f.Batches), good, len(plain), err)
	} else if decErr != nil {
		f.Tail = fmt.Errorf("%s: %w after %d complete batches: %w", info.Name, ErrTornTail, len(f.Batches), decErr)
	} else if cut != nil {
		f.Tail = cut
	}
	return f, nil
}

func readSeal(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read seal: %w", err)
	}
	sum, _, _ := strings.Cut(strings.TrimSpace(string(b)), " ")
	if len(sum) != 64 {
		return "", fmt.Errorf("seal %s: %w: malformed", filepath.Base(path), ErrChecksum)
	}
	return sum, nil
}

type countReader struct {
	r *bytes.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// IsQuarantine reports whether err means a file must be set aside rather
// than loaded: tampered, of an unknown version, or not a drive file.
func IsQuarantine(err error) bool {
	return errors.Is(err, ErrChecksum) || errors.Is(err, ErrUnknownVersion) || errors.Is(err, ErrDecrypt) || errors.Is(err, ErrCorrupt) ||
		errors.Is(err, ErrNotDrive) || errors.Is(err, ErrSchemaMismatch) || errors.Is(err, ErrUnknownKind)
}

package drive

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"path/filepath"

	"filippo.io/age"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/plateward/alpr/internal/fsutil"
)

// FileWriter writes records of one kind to one drive file. Records are
// buffered in a batch until Flush; Seal makes the file appear under its
// final name with its seal.
type FileWriter struct {
	kind    Kind
	path    string
	af      *fsutil.File
	sum     hash.Hash
	n       int64          // bytes written to the file
	enc     io.WriteCloser // the age stream, when the file is encrypted
	ipcw    *ipc.Writer
	bldr    *array.RecordBuilder
	pending int
	rows    int64
	closed  bool
}

type countWriter struct {
	w io.Writer
	n *int64
}

func (c countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	*c.n += int64(n)
	return n, err
}

// CreateFile starts a drive file of kind k at path (which should end in
// FileExt, or EncExt when it has recipients). With recipients the stream is
// encrypted to them with age: only their identities can read it. The file
// exists only under its temporary name until Seal.
func CreateFile(path string, k Kind, recipients ...age.Recipient) (*FileWriter, error) {
	schema, err := Schema(k)
	if err != nil {
		return nil, err
	}
	af, err := fsutil.Create(path)
	if err != nil {
		return nil, err
	}
	w := &FileWriter{kind: k, path: path, af: af, sum: sha256.New()}
	var out io.Writer = countWriter{w: io.MultiWriter(af, w.sum), n: &w.n}
	if len(recipients) > 0 {
		if w.enc, err = age.Encrypt(out, recipients...); err != nil {
			return nil, errors.Join(fmt.Errorf("encrypt %s: %w", path, err), af.Abort())
		}
		out = w.enc
	}
	w.ipcw = ipc.NewWriter(out, ipc.WithSchema(schema), ipc.WithAllocator(memory.DefaultAllocator))
	w.bldr = array.NewRecordBuilder(memory.DefaultAllocator, schema)
	return w, nil
}

// Path returns the file's final path.
func (w *FileWriter) Path() string { return w.path }

// Kind returns the kind of record the file holds.
func (w *FileWriter) Kind() Kind { return w.kind }

// Bytes returns the bytes written to the file so far (excluding the batch
// still being built).
func (w *FileWriter) Bytes() int64 { return w.n }

// Rows returns the rows appended so far, flushed or not.
func (w *FileWriter) Rows() int64 { return w.rows }

// Pending returns the rows appended but not yet flushed.
func (w *FileWriter) Pending() int { return w.pending }

// Append adds a record to the current batch.
func (w *FileWriter) Append(r Record) error {
	if w.closed {
		return ErrClosed
	}
	if r.Kind() != w.kind {
		return fmt.Errorf("append %s record to %s file: %w", r.Kind(), w.kind, ErrUnknownKind)
	}
	r.appendTo(w.bldr)
	w.pending++
	w.rows++
	return nil
}

// Flush writes the current batch to the file. With sync it also fsyncs, so
// the batch survives a power cut (it is then salvaged from the tail).
func (w *FileWriter) Flush(sync bool) error {
	if w.closed {
		return ErrClosed
	}
	if w.pending > 0 {
		rec := w.bldr.NewRecordBatch()
		err := w.ipcw.Write(rec)
		rec.Release()
		w.pending = 0
		if err != nil {
			return fmt.Errorf("write batch to %s: %w", w.path, err)
		}
	}
	if sync {
		return w.af.Sync()
	}
	return nil
}

// Sealed describes a file that Seal completed.
type Sealed struct {
	Path   string
	Kind   Kind
	Rows   int64
	Bytes  int64
	SHA256 string
}

// Seal flushes, ends the stream, makes the file appear under its final
// name and writes its seal.
func (w *FileWriter) Seal() (Sealed, error) {
	if err := w.Flush(false); err != nil {
		w.Abort()
		return Sealed{}, err
	}
	w.closed = true
	defer w.bldr.Release()
	if err := w.ipcw.Close(); err != nil {
		return Sealed{}, errors.Join(fmt.Errorf("close stream %s: %w", w.path, err), w.af.Abort())
	}
	if w.enc != nil {
		if err := w.enc.Close(); err != nil {
			return Sealed{}, errors.Join(fmt.Errorf("close encryption %s: %w", w.path, err), w.af.Abort())
		}
	}
	if err := w.af.Commit(); err != nil {
		return Sealed{}, err
	}
	sum := hex.EncodeToString(w.sum.Sum(nil))
	line := fmt.Sprintf("%s  %s\n", sum, filepath.Base(w.path))
	if err := fsutil.WriteFile(w.path+SealExt, []byte(line)); err != nil {
		return Sealed{}, fmt.Errorf("seal %s: %w", w.path, err)
	}
	return Sealed{Path: w.path, Kind: w.kind, Rows: w.rows, Bytes: w.n, SHA256: sum}, nil
}

// Abort discards the file.
func (w *FileWriter) Abort() {
	if w.closed {
		return
	}
	w.closed = true
	w.bldr.Release()
	_ = w.af.Abort() // a temporary file left behind is salvaged at the next start
}

// WriteRecords writes records of one kind to a new sealed file in one batch.
// It is a convenience for tests, fixtures and tools.
func WriteRecords[R Record](path string, k Kind, recs []R) (Sealed, error) {
	w, err := CreateFile(path, k)
	if err != nil {
		return Sealed{}, err
	}
	for _, r := range recs {
		if err := w.Append(r); err != nil {
			w.Abort()
			return Sealed{}, err
		}
	}
	return w.Seal()
}

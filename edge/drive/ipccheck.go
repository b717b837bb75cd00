package drive

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	flatbuffers "github.com/google/flatbuffers/go"
)

// ErrCorrupt is a stream whose framing or metadata cannot be right: a
// vector longer than the bytes that hold it, a body past the end. The
// Arrow reader would trust such lengths and allocate them, so a crafted
// drive file could exhaust the station's memory; every message is checked
// before the reader sees it.
var ErrCorrupt = errors.New("corrupt arrow stream")

// Arrow IPC message header types (Message.fbs), part of the Arrow format.
const (
	headerSchema      = 1
	headerRecordBatch = 3
)

// checkStream walks the stream's messages and checks every length the
// reader will allocate by. It returns how many bytes form complete
// messages (a cut tail is not an error: the reader stops there too).
func checkStream(data []byte) (good int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: at byte %d: %v", ErrCorrupt, good, r)
		}
	}()
	pos := 0
	for first := true; ; first = false {
		if len(data)-pos < 8 {
			return pos, nil // a cut tail
		}
		if binary.LittleEndian.Uint32(data[pos:]) != 0xFFFFFFFF {
			return pos, fmt.Errorf("%w: no message marker at byte %d", ErrCorrupt, pos)
		}
		size := int(int32(binary.LittleEndian.Uint32(data[pos+4:]))) //nolint:gosec // a negative or oversized length is refused just below
		if size == 0 {
			return pos + 8, nil // end of stream
		}
		if size < 0 || size > 1<<20 {
			return pos, fmt.Errorf("%w: metadata of %d bytes at byte %d", ErrCorrupt, size, pos)
		}
		if len(data)-pos-8 < size {
			return pos, nil // a cut tail
		}
		meta := data[pos+8 : pos+8+size]
		body, err := checkMessage(meta, first)
		if err != nil {
			return pos, fmt.Errorf("message at byte %d: %w", pos, err)
		}
		if body < 0 || int64(len(data)-pos-8-size) < body {
			if body >= 0 && body <= 1<<32 {
				return pos, nil // a cut tail inside the body
			}
			return pos, fmt.Errorf("%w: body of %d bytes at byte %d", ErrCorrupt, body, pos)
		}
		pos += 8 + size + int(body)
	}
}

// table is a flatbuffer table with bounds checks on what it hands out.
type table struct{ flatbuffers.Table }

func rootTable(buf []byte) (table, error) {
	if len(buf) < 4 {
		return table{}, fmt.Errorf("%w: metadata too short", ErrCorrupt)
	}
	pos := flatbuffers.GetUOffsetT(buf)
	if int(pos)+4 > len(buf) {
		return table{}, fmt.Errorf("%w: root outside the metadata", ErrCorrupt)
	}
	return table{flatbuffers.Table{Bytes: buf, Pos: pos}}, nil
}

// sub returns the table in slot (0-based), if present.
func (t table) sub(slot int) (table, bool) {
	o := flatbuffers.UOffsetT(t.Offset(flatbuffers.VOffsetT(4 + 2*slot))) //nolint:gosec // slot is a small schema constant
	if o == 0 {
		return table{}, false
	}
	return table{flatbuffers.Table{Bytes: t.Bytes, Pos: t.Indirect(t.Pos + o)}}, true
}

// vecLen returns the length of the vector in slot, checked against the
// bytes that must hold elemSize bytes an element.
func (t table) vecLen(slot, elemSize int) (int, error) {
	o := flatbuffers.UOffsetT(t.Offset(flatbuffers.VOffsetT(4 + 2*slot))) //nolint:gosec // slot is a small schema constant
	if o == 0 {
		return 0, nil
	}
	n := t.VectorLen(o)
	start := int(t.Vector(o))
	if n < 0 || start > len(t.Bytes) || n > (len(t.Bytes)-start)/elemSize {
		return 0, fmt.Errorf("%w: a vector of %d elements in %d bytes", ErrCorrupt, n, len(t.Bytes)-start)
	}
	return n, nil
}

// vecTable returns the i-th table of the vector in slot.
func (t table) vecTable(slot, i int) table {
	o := flatbuffers.UOffsetT(t.Offset(flatbuffers.VOffsetT(4 + 2*slot))) //nolint:gosec // slot is a small schema constant
	x := t.Vector(o) + flatbuffers.UOffsetT(i*4)                          //nolint:gosec // i is below the vector's checked length
	return table{flatbuffers.Table{Bytes: t.Bytes, Pos: t.Indirect(x)}}
}

// checkMessage checks one Message and returns its body length.
func checkMessage(meta []byte, first bool) (int64, error) {
	m, err := rootTable(meta)
	if err != nil {
		return 0, err
	}
	typ := m.GetByteSlot(flatbuffers.VOffsetT(4+2*1), 0)
	body := m.GetInt64Slot(flatbuffers.VOffsetT(4+2*3), 0)
	if _, err := m.vecLen(4, 4); err != nil { // custom_metadata
		return 0, err
	}
	h, ok := m.sub(2)
	if !ok {
		return 0, fmt.Errorf("%w: message without a header", ErrCorrupt)
	}
	switch {
	case first && typ == headerSchema:
		return body, checkFields(h, 1, 0)
	case !first && typ == headerRecordBatch:
		if _, err := h.vecLen(1, 16); err != nil { // nodes: FieldNode structs
			return 0, err
		}
		if _, err := h.vecLen(2, 16); err != nil { // buffers: Buffer structs
			return 0, err
		}
		if _, err := h.vecLen(4, 8); err != nil { // variadic buffer counts
			return 0, err
		}
		return body, nil
	}
	return 0, fmt.Errorf("%w: message type %d where a drive file has %s", ErrCorrupt, typ,
		map[bool]string{true: "its schema", false: "record batches"}[first])
}

// checkFields checks the fields vector in slot of a Schema (slot 1) or a
// Field's children (slot 5), and their metadata, recursively.
func checkFields(t table, slot, depth int) error {
	if depth > 8 {
		return fmt.Errorf("%w: fields nested %d deep", ErrCorrupt, depth)
	}
	metaSlot := 2 // Schema.custom_metadata
	if depth > 0 {
		metaSlot = 6 // Field.custom_metadata
	}
	if _, err := t.vecLen(metaSlot, 4); err != nil {
		return err
	}
	n, err := t.vecLen(slot, 4)
	if err != nil {
		return err
	}
	if n > 256 {
		return fmt.Errorf("%w: %d fields", ErrCorrupt, n)
	}
	for i := range n {
		if err := checkFields(t.vecTable(slot, i), 5, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// validateBatch checks that every column of a batch is as long as the
// batch and that its buffers hold what its offsets and lengths say. The
// Arrow reader does not: a damaged file would otherwise make the decoders,
// or DuckDB reading the batch through the C data interface, read past a
// buffer.
func validateBatch(rec arrow.RecordBatch) error {
	n := int(rec.NumRows())
	for i, c := range rec.Columns() {
		if c.Len() != n {
			return fmt.Errorf("%w: column %d has %d rows, the batch %d", ErrCorrupt, i, c.Len(), n)
		}
		if err := validateArray(c); err != nil {
			return fmt.Errorf("column %s: %w", rec.ColumnName(i), err)
		}
	}
	return nil
}

func validateArray(a arrow.Array) error {
	d := a.Data()
	need := func(buf int, bytes int) error {
		bs := d.Buffers()
		if buf >= len(bs) || bs[buf] == nil {
			if bytes == 0 || (buf == 0) {
				return nil // no validity bitmap: no nulls
			}
			return fmt.Errorf("%w: buffer %d missing", ErrCorrupt, buf)
		}
		if bs[buf].Len() < bytes {
			return fmt.Errorf("%w: buffer %d holds %d bytes, needs %d", ErrCorrupt, buf, bs[buf].Len(), bytes)
		}
		return nil
	}
	end := d.Offset() + d.Len()
	if d.Offset() < 0 || d.Len() < 0 {
		return fmt.Errorf("%w: negative offset or length", ErrCorrupt)
	}
	if err := need(0, (end+7)/8); d.NullN() > 0 && err != nil {
		return err
	}
	var err error
	switch t := a.(type) {
	case *array.String:
		if err = need(1, 4*(end+1)); err == nil {
			err = t.ValidateFull()
		}
	case *array.Binary:
		if err = need(1, 4*(end+1)); err == nil {
			err = t.ValidateFull()
		}
	case *array.List:
		if err = need(1, 4*(end+1)); err == nil {
			if err = t.ValidateFull(); err == nil {
				err = validateArray(t.ListValues())
			}
		}
	case *array.Boolean:
		err = need(1, (end+7)/8)
	default:
		fw, ok := a.DataType().(arrow.FixedWidthDataType)
		if !ok {
			return fmt.Errorf("%w: unexpected column type %s", ErrCorrupt, a.DataType())
		}
		err = need(1, end*fw.BitWidth()/8)
	}
	if err != nil && !errors.Is(err, ErrCorrupt) {
		err = fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return err
}

package drive

import "errors"

// Errors returned by this package; match with errors.Is.
var (
	// ErrUnknownKind is a record kind this format does not define.
	ErrUnknownKind = errors.New("unknown record kind")
	// ErrNotDrive is a file that is not a Plateward drive file.
	ErrNotDrive = errors.New("not a plateward drive file")
	// ErrUnknownVersion is a drive file of a major version this reader does not know.
	ErrUnknownVersion = errors.New("unknown drive format version")
	// ErrSchemaMismatch is a drive file whose columns differ from its kind's schema.
	ErrSchemaMismatch = errors.New("drive schema mismatch")
	// ErrChecksum is a sealed file whose contents do not match its seal.
	ErrChecksum = errors.New("checksum mismatch")
	// ErrTornTail is a stream that ends inside a batch; the batches before it are good.
	ErrTornTail = errors.New("torn tail")
	// ErrClosed is a write to a closed writer.
	ErrClosed = errors.New("writer closed")
)

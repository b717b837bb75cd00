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
	// ErrDecrypt is an encrypted file that does not decrypt or authenticate:
	// the wrong key, or bytes changed after writing.
	ErrDecrypt = errors.New("cannot decrypt")
	// ErrNoIdentity is an encrypted file read without the station's identity.
	ErrNoIdentity = errors.New("no identity to decrypt with")
	// ErrClosed is a write to a closed writer.
	ErrClosed = errors.New("writer closed")
)

// Package drive defines the drive format: the files a patrol car writes to
// its USB drive and the station ingests. It owns the Arrow schemas of every
// record kind, the writer that makes a file appear atomically and seals it,
// and the reader that verifies a file before handing out its batches.
//
// # Format, version 1 (frozen)
//
// A drive is one flat directory. Each file holds records of one kind as an
// Arrow IPC stream (not the random-access file format), so a file cut short
// still yields every batch that was completely written:
//
//	<kind>-<vehicle>-<yyyymmddThhmmssZ>-<seq>.arrows         the stream
//	<kind>-<vehicle>-<yyyymmddThhmmssZ>-<seq>.arrows.sha256  the seal
//	<kind>-<vehicle>-<yyyymmddThhmmssZ>-<seq>.arrows.tmp     being written
//
//	stream := schema-message  batch-message*  end-of-stream-marker
//	seal   := lower-case hex SHA-256 of the whole stream file, "  ", file name, "\n"
//
// kind is one of "reads", "hits", "dispositions", "shifts". The schema
// message carries metadata that names the format:
//
//	plateward.format  = "drive"
//	plateward.version = "1.<minor>"   a reader refuses any major version but 1
//	plateward.kind    = <kind>
//
// A file is written under its ".tmp" name, fsynced, renamed, and then its
// seal is written the same way; the directory is fsynced after each rename.
// A stream file without a seal is an unsealed tail: a crash happened between
// the rename and the seal, or the file was salvaged. Ingest loads every
// complete batch of an unsealed file and reports it; a sealed file whose
// checksum differs is corrupt or tampered and is quarantined.
//
// # Encryption
//
// With the department's age recipient configured, each stream is wrapped in
// age (X25519, ChaCha20-Poly1305 in 64 KiB chunks) and named
// "<...>.arrows.age"; the seal covers the encrypted bytes. The car holds no
// identity: a lost drive reveals nothing, and only the station can read it.
// A cut encrypted file yields every chunk before the cut, and so every
// batch those chunks hold; a changed byte fails authentication. Because
// age cannot flush a partial chunk, an encrypted hit, step or shift event is
// sealed in a file of its own the moment it is written.
//
// All times are UTC, microsecond precision. Column names and types of each
// kind are in schema.go and are part of the format: a new column is a minor
// version, a changed or removed one a major version.
package drive

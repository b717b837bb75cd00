package analytics

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Checkpoint writes the write-ahead log into the database file. Every
// checkpoint of the store goes through here, so that none runs while
// Snapshot copies the file.
func (s *Store) Checkpoint(ctx context.Context) error {
	s.checkpointMu.Lock()
	defer s.checkpointMu.Unlock()
	if _, err := s.db.ExecContext(ctx, "CHECKPOINT"); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// Snapshot writes a consistent copy of the database file to w while the
// store stays open: a forced checkpoint (it waits for running
// transactions, then writes every committed change into the file), then a
// copy of the file with DuckDB's automatic checkpoints held off, so the
// file does not change under the copy. Transactions committed during the
// copy go to the write-ahead log and are not in the snapshot. It returns
// the bytes written.
func (s *Store) Snapshot(ctx context.Context, w io.Writer) (n int64, err error) {
	s.checkpointMu.Lock()
	defer s.checkpointMu.Unlock()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("snapshot: %w", err)
	}
	defer conn.Close()
	var was string
	if err := conn.QueryRowContext(ctx, "SELECT current_setting('wal_autocheckpoint')").Scan(&was); err != nil {
		return 0, fmt.Errorf("snapshot: read wal_autocheckpoint: %w", err)
	}
	// The setting is the database's, not the connection's: every
	// connection's commits stop checkpointing until it is put back.
	if _, err := conn.ExecContext(ctx, "SET GLOBAL wal_autocheckpoint = '1000TB'"); err != nil {
		return 0, fmt.Errorf("snapshot: hold checkpoints: %w", err)
	}
	defer func() {
		// Put back even when ctx has ended.
		if _, rerr := conn.ExecContext(context.Background(), "SET GLOBAL wal_autocheckpoint = '"+strings.ReplaceAll(was, "'", "")+"'"); rerr != nil {
			err = errors.Join(err, fmt.Errorf("snapshot: restore wal_autocheckpoint: %w", rerr))
		}
	}()
	if _, err := conn.ExecContext(ctx, "FORCE CHECKPOINT"); err != nil {
		return 0, fmt.Errorf("snapshot: checkpoint: %w", err)
	}
	f, err := os.Open(filepath.Join(s.opts.Dir, DBFile))
	if err != nil {
		return 0, fmt.Errorf("snapshot: %w", err)
	}
	defer f.Close()
	n, err = io.Copy(w, ctxReader{ctx, f})
	if err != nil {
		return n, fmt.Errorf("snapshot: copy: %w", err)
	}
	return n, nil
}

// ctxReader stops a long copy when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

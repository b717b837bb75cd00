// Package analytics owns the back office's store: one DuckDB database file
// with an image store beside it, laid out by day so that retention removes
// whole days. It creates the schema by numbered migrations, answers the
// investigative searches, and keeps the append-only, hash-chained audit log
// that every access writes to.
//
// Build with the tag duckdb_arrow (the Makefile sets it): ingest loads drive
// files through DuckDB's Arrow interface.
package analytics

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/plateward/alpr/analytics/imagepack"
)

// Options configures a Store.
type Options struct {
	Dir      string // holds alpr.duckdb and images/
	TimeZone string // the department's zone: image days and retention are counted in it
	Threads  int    // DuckDB worker threads; 0 for DuckDB's default
	// AllowFiles lets SQL read and write files outside the store (read_csv,
	// COPY). Off for the back office: an analyst's SELECT must not read the
	// server's files. Benchmarks that load CSV turn it on.
	AllowFiles bool
	// MemoryLimitMB is DuckDB's memory limit for the whole store, searches
	// and console queries included: a query that needs more fails (audited,
	// "needed more memory than a query may use") instead of taking the
	// machine. 0: half the machine's memory.
	MemoryLimitMB int
	// ConsoleQueries is how many ad-hoc SQL queries run at once; more wait
	// their turn within their own timeout, so that analysts' heavy
	// queries leave DuckDB's threads to the searches and the cars' drives.
	ConsoleQueries int
}

// DefaultOptions returns a store in dir for a department in America/Chicago.
func DefaultOptions(dir string) Options {
	return Options{Dir: dir, TimeZone: "America/Chicago", ConsoleQueries: 1}
}

// Validate reports the first invalid option.
func (o Options) Validate() error {
	if o.Dir == "" {
		return errors.New("store options: no directory")
	}
	if _, err := time.LoadLocation(o.TimeZone); err != nil {
		return fmt.Errorf("store options: time zone: %w", err)
	}
	if o.Threads < 0 {
		return fmt.Errorf("store options: threads %d < 0", o.Threads)
	}
	if o.MemoryLimitMB < 0 {
		return fmt.Errorf("store options: memory limit %d MB < 0", o.MemoryLimitMB)
	}
	if o.ConsoleQueries < 1 {
		return fmt.Errorf("store options: console queries %d < 1", o.ConsoleQueries)
	}
	return nil
}

// Store is the back office's database and image store. One process owns it.
type Store struct {
	opts Options
	loc  *time.Location
	conn *duckdb.Connector
	db   *sql.DB
	// auditMu serialises audited operations: each appends to the one
	// hash chain, whose head they read.
	auditMu sync.Mutex
	// checkpointMu keeps checkpoints (Checkpoint) out of a snapshot's copy.
	checkpointMu sync.Mutex
	console      chan struct{} // a slot per console query running (Options.ConsoleQueries)
}

// ErrStoreInUse is a store another process has open: DuckDB lets one
// process write a database file at a time.
var ErrStoreInUse = errors.New("the store is in use by another process")

// Names inside the store directory.
const (
	DBFile    = "alpr.duckdb"
	ImagesDir = "images"
)

// Open opens (creating if needed) the store and applies migrations.
func Open(ctx context.Context, o Options) (*Store, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(o.Dir, ImagesDir), 0o750); err != nil {
		return nil, fmt.Errorf("create store dir: %w", err)
	}
	loc, _ := time.LoadLocation(o.TimeZone)
	dsn := filepath.Join(o.Dir, DBFile)
	memMB := o.MemoryLimitMB
	if memMB == 0 {
		memMB = max(256, physicalMB()/2)
	}
	c, err := duckdb.NewConnector(dsn, func(ex driver.ExecerContext) error {
		if _, err := ex.ExecContext(ctx, fmt.Sprintf("SET memory_limit = '%dMB'", memMB), nil); err != nil {
			return err
		}
		if o.Threads > 0 {
			if _, err := ex.ExecContext(ctx, fmt.Sprintf("SET threads = %d", o.Threads), nil); err != nil {
				return err
			}
		}
		if !o.AllowFiles {
			if _, err := ex.ExecContext(ctx, "SET enable_external_access = false", nil); err != nil {
				return err
			}
		}
		// Bulk inserts from a drive file run 2.3x faster without keeping
		// their rows' order (measured with alpr bench ingest); every search
		// says its order with ORDER BY.
		if _, err := ex.ExecContext(ctx, "SET preserve_insertion_order = false", nil); err != nil {
			return err
		}
		_, err := ex.ExecContext(ctx, "SET TimeZone = 'UTC'", nil)
		return err
	})
	if err != nil {
		if strings.Contains(err.Error(), "Could not set lock on file") {
			// DuckDB's message names the process holding the lock.
			return nil, fmt.Errorf("%w: %s: stop the process that holds it (drives are loaded into a running back office through its --inbox): %w",
				ErrStoreInUse, o.Dir, err)
		}
		return nil, fmt.Errorf("open store %s: %w", dsn, err)
	}
	s := &Store{opts: o, loc: loc, conn: c, db: sql.OpenDB(c), console: make(chan struct{}, o.ConsoleQueries)}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	// DuckDB creates its files with the process's umask: records are the
	// owner's alone, whatever the umask.
	for _, f := range []string{dsn, dsn + ".wal"} {
		if err := os.Chmod(f, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			s.Close()
			return nil, fmt.Errorf("open store: %w", err)
		}
	}
	return s, nil
}

// physicalMB is the machine's memory in MB (0 when unknown).
func physicalMB() int {
	var si syscall.Sysinfo_t
	if err := syscall.Sysinfo(&si); err != nil {
		return 0
	}
	return int(uint64(si.Totalram) * uint64(si.Unit) >> 20) //nolint:gosec // a machine's memory in MB fits an int
}

// Close closes the database.
func (s *Store) Close() error {
	s.checkpointMu.Lock() // closing checkpoints: not under a snapshot's copy
	defer s.checkpointMu.Unlock()
	return errors.Join(s.db.Close(), s.conn.Close())
}

// DB returns the database handle.
func (s *Store) DB() *sql.DB { return s.db }

// Location returns the department's time zone.
func (s *Store) Location() *time.Location { return s.loc }

// TimeZone returns the department's time zone name.
func (s *Store) TimeZone() string { return s.opts.TimeZone }

// ImageRoot returns the image store's directory.
func (s *Store) ImageRoot() string { return filepath.Join(s.opts.Dir, ImagesDir) }

// ReadImage returns the plate crop or overview image a read's crop_path or
// overview_path names: a range of a pack, or a file (see imagepack). The
// reference must name a place inside the image store.
func (s *Store) ReadImage(ref string) ([]byte, error) { return imagepack.Read(s.ImageRoot(), ref) }

// Dir returns the store's directory.
func (s *Store) Dir() string { return s.opts.Dir }

// DayOf returns the image-store day (YYYY-MM-DD, department time) of t.
func (s *Store) DayOf(t time.Time) string { return t.In(s.loc).Format("2006-01-02") }

// EngineVersion returns the DuckDB library version.
func EngineVersion(ctx context.Context) (string, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return "", err
	}
	defer db.Close()
	var v string
	err = db.QueryRowContext(ctx, "SELECT version()").Scan(&v)
	return v, err
}

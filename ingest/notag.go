//go:build !duckdb_arrow

package ingest

// Ingest uses DuckDB's Arrow interface, which duckdb-go compiles only with
// the build tag duckdb_arrow. The Makefile sets it (GOFLAGS=-tags=duckdb_arrow);
// without it, this line stops the build with a name that says what to do.
var _ = build_with_tags_duckdb_arrow

package analytics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrNotReadOnly is an ad-hoc statement that is not one SELECT.
var ErrNotReadOnly = errors.New("only one SELECT statement is allowed")

// SQLResult is an ad-hoc query's answer.
type SQLResult struct {
	Columns   []string
	Rows      [][]any
	Truncated bool // more rows than the limit, or more bytes than MaxSQLBytes
}

// Bounds of an ad-hoc query: its text (a chain of thousands of UNION ALL
// terms takes DuckDB longer to plan than any timeout allows, and planning
// is not interrupted), and the bytes of its answer (repeat('x', 5e6) over
// 200 rows made a 1 GB page).
const (
	MaxSQLText  = 8 << 10
	MaxSQLBytes = 8 << 20
)

// ErrQueryTooLong is an ad-hoc query over MaxSQLText.
var ErrQueryTooLong = errors.New("the query is too long")

// SQL runs an analyst's ad-hoc query, read-only: DuckDB's own parser must
// see exactly one SELECT (json_serialize_sql serialises nothing else)
// that reads only SQLTables (checkRefs), the query runs in a transaction
// that is always rolled back, the store has no access to outside files,
// and limit and timeout bound it. A refused statement is audited as
// refused.
func (s *Store) SQL(ctx context.Context, a Access, query string, limit int, timeout time.Duration, now time.Time) (SQLResult, error) {
	var res SQLResult
	if err := a.Validate(); err != nil {
		return res, err
	}
	query = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(query), ";"))
	if len(query) > MaxSQLText {
		err := fmt.Errorf("%w: %d bytes, at most %d", ErrQueryTooLong, len(query), MaxSQLText)
		return res, s.auditRefusal(ctx, now, a, "sql.refused", err, fmt.Sprintf("%v: %.200s…", err, query))
	}
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	// Planning counts against the timeout too (checkPlan plans it).
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if limit <= 0 {
		limit = DefaultLimit
	}
	if err := s.checkSelect(cctx, query); err != nil {
		if cctx.Err() != nil {
			// Out of time while it was checked and planned: a query that
			// timed out, audited and answered as one.
			return res, s.auditedRead(ctx, a, "sql", map[string]any{"query": query, "limit": limit}, now, func(queryer) (int, error) {
				return 0, fmt.Errorf("checking the query: %w", cctx.Err())
			})
		}
		return res, s.auditRefusal(ctx, now, a, "sql.refused", err, fmt.Sprintf("%v: %s", err, query))
	}
	// The query runs beside other searches, outside the audit lock, in its
	// own transaction that is always rolled back; the audit entry follows.
	err := s.auditedRead(ctx, a, "sql", map[string]any{"query": query, "limit": limit}, now, func(queryer) (int, error) {
		qctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		select { // one console query at a time (Options.ConsoleQueries)
		case s.console <- struct{}{}:
			defer func() { <-s.console }()
		case <-qctx.Done():
			return 0, fmt.Errorf("waiting for another console query: %w", qctx.Err())
		}
		tx, err := s.db.BeginTx(qctx, nil)
		if err != nil {
			return 0, err
		}
		defer tx.Rollback()
		rows, err := tx.QueryContext(qctx, fmt.Sprintf("SELECT * FROM (%s) LIMIT %d", query, limit+1))
		if err != nil {
			return 0, err
		}
		defer rows.Close()
		if res.Columns, err = rows.Columns(); err != nil {
			return 0, err
		}
		size := 0
		for rows.Next() {
			vals := make([]any, len(res.Columns))
			ptrs := make([]any, len(vals))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				return 0, err
			}
			if len(res.Rows) == limit {
				res.Truncated = true
				break
			}
			for _, v := range vals {
				size += valueBytes(v)
			}
			if size > MaxSQLBytes {
				res.Truncated = true
				break
			}
			res.Rows = append(res.Rows, vals)
		}
		return len(res.Rows), rows.Err()
	})
	return res, err
}

// checkSelect asks DuckDB's parser whether query is exactly one SELECT.
func (s *Store) checkSelect(ctx context.Context, query string) error {
	if query == "" {
		return fmt.Errorf("%w: empty", ErrNotReadOnly)
	}
	var js string
	if err := s.db.QueryRowContext(ctx, "SELECT json_serialize_sql(?::VARCHAR)::VARCHAR", query).Scan(&js); err != nil {
		return fmt.Errorf("%w: %w", ErrNotReadOnly, err)
	}
	var parsed struct {
		Error      bool   `json:"error"`
		Message    string `json:"error_message"`
		Statements []any  `json:"statements"`
	}
	if err := json.Unmarshal([]byte(js), &parsed); err != nil {
		return fmt.Errorf("%w: %w", ErrNotReadOnly, err)
	}
	if parsed.Error {
		return fmt.Errorf("%w: %s", ErrNotReadOnly, parsed.Message)
	}
	if len(parsed.Statements) != 1 {
		return fmt.Errorf("%w: %d statements", ErrNotReadOnly, len(parsed.Statements))
	}
	if err := s.checkRefs(ctx, parsed.Statements[0]); err != nil {
		return err
	}
	return s.checkPlan(ctx, query)
}

// valueBytes is about how many bytes a value takes on a page.
func valueBytes(v any) int {
	switch x := v.(type) {
	case string:
		return len(x)
	case []byte:
		return len(x)
	case nil:
		return 1
	}
	return 16
}

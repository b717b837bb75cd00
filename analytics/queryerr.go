package analytics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/duckdb/duckdb-go/v2"
)

// ErrQueryFailed is a search or query that failed while it ran. The error
// a user sees says why in words of its class, never in DuckDB's message
// when that message can carry values read from the records: an analyst's
// error(string_agg(plate, …)) or a failing cast of a plate would otherwise
// print the rows it read, outside the row limit and the audit log.
var ErrQueryFailed = errors.New("the query failed")

// publicError returns the class of err for the audit log, and err as a
// user may see it. Messages about the query's own text (parser, syntax, binder
// and catalog errors: names and positions from what the user typed) are
// kept; every other message is replaced.
func publicError(err error) (class string, shown error) {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout", fmt.Errorf("%w: it ran out of time", ErrQueryFailed)
	case errors.Is(err, context.Canceled):
		return "cancelled", fmt.Errorf("%w: it was cancelled", ErrQueryFailed)
	}
	var de *duckdb.Error
	if errors.As(err, &de) {
		switch de.Type {
		case duckdb.ErrorTypeParser, duckdb.ErrorTypeSyntax, duckdb.ErrorTypeBinder, duckdb.ErrorTypeCatalog:
			return "query", fmt.Errorf("%w: %s", ErrQueryFailed, de.Msg)
		case duckdb.ErrorTypeInterrupt:
			return "timeout", fmt.Errorf("%w: it ran out of time", ErrQueryFailed)
		case duckdb.ErrorTypeOutOfMemory:
			return "memory", fmt.Errorf("%w: it needed more memory than a query may use", ErrQueryFailed)
		}
	}
	return "runtime", fmt.Errorf("%w while it read the records (a conversion or a function raised an error; its message is not shown, for it may carry record values)", ErrQueryFailed)
}

// auditDetail is an access's parameters as its audit entry's detail.
func auditDetail(params map[string]any) string {
	b, _ := json.Marshal(params) //nolint:errchkjson // parameters are strings, numbers and times
	return string(b)
}

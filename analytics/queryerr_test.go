package analytics

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestFailedQueriesAreAuditedAndLeakNothing: a query that fails while it
// reads the records — an error built from the rows, a failing cast of a
// plate, a timeout — is in the audit log, and the error shown names its
// class, not the plates. A mistake in the query's own text still says
// where it is.
func TestFailedQueriesAreAuditedAndLeakNothing(t *testing.T) {
	s := fixedStore(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name, q string
		timeout time.Duration
		class   string
		mustSay string
	}{
		{"error built from the rows", "SELECT error(string_agg(plate, ',')) FROM reads", time.Second, "runtime", "not shown"},
		{"a failing cast of the plates", "SELECT CAST(string_agg(plate, ',') AS INTEGER) FROM reads", time.Second, "runtime", "not shown"},
		{"a typo in the query", "SELECT plat FROM reads", time.Second, "query", "plat"},
		{"out of time", "SELECT count(*) FROM range(100000000000) a", 50 * time.Millisecond, "timeout", "out of time"},
		// Before it is planned: the check counts against the timeout, and
		// running out there is a timeout too, not a refusal.
		{"out of time while checked", "SELECT count(*) FROM reads", time.Nanosecond, "timeout", "out of time"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, err := s.AuditLog(ctx, AuditFilter{Action: "sql.failed", Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.SQL(ctx, detective, tc.q, 10, tc.timeout, time.Now())
			if !errors.Is(err, ErrQueryFailed) {
				t.Fatalf("error %v, want ErrQueryFailed", err)
			}
			for _, p := range []string{"AB1C2D", "XYZ123", "QRS456"} {
				if strings.Contains(err.Error(), p) {
					t.Fatalf("the error shows plate %s: %v", p, err)
				}
			}
			if !strings.Contains(err.Error(), tc.mustSay) {
				t.Fatalf("the error %q does not say %q", err, tc.mustSay)
			}
			after, err := s.AuditLog(ctx, AuditFilter{Action: "sql.failed", Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			if len(after) != len(before)+1 || !strings.Contains(after[0].Detail, `"failed":"`+tc.class+`"`) {
				t.Fatalf("audit: %d entries before, %d after, newest %+v", len(before), len(after), after[0])
			}
		})
	}
}

// TestSQLIsBoundedInTextAndBytes: a query over MaxSQLText is refused and
// audited before DuckDB plans it, and an answer is cut at MaxSQLBytes
// whatever its row count.
func TestSQLIsBoundedInTextAndBytes(t *testing.T) {
	s := fixedStore(t)
	ctx := context.Background()
	long := "SELECT 1" + strings.Repeat(" UNION ALL SELECT 1", MaxSQLText/18)
	if _, err := s.SQL(ctx, detective, long, 10, time.Second, time.Now()); !errors.Is(err, ErrQueryTooLong) {
		t.Fatalf("a %d-byte query: %v", len(long), err)
	}
	if es, _ := s.AuditLog(ctx, AuditFilter{Action: "sql.refused"}); len(es) != 1 {
		t.Fatalf("%d refusals audited", len(es))
	}
	res, err := s.SQL(ctx, detective, "SELECT repeat('x', 1000000) FROM range(200)", 1000, 10*time.Second, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !res.Truncated || len(res.Rows)*1000000 > MaxSQLBytes {
		t.Fatalf("%d rows of 1 MB, truncated %v", len(res.Rows), res.Truncated)
	}
}

// TestConsoleIsBoundedInMemoryAndTurns: a console query that needs more
// memory than the store's limit fails as such, audited, without taking
// the machine; and a console query that finds the console busy waits
// only within its own timeout, and is audited as timed out.
func TestConsoleIsBoundedInMemoryAndTurns(t *testing.T) {
	o := DefaultOptions(t.TempDir())
	o.MemoryLimitMB = 100
	s, err := Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	_, err = s.SQL(ctx, detective, "SELECT length(string_agg(repeat('x', 1000), '')) FROM range(1000000)", 10, time.Minute, time.Now())
	if !errors.Is(err, ErrQueryFailed) || !strings.Contains(err.Error(), "memory") {
		t.Fatalf("a 1 GB answer under a 100 MB limit: %v", err)
	}
	s.console <- struct{}{} // another analyst's query holds the console
	t0 := time.Now()
	_, err = s.SQL(ctx, detective, "SELECT 1", 10, 100*time.Millisecond, time.Now())
	<-s.console
	if !errors.Is(err, ErrQueryFailed) || !strings.Contains(err.Error(), "out of time") {
		t.Fatalf("a query behind a busy console: %v after %v", err, time.Since(t0))
	}
	es, err := s.AuditLog(ctx, AuditFilter{Action: "sql.failed", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 || !strings.Contains(es[0].Detail, `"failed":"timeout"`) || !strings.Contains(es[1].Detail, `"failed":"memory"`) {
		t.Fatalf("audit: %+v", es)
	}
	if _, err := s.SQL(ctx, detective, "SELECT 1", 10, time.Second, time.Now()); err != nil {
		t.Fatalf("the console after its turn: %v", err)
	}
}

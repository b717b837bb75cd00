package analytics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ErrTableNotOpen is an ad-hoc query that reads beyond the records: the
// audit log, the dissemination log, holds, authorisations and the
// store's bookkeeping are read through their own audited pages only.
var ErrTableNotOpen = errors.New("the SQL console reads only the records tables")

// SQLTables are the tables the SQL console may read: the records the
// cars made, nothing about who looked at them.
func SQLTables() []string { return []string{"reads", "hits", "dispositions", "shift_events"} }

// sqlTableFunctions are the table functions a console query may call:
// they make rows from their arguments and read nothing.
func sqlTableFunctions() []string { return []string{"range", "generate_series", "unnest"} }

// checkRefs walks a query's syntax tree (json_serialize_sql's) and refuses
// any table outside SQLTables, any table function outside
// sqlTableFunctions (query_table('audit_log') would read any table by
// name), SHOW without a query, and a common table expression named like
// one of the store's tables (outside its scope the name would reach the
// table itself).
func (s *Store) checkRefs(ctx context.Context, stmt any) error {
	open := map[string]bool{}
	for _, t := range SQLTables() {
		open[t] = true
	}
	funcs := map[string]bool{}
	for _, f := range sqlTableFunctions() {
		funcs[f] = true
	}
	var catalog string
	if err := s.db.QueryRowContext(ctx, "SELECT current_database()").Scan(&catalog); err != nil {
		return err
	}
	ctes := map[string]bool{}
	walkJSON(stmt, func(m map[string]any) {
		if cm, ok := m["cte_map"].(map[string]any); ok {
			list, _ := cm["map"].([]any)
			for _, e := range list {
				if kv, ok := e.(map[string]any); ok {
					if k, ok := kv["key"].(string); ok {
						ctes[strings.ToLower(k)] = true
					}
				}
			}
		}
	})
	if len(ctes) > 0 {
		rows, err := s.db.QueryContext(ctx, `SELECT lower(table_name) FROM information_schema.tables
			UNION SELECT lower(view_name) FROM duckdb_views()`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var t string
			if err := rows.Scan(&t); err != nil {
				return err
			}
			if ctes[t] {
				return fmt.Errorf("%w: a WITH query may not be named %s, like a table or view of the store", ErrTableNotOpen, t)
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
	}
	var refused error
	walkJSON(stmt, func(m map[string]any) {
		if refused != nil {
			return
		}
		str := func(k string) string { v, _ := m[k].(string); return strings.ToLower(v) }
		switch str("type") {
		case "base_table":
			name, schema, cat := str("table_name"), str("schema_name"), str("catalog_name")
			switch {
			case schema == "" && cat == "" && ctes[name]:
			case open[name] && (schema == "" || schema == "main") && (cat == "" || cat == strings.ToLower(catalog)):
			default:
				refused = fmt.Errorf("%w (%s), not %s", ErrTableNotOpen, strings.Join(SQLTables(), ", "), qualified(cat, schema, name))
			}
		case "table_function":
			fn, _ := m["function"].(map[string]any)
			name, _ := fn["function_name"].(string)
			if !funcs[strings.ToLower(name)] {
				refused = fmt.Errorf("%w: table function %s is not open to it (only %s)", ErrTableNotOpen, name, strings.Join(sqlTableFunctions(), ", "))
			}
		case "show_ref":
			if m["query"] == nil {
				refused = fmt.Errorf("%w (%s): SHOW would list the others", ErrTableNotOpen, strings.Join(SQLTables(), ", "))
			}
		}
	})
	return refused
}

// checkPlan decides what query may read from what DuckDB bound, not from
// the names as written: a name can mean a table in one scope and a WITH
// query in another, and a view (duckdb_tables, pg_settings) expands to a
// catalog function. DuckDB plans the query (EXPLAIN: nothing runs), and
// every scan in the plan must be one of the open tables, a table function
// that makes rows from its arguments, or a scan of rows the query itself
// made (constants, VALUES, WITH queries); anything else is refused.
func (s *Store) checkPlan(ctx context.Context, query string) error {
	var catalog, kind, plan string
	if err := s.db.QueryRowContext(ctx, "SELECT current_database()").Scan(&catalog); err != nil {
		return err
	}
	if err := s.db.QueryRowContext(ctx, "EXPLAIN (FORMAT json) "+query).Scan(&kind, &plan); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%w: planning it ran out of time", ErrQueryFailed)
		}
		// A query DuckDB cannot plan reads nothing: running it fails the
		// same way, and that failure is reported and audited as such.
		return nil
	}
	var tree any
	if err := json.Unmarshal([]byte(plan), &tree); err != nil {
		return fmt.Errorf("plan of a console query: %w", err)
	}
	open := map[string]bool{}
	for _, t := range SQLTables() {
		open[strings.ToLower(catalog+".main."+t)] = true
	}
	funcs := map[string]bool{}
	for _, f := range sqlTableFunctions() {
		funcs[strings.ToUpper(f)] = true
	}
	var refused error
	walkJSON(tree, func(m map[string]any) {
		name, ok := m["name"].(string)
		if !ok || refused != nil {
			return
		}
		extra, _ := m["extra_info"].(map[string]any)
		table, _ := extra["Table"].(string)
		fn, _ := extra["Function"].(string)
		children, _ := m["children"].([]any)
		switch {
		case table != "":
			if !open[strings.ToLower(table)] {
				refused = fmt.Errorf("%w (%s): the query reads %s", ErrTableNotOpen, strings.Join(SQLTables(), ", "), table)
			}
		case fn != "":
			if !funcs[strings.ToUpper(fn)] {
				refused = fmt.Errorf("%w: the query calls %s (only %s)", ErrTableNotOpen, strings.ToLower(fn), strings.Join(sqlTableFunctions(), ", "))
			}
		case len(children) == 0 && !madeHere(name):
			refused = fmt.Errorf("%w (%s): the query's plan reads with %s", ErrTableNotOpen, strings.Join(SQLTables(), ", "), name)
		}
	})
	return refused
}

// madeHere reports whether a plan's scan reads rows the query itself
// makes.
func madeHere(op string) bool {
	switch op {
	case "DUMMY_SCAN", "COLUMN_DATA_SCAN", "CTE_SCAN", "REC_CTE_SCAN", "DELIM_SCAN", "EMPTY_RESULT", "CHUNK_SCAN", "EXPRESSION_SCAN":
		return true
	}
	return false
}

func qualified(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ".")
}

// walkJSON calls visit on every object of a decoded JSON tree.
func walkJSON(v any, visit func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		visit(x)
		for _, c := range x {
			walkJSON(c, visit)
		}
	case []any:
		for _, c := range x {
			walkJSON(c, visit)
		}
	}
}

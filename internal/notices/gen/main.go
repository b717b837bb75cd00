// Command gen writes THIRD_PARTY_NOTICES.md for the alpr binary (package
// notices): go run ./internal/notices/gen -out THIRD_PARTY_NOTICES.md
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/plateward/alpr/internal/fsutil"
	"github.com/plateward/alpr/internal/notices"
)

func main() {
	out := flag.String("out", "THIRD_PARTY_NOTICES.md", "file to write")
	flag.Parse()
	mods, err := notices.Modules(context.Background(), ".", "./cmd/alpr", "duckdb_arrow")
	if err != nil {
		fmt.Fprintln(os.Stderr, "notices:", err)
		os.Exit(1)
	}
	if err := fsutil.WriteFile(*out, notices.Render(mods, notices.Components())); err != nil {
		fmt.Fprintln(os.Stderr, "notices:", err)
		os.Exit(1)
	}
}

package benchmarks

import (
	"context"
	"testing"
	"time"
)

func TestServeBenchmarkRunsWithoutErrors(t *testing.T) {
	res, err := Serve(context.Background(), ServeOptions{Dir: t.TempDir(), Reads: 20_000, Analysts: 4, Duration: time.Second, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors != 0 || res.Requests == 0 || res.P95Ms <= 0 {
		t.Fatalf("%+v", res)
	}
}

func TestSearchBenchmarkRuns(t *testing.T) {
	res, err := Search(context.Background(), SearchOptions{Dir: t.TempDir(), Reads: 20_000, Queries: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.DBBytes == 0 || res.Plate.P50Ms <= 0 || res.Convoy.P95Ms <= 0 || res.Hits.P50Ms <= 0 {
		t.Fatalf("%+v", res)
	}
}

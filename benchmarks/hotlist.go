package benchmarks

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/plateward/alpr/edge/hotlist"
	"github.com/plateward/alpr/edge/plate"
)

// HotlistResult is the hot-list benchmark's figures; the JSON keys are
// fixed by the benchmark's contract.
type HotlistResult struct {
	Entries        int     `json:"entries"`
	LoadS          float64 `json:"load_s"`
	NsPerMatch     float64 `json:"ns_per_match"`
	AllocsPerMatch float64 `json:"allocs_per_match"`
	// NaiveNsPerMatch is the baseline: every candidate compared with every
	// entry (look-alikes included), on a few reads, in the same run.
	NaiveNsPerMatch float64 `json:"-"`
}

// HotlistOptions sizes the benchmark.
type HotlistOptions struct {
	Entries    int    // entries on the generated NCIC extract
	Reads      int    // reads matched, each with Candidates readings
	Candidates int    // readings per read
	Seed       uint64 // the same seed, the same list and reads
	Dir        string // where the extract is written
	Runs       int    // load-and-match runs; the medians are reported
}

// DefaultHotlistOptions is the size: a million entries.
func DefaultHotlistOptions(dir string) HotlistOptions {
	return HotlistOptions{Entries: 1_000_000, Reads: 200_000, Candidates: 10, Seed: 1, Dir: dir, Runs: 5}
}

const plateChars = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"

func randomPlate(rng *rand.Rand) string {
	b := make([]byte, 6+rng.IntN(2))
	for i := range b {
		b[i] = plateChars[rng.IntN(len(plateChars))]
	}
	return string(b)
}

// Hotlist writes an NCIC extract of o.Entries random plates, times loading
// it from the file (parse and index), then times matching o.Reads reads of
// o.Candidates readings each on one goroutine; a tenth of the reads carry a
// listed plate among their readings. It does so o.Runs times and reports
// the median load and match times, since one run on a shared machine can
// be off by half; between runs the heap is returned to the system, so no
// load reuses the pages of the one before.
func Hotlist(o HotlistOptions) (HotlistResult, error) {
	rng := rand.New(rand.NewPCG(o.Seed, 7))
	entries := make([]hotlist.NCICRecord, o.Entries)
	day := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	for i := range entries {
		entries[i] = hotlist.NCICRecord{NIC: fmt.Sprintf("%c%09d", "VWFP"[i%4], i), ORI: "MO0640000", EnteredOn: day,
			Plate: randomPlate(rng), State: "MO", ExpiryYear: 2027, VehYear: "2016", Make: "CHEV", Model: "MAL", Style: "4D", Colour: "SIL"}
	}
	var buf bytes.Buffer
	if err := hotlist.FormatNCIC(&buf, entries); err != nil {
		return HotlistResult{}, err
	}
	path := filepath.Join(o.Dir, "bench.ncic")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		return HotlistResult{}, err
	}
	defer os.Remove(path)
	reads := make([][]string, 4096)
	for i := range reads {
		for range o.Candidates {
			reads[i] = append(reads[i], randomPlate(rng))
		}
		if i%10 == 0 {
			reads[i][rng.IntN(o.Candidates)] = entries[rng.IntN(len(entries))].Plate
		}
	}
	buf.Reset()
	debug.FreeOSMemory() // the generated entries are garbage by now

	runs := max(o.Runs, 1)
	loads := make([]float64, 0, runs)
	matches := make([]float64, 0, runs)
	var res HotlistResult
	for range runs {
		r, err := hotlistRun(path, reads, o.Reads)
		if err != nil {
			return HotlistResult{}, err
		}
		res = r
		loads = append(loads, r.LoadS)
		matches = append(matches, r.NsPerMatch)
		// Hand the memory back to the system, so each load pays for
		// fresh pages as a car's first load of the shift does.
		debug.FreeOSMemory()
	}
	res.LoadS, res.NsPerMatch = percentile(loads, 50), percentile(matches, 50)
	naive, err := naiveMatch(path, reads[:naiveReads])
	res.NaiveNsPerMatch = naive
	return res, err
}

// naiveReads is how many reads the naive baseline matches: each costs a
// pass over every entry for every candidate.
const naiveReads = 20

// naiveMatch loads the extract and matches reads the naive way, comparing
// each candidate with each entry's plate up to look-alikes, and returns
// the time a read.
func naiveMatch(path string, reads [][]string) (float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	l, err := hotlist.ParseNCIC(f, "NCIC", path, time.Now())
	f.Close()
	if err != nil {
		return 0, err
	}
	cz := plate.NewCanonicalizer()
	hits := 0
	t0 := time.Now()
	for _, cands := range reads {
		for _, c := range cands {
			for i := range l.Entries {
				if cz.Equivalent(c, l.Entries[i].Plate) {
					hits++
				}
			}
		}
	}
	dt := time.Since(t0)
	if hits == 0 {
		return 0, errors.New("the naive scan found no listed plate: the baseline measures nothing")
	}
	return float64(dt.Nanoseconds()) / float64(len(reads)), nil
}

// hotlistRun loads the extract at path (parse and index) and matches n
// reads on this goroutine.
func hotlistRun(path string, reads [][]string, n int) (HotlistResult, error) {
	start := time.Now()
	f, err := os.Open(path)
	if err != nil {
		return HotlistResult{}, err
	}
	l, err := hotlist.ParseNCIC(f, "NCIC", path, start)
	f.Close()
	if err != nil {
		return HotlistResult{}, err
	}
	ix := hotlist.NewIndex(l)
	load := time.Since(start)

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	t0 := time.Now()
	hits := 0
	for i := range n {
		hits += len(ix.Match(reads[i&4095]))
	}
	dt := time.Since(t0)
	runtime.ReadMemStats(&after)
	if hits == 0 {
		return HotlistResult{}, fmt.Errorf("no read matched: the benchmark measures nothing")
	}
	return HotlistResult{Entries: ix.Len(), LoadS: load.Seconds(),
		NsPerMatch:     float64(dt.Nanoseconds()) / float64(n),
		AllocsPerMatch: float64(after.Mallocs-before.Mallocs) / float64(n)}, nil
}

package hotlist

import (
	"github.com/plateward/alpr/edge/plate"
)

// MatchKind says how a read matched an entry.
type MatchKind string

// Match kinds. Only an exact match is shown as exact; the others are shown
// to the officer as possible (≈), to confirm by eye.
const (
	Exact      MatchKind = "exact"      // the best reading is the listed plate
	Equivalent MatchKind = "equivalent" // a lesser reading, or a look-alike of one, is the listed plate
	Partial    MatchKind = "partial"    // a reading fits a wildcard entry
)

func (k MatchKind) rank() int {
	switch k {
	case Exact:
		return 0
	case Equivalent:
		return 1
	}
	return 2
}

// Match is one entry a read matched.
type Match struct {
	Entry     *Entry
	Kind      MatchKind
	Candidate string // the reading of the plate that matched
}

// Index answers which entries a read matches. It is immutable once built
// and safe for concurrent use. Plates are keyed by their canonical
// (look-alike) form, packed into a uint64 (plate.Canonicalizer.Key) and
// held in an open-addressing table; a look-up tells exact from equivalent
// by comparing the listed plate. Entries that share a key are chained, so
// a million entries cost one table and one array, not a million slices.
// The rare plate too long to pack is kept in a map by its canonical text.
type Index struct {
	lists     []*List
	entries   []*Entry
	keys      keyTable
	long      map[string]int32 // canonical plate → first entry, for plates Key cannot pack
	nextCanon []int32          // entry → next entry with the same key, or -1
	wild      []int32          // wildcard entries, matched by pattern
	wildCanon []string
	cz        *plate.Canonicalizer
}

// NewIndex indexes the entries of lists.
func NewIndex(lists ...*List) *Index {
	n := 0
	for _, l := range lists {
		n += len(l.Entries)
	}
	ix := &Index{lists: lists, keys: newKeyTable(n), long: map[string]int32{},
		entries: make([]*Entry, 0, n), nextCanon: make([]int32, 0, n), cz: plate.NewCanonicalizer()}
	for _, l := range lists {
		for i := range l.Entries {
			e := &l.Entries[i]
			e.Covert = e.Covert || l.Covert
			id := int32(len(ix.entries)) //nolint:gosec // ids are int32 by design; a hot list holds far fewer than 2^31 entries
			ix.entries = append(ix.entries, e)
			ix.nextCanon = append(ix.nextCanon, -1)
			if e.Wildcard {
				ix.wild = append(ix.wild, id)
				ix.wildCanon = append(ix.wildCanon, ix.cz.Canonical(e.Plate))
				continue
			}
			if k, ok := ix.cz.Key(e.Plate); ok {
				if head, ok := ix.keys.put(k, id); ok {
					ix.nextCanon[id] = head
				}
				continue
			}
			c := ix.cz.Canonical(e.Plate)
			if head, ok := ix.long[c]; ok {
				ix.nextCanon[id] = head
			}
			ix.long[c] = id
		}
	}
	return ix
}

// Len returns the number of entries indexed.
func (ix *Index) Len() int { return len(ix.entries) }

// Lists returns the indexed lists.
func (ix *Index) Lists() []*List { return ix.lists }

// Match checks every candidate reading of a plate (best first) and returns
// every entry matched, highest priority first, exact before equivalent
// before partial. Each entry appears once, with the best way it matched.
// A read that matches nothing costs no allocation.
func (ix *Index) Match(candidates []string) []Match {
	var out []Match
	add := func(id int32, k MatchKind, cand string) {
		for j := range out {
			if out[j].Entry == ix.entries[id] {
				if k.rank() < out[j].Kind.rank() {
					out[j].Kind, out[j].Candidate = k, cand
				}
				return
			}
		}
		out = append(out, Match{Entry: ix.entries[id], Kind: k, Candidate: cand})
	}
	var buf [32]byte
	for i, c := range candidates {
		kind := Exact
		if i > 0 {
			kind = Equivalent
		}
		id, found := int32(0), false
		if k, ok := ix.cz.Key(c); ok {
			id, found = ix.keys.get(k)
		} else if len(ix.long) > 0 {
			id, found = ix.long[string(ix.canonical(buf[:0], c))] // no allocation: the compiler looks up by the bytes
		}
		for ; found && id >= 0; id = ix.nextCanon[id] {
			if ix.entries[id].Plate == c {
				add(id, kind, c)
			} else {
				add(id, Equivalent, c)
			}
		}
		if len(ix.wild) > 0 {
			key := string(ix.canonical(buf[:0], c))
			for w, id := range ix.wild {
				if plate.Glob(ix.wildCanon[w], key) {
					add(id, Partial, c)
				}
			}
		}
	}
	// Insertion sort: a read matches a handful of entries at most.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && less(out[j], out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// canonical appends c's canonical form to buf, or allocates when c is
// longer than buf can hold.
func (ix *Index) canonical(buf []byte, c string) []byte {
	if len(c) <= cap(buf) {
		return ix.cz.AppendCanonical(buf, c)
	}
	return []byte(ix.cz.Canonical(c))
}

func less(a, b Match) bool {
	if a.Entry.Priority != b.Entry.Priority {
		return a.Entry.Priority > b.Entry.Priority
	}
	return a.Kind.rank() < b.Kind.rank()
}

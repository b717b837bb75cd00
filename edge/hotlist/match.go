package hotlist

import (
	"sort"

	"github.com/plateward/alpr/edge/plate"
)

// MatchKind says how a read matched an entry.
type MatchKind string

// Match kinds. An equivalent match is shown to the officer as "possible",
// never as exact.
const (
	Exact      MatchKind = "exact"
	Equivalent MatchKind = "equivalent"
)

// Match is one entry a read matched.
type Match struct {
	Entry     *Entry
	Kind      MatchKind
	Candidate string // the reading of the plate that matched
}

// Index answers which entries a read matches. It is immutable once built
// and safe for concurrent use.
type Index struct {
	lists   []*List
	entries []*Entry
	exact   map[string][]int32
	canon   map[string][]int32
	cz      *plate.Canonicalizer
}

// NewIndex indexes the entries of lists.
func NewIndex(lists ...*List) *Index {
	ix := &Index{lists: lists, exact: map[string][]int32{}, canon: map[string][]int32{}, cz: plate.NewCanonicalizer()}
	for _, l := range lists {
		for i := range l.Entries {
			e := &l.Entries[i]
			e.Covert = e.Covert || l.Covert
			id := int32(len(ix.entries))
			ix.entries = append(ix.entries, e)
			ix.exact[e.Plate] = append(ix.exact[e.Plate], id)
			c := ix.cz.Canonical(e.Plate)
			ix.canon[c] = append(ix.canon[c], id)
		}
	}
	return ix
}

// Len returns the number of entries indexed.
func (ix *Index) Len() int { return len(ix.entries) }

// Lists returns the indexed lists.
func (ix *Index) Lists() []*List { return ix.lists }

// Match checks every candidate reading of a plate (best first) and returns
// every entry matched, highest priority first, exact before equivalent.
// Each entry appears once, with the best way it matched. Only the best
// reading can match exactly: an entry reached through a lesser candidate or
// a look-alike is a possible match, for the officer to confirm by eye.
func (ix *Index) Match(candidates []string) []Match {
	var out []Match
	seen := map[int32]int{}
	add := func(id int32, k MatchKind, cand string) {
		if j, ok := seen[id]; ok {
			if k == Exact && out[j].Kind != Exact {
				out[j].Kind, out[j].Candidate = Exact, cand
			}
			return
		}
		seen[id] = len(out)
		out = append(out, Match{Entry: ix.entries[id], Kind: k, Candidate: cand})
	}
	for i, c := range candidates {
		kind := Exact
		if i > 0 {
			kind = Equivalent
		}
		for _, id := range ix.exact[c] {
			add(id, kind, c)
		}
		for _, id := range ix.canon[ix.cz.Canonical(c)] {
			add(id, Equivalent, c)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Entry.Priority != out[j].Entry.Priority {
			return out[i].Entry.Priority > out[j].Entry.Priority
		}
		return out[i].Kind == Exact && out[j].Kind != Exact
	})
	return out
}

package hotlist

import "math/bits"

// keyTable maps packed plate keys (plate.Canonicalizer.Key) to the first
// entry with that key. It is an open-addressing table with linear probing
// over a power-of-two array kept at most half full, so a look-up that
// misses — nearly every read misses every list — costs one cache line,
// where a map keyed by strings costs a bucket, then the key's bytes.
type keyTable struct {
	slots []keySlot
	shift uint // 64 − log2(len(slots))
}

// keySlot is one slot: key 0 marks it empty, since no packed key is 0.
type keySlot struct {
	key uint64
	id  int32
}

func newKeyTable(n int) keyTable {
	size := 16
	if n > 4 {
		size = 1 << bits.Len(uint(2*n-1))
	}
	return keyTable{slots: make([]keySlot, size), shift: uint(64 - bits.TrailingZeros(uint(size)))}
}

// home is the slot a key's probe starts at (Fibonacci hashing).
func (t *keyTable) home(key uint64) uint64 { return (key * 0x9E3779B97F4A7C15) >> t.shift }

// get returns the entry stored under key.
func (t *keyTable) get(key uint64) (int32, bool) {
	mask := uint64(len(t.slots) - 1) //nolint:gosec // a slice length is never negative
	for i := t.home(key); ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.key == key {
			return s.id, true
		}
		if s.key == 0 {
			return 0, false
		}
	}
}

// put stores id under key and returns the id it replaced, if any. The
// table must have been sized for every key put.
func (t *keyTable) put(key uint64, id int32) (int32, bool) {
	mask := uint64(len(t.slots) - 1) //nolint:gosec // a slice length is never negative
	for i := t.home(key); ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.key == key {
			old := s.id
			s.id = id
			return old, true
		}
		if s.key == 0 {
			s.key, s.id = key, id
			return 0, false
		}
	}
}

package analytics

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// TestOneOffHalvesKeepEveryNeighbour checks the misread search's
// pre-filter against every text one edit from a key: each starts with the
// key's head or ends with its tail, or the search would miss it.
func TestOneOffHalvesKeepEveryNeighbour(t *testing.T) {
	const alphabet = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
	rng := rand.New(rand.NewPCG(1, 2))
	keys := []string{"ABC", "AB12", "XYZ123", "ABC1234", "5DJ0529", "1TARHEEL"}
	for range 50 {
		b := make([]byte, 3+rng.IntN(6))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		keys = append(keys, string(b))
	}
	for _, key := range keys {
		head, tail := oneOffHalves(key)
		if head+tail != key {
			t.Fatalf("%q split as %q + %q", key, head, tail)
		}
		var near []string
		for p := 0; p <= len(key); p++ {
			for _, c := range alphabet {
				near = append(near, key[:p]+string(c)+key[p:]) // one added
				if p < len(key) {
					near = append(near, key[:p]+string(c)+key[p+1:]) // one changed
				}
			}
			if p < len(key) {
				near = append(near, key[:p]+key[p+1:]) // one dropped
			}
		}
		for _, n := range near {
			if !strings.HasPrefix(n, head) && !strings.HasSuffix(n, tail) {
				t.Errorf("%q is one edit from %q but neither starts with %q nor ends with %q", n, key, head, tail)
			}
		}
	}
}

// TestRetroHitsNameHitsAndCountAll checks what the retro search's two
// steps (one pass picking the newest reads, then those reads whole) put together: the
// look-alike reads of every key, newest first, their hits named, and the
// count of all of them when the limit cuts the rows.
func TestRetroHitsNameHitsAndCountAll(t *testing.T) {
	s := fixedStore(t)
	ctx := context.Background()
	now := time.Date(2026, 5, 2, 0, 0, 0, 0, time.UTC)
	detective := Access{User: "det", Reason: "retro test", Case: "C-1"}
	tests := []struct {
		name  string
		keys  []string
		limit int
		want  string // plate:hits, newest first
		all   int
	}{
		{"look-alikes and hits", []string{"AB1C2D", "XYZ123"}, 0, "XYZ123:[W Wanted person (exact)] A81C2D:[] AB1C2D:[V Stolen vehicle (exact)]", 3},
		{"the limit keeps the newest, counts all", []string{"AB1C2D", "XYZ123", "QRS456"}, 2, "QRS456:[] XYZ123:[W Wanted person (exact)]", 4},
		{"a key twice is one key", []string{"QRS456", "qrs-456"}, 0, "QRS456:[]", 1},
		{"nothing read", []string{"NOSUCH1"}, 0, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, err := s.RetroHits(ctx, detective, tt.keys, Window{}, tt.limit, now)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rs {
				got = append(got, fmt.Sprintf("%s:%v", r.Plate, r.Hits))
			}
			if strings.Join(got, " ") != tt.want || Matched(rs) != tt.all {
				t.Errorf("got %q, %d in all; want %q, %d", strings.Join(got, " "), Matched(rs), tt.want, tt.all)
			}
		})
	}
}

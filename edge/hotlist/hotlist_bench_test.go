package hotlist

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

func randomEntries(n int, rng *rand.Rand) []NCICRecord {
	const chars = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
	es := make([]NCICRecord, n)
	for i := range es {
		b := make([]byte, 6+rng.IntN(2))
		for j := range b {
			b[j] = chars[rng.IntN(len(chars))]
		}
		es[i] = NCICRecord{NIC: fmt.Sprintf("V%09d", i), ORI: "MO0640000", EnteredOn: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Plate: string(b), State: "MO"}
	}
	return es
}

// BenchmarkLoadNCIC measures parsing and indexing an NCIC extract.
func BenchmarkLoadNCIC(b *testing.B) {
	for _, n := range []int{10_000, 1_000_000} {
		b.Run(fmt.Sprintf("size=%d", n), func(b *testing.B) {
			var buf bytes.Buffer
			if err := FormatNCIC(&buf, randomEntries(n, rand.New(rand.NewPCG(1, 2)))); err != nil {
				b.Fatal(err)
			}
			data := buf.Bytes()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				l, err := ParseNCIC(bytes.NewReader(data), "NCIC", "bench", time.Now())
				if err != nil {
					b.Fatal(err)
				}
				NewIndex(l)
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
		})
	}
}

// BenchmarkMatch measures matching one read's ten candidates, exact and
// equivalent, against lists of each size.
func BenchmarkMatch(b *testing.B) {
	for _, n := range []int{10_000, 1_000_000} {
		b.Run(fmt.Sprintf("size=%d", n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(3, 4))
			var es []Entry
			for _, r := range randomEntries(n, rng) {
				es = append(es, Entry{NIC: r.NIC, Plate: r.Plate, State: r.State})
			}
			ix := NewIndex(&List{Name: "NCIC", Entries: es})
			reads := make([][]string, 1024)
			for i := range reads {
				for _, e := range randomEntries(10, rng) {
					reads[i] = append(reads[i], e.Plate)
				}
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				ix.Match(reads[i&1023])
				i++
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/match")
		})
	}
}

package drive

import (
	"fmt"
	"path/filepath"
	"testing"
)

// BenchmarkWriteReads measures writing and sealing a drive file of reads
// with 3 KB plate crops, as the car does.
func BenchmarkWriteReads(b *testing.B) {
	for _, n := range []int{1_000, 20_000} {
		b.Run(fmt.Sprintf("size=%d", n), func(b *testing.B) {
			recs := make([]Read, n)
			for i := range recs {
				recs[i] = sampleRead(i % 60)
				recs[i].CropJPEG = make([]byte, 3000)
			}
			dir := b.TempDir()
			i := 0
			for b.Loop() {
				i++
				if _, err := WriteRecords(filepath.Join(dir, fmt.Sprintf("reads-car-x-%06d%s", i, FileExt)), KindReads, recs); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "reads/s")
		})
	}
}

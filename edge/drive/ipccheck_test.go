package drive

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	flatbuffers "github.com/google/flatbuffers/go"
)

func goodStream(t *testing.T) (string, []byte) {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "reads-car7-x-000001"+FileExt)
	if _, err := WriteRecords(p, KindReads, []Read{sampleRead(1), sampleRead(2)}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	return dir, b
}

// TestHugeFieldCountIsRefused rewrites the schema's field count to two
// billion, as the fuzzer did: the Arrow reader would allocate ~100 GB for
// it and kill the station's ingest.
func TestHugeFieldCountIsRefused(t *testing.T) {
	dir, data := goodStream(t)
	size := int(binary.LittleEndian.Uint32(data[4:]))
	meta := data[8 : 8+size]
	m, err := rootTable(meta)
	if err != nil {
		t.Fatal(err)
	}
	schema, _ := m.sub(2)
	o := flatbuffers.UOffsetT(schema.Offset(flatbuffers.VOffsetT(4 + 2*1)))
	lenPos := int(schema.Vector(o)) - 4
	binary.LittleEndian.PutUint32(meta[lenPos:], 0x7FFFFFFF)
	p := filepath.Join(dir, "reads-car7-y-000002"+FileExt)
	if err := os.WriteFile(p, data, 0o640); err != nil {
		t.Fatal(err)
	}
	_, err = ReadFile(FileInfo{Path: p, Name: filepath.Base(p), Kind: KindReads})
	if !errors.Is(err, ErrCorrupt) || !IsQuarantine(err) {
		t.Fatalf("err %v, want ErrCorrupt", err)
	}
}

// TestReadFileSurvivesRandomDamage damages a stream at random places,
// thousands of times: every result is a file, a torn tail or an error.
func TestReadFileSurvivesRandomDamage(t *testing.T) {
	dir, good := goodStream(t)
	rng := rand.New(rand.NewPCG(1, 2))
	fp := filepath.Join(dir, "reads-car7-f-000009"+FileExt)
	outcomes := map[string]int{}
	for range 3000 {
		d := append([]byte(nil), good...)
		for range 1 + rng.IntN(6) {
			d[rng.IntN(len(d))] = byte(rng.IntN(256))
		}
		if rng.IntN(4) == 0 {
			d = d[:rng.IntN(len(d))]
		}
		if err := os.WriteFile(fp, d, 0o640); err != nil {
			t.Fatal(err)
		}
		f, err := ReadFile(FileInfo{Path: fp, Name: "f", Kind: KindReads})
		switch {
		case err != nil:
			outcomes["error"]++
		case f.Tail != nil:
			outcomes["tail"]++
			f.Release()
		default:
			outcomes["read"]++
			for _, b := range f.Batches {
				DecodeReads(b)
			}
			f.Release()
		}
	}
	t.Logf("outcomes of 3000 damaged files: %v", outcomes)
}

package drive

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadFile: any bytes on a drive are a file, an error, or a torn tail,
// never a panic; an unsealed file's batches decode.
func FuzzReadFile(f *testing.F) {
	dir := f.TempDir()
	p := filepath.Join(dir, "reads-car7-x-000001"+FileExt)
	if _, err := WriteRecords(p, KindReads, []Read{sampleRead(1), sampleRead(2)}); err != nil {
		f.Fatal(err)
	}
	good, _ := os.ReadFile(p)
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte("not arrow at all"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d := t.TempDir()
		fp := filepath.Join(d, "reads-car7-f-000001"+FileExt)
		if err := os.WriteFile(fp, data, 0o640); err != nil {
			t.Fatal(err)
		}
		file, err := ReadFile(FileInfo{Path: fp, Name: filepath.Base(fp), Kind: KindReads, Size: int64(len(data))})
		if err != nil {
			return
		}
		defer file.Release()
		for _, b := range file.Batches {
			switch file.Kind {
			case KindReads:
				DecodeReads(b)
			case KindHits:
				DecodeHits(b)
			case KindDispositions:
				DecodeDispositions(b)
			case KindShifts:
				DecodeShiftEvents(b)
			}
		}
	})
}

// FuzzDecodePushedHit: any body is a hit that passes every check, or
// refused as ErrPushedHit; never a panic.
func FuzzDecodePushedHit(f *testing.F) {
	f.Add([]byte(`{"id":"h1","alerted_at":"2026-05-01T17:40:00Z","plate":"AB1C2D","list_name":"NCIC","reason":"Stolen vehicle","has_fix":true,"lat":38.6,"lon":-90.2}`))
	f.Add([]byte(`{"id":"h1","alerted_at":"2026-05-01T17:40:00Z","plate":"AB1C2D","list_name":"NCIC","reason":"x","has_fix":true,"lat":1e999}`))
	f.Add([]byte(`{"id":"","extra":1}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := DecodePushedHit(bytes.NewReader(b))
		if err != nil {
			if !errors.Is(err, ErrPushedHit) {
				t.Fatalf("error not ErrPushedHit: %v", err)
			}
			return
		}
		if h.ID == "" || h.AlertedAt.IsZero() || (h.HasFix && !(math.Abs(h.Lat) <= 90 && math.Abs(h.Lon) <= 180)) {
			t.Fatalf("accepted %+v from %q", h, b)
		}
	})
}

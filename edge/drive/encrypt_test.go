package drive

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"filippo.io/age"
)

func keys(t *testing.T) (*age.X25519Identity, *age.X25519Identity) {
	t.Helper()
	station, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	other, _ := age.GenerateX25519Identity()
	return station, other
}

func TestEncryptedFiles(t *testing.T) {
	station, other := keys(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "reads-car7-x-000001"+EncExt)
	w, err := CreateFile(p, KindReads, station.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := w.Append(sampleRead(i)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Seal(); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(p)
	if bytes.Contains(raw, []byte("AB1C2D")) {
		t.Fatal("plate text readable in the encrypted file")
	}
	files, _ := List(dir)
	if len(files) != 1 || !files[0].Encrypted || !files[0].Sealed {
		t.Fatalf("listed %+v", files)
	}
	cases := []struct {
		name  string
		spoil func()
		ids   []age.Identity
		err   error
		rows  int64
	}{
		{"station key reads it", nil, []age.Identity{station}, nil, 3},
		{"no key", nil, nil, ErrNoIdentity, 0},
		{"another key", nil, []age.Identity{other}, ErrDecrypt, 0},
		{"flipped bit fails the seal", func() { flip(t, p, false) }, []age.Identity{station}, ErrChecksum, 0},
		{"flipped bit with a forged seal fails authentication", func() { flip(t, p, true) }, []age.Identity{station}, ErrDecrypt, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(p, raw, 0o640); err != nil {
				t.Fatal(err)
			}
			reseal(t, p)
			if tc.spoil != nil {
				tc.spoil()
			}
			f, err := ReadFile(files[0], tc.ids...)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
			if err == nil {
				defer f.Release()
				if f.Rows != tc.rows || DecodeReads(f.Batches[0])[0].Plate != "AB1C2D" {
					t.Fatalf("rows %d", f.Rows)
				}
			}
			if err != nil && !IsQuarantine(err) && !errors.Is(err, ErrNoIdentity) {
				t.Fatalf("%v should quarantine the file", err)
			}
		})
	}
}

func TestEncryptedTornTailKeepsCompleteChunks(t *testing.T) {
	station, _ := keys(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "reads-car7-x-000001"+EncExt)
	w, err := CreateFile(p, KindReads, station.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	// 40 batches of 10 reads with 3 KB crops: about 1.2 MB, many chunks.
	for b := range 40 {
		for i := range 10 {
			r := sampleRead(b*10 + i)
			r.ID = fmt.Sprintf("r%04d", b*10+i)
			r.CropJPEG = make([]byte, 3000)
			if err := w.Append(r); err != nil {
				t.Fatal(err)
			}
		}
		w.Flush(true)
	}
	// Power cut: the temporary file stays, unsealed; salvage renames it.
	if _, err := Salvage(dir, quiet()); err != nil {
		t.Fatal(err)
	}
	files, _ := List(dir)
	if len(files) != 1 || files[0].Sealed {
		t.Fatalf("files %+v", files)
	}
	f, err := ReadFile(files[0], station)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Release()
	if f.Rows < 300 || f.Rows >= 400 || !errors.Is(f.Tail, ErrTornTail) {
		t.Fatalf("salvaged %d of 400 reads (tail %v): want all but the last chunk", f.Rows, f.Tail)
	}
	w.Abort()
}

func TestEncryptedRecorderSealsHitsAtOnce(t *testing.T) {
	station, _ := keys(t)
	dir := t.TempDir()
	opts := DefaultOptions(dir, "car7")
	opts.Logger, opts.Recipients = quiet(), []age.Recipient{station.Recipient()}
	rec, err := NewRecorder(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := rec.Add(sampleRead(1)); err != nil {
		t.Fatal(err)
	}
	if err := rec.Add(Hit{ID: "h1", ReadID: "r001", AlertedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	files, _ := List(dir)
	if len(files) != 1 || files[0].Kind != KindHits || !files[0].Sealed {
		t.Fatalf("after a hit, sealed files %+v", files)
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
}

// flip changes one byte of the file, and with forge also rewrites its seal
// as an attacker with the drive could.
func flip(t *testing.T, p string, forge bool) {
	b, _ := os.ReadFile(p)
	b[len(b)-100] ^= 0x20
	if err := os.WriteFile(p, b, 0o640); err != nil {
		t.Fatal(err)
	}
	if forge {
		reseal(t, p)
	}
}

func reseal(t *testing.T, p string) {
	b, _ := os.ReadFile(p)
	sum := sha256.Sum256(b)
	if err := os.WriteFile(p+SealExt, []byte(hex.EncodeToString(sum[:])+"  "+filepath.Base(p)+"\n"), 0o640); err != nil {
		t.Fatal(err)
	}
}

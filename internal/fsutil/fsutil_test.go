package fsutil

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteFileAppearsWhole(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.bin")
	if err := WriteFile(p, []byte("hello")); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(p)
	if err != nil || string(got) != "hello" {
		t.Fatalf("read back %q, %v", got, err)
	}
	left, err := Leftovers(dir)
	if err != nil || len(left) != 0 {
		t.Fatalf("leftovers %v, %v", left, err)
	}
}

func TestAbortLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	f, err := Create(filepath.Join(dir, "b.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("partial")); err != nil {
		t.Fatal(err)
	}
	left, _ := Leftovers(dir)
	if len(left) != 1 {
		t.Fatalf("want one tmp file while writing, got %v", left)
	}
	if err := f.Abort(); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 0 {
		t.Fatalf("abort left %d entries", len(ents))
	}
}

func TestSHA256(t *testing.T) {
	p := filepath.Join(t.TempDir(), "abc")
	if err := WriteFile(p, []byte("abc")); err != nil {
		t.Fatal(err)
	}
	got, err := SHA256(p)
	if want := "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; err != nil || got != want {
		t.Fatalf("SHA256 = %s, %v; want %s", got, err, want)
	}
	if _, err := SHA256(p + ".missing"); err == nil {
		t.Fatal("a missing file hashed")
	}
}

package onnxrt

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/plateward/alpr/edge/models"
)

// open loads the prepared models' runtime and returns the models directory.
func open(t *testing.T) string {
	t.Helper()
	dir, err := models.FindDir()
	if err != nil {
		t.Fatal(err)
	}
	lib, sha, err := models.RuntimeLibrary(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := Open(lib, sha); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestOpenRefusesAnotherLibrary(t *testing.T) {
	dir := open(t)
	_, sha, err := models.RuntimeLibrary(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := Open(filepath.Join(dir, models.RuntimeFile), sha); err != nil {
		t.Fatalf("the same library again: %v", err)
	}
	if err := Open(filepath.Join(t.TempDir(), "libother.so"), sha); !errors.Is(err, ErrOtherLibrary) {
		t.Fatalf("another library: %v, want ErrOtherLibrary", err)
	}
	if Version() == "" {
		t.Fatal("no version")
	}
}

// TestSessionRunsTheRecogniser runs the prepared recogniser on a blank line:
// one softmax row of every class a time step.
func TestSessionRunsTheRecogniser(t *testing.T) {
	dir := open(t)
	s, err := NewSession(filepath.Join(dir, models.RecFile), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	in := make([]float32, 3*models.RecHeight*160)
	err = s.Run(in, []int64{1, 3, models.RecHeight, 160}, func(out []float32, shape []int64) error {
		if len(shape) != 3 || shape[0] != 1 || shape[1] != 20 || int64(len(out)) != shape[1]*shape[2] {
			t.Fatalf("output shape %v for %d values", shape, len(out))
		}
		for step := range shape[1] {
			var sum float64
			for _, p := range out[step*shape[2] : (step+1)*shape[2]] {
				sum += float64(p)
			}
			if math.Abs(sum-1) > 1e-3 {
				t.Fatalf("step %d sums to %g, want 1", step, sum)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A wrong input is an error, not a crash.
	if err := s.Run(in[:10], []int64{1, 3, models.RecHeight, 160}, nil); err == nil {
		t.Fatal("an input shorter than its shape ran")
	}
	if err := s.Run(in, []int64{1, 3, 160, models.RecHeight}, nil); err == nil {
		t.Fatal("an input of the wrong shape ran")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
}

func TestNewSessionMissingModel(t *testing.T) {
	open(t)
	if _, err := NewSession(filepath.Join(t.TempDir(), "none.onnx"), 1); err == nil {
		t.Fatal("a missing model loaded")
	}
}

// TestCheckSum: a library file that is not the pinned one is refused
// before it is loaded (Open checks it on the first load only, once a
// process, so the check itself is tested here).
func TestCheckSum(t *testing.T) {
	p := filepath.Join(t.TempDir(), "libonnxruntime.so.1")
	if err := os.WriteFile(p, []byte("not a library"), 0o600); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("not a library"))
	if err := checkSum(p, hex.EncodeToString(sum[:])); err != nil {
		t.Fatalf("the right sum: %v", err)
	}
	other := sha256.Sum256([]byte("the pinned library"))
	if err := checkSum(p, hex.EncodeToString(other[:])); !errors.Is(err, ErrLibraryChecksum) {
		t.Fatalf("a replaced library: %v, want ErrLibraryChecksum", err)
	}
	if err := checkSum(filepath.Join(t.TempDir(), "none.so"), ""); err == nil {
		t.Fatal("a missing library passed")
	}
}

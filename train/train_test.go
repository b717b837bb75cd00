package train

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/plateward/alpr/edge/models"
	"github.com/plateward/alpr/fixtures/synth"
	"github.com/plateward/alpr/internal/onnxrt"
)

// python is Debian's interpreter, the one with python3-torch.
const python = "/usr/bin/python3"

// TestTrainSmoke renders 96 samples, trains three steps on them and runs
// the export in ONNX Runtime: the outputs have the shapes edge/ocr's
// platenet.go reads, and the probabilities are probabilities. Training
// needs python3-torch and python3-onnx, which only `make train` installs
// (make test must not need 500 MB of PyTorch): without them the test says
// so and skips.
func TestTrainSmoke(t *testing.T) {
	if err := exec.Command(python, "-c", "import torch, onnx").Run(); err != nil { //nolint:gosec // a fixed interpreter
		t.Skipf("python3-torch and python3-onnx are not installed (make train-deps installs them): %v", err)
	}
	dir := t.TempDir()
	fonts, err := synth.BuiltinFonts()
	if err != nil {
		t.Fatal(err)
	}
	set := filepath.Join(dir, "set.bin")
	f, err := os.Create(set)
	if err != nil {
		t.Fatal(err)
	}
	if err := synth.WriteSet(context.Background(), f, synth.DefaultOptions(), fonts, 96, 2); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "platenet.onnx")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "train.py", "--set", set, "--out", out, "--max-steps", "3", "--batch", "16", "--val", "16") //nolint:gosec // fixed arguments
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("train.py: %v\n%s", err, b)
	}
	model, err := os.ReadFile(out) //nolint:gosec // the test's own file
	if err != nil {
		t.Fatal(err)
	}
	mdir, err := models.FindDir()
	if err != nil {
		t.Fatal(err)
	}
	lib, sha, err := models.RuntimeLibrary(mdir)
	if err != nil {
		t.Fatal(err)
	}
	if err := onnxrt.Open(lib, sha); err != nil {
		t.Fatal(err)
	}
	s, err := onnxrt.NewSessionFromBytes("platenet.onnx", model, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	in := make([]float32, models.PlateNetHeight*models.PlateNetWidth)
	err = s.RunAll(in, []int64{1, 1, models.PlateNetHeight, models.PlateNetWidth}, func(outs [][]float32, shapes [][]int64) error {
		if len(outs) != 2 {
			t.Fatalf("%d outputs, want probs and plate", len(outs))
		}
		if sh := shapes[0]; len(sh) != 3 || sh[0] != 1 || sh[2] != int64(1+len(models.PlateNetAlphabet)) {
			t.Fatalf("probs shape %v, want [1 T %d]", sh, 1+len(models.PlateNetAlphabet))
		}
		T, C := int(shapes[0][1]), int(shapes[0][2])
		for step := range T {
			var sum float32
			for _, p := range outs[0][step*C : (step+1)*C] {
				sum += p
			}
			if sum < 0.99 || sum > 1.01 {
				t.Fatalf("step %d sums to %g, not a softmax", step, sum)
			}
		}
		if p := outs[1][0]; len(outs[1]) != 1 || p < 0 || p > 1 {
			t.Fatalf("plate output %v, want one probability", outs[1])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

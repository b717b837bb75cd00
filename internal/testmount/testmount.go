// Package testmount mounts real file systems for tests that need a disk
// that fills up or turns read-only: a tmpfs of a given size, remounted at
// will. It needs root, as CI has.
package testmount

import (
	"os/exec"
	"testing"
)

// Tmpfs mounts a tmpfs of size (as mount's size=, "8m") at dir and
// unmounts it when the test ends.
func Tmpfs(t testing.TB, dir, size string) {
	t.Helper()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput() //nolint:gosec // the test's own directory and size
	if err != nil {
		t.Fatalf("mount a %s tmpfs at %s (the test needs root, as CI has): %v %s", size, dir, err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", dir).Run() }) // the test may have unmounted it already
}

// Remount remounts dir with options ("ro", "rw", "size=64m").
func Remount(t testing.TB, dir, options string) {
	t.Helper()
	//nolint:gosec // the test's own directory and options
	if out, err := exec.Command("mount", "-o", "remount,"+options, dir).CombinedOutput(); err != nil {
		t.Fatalf("remount %s %s: %v %s", dir, options, err, out)
	}
}

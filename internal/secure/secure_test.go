package secure

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestReadSecret(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		mode os.FileMode
		want string // "" when it is read
	}{
		{"owner only", 0o600, ""},
		{"group can read", 0o640, "readable by others"},
		{"everyone can read", 0o644, "readable by others"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-"))
			if err := os.WriteFile(p, []byte("  s3cret\n"), tc.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(p, tc.mode); err != nil {
				t.Fatal(err)
			}
			got, err := ReadSecret(p)
			if tc.want == "" && (err != nil || got != "s3cret") {
				t.Fatalf("%q %v", got, err)
			}
			if tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
}

func TestHTTPSClientRefusesACAFileWithoutCertificates(t *testing.T) {
	p := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(p, []byte("not a certificate"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := HTTPSClient(p, time.Second); err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Fatalf("err %v", err)
	}
	if _, err := HTTPSClient("", time.Second); err != nil {
		t.Fatal(err)
	}
}

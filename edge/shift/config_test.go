package shift

import (
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCarConfigMustBeSignedByIT(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	c := CarConfig{Vehicle: "car12", DriveDir: "/media/alpr", AlertAddr: "127.0.0.1:8088",
		Cameras:  []CameraConfig{{Name: "front", Source: "0"}},
		Hotlists: []HotlistConfig{{Path: "/var/lib/alpr/ncic.txt", Format: "ncic"}}}
	signed, err := Sign(c, priv)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "car.json")
	cases := []struct {
		name string
		data string
		err  error
	}{
		{"signed", string(signed), nil},
		{"officer changed the camera", strings.Replace(string(signed), `"0"`, `"1"`, 1), ErrSignature},
		{"unsigned", `{"vehicle": "car12"}`, ErrSignature},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(p, []byte(tc.data), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := LoadCarConfig(p, pub)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
			if err == nil && got.Cameras[0].Source != "0" {
				t.Fatalf("config %+v", got)
			}
		})
	}
	bad, _ := Sign(CarConfig{Vehicle: "car12", DriveDir: "/d", Cameras: []CameraConfig{{Name: "f", Source: "0"}},
		Hotlists: []HotlistConfig{{Path: "x.csv", Format: "csv"}}}, priv)
	if err := os.WriteFile(p, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadCarConfig(p, pub); err == nil || !strings.Contains(err.Error(), "needs a mapping") {
		t.Fatalf("csv list without mapping: %v", err)
	}
}

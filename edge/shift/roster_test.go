package shift

import (
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRoster signs a roster with a fresh IT key and logs officers in.
func TestRoster(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	hash := func(pin string) string {
		h, err := HashPIN(pin)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	r := Roster{IssuedAt: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), Officers: []Officer{
		{ID: "4127", Name: "J. Doe", Role: RoleOfficer, TrainedOn: "2025-03-01", PIN: hash("2468")},
		{ID: "5000", Name: "New Hire", Role: RoleOfficer, PIN: hash("1111")},
		{ID: "9001", Name: "Sgt. Roe", Role: RoleSupervisor, TrainedOn: "2024-01-01", PIN: hash("9999")},
	}}
	signed, err := Sign(r, priv)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "roster.json")
	if err := os.WriteFile(p, signed, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := LoadRoster(p, pub)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 5, 1, 13, 0, 0, 0, time.UTC)
	cases := []struct {
		name, id, pin string
		err           error
	}{
		{"trained officer", "4127", "2468", nil},
		{"wrong PIN", "4127", "0000", ErrBadPIN},
		{"untrained officer", "5000", "1111", ErrUntrained},
		{"unknown officer", "7777", "2468", ErrUnknownOfficer},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o, err := got.Login(tc.id, tc.pin, now)
			if !errors.Is(err, tc.err) || (err == nil && o.ID != tc.id) {
				t.Fatalf("login: %v, want %v", err, tc.err)
			}
		})
	}

	t.Run("a changed roster is refused", func(t *testing.T) {
		bad := strings.Replace(string(signed), `"trained_on": "2025-03-01"`, `"trained_on": "2015-03-01"`, 1)
		if bad == string(signed) {
			t.Fatal("test did not change the roster")
		}
		if err := os.WriteFile(p, []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadRoster(p, pub); !errors.Is(err, ErrSignature) {
			t.Fatalf("err %v, want ErrSignature", err)
		}
	})
	t.Run("another key is refused", func(t *testing.T) {
		if err := os.WriteFile(p, signed, 0o644); err != nil {
			t.Fatal(err)
		}
		other, _, _ := ed25519.GenerateKey(nil)
		if _, err := LoadRoster(p, other); !errors.Is(err, ErrSignature) {
			t.Fatalf("err %v, want ErrSignature", err)
		}
	})
	t.Run("an unsigned file is refused", func(t *testing.T) {
		if err := os.WriteFile(p, []byte(`{"issued_at":"2026-05-01T00:00:00Z","officers":[]}`), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadRoster(p, pub); !errors.Is(err, ErrSignature) {
			t.Fatalf("err %v, want ErrSignature", err)
		}
	})
}

// Package shift holds what a patrol shift starts with: the roster of
// trained officers that the back office exports and IT signs, the officer's
// login against it (order B.1: only trained officers use the system; C.1:
// log in at the start of the shift), and the pre-shift camera self-check
// (B.5, B.7: inspect before use).
//
// # Signed files (roster, car configuration)
//
// A signed file is JSON: {"payload": <object>, "signature": "<base64>"}.
// The signature is ed25519 over the payload's bytes exactly as they appear
// in the file. The car holds only IT's public key; a changed, unsigned or
// wrongly signed file is refused with ErrSignature.
package shift

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"
)

// Errors of login and signed files; match with errors.Is.
var (
	ErrSignature      = errors.New("signature does not verify")
	ErrUnknownOfficer = errors.New("officer not on the roster")
	ErrBadPIN         = errors.New("wrong PIN")
	ErrUntrained      = errors.New("officer has no ALPR training on record")
)

// Envelope is a signed file.
type Envelope struct {
	Payload   json.RawMessage `json:"payload"`
	Signature string          `json:"signature"`
}

// Sign wraps v in a signed envelope.
func Sign(v any, key ed25519.PrivateKey) ([]byte, error) {
	payload, err := json.MarshalIndent(v, "  ", "  ")
	if err != nil {
		return nil, err
	}
	sig := ed25519.Sign(key, payload)
	return json.MarshalIndent(Envelope{Payload: payload, Signature: base64.StdEncoding.EncodeToString(sig)}, "", "  ")
}

// Verify checks a signed file against IT's public key and decodes its
// payload into v.
func Verify(data []byte, pub ed25519.PublicKey, v any) error {
	var env Envelope
	if err := json.Unmarshal(data, &env); err != nil {
		return fmt.Errorf("%w: not a signed file: %w", ErrSignature, err)
	}
	sig, err := base64.StdEncoding.DecodeString(env.Signature)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return fmt.Errorf("%w: no valid signature", ErrSignature)
	}
	// The signature covers the payload as written; json.RawMessage keeps
	// those bytes, and compacting is not done, so one changed space fails.
	if !ed25519.Verify(pub, env.Payload, sig) {
		return ErrSignature
	}
	dec := json.NewDecoder(bytes.NewReader(env.Payload))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// ReadPublicKey reads an ed25519 public key file (base64 on one line).
func ReadPublicKey(path string) (ed25519.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read public key: %w", err)
	}
	k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(k) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%s: not an ed25519 public key", path)
	}
	return ed25519.PublicKey(k), nil
}

// Roles on the roster.
const (
	RoleOfficer    = "officer"
	RoleSupervisor = "supervisor"
)

// Officer is one person on the roster.
type Officer struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Role      string `json:"role"`
	TrainedOn string `json:"trained_on,omitempty"` // YYYY-MM-DD; empty: not trained
	PIN       string `json:"pin"`                  // argon2id$<salt b64>$<hash b64>
}

// Roster is the list of officers a car accepts.
type Roster struct {
	IssuedAt time.Time `json:"issued_at"`
	Officers []Officer `json:"officers"`
}

// Argon2id parameters for PINs: OWASP's minimum (19 MiB, 2 passes).
const (
	pinTime    = 2
	pinMemory  = 19 * 1024
	pinThreads = 1
	pinKeyLen  = 32
)

// HashPIN returns the stored form of a PIN.
func HashPIN(pin string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	h := argon2.IDKey([]byte(pin), salt, pinTime, pinMemory, pinThreads, pinKeyLen)
	return "argon2id$" + base64.RawStdEncoding.EncodeToString(salt) + "$" + base64.RawStdEncoding.EncodeToString(h), nil
}

// CheckPIN reports whether pin matches a stored form made by HashPIN, in
// constant time. The back office checks its passwords with it too.
func CheckPIN(stored, pin string) bool {
	parts := strings.Split(stored, "$")
	if len(parts) != 3 || parts[0] != "argon2id" {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[1])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(pin), salt, pinTime, pinMemory, pinThreads, uint32(len(want))) //nolint:gosec // the stored hash is 32 bytes
	return subtle.ConstantTimeCompare(got, want) == 1
}

// LoadRoster reads and verifies a signed roster.
func LoadRoster(path string, pub ed25519.PublicKey) (*Roster, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read roster: %w", err)
	}
	var r Roster
	if err := Verify(b, pub, &r); err != nil {
		return nil, fmt.Errorf("roster %s: %w", path, err)
	}
	return &r, nil
}

// Login checks an officer's ID and PIN, and that the officer is trained.
// A refused login says why, but never whether the PIN or the ID was wrong
// to someone who does not know a valid ID.
func (r *Roster) Login(id, pin string, now time.Time) (Officer, error) {
	for _, o := range r.Officers {
		if o.ID != id {
			continue
		}
		if !CheckPIN(o.PIN, pin) {
			return Officer{}, fmt.Errorf("login %s: %w", id, ErrBadPIN)
		}
		t, err := time.Parse("2006-01-02", o.TrainedOn)
		if err != nil || t.After(now) {
			return Officer{}, fmt.Errorf("login %s: %w (order B.1: only trained officers)", id, ErrUntrained)
		}
		return o, nil
	}
	return Officer{}, fmt.Errorf("login %s: %w", id, ErrUnknownOfficer)
}

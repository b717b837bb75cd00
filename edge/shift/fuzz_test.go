package shift

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"
)

// fuzzKey is a fixed key, so the fuzzer's seeds are signed files.
var fuzzNow = time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)

var fuzzKey = ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))

// FuzzSignedPayload signs whatever payload the fuzzer makes with IT's key
// and loads it as a roster and as a car configuration: a file IT really
// signed may still hold anything, and must be refused with an error, not
// a panic.
func FuzzSignedPayload(f *testing.F) {
	f.Add([]byte(`{"officers":[{"id":"4127","name":"Ann","pin":"x","trained_on":"2025-01-02"}]}`))
	f.Add([]byte(`{"vehicle":"car7","hotlists":[{"path":"ncic.txt","format":"ncic"}],"cameras":[{"name":"front","source":"video:f.mjpg"}]}`))
	f.Add([]byte(`{"vehicle":"","hotlists":[{"format":"csv"}]}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		env, err := json.Marshal(Envelope{Payload: json.RawMessage(payload), Signature: base64.StdEncoding.EncodeToString(ed25519.Sign(fuzzKey, payload))})
		if err != nil {
			return // not JSON: cannot be an envelope's payload
		}
		pub := fuzzKey.Public().(ed25519.PublicKey)
		var r Roster
		if err := Verify(env, pub, &r); err == nil {
			for _, o := range r.Officers {
				_, _ = r.Login(o.ID, "0000", fuzzNow) // any answer but a panic will do
			}
		}
		var c CarConfig
		if err := Verify(env, pub, &c); err == nil {
			_ = c.Validate() // any answer but a panic will do
		}
	})
}

// FuzzEnvelope feeds any bytes as a signed file: only IT's signature over
// the exact payload bytes is accepted.
func FuzzEnvelope(f *testing.F) {
	good, err := Sign(CarConfig{Vehicle: "car7"}, fuzzKey)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte(`{"payload":{},"signature":"AAAA"}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var c CarConfig
		err := Verify(b, fuzzKey.Public().(ed25519.PublicKey), &c)
		if err == nil && string(b) != string(good) {
			// A different file verified: only a whitespace change outside
			// the payload may do that.
			var e1, e2 Envelope
			if json.Unmarshal(b, &e1) != nil || json.Unmarshal(good, &e2) != nil || string(e1.Payload) != string(e2.Payload) {
				t.Fatalf("a file that IT did not sign verified: %q", b)
			}
		}
	})
}

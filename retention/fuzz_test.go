package retention

import (
	"errors"
	"testing"
)

// FuzzParsePolicy: any file is a policy that validates, or refused as
// ErrPolicy; never a panic, and never a reads period under a month.
func FuzzParsePolicy(f *testing.F) {
	f.Add(DefaultPolicyFile())
	f.Add([]byte(`{"format":"plateward-retention-policy/1","version":"x","time_zone":"UTC","series":{"reads":{"months":6}}}`))
	f.Add([]byte(`{"format":"plateward-retention-policy/1","version":"x","time_zone":"../../etc","series":{"reads":{"months":-1}}}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePolicy(b)
		if err != nil {
			if !errors.Is(err, ErrPolicy) {
				t.Fatalf("error not ErrPolicy: %v", err)
			}
			return
		}
		if p.ReadsMonths < 1 || p.Zone == nil || p.Version == "" {
			t.Fatalf("accepted policy %+v from %q", p, b)
		}
	})
}

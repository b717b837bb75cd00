package backoffice

import (
	"testing"
	"time"

	"github.com/plateward/alpr/analytics"
)

func TestAuditSentence(t *testing.T) {
	loc, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		e    analytics.AuditEntry
		want string
	}{
		{"plate search, all time", analytics.AuditEntry{User: "analyst1", Action: "search.plate", Case: "26-4471",
			Detail: `{"from":"0001-01-01T00:00:00Z","plate":"ABC1234","rows":3,"to":"0001-01-01T00:00:00Z"}`},
			"analyst1 searched the reads of plate ABC1234: 3 answered; case 26-4471."},
		{"stakeout with a window", analytics.AuditEntry{User: "det2", Action: "search.stakeout", Case: "26-9",
			Detail: `{"from":"2026-11-19T06:00:00Z","lat":38.627,"lon":-90.1994,"pattern":"","radius_m":500,"rows":12,"to":"2026-11-19T18:00:00Z"}`},
			"det2 searched the reads within 500 m of 38.627, -90.199, from 2026-11-19 00:00 CST to 2026-11-19 12:00 CST: 12 answered; case 26-9."},
		{"a failed search", analytics.AuditEntry{User: "analyst1", Action: "search.misread.failed", Case: "26-1",
			Detail: `{"failed":"timeout","plate":"AB1C2D","from":"0001-01-01T00:00:00Z","to":"0001-01-01T00:00:00Z"}`},
			"analyst1 searched possible misreads of AB1C2D: it failed (timeout); case 26-1."},
		{"text detail", analytics.AuditEntry{User: "it1", Action: "user.disable", Detail: "analyst1"},
			"it1 disabled the account analyst1."},
		{"an action without words", analytics.AuditEntry{User: "job:purge", Action: "purge.run", Detail: "3 reads"},
			"job:purge did purge.run 3 reads."},
		{"revocation", analytics.AuditEntry{User: "chief1", Action: "export.revoke", Case: "26-9", Detail: `{"id":"AUTH-01","rows":1}`},
			"chief1 revoked authorisation AUTH-01: 1 answered; case 26-9."},
		{"other parameters in words", analytics.AuditEntry{User: "det2", Action: "search.partial", Case: "26-2",
			Detail: `{"pattern":"AB?C*","limit_rows":50,"rows":2}`},
			"det2 searched the partial plate AB?C* (limit rows 50): 2 answered; case 26-2."},
		{"missing value", analytics.AuditEntry{User: "u", Action: "search.plate", Detail: `{"rows":0}`},
			"u searched the reads of plate ?: 0 answered."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := auditSentence(tt.e, loc); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

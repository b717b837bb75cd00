package backoffice

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plateward/alpr/edge/shift"
)

func TestCarRosterHoldsOnlyTrainedEnabledOfficers(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	pw, _ := shift.HashPIN("a long passphrase")
	users := []User{
		{Name: "ready", Role: Officer, Badge: "4127", TrainedOn: "2026-01-05", Password: pw},
		{Name: "sarge", Role: Supervisor, Badge: "2001", TrainedOn: "2025-03-01", Password: pw},
		{Name: "rookie", Role: Officer, Badge: "5001", Password: pw},
		{Name: "nextweek", Role: Officer, Badge: "5002", TrainedOn: "2026-12-03", Password: pw},
		{Name: "gone", Role: Officer, Badge: "5003", TrainedOn: "2020-01-01", Password: pw, Disabled: true},
		{Name: "nobadge", Role: Officer, TrainedOn: "2020-01-01", Password: pw},
		{Name: "fresh", Role: Officer, Badge: "5004", TrainedOn: "2020-01-01", Password: pw, MustChange: true},
		{Name: "analyst", Role: Analyst, Badge: "9001", TrainedOn: "2020-01-01", Password: pw},
	}
	r, left := CarRoster(users, now)
	var ids []string
	for _, o := range r.Officers {
		ids = append(ids, o.ID+"/"+o.Role)
	}
	if strings.Join(ids, ",") != "2001/supervisor,4127/officer" {
		t.Fatalf("roster %v", ids)
	}
	if got := strings.Join(left, "; "); got != "rookie: not trained; nextweek: not trained; gone: disabled; nobadge: no badge number; fresh: has not set a password yet" {
		t.Fatalf("left out: %s", got)
	}
	// The car accepts the officer with the badge and the password.
	if _, err := r.Login("4127", "a long passphrase", now); err != nil {
		t.Fatal(err)
	}
}

func TestRosterDownloadIsITsAndAudited(t *testing.T) {
	f := newFixture(t)
	c := f.client(t)
	f.login(t, c, "it1", testPassword)
	resp, err := c.Get(f.srv.URL + "/roster")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var r shift.Roster
	if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &r) != nil {
		t.Fatalf("roster %d: %s", resp.StatusCode, b)
	}
	// The fixture's users have no badge numbers: nobody can be on it, and
	// IT is told why.
	if len(r.Officers) != 0 {
		t.Fatalf("officers without badges on the roster: %+v", r.Officers)
	}
	var detail string
	if err := f.store.DB().QueryRow(`SELECT detail FROM audit_log WHERE action = 'roster.export'`).Scan(&detail); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(detail, "officer1: no badge number") {
		t.Fatalf("audit detail %q", detail)
	}
}

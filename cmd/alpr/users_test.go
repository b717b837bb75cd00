package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/backoffice"
)

// TestUsersResetIsTheWayBackIn: the first administrator's one-time
// password is lost (the server stopped before anyone read it); IT resets
// it from the server's console, the new one logs in and must be changed,
// and the reset is in an audit chain that verifies.
func TestUsersResetIsTheWayBackIn(t *testing.T) {
	store := t.TempDir()
	st, err := analytics.Open(context.Background(), analytics.DefaultOptions(store))
	if err != nil {
		t.Fatal(err)
	}
	users, err := backoffice.OpenUsers(store)
	if err != nil {
		t.Fatal(err)
	}
	lost, created, err := backoffice.Bootstrap(users, time.Now())
	if err != nil || !created {
		t.Fatalf("bootstrap: %v %v", created, err)
	}
	st.Close()

	if _, err := run(t, "users", "reset", "admin", "--store", store, "--actor", "it.smith"); err == nil {
		t.Fatal("a reset without a reason was not refused")
	}
	if _, err := run(t, "users", "reset", "nobody", "--store", store, "--actor", "it.smith", "--reason", "lost"); err == nil {
		t.Fatal("a reset of an unknown account was not refused")
	}
	out := mustRun(t, "users", "reset", "admin", "--store", store, "--actor", "it.smith", "--reason", "first start's password lost")
	m := regexp.MustCompile(`one-time password (\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no password printed: %s", out)
	}
	users, err = backoffice.OpenUsers(store)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := users.Authenticate("admin", lost, "127.0.0.1", time.Now(), backoffice.Lockout{PerAddress: 5, PerAccount: 50, For: time.Minute}); err == nil {
		t.Fatal("the lost password still logs in")
	}
	u, err := users.Authenticate("admin", m[1], "127.0.0.1", time.Now(), backoffice.Lockout{PerAddress: 5, PerAccount: 50, For: time.Minute})
	if err != nil {
		t.Fatalf("the new password does not log in: %v", err)
	}
	if !u.MustChange {
		t.Fatal("the new password need not be changed")
	}
	out = mustRun(t, "audit", "verify", "--store", store)
	if !strings.Contains(out, "all 1 entries verify") {
		t.Fatalf("audit verify: %s", out)
	}
	st, err = analytics.Open(context.Background(), analytics.DefaultOptions(store))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	log, err := st.AuditLog(context.Background(), analytics.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 || log[0].Action != "user.reset" || log[0].User != "it.smith" {
		t.Fatalf("audit log %+v", log)
	}
}

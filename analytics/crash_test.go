package analytics

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary play a back office that the crash test
// kills: it runs audited searches, as alpr serve does for every analyst,
// and prints each one's number once its answer (and so its audit entry)
// is committed.
func TestMain(m *testing.M) {
	if dir := os.Getenv("ALPR_AUDIT_CHILD_STORE"); dir != "" {
		os.Exit(auditChild(dir))
	}
	os.Exit(m.Run())
}

func auditChild(dir string) int {
	ctx := context.Background()
	st, err := Open(ctx, DefaultOptions(dir))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer st.Close()
	a := Access{User: "det.crash", Reason: "crash test", Case: "26-9"}
	for i := 0; ; i++ {
		if _, err := st.PlateReads(ctx, a, PlateQuery{Plate: "AB1C2D" + strconv.Itoa(i%10)}, time.Now()); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 3
		}
		fmt.Printf("answered %d\n", i)
	}
}

// TestKilledBackOfficeKeepsItsAuditChain kills a process in the middle of
// audited searches with SIGKILL, again and again, and after each kill
// checks that the store opens, the audit chain verifies, and every search
// that was answered before the kill is in the log.
func TestKilledBackOfficeKeepsItsAuditChain(t *testing.T) {
	if testing.Short() {
		t.Skip("crash loop")
	}
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(5, 6))
	answered := 0 // searches answered in all runs
	const runs = 6
	for run := range runs {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "ALPR_AUDIT_CHILD_STORE="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		n := 0
		for want := 20 + rng.IntN(60); n < want && sc.Scan(); n++ {
		}
		time.Sleep(time.Duration(rng.IntN(15)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatalf("run %d: kill: %v", run, err)
		}
		// Answers printed before the signal landed count too.
		for sc.Scan() {
			n++
		}
		_, _ = io.Copy(io.Discard, out) // drain the killed child
		_ = cmd.Wait()                  // killed on purpose: "signal: killed"
		answered += n

		st, err := Open(context.Background(), DefaultOptions(dir))
		if err != nil {
			t.Fatalf("run %d: store after a kill: %v", run, err)
		}
		rows, err := st.VerifyAudit(context.Background())
		var searches int
		if err := st.DB().QueryRow("SELECT count(*) FROM audit_log WHERE action = 'search.plate'").Scan(&searches); err != nil {
			t.Fatal(err)
		}
		st.Close()
		if err != nil {
			t.Fatalf("run %d: audit chain after a kill: %v", run, err)
		}
		if searches < answered {
			t.Fatalf("run %d: %d searches answered, %d in the audit log", run, answered, searches)
		}
		t.Logf("run %d: killed after %d answers; chain of %d rows verifies, %d searches logged (%d answered)", run, n, rows, searches, answered)
	}
}

package gps

import (
	"context"
	"fmt"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReceiverFromRealGpsd replays an NMEA log of a route through a real
// gpsd (Debian's gpsfake) and reads its JSON reports.
func TestReceiverFromRealGpsd(t *testing.T) {
	if _, err := exec.LookPath("gpsfake"); err != nil {
		t.Fatalf("gpsfake (Debian gpsd-clients, installed by the Makefile): %v", err)
	}
	var log strings.Builder
	at := time.Date(2026, 5, 1, 13, 0, 0, 0, time.UTC)
	for i := range 40 {
		f := Fix{At: at.Add(time.Duration(i) * time.Second), Lat: 38.6270, Lon: -90.1994 - float64(i)*0.00013, SpeedMps: 11, HeadingDeg: 270}
		log.WriteString(FormatGGA(f) + "\r\n" + FormatRMC(f) + "\r\n")
	}
	p := filepath.Join(t.TempDir(), "route.nmea")
	if err := os.WriteFile(p, []byte(log.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	fake := exec.Command("gpsfake", "-q", "-n", "-1", "-c", "0.05", "-P", fmt.Sprint(port), p)
	fake.Dir = t.TempDir()
	if err := fake.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = fake.Process.Kill(); _ = fake.Wait() }() // killed on purpose: its exit status says so
	r := NewReceiver(5 * time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	go func() {
		for ctx.Err() == nil {
			_ = r.ReadGPSD(ctx, fmt.Sprintf("127.0.0.1:%d", port)) // gpsd may not listen yet: retry
			time.Sleep(100 * time.Millisecond)
		}
	}()
	for ctx.Err() == nil {
		r.mu.Lock()
		f, valid := r.fix, r.valid
		r.mu.Unlock()
		if valid && f.Lon < -90.2000 {
			if math.Abs(f.Lat-38.6270) > 1e-4 || f.At.Before(at) || f.At.After(at.Add(time.Minute)) {
				t.Fatalf("fix from gpsd %+v", f)
			}
			if got, ok := r.At(f.At.Add(time.Second)); !ok || got.Lon != f.Lon {
				t.Fatalf("At gave %+v %v", got, ok)
			}
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	good, bad := r.Counts()
	t.Fatalf("no fix from gpsd within 20 s (reports %d, bad %d)", good, bad)
}

package backoffice

import (
	"context"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/plateward/alpr/analytics"
)

// zeros is an endless URL-encoded body: "a=000…".
type zeros struct{ n, max int64 }

func (z *zeros) Read(p []byte) (int, error) {
	if z.n >= z.max {
		return 0, io.EOF
	}
	for i := range p {
		p[i] = '0'
	}
	if z.n == 0 && len(p) > 2 {
		copy(p, "a=")
	}
	n := int64(len(p))
	if z.n+n > z.max {
		n = z.max - z.n
	}
	z.n += n
	return int(n), nil
}

// TestBodiesAreBoundedBeforeLogin posts 256 MiB to the login form, with
// its length announced and without (chunked), and to a page that needs a
// session: each is refused with 413, and the server's memory grows by
// less than the bound's few times — the body is never read whole. A file
// is taken only on the import route, so multipart elsewhere is refused
// too.
func TestBodiesAreBoundedBeforeLogin(t *testing.T) {
	f := newFixture(t)
	const size = 256 << 20
	for _, tc := range []struct {
		name, path, ctype string
		announce          bool
	}{
		{"login, length announced", "/login", "application/x-www-form-urlencoded", true},
		{"login, chunked", "/login", "application/x-www-form-urlencoded", false},
		{"search without a session, chunked", "/search", "application/x-www-form-urlencoded", false},
		{"multipart to a form", "/login", "multipart/form-data; boundary=x", false},
		// The import route takes a file, but not from a stranger, and a
		// URL-encoded body there is a form's (64 KiB), not an upload's.
		{"URL-encoded to the import, chunked", "/import/NCIC", "application/x-www-form-urlencoded", false},
		{"URL-encoded to the import, announced", "/import/NCIC", "application/x-www-form-urlencoded", true},
		{"multipart to the import without a session, chunked", "/import/NCIC", "multipart/form-data; boundary=x", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			runtime.GC()
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			req, err := http.NewRequest(http.MethodPost, f.srv.URL+tc.path, &zeros{max: size})
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", tc.ctype)
			if tc.announce {
				req.ContentLength = size
			}
			resp, err := f.srv.Client().Do(req)
			if err != nil {
				// The server may close the connection while the client still sends.
				if !strings.Contains(err.Error(), "reset") && !strings.Contains(err.Error(), "broken pipe") {
					t.Fatal(err)
				}
			} else {
				resp.Body.Close()
				want := http.StatusRequestEntityTooLarge
				if strings.HasPrefix(tc.ctype, "multipart") && tc.path == "/import/NCIC" {
					want = http.StatusUnauthorized // refused before a byte is read
				}
				if resp.StatusCode != want {
					t.Fatalf("status %d, want %d", resp.StatusCode, want)
				}
			}
			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
				t.Fatalf("the server allocated %d MiB for a refused %d MiB body", grew>>20, size>>20)
			}
		})
	}
}

// TestStrangersCannotGrowTheAuditLog: 200 logins from one address with a
// 60 KB user name, and 200 car-API requests without a token, write a few
// short entries each way: names are cut, bursts are folded with their
// counts, and every kind of refusal is still in the log.
func TestStrangersCannotGrowTheAuditLog(t *testing.T) {
	f := newFixture(t)
	c := f.client(t)
	long := strings.Repeat("x", 60<<10)
	for range 200 {
		f.login(t, c, long, "guess")
	}
	for range 200 {
		resp, err := f.srv.Client().Get(f.srv.URL + "/car/hotlists/" + long[:2000])
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	es, err := f.store.AuditLog(context.Background(), analytics.AuditFilter{Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	var bytes int
	for _, e := range es {
		kinds[e.Action]++
		bytes += len(e.User) + len(e.Detail)
	}
	// 20 failed logins within the limit, then 180 refusals folded into 14
	// entries (1 to 10, 16, 32, 64, 128); 200 car refusals likewise.
	if kinds["login.failed"] != 20 || kinds["login.rate-limited"] != 14 || kinds["car.refused"] != 14 {
		t.Fatalf("audit entries by kind %v", kinds)
	}
	if bytes > 64<<10 {
		t.Fatalf("the refusals wrote %d KB of user names and details", bytes>>10)
	}
	last := ""
	for _, e := range es {
		if e.Action == "login.rate-limited" && strings.Contains(e.Detail, "refusal 128 ") {
			last = e.Detail
		}
	}
	if last == "" {
		t.Fatal("the burst's count is not in the log")
	}
}

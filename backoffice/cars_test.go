package backoffice

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/analytics/hotlists"
)

func carGet(t *testing.T, url, token string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// A car with a token IT issued (while the server runs) pulls the current
// lists; no token, a wrong one or a revoked one is refused and audited.
func TestCarAPIServesCurrentListsToCarsWithATokenOnly(t *testing.T) {
	inbox := t.TempDir()
	cfg := &hotlists.Config{Format: hotlists.SourcesFormat, Lists: []hotlists.Source{{Name: "NCIC", Format: "ncic", Folder: inbox}}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	f := newFixtureWith(t, func(o *Options) { o.Hotlists = cfg })
	ctx := context.Background()
	ncicFile(t, filepath.Join(inbox, "1.txt"), f.clk.now(), "AB1234", "CD5678")
	o, err := hotlists.Refresher{St: f.store, Dir: hotlists.Dir(f.store.Dir())}.Refresh(ctx, cfg.Lists[0], f.clk.now())
	if err != nil {
		t.Fatal(err)
	}
	ct, err := OpenCarTokens(f.store.Dir())
	if err != nil {
		t.Fatal(err)
	}
	tok, err := ct.Issue("car7", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := carGet(t, f.srv.URL+"/car/hotlists", ""); code != http.StatusUnauthorized {
		t.Fatalf("no token: %d", code)
	}
	if code, _ := carGet(t, f.srv.URL+"/car/hotlists", "guess"); code != http.StatusUnauthorized {
		t.Fatalf("wrong token: %d", code)
	}
	code, b := carGet(t, f.srv.URL+"/car/hotlists", tok)
	var m []CarListVersion
	if code != http.StatusOK || json.Unmarshal(b, &m) != nil || len(m) != 1 || m[0].SHA256 != o.SHA256 {
		t.Fatalf("manifest %d %s", code, b)
	}
	code, b = carGet(t, f.srv.URL+"/car/hotlists/NCIC", tok)
	want, _ := os.ReadFile(filepath.Join(inbox, "1.txt"))
	if code != http.StatusOK || string(b) != string(want) {
		t.Fatalf("list %d", code)
	}
	if code, _ := carGet(t, f.srv.URL+"/car/hotlists/NOPE", tok); code != http.StatusNotFound {
		t.Fatalf("unknown list: %d", code)
	}
	if err := ct.Revoke("car7"); err != nil {
		t.Fatal(err)
	}
	if code, _ := carGet(t, f.srv.URL+"/car/hotlists", tok); code != http.StatusUnauthorized {
		t.Fatalf("revoked token: %d", code)
	}
	for action, want := range map[string]int{"car.refused": 3, "hotlist.car-pull": 1} {
		if e, _ := f.store.AuditLog(ctx, analytics.AuditFilter{Action: action}); len(e) != want {
			t.Errorf("%s: %d audit entries, want %d", action, len(e), want)
		}
	}
}

package hotlists

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoadConfig: any sources file loads as a checked configuration or is
// refused as ErrSources, never a panic.
func FuzzLoadConfig(f *testing.F) {
	f.Add([]byte(`{"format":"plateward-hotlist-sources/1","lists":[{"name":"NCIC","format":"ncic","folder":"in"}]}`))
	f.Add([]byte(`{"format":"plateward-hotlist-sources/1","lists":[{"name":"MULES","format":"csv","url":"https://x/y","credentials":"c","mapping":"m.json","max_shrink":2}]}`))
	f.Add([]byte(`{"format":"plateward-hotlist-sources/1","lists":[{"name":"../x","format":"ncic","url":"http://x"}]}`))
	f.Add([]byte(`{"lists":null}`))
	dir := f.TempDir()
	path := filepath.Join(dir, "sources.json")
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := LoadConfig(path)
		if err != nil {
			if !errors.Is(err, ErrSources) {
				t.Fatalf("error not ErrSources: %v", err)
			}
			return
		}
		for _, s := range c.Lists {
			if !listName.MatchString(s.Name) {
				t.Fatalf("accepted list name %q", s.Name)
			}
		}
	})
}

package hotlists

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/plateward/alpr/internal/fsutil"
	"github.com/plateward/alpr/internal/secure"
)

// MaxListBytes bounds one delivery: an NCIC extract of a million entries
// is about 60 MB.
const MaxListBytes = 512 << 20

// ErrFetch is a source that could not deliver a list.
var ErrFetch = errors.New("hot-list source unavailable")

// fetch returns the list's bytes from its source and where they came from.
func fetch(ctx context.Context, s Source) ([]byte, string, error) {
	if s.Folder != "" {
		return fetchFolder(s.Folder)
	}
	return fetchURL(ctx, s)
}

// fetchFolder reads the newest delivered file of a folder (hidden files
// and files still being written, with the temporary suffix, are ignored).
func fetchFolder(dir string) ([]byte, string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrFetch, err)
	}
	var newest string
	var at time.Time
	for _, e := range ents {
		name := e.Name()
		if !e.Type().IsRegular() || strings.HasPrefix(name, ".") || strings.HasSuffix(name, fsutil.TmpSuffix) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		if newest == "" || info.ModTime().After(at) || info.ModTime().Equal(at) && name > newest {
			newest, at = name, info.ModTime()
		}
	}
	if newest == "" {
		return nil, "", fmt.Errorf("%w: no file delivered in %s", ErrFetch, dir)
	}
	path := filepath.Join(dir, newest)
	f, err := os.Open(path)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrFetch, err)
	}
	defer f.Close()
	b, err := readBounded(f)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %s: %w", ErrFetch, path, err)
	}
	return b, path, nil
}

func readBounded(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxListBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxListBytes {
		return nil, fmt.Errorf("larger than %d MB", MaxListBytes>>20)
	}
	return b, nil
}

// fetchURL downloads the list over HTTPS (TLS 1.2 or later, the source's
// CA file or the system's roots; never a redirect off HTTPS).
func fetchURL(ctx context.Context, s Source) ([]byte, string, error) {
	client, err := secure.HTTPSClient(s.CAFile, 2*time.Minute)
	if err != nil {
		return nil, "", fmt.Errorf("%w: ca_file: %w", ErrFetch, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL, nil)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrFetch, err)
	}
	if s.Credentials != "" {
		auth, err := credentials(s.Credentials)
		if err != nil {
			return nil, "", fmt.Errorf("%w: %w", ErrFetch, err)
		}
		if up, ok := strings.CutPrefix(auth, "basic:"); ok {
			u, p, _ := strings.Cut(up, ":")
			req.SetBasicAuth(u, p)
		} else {
			req.Header.Set("Authorization", auth)
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrFetch, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("%w: %s answered %s", ErrFetch, s.URL, resp.Status)
	}
	b, err := readBounded(resp.Body)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %s: %w", ErrFetch, s.URL, err)
	}
	return b, s.URL, nil
}

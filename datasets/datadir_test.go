package datasets

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// A data directory means "these files or an error": never a mix with the module cache, the
// download cache or a download, whatever else is available.
func TestDataDirMustHoldEveryFile(t *testing.T) {
	t.Setenv(EnvDataDir, "")
	// Downloads are allowed and would succeed: a data directory must still not fall back.
	server := newFileServer(t, mnistIDXFiles(MNISTValidationSize+1, 1, 1, 2))
	saved := MNISTBaseURL
	MNISTBaseURL = server.URL + "/"
	t.Cleanup(func() { MNISTBaseURL = saved })
	require.NotEmpty(t, goMNISTDataDirs(), "the GoMNIST copy is what a partial directory used to be mixed with")

	full := t.TempDir()
	writeMNISTFiles(t, full, MNISTValidationSize+1, 1, 1, 2, true)
	partial := t.TempDir()
	writeFile(t, partial, testLabelsFile, gzipBytes(t, idxBytes([]uint32{1}, []byte{3})))
	empty := t.TempDir()
	notDir := writeFile(t, t.TempDir(), "a-file", []byte("x"))
	missing := filepath.Join(t.TempDir(), "mistyped")

	t.Run("complete directory", func(t *testing.T) {
		s, err := LoadMNIST(Options{Dir: full, CacheDir: t.TempDir(), AllowDownload: true})
		require.NoError(t, err)
		for _, f := range s.Files {
			require.Equal(t, full, filepath.Dir(f.Path))
		}
	})

	for _, c := range []struct {
		name, dir string
		want      []string
		notWant   string
	}{
		{"only the test labels", partial, []string{
			"mnist: data directory " + partial + " (set by -data_dir) lacks " +
				"train-images-idx3-ubyte.gz or train-images-idx3-ubyte, train-labels-idx1-ubyte.gz or train-labels-idx1-ubyte, " +
				"t10k-images-idx3-ubyte.gz or t10k-images-idx3-ubyte; download them from " + server.URL + "/ into it, " +
				"or leave -data_dir and $CLUSTERGAN_DATA_DIR empty to search the Go module cache's GoMNIST copy and ",
			"downloading what is missing (-download)",
		}, "t10k-labels"},
		{"empty", empty, []string{"lacks train-images-idx3-ubyte.gz or train-images-idx3-ubyte, ", "t10k-labels-idx1-ubyte.gz or t10k-labels-idx1-ubyte;"}, ""},
		{"does not exist", missing, []string{"mnist: data directory " + missing + " (set by -data_dir) does not exist"}, ""},
		{"not a directory", notDir, []string{"mnist: data directory " + notDir + " (set by -data_dir) is not a directory"}, ""},
		// Reached through a file: stat fails with something other than "does not exist".
		{"cannot be read", filepath.Join(notDir, "sub"), []string{"mnist: data directory " + filepath.Join(notDir, "sub") + " (set by -data_dir) cannot be read: not a directory"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := server.requests.Load()
			_, err := LoadMNIST(Options{Dir: c.dir, CacheDir: t.TempDir(), AllowDownload: true})
			require.Error(t, err)
			for _, w := range c.want {
				require.ErrorContains(t, err, w)
			}
			if c.notWant != "" {
				require.NotContains(t, err.Error(), c.notWant, "a file that is there is not missing")
			}
			require.NotContains(t, err.Error(), "\n")
			require.Equal(t, before, server.requests.Load(), "downloaded although a data directory was given")
		})
	}

	t.Run("unreadable", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("permissions do not stop root from reading a directory")
		}
		dir := t.TempDir()
		require.NoError(t, os.Chmod(dir, 0))
		t.Cleanup(func() { os.Chmod(dir, 0o755) })
		_, err := LoadMNIST(Options{Dir: dir})
		require.ErrorContains(t, err, "mnist: data directory "+dir+" (set by -data_dir) cannot be read: permission denied")
	})

	t.Run("from the environment variable", func(t *testing.T) {
		t.Setenv(EnvDataDir, partial)
		_, err := LoadMNIST(Options{CacheDir: t.TempDir(), AllowDownload: true})
		require.ErrorContains(t, err, "mnist: data directory "+partial+" (set by $CLUSTERGAN_DATA_DIR) lacks train-images")
		// Fashion-5 goes through the Fashion-MNIST loader, which must keep the origin.
		_, err = LoadFashion5(Options{CacheDir: t.TempDir()})
		require.ErrorContains(t, err, "fashion-mnist: data directory "+partial+" (set by $CLUSTERGAN_DATA_DIR) lacks")
		// The flag wins over the variable.
		s, err := LoadMNIST(Options{Dir: full})
		require.NoError(t, err)
		require.Equal(t, full, filepath.Dir(s.Files[0].Path))
	})

	t.Run("no directory: module cache, then download cache, then download", func(t *testing.T) {
		// MNIST comes from the GoMNIST copy (TestRealMNIST checks its content); Fashion-MNIST,
		// which has none, is downloaded into the cache when allowed and refused otherwise.
		s, err := LoadMNIST(Options{CacheDir: t.TempDir()})
		require.NoError(t, err)
		require.Contains(t, goMNISTDataDirs(), filepath.Dir(s.Files[0].Path))

		cache := t.TempDir()
		_, err = LoadFashionMNIST(Options{CacheDir: cache})
		require.ErrorContains(t, err, "fashion-mnist: train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz not found; looked in "+filepath.Join(cache, "fashion-mnist"))
		savedFashion := FashionMNISTBaseURL
		FashionMNISTBaseURL = server.URL + "/"
		t.Cleanup(func() { FashionMNISTBaseURL = savedFashion })
		src := *fashionSource
		var noChecksum [4]remoteFile // The test files are not the published ones.
		for i, f := range fashionFiles {
			noChecksum[i] = remoteFile{Name: f.Name}
		}
		s, err = loadIDXSplits(&src, noChecksum, Options{CacheDir: cache, AllowDownload: true}, "fashion-mnist", 10, MNISTValidationSize)
		require.NoError(t, err)
		require.Equal(t, filepath.Join(cache, "fashion-mnist", trainImagesFile), s.Files[0].Path)
	})
}

func TestProvenance(t *testing.T) {
	t.Run("SHA-256 of the bytes read", func(t *testing.T) {
		// "abc" is the FIPS 180-2 test vector; sha256sum prints the same digest.
		p := writeFile(t, t.TempDir(), "abc.txt", []byte("abc"))
		var seen []byte
		info, err := readVerified(location{path: p}, "role", func(r io.Reader, size int64) error {
			require.Equal(t, int64(3), size)
			// The parser reads only part of the file: the rest is hashed anyway.
			seen = make([]byte, 1)
			_, err := io.ReadFull(r, seen)
			return err
		})
		require.NoError(t, err)
		require.Equal(t, []byte("a"), seen)
		require.Equal(t, FileInfo{Role: "role", Path: p, SHA256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}, info)
	})

	t.Run("matches sha256sum and is absolute for a relative directory", func(t *testing.T) {
		t.Setenv(EnvDataDir, "")
		parent := t.TempDir()
		dir := filepath.Join(parent, "data")
		require.NoError(t, os.Mkdir(dir, 0o755))
		writeMNISTFiles(t, dir, MNISTValidationSize+2, 2, 1, 2, true)
		t.Chdir(parent)
		s, err := LoadMNIST(Options{Dir: "data"})
		require.NoError(t, err)
		sha256sum, lookErr := exec.LookPath("sha256sum")
		for _, f := range s.Files {
			require.True(t, filepath.IsAbs(f.Path), f.Path)
			require.True(t, strings.HasPrefix(f.Path, dir), f.Path)
			data, err := os.ReadFile(f.Path)
			require.NoError(t, err)
			require.Equal(t, sha256Hex(data), f.SHA256, f.Path)
			if lookErr == nil {
				out, err := exec.Command(sha256sum, f.Path).Output()
				require.NoError(t, err)
				require.Equal(t, f.SHA256, strings.Fields(string(out))[0], f.Path)
			}
		}
	})
}

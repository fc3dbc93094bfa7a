package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "results.json")
	require.NoError(t, WriteBytes(path, []byte("first")))
	require.NoError(t, WriteBytes(path, []byte("second")))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "second", string(data))
	st, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o644), st.Mode().Perm())

	// A failing writer leaves the previous file and no temporary file behind.
	boom := errors.New("disk full")
	err = Write(path, func(w io.Writer) error {
		_, _ = w.Write([]byte("partial"))
		return boom
	})
	require.ErrorIs(t, err, boom)
	data, err = os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "second", string(data))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1)

	require.Error(t, WriteBytes(filepath.Join(dir, "missing", "x"), nil))
}

// RemoveStale removes only the temporary files Write creates, in dir itself.
func TestRemoveStale(t *testing.T) {
	dir := t.TempDir()
	keep := []string{"results.json", ".hidden", "a.tmp1", ".x.tmpfile", "lock.tmp-ab12"}
	for _, name := range append([]string{".results.json.tmp123", ".checkpoint-000000002.ckpt.tmp4567890"}, keep...) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), nil, 0o644))
	}
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sub", ".y.tmp1"), nil, 0o644))
	removed, err := RemoveStale(dir)
	require.NoError(t, err)
	require.ElementsMatch(t, []string{filepath.Join(dir, ".results.json.tmp123"), filepath.Join(dir, ".checkpoint-000000002.ckpt.tmp4567890")}, removed)
	for _, name := range append(keep, filepath.Join("sub", ".y.tmp1")) {
		require.FileExists(t, filepath.Join(dir, name))
	}
}

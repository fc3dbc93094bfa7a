// Package programtest holds the checks every experiment program's tests make: -h teaches, every
// preset applies, and missing data fail in one line.
package programtest

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/clustergan/clustergan/experiments/runner"
	"github.com/stretchr/testify/require"
)

// HelpAndPresets checks that -h prints the usage, examples, data, environment and run
// directories, and that -params succeeds with every preset of p.
func HelpAndPresets(t *testing.T, p runner.Program) {
	t.Helper()
	out := &bytes.Buffer{}
	require.NoError(t, p.Run([]string{"-h"}, out, io.Discard))
	for _, want := range []string{"Usage: go run ./experiments/" + p.Name + " [flags]", "Examples:", "Data:", "GOMLX_BACKEND", "Run directories:"} {
		require.Contains(t, out.String(), want)
	}
	entries, err := fs.ReadDir(p.Presets, "presets")
	require.NoError(t, err)
	require.NotEmpty(t, entries)
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".settings")
		params := &bytes.Buffer{}
		require.NoError(t, p.Run([]string{"-preset=" + name, "-params"}, params, io.Discard), name)
		require.Contains(t, params.String(), "train_steps", name)
	}
}

// MissingData checks that a data directory without the files fails in one line that names the
// directory and the flag, and leaves no run directory.
func MissingData(t *testing.T, p runner.Program, preset string) {
	t.Helper()
	runs, empty := t.TempDir(), t.TempDir()
	err := p.Run([]string{"-runs=" + runs, "-preset=" + preset, "-data_dir=" + empty, "-methods=kmeans"}, io.Discard, io.Discard)
	require.Error(t, err)
	require.NotContains(t, err.Error(), "\n", "one line")
	require.Contains(t, err.Error(), empty)
	require.Contains(t, err.Error(), "-data_dir")
	left, err := os.ReadDir(runs)
	require.NoError(t, err)
	require.Empty(t, left, "no run directory")
}

package main

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestHelpAndPresets: -h teaches (usage, examples, data, environment) and every preset applies.
func TestHelpAndPresets(t *testing.T) {
	out := &bytes.Buffer{}
	require.NoError(t, run([]string{"-h"}, out))
	for _, want := range []string{"Usage: go run ./experiments/fashion [flags]", "Examples:", "Data:", "GOMLX_BACKEND", "Run directories:"} {
		require.Contains(t, out.String(), want)
	}
	entries, err := presets.ReadDir("presets")
	require.NoError(t, err)
	require.NotEmpty(t, entries)
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".settings")
		p := &bytes.Buffer{}
		require.NoError(t, run([]string{"-preset=" + name, "-params"}, p), name)
		require.Contains(t, p.String(), "train_steps", name)
	}
}

// TestMissingData: a data directory without the files fails in one line that names the
// directory, what is missing and how to get it, and no run directory is left.
func TestMissingData(t *testing.T) {
	runs, empty := t.TempDir(), t.TempDir()
	err := run([]string{"-runs=" + runs, "-preset=quick", "-data_dir=" + empty, "-methods=kmeans"}, io.Discard)
	require.Error(t, err)
	require.NotContains(t, err.Error(), "\n", "one line")
	require.Contains(t, err.Error(), empty)
	require.Contains(t, err.Error(), "-data_dir")
}

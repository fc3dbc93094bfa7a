package runner

import (
	"bytes"
	"strings"
	"testing"

	"github.com/clustergan/clustergan/internal/params"
	"github.com/clustergan/clustergan/rundir"
	"github.com/stretchr/testify/require"
)

// TestWriteParams: the listing has every declared parameter once, with its type, default,
// range and meaning, the value after the settings where it differs, and the scoped values.
func TestWriteParams(t *testing.T) {
	ctx := DefaultContext()
	_, err := rundir.ApplySettings(ctx, "train_steps=7; /encoder/mlp_hidden=32,16; /critic/head_init=normal", "test")
	require.NoError(t, err)
	out := &bytes.Buffer{}
	require.NoError(t, WriteParams(out, ctx))
	text := out.String()
	lines := strings.Split(text, "\n")
	for _, p := range params.Declared() {
		var found []string
		for i, line := range lines {
			if strings.HasPrefix(line, "  "+p.Name+" ") {
				found = append(found, line)
				require.Contains(t, line, " "+p.Type()+" ", p.Name)
				require.Contains(t, line, "default "+params.Show(p.Default), p.Name)
				require.True(t, strings.HasSuffix(line, p.RangeString()), "%s: %q", p.Name, line)
				require.Contains(t, strings.Join(lines[i+1:min(i+4, len(lines))], " "), strings.Fields(p.Doc)[0], p.Name)
			}
		}
		require.Len(t, found, 1, p.Name)
		if p.Name == "train_steps" {
			require.Contains(t, found[0], "now 7")
		} else if p.Name == "seed" {
			require.NotContains(t, found[0], "now")
		}
	}
	require.Contains(t, text, "scopes: /generator, /critic, /encoder; set: /encoder/mlp_hidden=32,16\n")
	require.Contains(t, text, "scopes: /critic, /encoder; set: /critic/head_init=normal\n")
	require.Contains(t, text, "\ntrainer\n")
}

// TestWriteParamsMarkdown: one table per package, one row per parameter, cells escaped.
func TestWriteParamsMarkdown(t *testing.T) {
	out := &bytes.Buffer{}
	require.NoError(t, WriteParamsMarkdown(out))
	md := out.String()
	require.True(t, strings.HasPrefix(md, "# Parameters\n"))
	require.Contains(t, md, ParamsMarkdownCommand)
	for _, p := range params.Declared() {
		require.Equal(t, 1, strings.Count(md, "| `"+p.Name+"` | "+p.Type()+" | "), p.Name)
	}
	require.Contains(t, md, "| `train_steps` | int | `5000` | ≥ 1 | number of training iterations (generator updates) |\n")
	require.Contains(t, md, "| `mlp_conv_channels` | []int | (empty) | each ≥ 1 |")
	require.Contains(t, md, "Scopes: `/critic`, `/encoder` |\n")
	require.Contains(t, md, "| `gp_per_sample` | bool | `false` | any bool |")
	require.Contains(t, md, "\n## trainer\n\n| parameter | type | default | allowed | meaning |\n|---|---|---|---|---|\n")
}

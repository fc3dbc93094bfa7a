package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clustergan/clustergan/experiments/runner"
	"github.com/clustergan/clustergan/experiments/runner/programtest"
	"github.com/stretchr/testify/require"
)

// Bad command lines fail with an error that names the flag and lists the valid values, before
// any data is loaded or any directory written.
func TestBadFlags(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"-preset=fast"}, []string{`-preset: unknown preset "fast"`, "default", "paper", "quick"}},
		{[]string{"-methods=kmeans,magic"}, []string{`-methods: unknown method "magic"`, "clustergan", "kmeans"}},
		{[]string{"-dataset=cifar"}, []string{`-dataset=cifar: this program runs mnist`}},
		{[]string{"-dataset=pendigits"}, []string{`-dataset=pendigits: this program runs mnist; for other data sets see the programs in experiments/`}},
		{[]string{"-set=train_steps=-5"}, []string{`parameter "train_steps": must be ≥ 1, got -5`}},
		{[]string{"-set=batch_sizes=64"}, []string{`unknown parameter "batch_sizes"; did you mean "batch_size"?`}},
		{[]string{"-split=dev"}, []string{`-split: unknown split "dev"`}},
		{[]string{"-params=html"}, []string{"-params=markdown"}},
		{[]string{"extra"}, []string{"unexpected arguments"}},
	} {
		err := run(append([]string{"-runs=" + dir}, c.args...), &bytes.Buffer{})
		require.Error(t, err, "%v", c.args)
		for _, w := range c.want {
			require.ErrorContains(t, err, w, "%v", c.args)
		}
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries, "no run directory")
}

// TestSettingsMistakes: a mistake in -set is one line (main prints it and exits 2) that says
// what is wrong: the closest declared name, the value given and the type it needs, the scopes a
// parameter accepts.
func TestSettingsMistakes(t *testing.T) {
	for set, want := range map[string]string{
		"train_stesp=5":          `-set: unknown parameter "train_stesp"; did you mean "train_steps"?`,
		"train_steps=abc":        `-set: parameter "train_steps": "abc" is not an int`,
		"/generatr/mlp_hidden=7": `-set: parameter "mlp_hidden" cannot be set in scope "/generatr"; did you mean "/generator"? (its scopes: /generator, /critic, /encoder)`,
		"/encoder/beta_n=2":      `-set: parameter "beta_n" takes no scope, got "/encoder/beta_n"`,
		"head_init=zeros":        `parameter "head_init": must be one of: glorot, normal, got "zeros"`,
	} {
		for _, args := range [][]string{{"-set=" + set}, {"-set=" + set, "-params"}} {
			out := &bytes.Buffer{}
			err := run(append([]string{"-runs=" + t.TempDir()}, args...), out)
			require.EqualError(t, err, want, "%v", args)
			require.NotContains(t, err.Error(), "\n", "one line")
			require.Empty(t, out.String(), "%v: nothing runs", args)
		}
	}
}

// A data directory missing a file the data set needs fails naming it, and leaves no run
// directory behind.
func TestDataDirMissingFiles(t *testing.T) {
	runs, data := t.TempDir(), t.TempDir()
	err := run([]string{"-runs=" + runs, "-methods=kmeans", "-data_dir=" + data}, io.Discard)
	require.ErrorContains(t, err, "mnist: data directory "+data+" (set by -data_dir) lacks train-images-idx3-ubyte.gz or train-images-idx3-ubyte")
	entries, err := os.ReadDir(runs)
	require.NoError(t, err)
	require.Empty(t, entries)
}

// TestParamsListing: -params shows, for every parameter, its type, default, allowed values and
// meaning, and the values -preset and -set changed, scoped ones included.
func TestParamsListing(t *testing.T) {
	out := &bytes.Buffer{}
	require.NoError(t, run([]string{"-preset=quick", "-set=train_steps=7; /generator/mlp_hidden=32", "-params"}, out))
	text := out.String()
	for _, want := range []string{
		"\ntrainer\n",
		"  train_steps ",
		" int ",
		"default 5000",
		"now 7",
		"≥ 1",
		"number of training iterations (generator updates)",
		"scopes: /generator, /critic, /encoder; set: /generator/mlp_hidden=32",
		"one of: gaussian, gmm, mixed, uniform",
	} {
		require.Contains(t, text, want)
	}
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "  seed ") {
			require.NotContains(t, line, "now", "a value equal to its default shows none")
		}
	}
}

// TestParametersDocIsCurrent fails when docs/parameters.md no longer matches the declared
// parameters.
func TestParametersDocIsCurrent(t *testing.T) {
	out := &bytes.Buffer{}
	require.NoError(t, run([]string{"-params=markdown"}, out))
	committed, err := os.ReadFile(filepath.Join("..", "..", "docs", "parameters.md"))
	require.NoError(t, err, "regenerate it with: %s", runner.ParamsMarkdownCommand)
	require.True(t, string(committed) == out.String(),
		"docs/parameters.md is stale: regenerate it with `%s` (or make docs)", runner.ParamsMarkdownCommand)
	// The -set preset does not change the reference list.
	other := &bytes.Buffer{}
	require.NoError(t, run([]string{"-params=markdown", "-preset=quick", "-set=train_steps=7"}, other))
	require.Equal(t, out.String(), other.String())
}

// -h teaches (usage, examples, data, environment, run directories) and every preset applies.
func TestHelpAndPresets(t *testing.T) { programtest.HelpAndPresets(t, program) }

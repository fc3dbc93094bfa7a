package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/clustergan/clustergan/rundir"
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
		{[]string{"-dataset=cifar"}, []string{`-dataset: unknown dataset "cifar"`, "mnist", "synthetic"}},
		{[]string{"-set=train_steps=-5"}, []string{`"train_steps": must be ≥ 1`}},
		{[]string{"-set=batch_sizes=64"}, []string{`"batch_sizes"`, "batch_size"}},
		{[]string{"-split=dev"}, []string{`-split: unknown split "dev"`}},
		{[]string{"extra"}, []string{"unexpected arguments"}},
	} {
		err := run(append([]string{"-runs=" + dir}, c.args...))
		require.Error(t, err, "%v", c.args)
		for _, w := range c.want {
			require.ErrorContains(t, err, w, "%v", c.args)
		}
	}
}

func TestPresetsParse(t *testing.T) {
	for _, name := range presetNames() {
		t.Run(name, func(t *testing.T) {
			// -params prints the parameters after the preset is applied; an invalid preset fails.
			require.NoError(t, run([]string{"-preset=" + name, "-params"}))
		})
	}
}

// A plain -resume=DIR continues a run started with any preset: its settings come from the
// run's own settings.txt (the default preset's scoped encoder settings, a convolutional stem
// that vector data cannot take, once leaked into resumed runs), and so do its dataset, split
// and methods. A flag that contradicts the record fails with one line naming both values.
func TestResumeUsesTheRunsOwnRecord(t *testing.T) {
	runs := t.TempDir()
	require.NoError(t, run([]string{"-runs=" + runs, "-name=r", "-preset=quick", "-dataset=synthetic",
		"-methods=clustergan", "-split=validation", "-set=train_steps=10; eval_every=5; checkpoint_every=5; " +
			"num_clusters=5; prior_noise_dim=4; mlp_hidden=16; latent_map_points=0; generation_samples=0; kmeans_n_init=1"}))
	dir := filepath.Join(runs, "r")
	require.NoError(t, os.Remove(filepath.Join(dir, rundir.ResultsFile))) // killed before its results
	info := filepath.Join(dir, rundir.InfoFile)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-split=test"}, "-split=test contradicts the run's record: " + info + " has split validation"},
		{[]string{"-dataset=mnist"}, "-dataset=mnist contradicts the run's record: " + info + " has dataset synthetic"},
		{[]string{"-methods=kmeans"}, "-methods=kmeans contradicts the run's record: " + info + " has methods clustergan"},
		{[]string{"-preset=default"}, "-preset=default contradicts the run's record: " + info + " has preset quick"},
		{[]string{"-set=train_steps=99"}, "-set: train_steps=99 contradicts the run's settings: " + filepath.Join(dir, rundir.SettingsFile) + " has train_steps=10"},
		{[]string{"-name=other"}, "give -name or -resume, not both"},
	} {
		err := run(append([]string{"-resume=" + dir}, c.args...))
		require.ErrorContains(t, err, c.want, "%v", c.args)
		require.NotContains(t, err.Error(), "\n")
	}
	require.NoError(t, run([]string{"-resume=" + dir, "-preset=quick", "-set=train_steps=10"}), "flags that agree with the record")
	results, err := rundir.ReadResults(dir)
	require.NoError(t, err)
	require.Equal(t, "validation", results.Split)
	require.Equal(t, "synthetic", results.Dataset)

	err = run([]string{"-runs=" + runs, "-resume_set=train_steps=5"})
	require.ErrorContains(t, err, "-resume_set: changes the settings of a resumed run; give -resume=DIR too")
}

// A data directory missing a file the data set needs fails naming it, and leaves no run
// directory behind.
func TestDataDirMissingFiles(t *testing.T) {
	runs, data := t.TempDir(), t.TempDir()
	err := run([]string{"-runs=" + runs, "-methods=kmeans", "-data_dir=" + data})
	require.ErrorContains(t, err, "mnist: data directory "+data+" (set by -data_dir) lacks train-images-idx3-ubyte.gz or train-images-idx3-ubyte")
	entries, err := os.ReadDir(runs)
	require.NoError(t, err)
	require.Empty(t, entries)
}

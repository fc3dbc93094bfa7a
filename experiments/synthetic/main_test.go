package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clustergan/clustergan/datasets"
	"github.com/clustergan/clustergan/rundir"
	"github.com/stretchr/testify/require"
)

// TestSyntheticEndToEnd runs the program with a mixture of its own on the command line: every
// default method finishes, the mixture (seeded by the run's seed) is recorded in run.json, and
// the well separated clusters are found.
func TestSyntheticEndToEnd(t *testing.T) {
	runs := t.TempDir()
	out := &bytes.Buffer{}
	require.NoError(t, run([]string{"-runs=" + runs, "-name=r", "-clusters=4", "-dim=3", "-per_cluster=60", "-embed_dim=0",
		"-set=seed=3; train_steps=150; eval_every=50; checkpoint_every=50; latent_map_points=0; kmeans_n_init=2"}, out))
	results, err := rundir.ReadResults(filepath.Join(runs, "r"))
	require.NoError(t, err)
	var names []string
	for _, row := range results.Rows {
		names = append(names, row.Name)
		require.Greater(t, row.Metrics.Purity, 0.25, row.Name) // above chance for K = 4
	}
	require.Equal(t, []string{"ClusterGAN, k-means on E(x)", "ClusterGAN, argmax of E(x)", "IMSAT, k-means on E(x)",
		"IMSAT, argmax of E(x)", "k-means on raw features"}, names)
	// k-means on four clusters 10 standard deviations apart finds them.
	require.InDelta(t, 1.0, results.Rows[4].Metrics.Purity, 1e-9)
	info, err := rundir.ReadInfo(filepath.Join(runs, "r"))
	require.NoError(t, err)
	require.Equal(t, &datasets.SyntheticConfig{K: 4, Dim: 3, PerCluster: 60, Separation: 1, Std: 0.1, Seed: 3}, info.Synthetic)
	require.Equal(t, 4*60, results.N)
}

func TestSyntheticFlagErrors(t *testing.T) {
	for args, want := range map[string]string{
		"-clusters=0":    "-clusters=0: must be ≥ 1",
		"-std=-1":        "-std=-1: must be ≥ 0",
		"-separation=0":  "-separation=0: must be > 0",
		"-dataset=mnist": "-dataset=mnist: this program runs synthetic",
	} {
		err := run([]string{"-runs=" + t.TempDir(), args}, io.Discard)
		require.ErrorContains(t, err, want, args)
		require.NotContains(t, err.Error(), "\n")
	}
	out := &bytes.Buffer{}
	require.NoError(t, run([]string{"-h"}, out))
	require.Contains(t, out.String(), "-per_cluster")
	require.True(t, strings.HasPrefix(out.String(), "Usage: go run ./experiments/synthetic [flags]"))
}

// A plain -resume=DIR continues a run started with any preset: its settings come from the
// run's own settings.txt (the default preset's settings once leaked into resumed runs), and so
// do its dataset, split and methods. A flag that contradicts the record fails with one line naming both values.
func TestResumeUsesTheRunsOwnRecord(t *testing.T) {
	runs := t.TempDir()
	require.NoError(t, run([]string{"-runs=" + runs, "-name=r", "-preset=quick",
		"-methods=clustergan", "-split=validation", "-set=train_steps=10; eval_every=5; checkpoint_every=5; " +
			"num_clusters=5; prior_noise_dim=4; mlp_hidden=16; latent_map_points=0; generation_samples=0; kmeans_n_init=1"}, io.Discard))
	dir := filepath.Join(runs, "r")
	require.NoError(t, os.Remove(filepath.Join(dir, rundir.ResultsFile))) // killed before its results
	info := filepath.Join(dir, rundir.InfoFile)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-split=test"}, "-split=test contradicts the run's record: " + info + " has split validation"},
		{[]string{"-methods=kmeans"}, "-methods=kmeans contradicts the run's record: " + info + " has methods clustergan"},
		{[]string{"-preset=default"}, "-preset=default contradicts the run's record: " + info + " has preset quick"},
		{[]string{"-set=train_steps=99"}, "-set: train_steps=99 contradicts the run's settings: " + filepath.Join(dir, rundir.SettingsFile) + " has train_steps=10"},
		{[]string{"-name=other"}, "give -name or -resume, not both"},
	} {
		err := run(append([]string{"-resume=" + dir}, c.args...), io.Discard)
		require.ErrorContains(t, err, c.want, "%v", c.args)
		require.NotContains(t, err.Error(), "\n")
	}
	require.NoError(t, run([]string{"-resume=" + dir, "-preset=quick", "-set=train_steps=10"}, io.Discard), "flags that agree with the record")
	results, err := rundir.ReadResults(dir)
	require.NoError(t, err)
	require.Equal(t, "validation", results.Split)
	require.Equal(t, "synthetic", results.Dataset)

	err = run([]string{"-runs=" + runs, "-resume_set=train_steps=5"}, io.Discard)
	require.ErrorContains(t, err, "-resume_set: changes the settings of a resumed run; give -resume=DIR too")
}

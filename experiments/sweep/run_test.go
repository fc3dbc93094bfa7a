package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clustergan/clustergan/backend"
	"github.com/clustergan/clustergan/experiments/runner"
	"github.com/clustergan/clustergan/rundir"
	"github.com/clustergan/clustergan/sweeps"
	"github.com/gomlx/gomlx/backends"
	"github.com/stretchr/testify/require"
)

func testOptions(t *testing.T, dir, grid string, methods ...string) Options {
	t.Helper()
	g, err := sweeps.ParseGrid(grid, "grid")
	require.NoError(t, err)
	return Options{
		Dir: dir, Grid: g, Dataset: "synthetic", Methods: methods, Out: &bytes.Buffer{},
		Base:       []Settings{{Text: "kmeans_n_init=2", Source: "base"}},
		NewBackend: func() (backends.Backend, error) { return backend.ForTests(), nil },
	}
}

// Every point is checked before anything runs; errors name the point and what is wrong.
func TestPlanRejectsBadPoints(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		grid    string
		methods []string
		want    []string
	}{
		{"seed=1,2; beta_nn=1", []string{"kmeans"}, []string{"grid: point 0 (seed=1;beta_nn=1)", `unknown parameter "beta_nn"; did you mean "beta_n"?`}},
		{"kmeans_n_init=3,0", []string{"kmeans"}, []string{"point 1 (kmeans_n_init=0)", `"kmeans_n_init": must be ≥ 1`}},
		{"beta_n=abc", []string{"kmeans"}, []string{"point 0 (beta_n=abc)"}},
		{"beta_n=0,10; beta_c=0,1", []string{"clustergan"}, []string{"point 0 (beta_n=0;beta_c=0)", `"beta_n" and "beta_c" are both 0`}},
		{"seed=1", []string{"kmeanz"}, []string{`unknown method "kmeanz"`}},
	} {
		_, err := Plan(testOptions(t, dir, c.grid, c.methods...))
		require.Error(t, err, c.grid)
		for _, w := range c.want {
			require.ErrorContains(t, err, w, c.grid)
		}
	}
	// β_n = β_c = 0 is fine for methods without a latent loss.
	_, err := Plan(testOptions(t, dir, "beta_n=0; beta_c=0", "kmeans"))
	require.NoError(t, err)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries, "planning writes nothing")
}

// A sweep over k-means runs in two shards, two points at a time; running it again skips every
// point without touching its files; a point directory left without settings.txt (killed right
// after it was created) is started afresh; a directory run with other settings is refused.
func TestRunShardsAndSkip(t *testing.T) {
	dir := t.TempDir()
	grid := "kmeans_max_iter=50,100; seed=1..3"
	var total Summary
	for _, shard := range []sweeps.Shard{{Index: 0, Count: 2}, {Index: 1, Count: 2}} {
		opts := testOptions(t, dir, grid, "kmeans")
		opts.Shard, opts.Parallel = shard, 2
		sum, err := Run(opts)
		require.NoError(t, err)
		require.Equal(t, 6, sum.Points)
		total.InShard += sum.InShard
		total.Started += sum.Started
	}
	require.Equal(t, Summary{InShard: 6, Started: 6}, total)
	points, _ := testOptions(t, dir, grid).Grid.Points()
	mtimes := map[string]time.Time{}
	for _, p := range points {
		path := filepath.Join(dir, p.DirName(), "results.json")
		st, err := os.Stat(path)
		require.NoError(t, err)
		mtimes[path] = st.ModTime()
		require.FileExists(t, filepath.Join(dir, LogsDir, p.DirName()+".log"))
	}

	broken := filepath.Join(dir, points[4].DirName())
	require.NoError(t, os.RemoveAll(broken))
	require.NoError(t, os.MkdirAll(broken, 0o755))
	opts := testOptions(t, dir, grid, "kmeans")
	plan, err := Plan(opts)
	require.NoError(t, err)
	require.Equal(t, StatusNew, plan[4].Status)
	require.Equal(t, StatusFinished, plan[0].Status)
	sum, err := Run(opts)
	require.NoError(t, err)
	require.Equal(t, Summary{Points: 6, InShard: 6, Skipped: 5, Started: 1}, sum)
	for path, mtime := range mtimes {
		st, err := os.Stat(path)
		require.NoError(t, err)
		if filepath.Dir(path) != broken {
			require.Equal(t, mtime, st.ModTime(), "%s was rewritten", path)
		}
	}

	agg, skipped, err := sweeps.AggregateDir(dir, nil)
	require.Empty(t, skipped)
	require.NoError(t, err)
	require.Equal(t, []string{"kmeans_max_iter"}, agg.Varying)
	require.Len(t, agg.Groups, 2)
	require.Len(t, agg.Tables[0].Lines, 2, "kmeans_max_iter is read by k-means: one line per value")
	require.Equal(t, 3, agg.Tables[0].Lines[0].Stats.N)

	opts = testOptions(t, dir, grid, "kmeans")
	opts.Base = []Settings{{Text: "kmeans_n_init=3", Source: "base"}}
	_, err = Plan(opts)
	require.ErrorContains(t, err, "was started with other settings (kmeans_n_init=2 there, 3 now)")
}

// Two ClusterGAN points at once share one pure-Go backend (its executions are safe to run
// concurrently); an unfinished point (results without every method) is resumed.
func TestRunClusterGANParallel(t *testing.T) {
	dir := t.TempDir()
	opts := testOptions(t, dir, "beta_c=1,10", "clustergan")
	opts.Base = append(opts.Base, Settings{Source: "tiny", Text: `prior_noise_dim=4; num_clusters=5; mlp_hidden=32
		adversarial_loss=vanilla; n_critic=1; train_steps=40; eval_every=20; checkpoint_every=20; latent_map_points=0`})
	opts.Parallel = 2
	calls := 0
	opts.NewBackend = func() (backends.Backend, error) { calls++; return backend.ForTests(), nil }
	sum, err := Run(opts)
	require.NoError(t, err)
	require.Equal(t, 2, sum.Started)
	require.Equal(t, 1, calls, "one backend per sweep")

	// Asking for one more method makes both points unfinished: they resume, and clustergan is
	// kept from the previous session.
	opts.Methods = []string{"clustergan", "kmeans"}
	opts.Parallel = 1
	out := &bytes.Buffer{}
	opts.Out = out
	sum, err = Run(opts)
	require.NoError(t, err)
	require.Equal(t, 2, sum.Resumed)
	require.Contains(t, out.String(), "clustergan: finished in a previous session")
	agg, skipped, err := sweeps.AggregateDir(dir, nil)
	require.Empty(t, skipped)
	require.NoError(t, err)
	require.Equal(t, []string{"beta_c"}, agg.Varying)
	require.Len(t, agg.Groups, 2)
	require.Len(t, agg.Tables, 3, "two clustergan rows and k-means")
	for _, tab := range agg.Tables[:2] {
		require.Len(t, tab.Lines, 2, "one line per β_c")
		for _, l := range tab.Lines {
			require.NotNil(t, l.Stats.Best, "clustergan rows have a validation score")
		}
	}
	require.Len(t, agg.Tables[2].Lines, 1, "k-means does not read β_c")
}

// A point another process holds is skipped with a line naming the owner, and its directory is
// left alone; with Wait the sweep comes back to it once the owner lets go, and runs it.
func TestRunSkipsOrWaitsForHeldPoints(t *testing.T) {
	dir := t.TempDir()
	opts := testOptions(t, dir, "seed=1..2", "kmeans")
	points, _ := opts.Grid.Points()
	held := filepath.Join(dir, points[1].DirName())
	require.NoError(t, os.MkdirAll(held, 0o755))
	lock, err := rundir.LockDir(held)
	require.NoError(t, err)

	out := &bytes.Buffer{}
	opts.Out = out
	sum, err := Run(opts)
	require.NoError(t, err)
	require.Equal(t, Summary{Points: 2, InShard: 2, Started: 1, Owned: 1}, sum)
	require.Contains(t, out.String(), fmt.Sprintf("point 1 %s: skipped for now: run directory %s is in use by pid %d", points[1].DirName(), held, os.Getpid()))
	require.Contains(t, out.String(), "; left to it\n")
	entries, err := os.ReadDir(held)
	require.NoError(t, err)
	require.Len(t, entries, 1, "only the owner's lock")

	saved := PollEvery
	PollEvery = 10 * time.Millisecond
	t.Cleanup(func() { PollEvery = saved })
	go func() {
		time.Sleep(100 * time.Millisecond)
		lock.Release()
	}()
	opts.Wait = true
	out.Reset()
	sum, err = Run(opts)
	require.NoError(t, err)
	require.Equal(t, Summary{Points: 2, InShard: 2, Skipped: 1, Started: 1}, sum)
	require.Contains(t, out.String(), "coming back to it later")
	require.Contains(t, out.String(), "waiting for 1 point(s) other processes hold")
	require.FileExists(t, filepath.Join(held, "results.json"))
}

// The status a point had when the sweep was planned is looked at again under its lock: a point
// another process finished meanwhile is not run again (nor removed).
func TestPointStatusRecheckedUnderLock(t *testing.T) {
	dir := t.TempDir()
	opts := testOptions(t, dir, "seed=1", "kmeans")
	plan, err := Plan(opts)
	require.NoError(t, err)
	require.Equal(t, StatusNew, plan[0].Status)
	_, err = Run(opts) // "another process"
	require.NoError(t, err)
	results := filepath.Join(plan[0].Dir, "results.json")
	before, err := os.Stat(results)
	require.NoError(t, err)

	var mu sync.Mutex
	status, err := runPoint(plan[0], opts, nil, &mu, func(Planned, string, ...any) {})
	require.NoError(t, err)
	require.Equal(t, StatusFinished, status)
	after, err := os.Stat(results)
	require.NoError(t, err)
	require.True(t, os.SameFile(before, after))
	require.Equal(t, before.ModTime(), after.ModTime())
}

// A point whose settings were changed on purpose when it was resumed (-resume_set, recorded
// in its run.json) still belongs to the sweep; an unrecorded difference is refused.
func TestPlanAcceptsRecordedResumeChanges(t *testing.T) {
	dir := t.TempDir()
	opts := testOptions(t, dir, "kmeans_max_iter=50; seed=1", "kmeans")
	_, err := Run(opts)
	require.NoError(t, err)
	points, _ := opts.Grid.Points()
	_, err = runner.Run(runner.Config{ResumeDir: filepath.Join(dir, points[0].DirName()), ResumeSet: "kmeans_max_iter=60",
		Out: &bytes.Buffer{}, DataOptions: opts.DataOptions})
	require.NoError(t, err)
	plan, err := Plan(opts)
	require.NoError(t, err)
	require.Equal(t, StatusFinished, plan[0].Status)

	settings := filepath.Join(dir, points[0].DirName(), rundir.SettingsFile)
	text, err := os.ReadFile(settings)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(settings, []byte(strings.Replace(string(text), "kmeans_tol=0.0001", "kmeans_tol=0.5", 1)), 0o644))
	_, err = Plan(opts)
	require.ErrorContains(t, err, "was started with other settings (kmeans_tol=0.5 there, 0.0001 now)")
}

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/clustergan/clustergan/backend"
	"github.com/stretchr/testify/require"
)

// childArgsEnv holds the JSON-encoded arguments when the test binary is re-executed as the
// sweep program (see startChild).
const childArgsEnv = "CLUSTERGAN_SWEEP_TEST_CHILD_ARGS"

func TestMain(m *testing.M) {
	if encoded := os.Getenv(childArgsEnv); encoded != "" {
		var args []string
		if err := json.Unmarshal([]byte(encoded), &args); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		if err := run(args); err != nil {
			fmt.Fprintf(os.Stderr, "sweep: %v\n", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// startChild runs this test binary as the sweep program with args, on the pure-Go backend.
func startChild(t *testing.T, args []string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	encoded, err := json.Marshal(args)
	require.NoError(t, err)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childArgsEnv+"="+string(encoded), backend.EnvVar+"="+backend.GoConfig)
	out := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())
	return cmd, out
}

func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

type snapshot struct {
	results, metrics string
	mtime            time.Time
}

func snap(t *testing.T, dir string) snapshot {
	t.Helper()
	results, err := os.ReadFile(filepath.Join(dir, "results.json"))
	require.NoError(t, err)
	metrics, err := os.ReadFile(filepath.Join(dir, "metrics.jsonl"))
	require.NoError(t, err)
	st, err := os.Stat(filepath.Join(dir, "results.json"))
	require.NoError(t, err)
	return snapshot{string(results), string(metrics), st.ModTime()}
}

// The sweep is killed with SIGKILL while its second point trains (after the first point's
// results and a checkpoint of the second exist). Started again, it keeps the first point as it
// was, resumes the second from its checkpoint and runs the third; a third start does nothing.
func TestResumeAfterSIGKILL(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sweep")
	args := []string{
		"-grid=seed=1..3", "-dir=" + dir, "-dataset=synthetic", "-methods=clustergan",
		"-set=prior_noise_dim=4; num_clusters=5; mlp_hidden=32; adversarial_loss=vanilla; n_critic=1; " +
			"train_steps=400; eval_every=200; checkpoint_every=20; latent_map_points=0; kmeans_n_init=2",
	}
	points := []string{"seed=1", "seed=2", "seed=3"}
	run := func(i int) string { return filepath.Join(dir, points[i]) }

	cmd, out := startChild(t, args)
	waitFor(t, "the first point's results.json", 60*time.Second, func() bool {
		_, err := os.Stat(filepath.Join(run(0), "results.json"))
		return err == nil
	})
	waitFor(t, "a checkpoint of the second point", 60*time.Second, func() bool {
		m, _ := filepath.Glob(filepath.Join(run(1), "clustergan", "checkpoints", "checkpoint-*.ckpt"))
		return len(m) > 0
	})
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	require.Error(t, cmd.Wait())
	require.NoFileExists(t, filepath.Join(run(1), "results.json"), "the second point was killed unfinished:\n%s", out)
	first := snap(t, run(0))

	cmd, out = startChild(t, args)
	require.NoError(t, cmd.Wait(), out.String())
	require.Contains(t, out.String(), "3 of 3 points in shard 0/1; 1 were finished, 1 resumed, 1 started, 0 failed", out.String())
	log, err := os.ReadFile(filepath.Join(dir, "logs", points[1]+".log"))
	require.NoError(t, err)
	require.Contains(t, string(log), "clustergan: resuming from", "the second point continued from its checkpoint")
	require.Equal(t, first, snap(t, run(0)), "the finished point was not touched")
	var all []snapshot
	for i := range points {
		s := snap(t, run(i))
		require.Contains(t, s.results, `"ClusterGAN, k-means on E(x)"`)
		all = append(all, s)
	}

	cmd, out = startChild(t, args)
	require.NoError(t, cmd.Wait(), out.String())
	require.Contains(t, out.String(), "3 were finished, 0 resumed, 0 started")
	for i := range points {
		require.Equal(t, all[i], snap(t, run(i)))
	}
}

func TestBadFlags(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "-grid: required"},
		{[]string{"-grid=seed=5..1", "-dir=" + dir}, `item "seed=5..1"`},
		{[]string{"-grid=seed=1", "-dir=" + dir, "-shard=2/2"}, `-shard: "2/2" must be i/n`},
		{[]string{"-grid=seed=1", "-dir=" + dir, "-parallel=0"}, "-parallel: must be ≥ 1"},
		{[]string{"-grid=seed=1", "-dir=" + dir, "-preset=no/such.settings"}, "-preset:"},
		{[]string{"-grid=seed=1", "-dir=" + dir, "-set=nope=1"}, `"nope"`},
		{[]string{"-grid=seed=1"}, "no sweep directory (-dir)"},
		{[]string{"-report=" + dir, "-heatmap=beta_n"}, "-heatmap:"},
		{[]string{"-report=" + dir}, "no run directories"},
		{[]string{"extra"}, "unexpected arguments"},
	} {
		err := run(c.args)
		require.ErrorContains(t, err, c.want, "%v", c.args)
	}
}

// A k-means sweep run in-process, then its report, with the heatmap axes chosen by flag; the
// shipped sweep file plans against the MNIST MLP preset it names.
func TestSweepThenReport(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, run([]string{"-grid=kmeans_max_iter=20,50; kmeans_n_init=1,2; seed=1..2", "-dir=" + dir,
		"-dataset=synthetic", "-methods=kmeans"}))
	out := filepath.Join(t.TempDir(), "report")
	require.NoError(t, run([]string{"-report=" + dir, "-report_out=" + out, "-heatmap=kmeans_max_iter,kmeans_n_init"}))
	md, err := os.ReadFile(filepath.Join(out, "report.md"))
	require.NoError(t, err)
	require.Contains(t, string(md), "8 runs in 4 parameter points")
	require.FileExists(t, filepath.Join(out, "report.csv"))
	require.FileExists(t, filepath.Join(out, "heatmap_kmeans.png"))

	// The shipped sweeps plan against the presets and methods their headers name.
	for _, c := range [][]string{
		{"-grid=file:mnist-ablation.sweep", "-methods=clustergan,kmeans", "-preset=../mnist/presets/default.settings"},
		{"-grid=file:mnist-imsat.sweep", "-methods=imsat", "-preset=../mnist/presets/default.settings"},
		{"-grid=file:pendigits-beta.sweep", "-dataset=pendigits", "-preset=../pendigits/presets/paper.settings"},
	} {
		require.NoError(t, run(append(c, "-dir="+t.TempDir(), "-list")), "%v", c)
	}
	// With the paper's objective, β_n = β_c = 0 leaves the encoder without a loss: every point
	// is checked before anything runs.
	err = run([]string{"-grid=beta_n=0; beta_c=0", "-dir=" + t.TempDir(), "-list", "-preset=../mnist/presets/paper.settings"})
	require.ErrorContains(t, err, `"beta_n" and "beta_c" are both 0`)
	require.True(t, strings.Contains(err.Error(), "point 0"), err.Error())
}

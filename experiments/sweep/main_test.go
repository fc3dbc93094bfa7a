package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/clustergan/clustergan/backend"
	"github.com/clustergan/clustergan/rundir"
	"github.com/clustergan/clustergan/sweeps"
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
		rundir.ReleaseOnSignal(os.Stderr, "sweep") // as main does
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
		{"-grid=file:mnist-beta-short.sweep", "-methods=clustergan,kmeans", "-preset=../mnist/presets/default.settings", "-set=train_steps=1000"},
		{"-grid=file:pendigits-beta.sweep", "-dataset=pendigits", "-preset=../pendigits/presets/paper.settings"},
		{"-grid=file:pendigits-beta-short.sweep", "-dataset=pendigits", "-preset=../pendigits/presets/paper.settings", "-set=train_steps=2000"},
	} {
		require.NoError(t, run(append(c, "-dir="+t.TempDir(), "-list")), "%v", c)
	}
	// With the paper's objective, β_n = β_c = 0 leaves the encoder without a loss: every point
	// is checked before anything runs.
	err = run([]string{"-grid=beta_n=0; beta_c=0", "-dir=" + t.TempDir(), "-list", "-preset=../mnist/presets/paper.settings"})
	require.ErrorContains(t, err, `"beta_n" and "beta_c" are both 0`)
	require.True(t, strings.Contains(err.Error(), "point 0"), err.Error())
}

// Two processes of the same sweep command on one directory, the second started while the
// first runs its first point: every point is run exactly once, by one of them, and no finished
// point is removed or rewritten (each process used to plan once and remove "new" point
// directories the other had created meanwhile).
func TestTwoProcessesOneSweep(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sweep")
	grid := []string{"seed=1", "seed=2", "seed=3", "seed=4"}
	args := []string{
		"-grid=seed=1..4", "-dir=" + dir, "-dataset=synthetic", "-methods=clustergan",
		"-set=prior_noise_dim=4; num_clusters=5; mlp_hidden=16; adversarial_loss=vanilla; n_critic=1; " +
			"train_steps=60; eval_every=30; checkpoint_every=30; latent_map_points=0; generation_samples=0; kmeans_n_init=1",
	}
	// Watch every finished point's results.json (one that exists while the point is unlocked):
	// it must stay that same file.
	first := map[string]os.FileInfo{}
	stop := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		for {
			for _, p := range grid {
				path := filepath.Join(dir, p, "results.json")
				if _, seen := first[path]; !seen {
					st, err := os.Stat(path)
					if _, locked := os.Stat(filepath.Join(dir, p, "lock")); err == nil && locked != nil {
						first[path] = st
					}
				}
			}
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()

	a, outA := startChild(t, args)
	waitFor(t, "the first process's lock on its first point", 60*time.Second, func() bool {
		_, err := os.Stat(filepath.Join(dir, grid[0], "lock"))
		return err == nil
	})
	b, outB := startChild(t, args)
	errA, errB := a.Wait(), b.Wait()
	close(stop)
	<-watched
	require.NoError(t, errA, outA.String())
	require.NoError(t, errB, outB.String())

	started := 0
	for _, out := range []string{outA.String(), outB.String()} {
		var n, total, finished, resumed, s, failed int
		line := out[strings.LastIndex(out, "sweep: "):]
		_, err := fmt.Sscanf(line, "sweep: %d of %d points in shard 0/1; %d were finished, %d resumed, %d started, %d failed",
			&n, &total, &finished, &resumed, &s, &failed)
		require.NoError(t, err, out)
		require.Zero(t, resumed+failed, out)
		require.Equal(t, 4, finished+s, out)
		started += s
	}
	require.Equal(t, 4, started, "each point started by exactly one process")
	require.Contains(t, outB.String(), "skipped for now: run directory "+filepath.Join(dir, grid[0])+" is in use by pid "+fmt.Sprint(a.Process.Pid),
		"the second process names the owner of the point it skipped")

	for _, p := range grid {
		path := filepath.Join(dir, p, "results.json")
		st, err := os.Stat(path)
		require.NoError(t, err, p)
		require.True(t, os.SameFile(first[path], st), "%s was replaced", path)
		require.Equal(t, first[path].ModTime(), st.ModTime(), "%s was rewritten", path)
		log, err := os.ReadFile(filepath.Join(dir, "logs", p+".log"))
		require.NoError(t, err)
		require.Equal(t, 1, strings.Count(string(log), "Run directory: "), "%s ran once:\n%s", p, log)
		m, err := rundir.ReadMetrics(filepath.Join(dir, p, "metrics.jsonl"))
		require.NoError(t, err)
		require.Len(t, m.Results, 2, "%s: one clustergan run's two rows", p)
		require.Len(t, m.EvalOf("clustergan"), 2, "%s: evaluations at 30 and 60, once", p)
		require.NoFileExists(t, filepath.Join(dir, p, "lock"), "released")
	}
}

// One truncated results.json does not abort a report: the run is listed as skipped, in
// report.md and on the standard output, and the others are aggregated.
func TestReportSkipsUnreadableRun(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, run([]string{"-grid=seed=1..3", "-dir=" + dir, "-dataset=synthetic", "-methods=kmeans", "-set=kmeans_n_init=1"}))
	torn := filepath.Join(dir, "seed=2", "results.json")
	data, err := os.ReadFile(torn)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(torn, data[:len(data)/2], 0o644))
	out := filepath.Join(t.TempDir(), "report")
	stdout := captureStdout(t, func() {
		require.NoError(t, run([]string{"-report=" + dir, "-report_out=" + out, "-heatmap="}))
	})
	md, err := os.ReadFile(filepath.Join(out, "report.md"))
	require.NoError(t, err)
	require.Contains(t, string(md), "2 runs in 1 parameter points")
	require.Contains(t, string(md), "Skipped (unreadable): "+torn)
	require.Contains(t, stdout, "skipped (unreadable): "+torn)
}

// captureStdout returns what f writes to the standard output.
func captureStdout(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	require.NoError(t, err)
	saved := os.Stdout
	os.Stdout = w
	done := make(chan string)
	go func() {
		var b bytes.Buffer
		b.ReadFrom(r)
		done <- b.String()
	}()
	defer func() { os.Stdout = saved }()
	f()
	w.Close()
	os.Stdout = saved
	return <-done
}

// -shard=auto through the program: the shard comes from the scheduler's variables, and their
// absence is an error saying which are read.
func TestShardAuto(t *testing.T) {
	dir := t.TempDir()
	for _, v := range []string{sweeps.EnvSlurmTaskID, sweeps.EnvJobCompletionIndex} {
		t.Setenv(v, "")
	}
	err := run([]string{"-grid=seed=1..4", "-dir=" + dir, "-shard=auto", "-list"})
	require.ErrorContains(t, err, "-shard=auto: no shard in the environment: Slurm job arrays set SLURM_ARRAY_TASK_ID")
	t.Setenv(sweeps.EnvSlurmTaskID, "2")
	t.Setenv(sweeps.EnvSlurmTaskMin, "1")
	t.Setenv(sweeps.EnvSlurmTaskCount, "2")
	stdout := captureStdout(t, func() {
		require.NoError(t, run([]string{"-grid=seed=1..4", "-dir=" + dir, "-shard=auto", "-list", "-dataset=synthetic", "-methods=kmeans"}))
	})
	require.Contains(t, stdout, "   1  new       "+filepath.Join(dir, "seed=2"))
	require.Contains(t, stdout, "   3  new       "+filepath.Join(dir, "seed=4"))
	require.NotContains(t, stdout, "seed=1")
}

// The scheduler examples run one sweep with -shard=auto over as many shards as they start
// tasks, on files that exist.
func TestSchedulerExamples(t *testing.T) {
	slurm, err := os.ReadFile("slurm/mnist-ablation.sh")
	require.NoError(t, err)
	k8s, err := os.ReadFile("k8s/mnist-ablation.yaml")
	require.NoError(t, err)
	var lo, hi int
	m := regexp.MustCompile(`#SBATCH --array=(\d+)-(\d+)\n`).FindSubmatch(slurm)
	require.NotNil(t, m, "a range array")
	fmt.Sscan(string(m[1]), &lo)
	fmt.Sscan(string(m[2]), &hi)
	completions := regexp.MustCompile(`\n  completions: (\d+)\n`).FindSubmatch(k8s)
	count := regexp.MustCompile(`name: CLUSTERGAN_SHARD_COUNT\n\s+value: "(\d+)"`).FindSubmatch(k8s)
	require.NotNil(t, completions)
	require.NotNil(t, count)
	require.Equal(t, string(completions[1]), string(count[1]), "CLUSTERGAN_SHARD_COUNT = completions")
	require.Equal(t, fmt.Sprint(hi-lo+1), string(count[1]), "both examples use as many shards")
	require.Contains(t, string(k8s), "completionMode: Indexed")
	for _, text := range []string{string(slurm), string(k8s)} {
		require.Contains(t, text, "-shard=auto")
		for _, ref := range regexp.MustCompile(`experiments/[\w./-]+\.(?:sweep|settings)`).FindAllString(text, -1) {
			require.FileExists(t, filepath.Join("..", "..", ref))
		}
	}
}

// A sweep stopped by SIGTERM (a scheduler's preemption) releases its point's lock before it
// exits, so that the point can be taken over at once, and exits with 128+15.
func TestSIGTERMReleasesLocks(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sweep")
	cmd, out := startChild(t, []string{"-grid=seed=1", "-dir=" + dir, "-dataset=synthetic", "-methods=clustergan",
		"-set=prior_noise_dim=4; num_clusters=5; mlp_hidden=16; adversarial_loss=vanilla; n_critic=1; train_steps=100000; " +
			"eval_every=0; checkpoint_every=0; latent_map_points=0"})
	lock := filepath.Join(dir, "seed=1", "lock")
	waitFor(t, "the point's lock", 60*time.Second, func() bool {
		_, err := os.Stat(lock)
		return err == nil
	})
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	err := cmd.Wait()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, out.String())
	require.Equal(t, 143, exit.ExitCode(), out.String())
	require.Contains(t, out.String(), "sweep: stopped by terminated; released 1 run directory lock(s)")
	require.NoFileExists(t, lock)
}

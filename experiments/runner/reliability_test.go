package runner

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clustergan/clustergan/datasets"
	"github.com/clustergan/clustergan/methods"
	"github.com/clustergan/clustergan/rundir"
	"github.com/clustergan/clustergan/trainer"
	"github.com/stretchr/testify/require"
)

// tinyGANSettings train clustergan in a few seconds on the synthetic mixture.
const tinyGANSettings = `prior_noise_dim=4; num_clusters=5; mlp_hidden=32,32; mlp_batch_norm=true
	adversarial_loss=vanilla; n_critic=1; critic_learning_rate=1e-3; generator_learning_rate=1e-3
	kmeans_n_init=2; latent_map_points=0; generation_samples=0`

func tinyGANConfig(t *testing.T, extra string) Config {
	cfg := testConfig(t, "clustergan")
	set, err := rundir.ApplySettings(cfg.Ctx, tinyGANSettings+"\n"+extra, "test")
	require.NoError(t, err)
	cfg.ParamsSet = set
	return cfg
}

// syncBuffer is a bytes.Buffer safe for the trainer and a test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A run is interrupted mid-training by losing its lock (another process took the directory
// over: training stops at its next record), and is then resumed through the runner after a
// crash-like mess: a torn last line in metrics.jsonl and temporary files of interrupted
// writes. The results are those of an uninterrupted run, bit for bit; the training time sums
// both sessions; the temporary files are gone; the torn line is skipped and the resumed
// records start on lines of their own.
func TestResumeIsExactThroughRunner(t *testing.T) {
	const schedule = "train_steps=60; eval_every=20; checkpoint_every=20; checkpoint_keep=5"
	straight, err := Run(tinyGANConfig(t, schedule))
	require.NoError(t, err)

	saved := rundir.LockHeartbeat
	rundir.LockHeartbeat = time.Millisecond
	t.Cleanup(func() { rundir.LockHeartbeat = saved })
	cfg := tinyGANConfig(t, schedule)
	out := &syncBuffer{}
	cfg.Out = out
	dir := filepath.Join(cfg.RunsDir, cfg.RunName)
	lockPath := filepath.Join(dir, rundir.LockFile)
	taken := make(chan struct{})
	go func() {
		defer close(taken)
		require.Eventually(t, func() bool { return strings.Contains(out.String(), "eval @20") }, time.Minute, time.Millisecond)
		// As a takeover does: another lock file renamed over this process's.
		other := filepath.Join(dir, "other-lock")
		require.NoError(t, os.WriteFile(other, []byte(`{"pid":4242,"host":"taker-host"}`), 0o644))
		require.NoError(t, os.Rename(other, lockPath))
	}()
	_, err = Run(cfg)
	<-taken
	require.ErrorContains(t, err, "lost the lock of run directory "+dir)
	require.DirExists(t, dir, "a directory another process owns is never removed")
	ckpts, _ := filepath.Glob(filepath.Join(dir, "clustergan", "checkpoints", "checkpoint-*.ckpt"))
	require.NotEmpty(t, ckpts)
	last := ckpts[len(ckpts)-1]
	require.NotEqual(t, "checkpoint-000000060.ckpt", filepath.Base(last), "interrupted before the end")
	restored, err := trainer.LoadCheckpoint(last)
	require.NoError(t, err)
	rundir.LockHeartbeat = saved

	require.NoError(t, os.Remove(lockPath)) // the other process has gone
	metrics := filepath.Join(dir, rundir.MetricsFile)
	f, err := os.OpenFile(metrics, os.O_APPEND|os.O_WRONLY, 0o644)
	require.NoError(t, err)
	_, err = f.WriteString(`{"event":"train","method":"clustergan","st`)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	tmps := []string{filepath.Join(dir, ".results.json.tmp123"), filepath.Join(dir, "clustergan", ".latent_map_test.png.tmp77"),
		filepath.Join(dir, "clustergan", "checkpoints", ".checkpoint-000000040.ckpt.tmp4567")}
	for _, p := range tmps {
		require.NoError(t, os.WriteFile(p, []byte("partial"), 0o644))
	}

	resumeOut := &bytes.Buffer{}
	cfg2 := testConfig(t)
	cfg2.ResumeDir, cfg2.Out = dir, resumeOut
	resumed, err := Run(cfg2)
	require.NoError(t, err, resumeOut.String())
	require.Contains(t, resumeOut.String(), "clustergan: resuming from "+last)
	require.Len(t, resumed.Rows, len(straight.Rows))
	for i := range straight.Rows {
		require.Equal(t, straight.Rows[i].Metrics, resumed.Rows[i].Metrics, straight.Rows[i].Name)
		require.Equal(t, straight.Rows[i].Extra["selected_step"], resumed.Rows[i].Extra["selected_step"])
	}
	require.Greater(t, resumed.Rows[0].TrainSeconds, restored.Info.ElapsedSeconds, "training time sums both sessions")
	for _, p := range tmps {
		require.NoFileExists(t, p)
	}
	m, err := rundir.ReadMetrics(metrics)
	require.NoError(t, err)
	require.Equal(t, 1, m.Skipped, "only the torn line")
	evals := m.EvalOf("clustergan")
	require.Equal(t, 60, evals[len(evals)-1].Step)
	info, err := rundir.ReadInfo(dir)
	require.NoError(t, err)
	require.Len(t, info.Resumes, 1)
	require.Equal(t, rundir.CurrentBuild(), info.Resumes[0].Build)
	require.NoFileExists(t, lockPath, "released")
}

// -resume takes what it runs from the run's record: a flag that contradicts it is an error
// naming both values; -resume_set changes settings on purpose, recorded; a divergence names
// the flags that continue the run with lower learning rates, and following that advice works.
func TestResumeFromRecordAndDivergenceAdvice(t *testing.T) {
	first, err := Run(tinyGANConfig(t, "train_steps=10; eval_every=5; checkpoint_every=5"))
	require.NoError(t, err)
	dir := first.Dir
	require.NoError(t, os.Remove(filepath.Join(dir, rundir.ResultsFile))) // killed before results

	for _, c := range []struct {
		edit func(*Config)
		want string
	}{
		{func(c *Config) { c.Split = "validation" }, "-split=validation contradicts the run's record: " + filepath.Join(dir, rundir.InfoFile) + " has split test"},
		{func(c *Config) { c.Dataset = "mnist" }, "-dataset=mnist contradicts the run's record: " + filepath.Join(dir, rundir.InfoFile) + " has dataset synthetic"},
		{func(c *Config) { c.Methods = []string{"kmeans"} }, "-methods=kmeans contradicts the run's record: " + filepath.Join(dir, rundir.InfoFile) + " has methods clustergan (-methods may add methods on resume, not leave any out)"},
		{func(c *Config) { c.Preset = "quick" }, "-preset=quick contradicts the run's record: " + filepath.Join(dir, rundir.InfoFile) + " has preset none"},
		{func(c *Config) {
			c.FlagSet, _ = rundir.ApplySettings(c.Ctx, "critic_learning_rate=0.5", "-set")
		}, "-set: critic_learning_rate=0.5 contradicts the run's settings: " + filepath.Join(dir, rundir.SettingsFile) + " has critic_learning_rate=0.001 (-resume_set changes settings on resume)"},
		{func(c *Config) { c.ResumeSet = "no_such=1" }, `-resume_set: unknown parameter "no_such"`},
	} {
		cfg := testConfig(t)
		cfg.Methods = nil
		cfg.Dataset = ""
		cfg.ResumeDir = dir
		c.edit(&cfg)
		_, err := Run(cfg)
		require.ErrorContains(t, err, c.want)
		require.NotContains(t, err.Error(), "\n")
	}
	// The same values as the record's are fine, and so is a -set equal to the recorded value.
	cfg := testConfig(t, "clustergan")
	cfg.ResumeDir, cfg.Split = dir, "test"
	cfg.FlagSet, _ = rundir.ApplySettings(cfg.Ctx, "critic_learning_rate=1e-3", "-set")
	cfg.ResumeSet = "train_steps=20; critic_learning_rate=1e8; generator_learning_rate=1e8"
	out := &bytes.Buffer{}
	cfg.Out = out
	_, err = Run(cfg)
	require.ErrorIs(t, err, trainer.ErrDiverged)
	ckpt := filepath.Join(dir, "clustergan", "checkpoints", "checkpoint-000000010.ckpt")
	require.ErrorContains(t, err, "the last checkpoint verified finite is "+ckpt+" (iteration 10)")
	advice := fmt.Sprintf(`to continue from it with lower learning rates, e.g. a tenth: go run ./experiments/mnist -resume=%s -resume_set="critic_learning_rate=1e+07; generator_learning_rate=1e+07"`, dir)
	require.ErrorContains(t, err, advice)
	require.Contains(t, out.String(), "Changed on resume: critic_learning_rate=1e+08 (was 0.001)")
	require.Contains(t, out.String(), "critic optimiser: learning rate 1e+08 (the checkpoint's was 0.001)")
	require.DirExists(t, dir)
	info, err := rundir.ReadInfo(dir)
	require.NoError(t, err)
	require.Len(t, info.Resumes, 1)
	require.ElementsMatch(t, []rundir.Change{
		{Param: "train_steps", From: "10", To: "20"},
		{Param: "critic_learning_rate", From: "0.001", To: "1e+08"},
		{Param: "generator_learning_rate", From: "0.001", To: "1e+08"},
	}, info.Resumes[0].Set)
	from, ok := info.Original("critic_learning_rate")
	require.True(t, ok)
	require.Equal(t, "0.001", from)

	// The advice's flags, with learning rates that work: the run continues from the checkpoint
	// named and finishes with the new settings.
	cfg = testConfig(t)
	cfg.Methods, cfg.Dataset, cfg.ResumeDir = nil, "", dir
	cfg.ResumeSet = "critic_learning_rate=1e-4; generator_learning_rate=1e-4"
	out.Reset()
	cfg.Out = out
	results, err := Run(cfg)
	require.NoError(t, err, out.String())
	require.Contains(t, out.String(), "clustergan: resuming from "+ckpt)
	require.Equal(t, 20, results.Rows[0].Extra["steps"])
	settings, err := os.ReadFile(filepath.Join(dir, rundir.SettingsFile))
	require.NoError(t, err)
	require.Contains(t, string(settings), "critic_learning_rate=0.0001\n")
	require.Contains(t, string(settings), "train_steps=20\n")
}

// Another process's run is not resumed: the error names its owner.
func TestResumeRefusedWhileHeld(t *testing.T) {
	cfg := testConfig(t, "kmeans")
	results, err := Run(cfg)
	require.NoError(t, err)
	lock, err := rundir.LockDir(results.Dir)
	require.NoError(t, err)
	defer lock.Release()
	cfg = testConfig(t, "kmeans")
	cfg.ResumeDir = results.Dir
	_, err = Run(cfg)
	host, _ := os.Hostname()
	require.ErrorContains(t, err, fmt.Sprintf("-resume: run directory %s is in use by pid %d on host %s", results.Dir, os.Getpid(), host))
}

// Run names: a name that would leave -runs is refused; two runs started in the same second
// get directories of their own.
func TestRunDirectoryNames(t *testing.T) {
	cfg := testConfig(t, "kmeans")
	outside := filepath.Dir(cfg.RunsDir)
	for _, name := range []string{"../escape", "a/b", "..", "."} {
		cfg.RunName = name
		_, err := Run(cfg)
		require.ErrorContains(t, err, fmt.Sprintf("-name: %q must be a plain directory name inside -runs", name))
	}
	require.NoDirExists(t, filepath.Join(outside, "escape"))

	saved := timeNow
	timeNow = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.Local) }
	t.Cleanup(func() { timeNow = saved })
	var dirs []string
	for range 3 {
		cfg := testConfig(t, "kmeans")
		cfg.RunsDir, cfg.RunName = outside, ""
		r, err := Run(cfg)
		require.NoError(t, err)
		dirs = append(dirs, filepath.Base(r.Dir))
	}
	require.Equal(t, []string{"synthetic-20260102-030405", "synthetic-20260102-030405-2", "synthetic-20260102-030405-3"}, dirs)
}

// A run that fails before anything worth keeping is written leaves no directory behind; one
// with finished results or checkpoints is kept.
func TestFailedRunLeavesNoOrphan(t *testing.T) {
	cfg := testConfig(t, "kmeans")
	cfg.Dataset = "mnist"
	cfg.DataOptions = datasets.Options{Dir: t.TempDir()}
	out := &bytes.Buffer{}
	cfg.Out = out
	_, err := Run(cfg)
	require.ErrorContains(t, err, "lacks train-images-idx3-ubyte")
	require.NoDirExists(t, filepath.Join(cfg.RunsDir, cfg.RunName))
	require.Contains(t, out.String(), "Removed run directory")

	methods.Register("test-fails-first", failingMethod{})
	cfg = testConfig(t, "test-fails-first")
	_, err = Run(cfg)
	require.ErrorContains(t, err, "plain failure")
	require.NoDirExists(t, filepath.Join(cfg.RunsDir, cfg.RunName))
}

// run.json records every data file with its SHA-256; a resume reads the recorded data
// directory, notes files read from another path with the same hash, and refuses files that
// changed.
func TestDataProvenance(t *testing.T) {
	dataDir := t.TempDir()
	line := func(i int) string {
		var f []string
		for j := range 16 {
			f = append(f, fmt.Sprint((i*7+j*13)%101))
		}
		return strings.Join(f, ",") + "," + fmt.Sprint(i%10) + "\n"
	}
	write := func(dir, name string, n int) string {
		var b strings.Builder
		for i := range n {
			b.WriteString(line(i))
		}
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
		return path
	}
	tra, tes := write(dataDir, "pendigits.tra", 1100), write(dataDir, "pendigits.tes", 50)
	cfg := testConfig(t, "kmeans")
	cfg.Dataset, cfg.Split = "pendigits", "validation"
	cfg.DataOptions = datasets.Options{Dir: dataDir}
	results, err := Run(cfg)
	require.NoError(t, err)
	info, err := rundir.ReadInfo(results.Dir)
	require.NoError(t, err)
	require.Equal(t, dataDir, info.DataDir)
	hash := func(path string) string {
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		sum := sha256.Sum256(data)
		return hex.EncodeToString(sum[:])
	}
	abs := func(p string) string { a, _ := filepath.Abs(p); return a }
	require.Equal(t, []rundir.DataFile{
		{Role: "train", Path: abs(tra), SHA256: hash(tra)},
		{Role: "test", Path: abs(tes), SHA256: hash(tes)},
	}, info.Data)

	resume := func(dir string) (string, error) {
		c := testConfig(t)
		c.Methods, c.Dataset, c.ResumeDir = nil, "", results.Dir
		c.DataOptions.Dir = dir
		out := &bytes.Buffer{}
		c.Out = out
		_, err := Run(c)
		return out.String(), err
	}
	out, err := resume("") // the recorded data directory
	require.NoError(t, err, out)
	require.Contains(t, out, "Reading data from "+dataDir+", the run's data directory (run.json)")
	require.Contains(t, out, "evaluating on the validation split", "the recorded split")

	moved := t.TempDir()
	write(moved, "pendigits.tra", 1100)
	write(moved, "pendigits.tes", 50)
	out, err = resume(moved)
	require.NoError(t, err, out)
	require.Contains(t, out, "Data file train now read from "+abs(filepath.Join(moved, "pendigits.tra"))+" (same SHA-256 as recorded)")
	info, err = rundir.ReadInfo(results.Dir)
	require.NoError(t, err)
	require.Len(t, info.Resumes[1].DataMoved, 2)

	write(moved, "pendigits.tes", 51)
	_, err = resume(moved)
	require.ErrorContains(t, err, "data file test changed: "+abs(tes)+" had SHA-256 "+hash(tes)[:12])
	require.ErrorContains(t, err, "(the run would continue on other data)")
}

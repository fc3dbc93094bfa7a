package methods

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clustergan/clustergan/backend"
	"github.com/clustergan/clustergan/datasets"
	"github.com/clustergan/clustergan/evaluation"
	"github.com/clustergan/clustergan/rundir"
	"github.com/clustergan/clustergan/trainer"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/stretchr/testify/require"
)

// ganTestSettings train every GAN method quickly on the synthetic mixture (5 clusters, 16
// features; K comes from the data): a BatchNorm MLP, vanilla loss, Adam 1e-3, 300 iterations
// evaluated every 100, short decoding.
const ganTestSettings = `prior_noise_dim=4; mlp_hidden=64,64; mlp_batch_norm=true
	adversarial_loss=vanilla; n_critic=1; critic_learning_rate=1e-3; generator_learning_rate=1e-3
	train_steps=300; eval_every=100; checkpoint_every=100; kmeans_n_init=3; decode_steps=50`

// testRun is a run directory as the runner lays it out (settings.txt, metrics.jsonl, one
// directory per method), with the synthetic data set seeded by the run's seed, for calling
// methods directly.
type testRun struct {
	t    *testing.T
	dir  string
	ctx  *context.Context
	data *datasets.Splits
	seed int64
	out  *bytes.Buffer
	log  *rundir.MetricsLog
}

// newTestRun starts a run with DefaultContext and settings in -set syntax applied; opts, if
// given, replaces the data set's options (its Seed is the run's).
func newTestRun(t *testing.T, settings string, opts ...datasets.Options) *testRun {
	t.Helper()
	ctx := DefaultContext()
	_, err := rundir.ApplySettings(ctx, settings, "test")
	require.NoError(t, err)
	seed := int64(context.GetParamOr(ctx, ParamSeed, 1))
	o := datasets.Options{}
	if len(opts) > 0 {
		o = opts[0]
	}
	o.Seed = seed
	data, err := datasets.Load("synthetic", o)
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, rundir.WriteSettings(filepath.Join(dir, SettingsFile), ctx))
	log, err := rundir.OpenMetrics(filepath.Join(dir, rundir.MetricsFile))
	require.NoError(t, err)
	t.Cleanup(func() { _ = log.Close() })
	return &testRun{t: t, dir: dir, ctx: ctx, data: data, seed: seed, out: &bytes.Buffer{}, log: log}
}

// env is what the runner hands method name: its own directory, the test split to report on.
func (r *testRun) env(name string) *Env {
	dir := filepath.Join(r.dir, name)
	require.NoError(r.t, os.MkdirAll(dir, 0o755))
	return &Env{
		Ctx: r.ctx, Dataset: "synthetic", Data: r.data, Eval: r.data.Test, Dir: dir, RunDir: r.dir, Out: r.out,
		Seed: r.seed, Backend: func() (backends.Backend, error) { return backend.ForTests(), nil }, Log: r.log.Logger(name),
	}
}

// run runs the registered method name and requires it to succeed.
func (r *testRun) run(name string) *Outcome {
	r.t.Helper()
	return r.runEnv(name, r.env(name))
}

func (r *testRun) runEnv(name string, env *Env) *Outcome {
	r.t.Helper()
	m, err := Get(name)
	require.NoError(r.t, err)
	require.NoError(r.t, m.Validate(r.ctx))
	out, err := m.Run(env)
	require.NoError(r.t, err)
	require.NotEmpty(r.t, out.Rows)
	for _, row := range out.Rows {
		requireRow(r.t, row, r.data.Test)
	}
	return out
}

// metrics reads the run's metrics.jsonl back.
func (r *testRun) metrics() *rundir.Metrics {
	r.t.Helper()
	require.NoError(r.t, r.log.Sync())
	m, err := rundir.ReadMetrics(filepath.Join(r.dir, rundir.MetricsFile))
	require.NoError(r.t, err)
	require.Zero(r.t, m.Skipped)
	return m
}

// requireRow checks what holds for every row: a label per evaluation example, and metrics that
// are the ones of those labels (recomputed here), each in [0, 1].
func requireRow(t *testing.T, row Row, eval *datasets.Dataset) {
	t.Helper()
	require.Len(t, row.Labels, eval.N(), row.Name())
	want, err := evaluation.Evaluate(row.Labels, eval.Labels)
	require.NoError(t, err)
	require.Equal(t, want, row.Metrics, "%s: metrics of its labels", row.Name())
	m := row.Metrics
	for name, v := range map[string]float64{"ACC": m.ACC, "purity": m.Purity, "NMI": m.NMI, "ARI": m.ARI} {
		require.Falsef(t, math.IsNaN(v) || v < 0 || v > 1, "%s: %s = %v outside [0, 1]", row.Name(), name, v)
	}
	// Purity is at least the largest class share: 1/5 on the balanced mixture.
	require.GreaterOrEqual(t, m.Purity, 0.2-1e-12, row.Name())
}

// checkpointKeys lists the variables a checkpoint holds.
func checkpointKeys(t *testing.T, path string) []string {
	t.Helper()
	data, err := trainer.LoadCheckpoint(path)
	require.NoError(t, err)
	var keys []string
	for key := range data.Tensors {
		keys = append(keys, key)
	}
	return keys
}

// countWithPrefix counts the keys under scope.
func countWithPrefix(keys []string, scope string) int {
	n := 0
	for _, k := range keys {
		if strings.HasPrefix(k, scope+"/") {
			n++
		}
	}
	return n
}

// agreement is the fraction of positions where a and b hold the same label.
func agreement(a, b []int) float64 {
	same := 0
	for i := range a {
		if a[i] == b[i] {
			same++
		}
	}
	return float64(same) / float64(len(a))
}

package runner

import (
	"bytes"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/clustergan/clustergan/backend"
	"github.com/clustergan/clustergan/datasets"
	"github.com/clustergan/clustergan/methods"
	"github.com/clustergan/clustergan/rundir"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/stretchr/testify/require"
)

func testConfig(t *testing.T, methodNames ...string) Config {
	return Config{
		Dataset: "synthetic", Methods: methodNames, RunsDir: t.TempDir(), RunName: "run",
		Ctx: DefaultContext(), Out: &bytes.Buffer{},
		NewBackend: func() (backends.Backend, error) { return backend.ForTests(), nil },
	}
}

// ganTestSettings train a GAN method quickly on the synthetic mixture (5 clusters, 16
// features): a BatchNorm MLP, vanilla loss, Adam 1e-3, 300 iterations, small maps.
const ganTestSettings = `prior_noise_dim=4; mlp_hidden=64,64; mlp_batch_norm=true
	adversarial_loss=vanilla; n_critic=1; critic_learning_rate=1e-3; generator_learning_rate=1e-3
	train_steps=300; eval_every=100; checkpoint_every=100; kmeans_n_init=3; decode_steps=50; latent_map_points=200`

func ganTestConfig(t *testing.T, methodNames ...string) Config {
	cfg := testConfig(t, methodNames...)
	set, err := rundir.ApplySettings(cfg.Ctx, ganTestSettings, "test")
	require.NoError(t, err)
	cfg.ParamsSet = set
	return cfg
}

func TestValidateErrorsListValidValues(t *testing.T) {
	cfg := testConfig(t, "kmeans")
	cfg.Dataset = "nope"
	err := cfg.Validate()
	require.ErrorContains(t, err, `unknown dataset "nope"`)
	require.ErrorContains(t, err, "mnist")

	cfg = testConfig(t, "kmeanz")
	err = cfg.Validate()
	require.ErrorContains(t, err, `unknown method "kmeanz"`)
	require.ErrorContains(t, err, "kmeans")

	cfg = testConfig(t, "kmeans")
	cfg.Split = "dev"
	require.ErrorContains(t, cfg.Validate(), "valid values: test, validation, train, all")

	cfg = testConfig(t, "all")
	require.NoError(t, cfg.Validate())
	require.Equal(t, methods.Names(), cfg.Methods)
}

func TestPresetMethods(t *testing.T) {
	require.Equal(t, "clustergan,kmeans", PresetMethods("# x\n# methods: clustergan, kmeans\nseed=1"))
	require.Equal(t, "kmeans", PresetMethods("seed=1"))
}

func TestDefaultContextDeclaresEveryComponent(t *testing.T) {
	names := rundir.ParamNames(DefaultContext())
	for _, want := range []string{methods.ParamSeed, methods.ParamKMeansNInit, "prior", "prior_sigma", "num_clusters",
		"architecture", "adversarial_loss", "beta_n", "beta_c", "beta_x", "beta_mi", "info_lambda", "train_steps",
		"n_critic", "batch_size", "decode_steps", methods.ParamSelection, methods.ParamGenerationSamples} {
		require.Contains(t, names, want)
	}
	require.NotContains(t, names, "prior_num_clusters", "K is one knob")
}

// TestKMeansRunDirectory runs the k-means baseline end to end on synthetic data and checks the
// run directory, then resumes it: the finished method must not run again.
func TestKMeansRunDirectory(t *testing.T) {
	cfg := testConfig(t, "kmeans")
	cfg.DataOptions = datasets.Options{Synthetic: &datasets.SyntheticConfig{
		K: 4, Dim: 3, PerCluster: 50, Separation: 1, Std: 0.05, Seed: 3}}
	results, err := Run(cfg)
	require.NoError(t, err)
	require.Len(t, results.Rows, 1)
	row := results.Rows[0]
	require.Equal(t, "kmeans", row.Method)
	require.Equal(t, methods.RecipeKMeans, row.Name)
	// Four clusters 20 standard deviations apart: k-means with 10 restarts must find them.
	require.InDelta(t, 1.0, row.Metrics.ACC, 1e-9)
	require.InDelta(t, 1.0, row.Metrics.NMI, 1e-9)
	for _, name := range []string{rundir.SettingsFile, rundir.InfoFile, rundir.ResultsFile, rundir.MetricsFile} {
		require.FileExists(t, filepath.Join(results.Dir, name))
	}
	saved, err := rundir.ReadResults(results.Dir)
	require.NoError(t, err)
	require.Equal(t, row.Metrics, saved.Rows[0].Metrics)
	require.Contains(t, cfg.Out.(*bytes.Buffer).String(), "ACC")
	info, err := rundir.ReadInfo(results.Dir)
	require.NoError(t, err)
	require.Equal(t, "synthetic", info.Dataset)
	require.Equal(t, []string{"kmeans"}, info.Methods)

	// Resume: settings come from the directory, finished results are kept.
	out := &bytes.Buffer{}
	cfg2 := testConfig(t, "kmeans")
	cfg2.DataOptions = cfg.DataOptions
	cfg2.ResumeDir, cfg2.Out = results.Dir, out
	results2, err := Run(cfg2)
	require.NoError(t, err)
	require.Contains(t, out.String(), "finished in a previous session")
	require.Equal(t, row.Metrics, results2.Rows[0].Metrics)

	// A second run with the same name is refused rather than overwriting finished work.
	cfg3 := testConfig(t, "kmeans")
	cfg3.RunsDir = cfg.RunsDir
	_, err = Run(cfg3)
	require.ErrorContains(t, err, "already exists")
}

func TestBadParameterValues(t *testing.T) {
	cfg := testConfig(t, "kmeans")
	_, err := rundir.ApplySettings(cfg.Ctx, "kmeans_n_init=-1", "-set")
	require.NoError(t, err)
	_, err = Run(cfg)
	require.ErrorContains(t, err, `"kmeans_n_init": must be ≥ 1`)

	cfg = testConfig(t, "clustergan")
	_, err = rundir.ApplySettings(cfg.Ctx, "beta_x=-2", "-set")
	require.NoError(t, err)
	_, err = Run(cfg)
	require.ErrorContains(t, err, `parameter "beta_x": must be ≥ 0, got -2`)
}

// TestUnusedSettings: a term weight that no method of the run uses is an error when -set gave
// it and a notice when the preset did; a method that ignores a weight another uses says so.
func TestUnusedSettings(t *testing.T) {
	cfg := testConfig(t, "kmeans")
	set, err := rundir.ApplySettings(cfg.Ctx, "beta_x=10", "-set")
	require.NoError(t, err)
	cfg.ParamsSet, cfg.FlagSet = set, set
	require.ErrorContains(t, cfg.Validate(), `-set: parameter "beta_x" is set but no method of this run (kmeans) uses it`)

	cfg.FlagSet = nil // from a preset
	require.NoError(t, cfg.Validate())
	notices, err := cfg.unusedSettings()
	require.NoError(t, err)
	require.Equal(t, []string{"note: beta_x = 10 from the preset is used by no method of this run"}, notices)

	cfg = testConfig(t, "clustergan", "imsat", "infogan")
	set, err = rundir.ApplySettings(cfg.Ctx, "beta_x=10; beta_mi=5; info_lambda=2", "-set")
	require.NoError(t, err)
	cfg.ParamsSet, cfg.FlagSet = set, set
	require.NoError(t, cfg.Validate())
	notices, err = cfg.unusedSettings()
	require.NoError(t, err)
	require.Equal(t, []string{
		"note: clustergan ignores info_lambda (not part of its recipe)",
		"note: imsat ignores beta_x, beta_mi, info_lambda (not part of its recipe)",
		"note: infogan ignores beta_x, beta_mi (not part of its recipe)",
	}, notices)

	// A weight set to 0 is off: nothing to say.
	cfg = testConfig(t, "kmeans")
	set, err = rundir.ApplySettings(cfg.Ctx, "beta_x=0", "-set")
	require.NoError(t, err)
	cfg.ParamsSet, cfg.FlagSet = set, set
	require.NoError(t, cfg.Validate())
}

// TestClusterGANRunAndResume runs clustergan through the runner on the synthetic mixture with
// the reported split tracked, checks the run directory's figures and curves, then resumes the
// run as if it had been killed after its last checkpoint but before writing results: training
// is not repeated and the results come out the same.
func TestClusterGANRunAndResume(t *testing.T) {
	cfg := ganTestConfig(t, "clustergan")
	_, err := rundir.ApplySettings(cfg.Ctx, "track_eval_split=true", "test")
	require.NoError(t, err)
	results, err := Run(cfg)
	require.NoError(t, err)
	require.Len(t, results.Rows, 2)
	require.Equal(t, "ClusterGAN, k-means on E(x)", results.Rows[0].Name)
	require.Equal(t, "ClusterGAN, argmax of E(x)", results.Rows[1].Name)
	require.Nil(t, results.Rows[0].Published, "not the paper's recipe")
	require.NotNil(t, results.Rows[0].Generation)
	out := cfg.Out.(*bytes.Buffer).String()
	require.Contains(t, out, "mlp nets, vanilla loss, 1 critic step(s), 300 iterations of batch 64")
	require.Contains(t, out, "gen. agreement")

	m, err := rundir.ReadMetrics(filepath.Join(results.Dir, rundir.MetricsFile))
	require.NoError(t, err)
	require.Len(t, m.EvalOf("clustergan"), 3)
	train := m.TrainOf("clustergan")
	require.NotEmpty(t, train)
	for _, name := range []string{"critic/adversarial", "critic/total", "generator/adversarial", "generator/noise",
		"generator/cluster", "generator/total"} {
		require.Contains(t, train[0].Losses, name)
	}
	// The synthetic data are vectors: no sample grids or interpolations (TestWriteInterpolations).
	for _, base := range []string{"clustergan_losses", "clustergan_validation", "clustergan/latent_map_prior",
		"clustergan/latent_map_test", "clustergan/time_to_accuracy"} {
		require.FileExists(t, filepath.Join(results.Dir, base+".png"))
		require.FileExists(t, filepath.Join(results.Dir, base+".svg"))
	}
	requireTimeToAccuracy(t, filepath.Join(results.Dir, "clustergan", "time_to_accuracy.csv"), results.Rows[0])
	// The curves of a run can be drawn again elsewhere with the current code.
	again := t.TempDir()
	require.NoError(t, Redraw(results.Dir, again))
	for _, base := range []string{"clustergan_losses", "clustergan_validation", "clustergan/time_to_accuracy"} {
		require.FileExists(t, filepath.Join(again, base+".svg"))
	}
	svg, err := os.ReadFile(filepath.Join(again, "clustergan_validation.svg"))
	require.NoError(t, err)
	require.Contains(t, string(svg), "kept model (iteration ")

	require.NoError(t, os.Remove(filepath.Join(results.Dir, rundir.ResultsFile)))
	out2 := &bytes.Buffer{}
	cfg2 := testConfig(t, "clustergan")
	cfg2.ResumeDir, cfg2.Out = results.Dir, out2
	results2, err := Run(cfg2)
	require.NoError(t, err)
	require.Contains(t, out2.String(), "resuming from")
	require.NotContains(t, out2.String(), "eval @") // no training step was repeated
	require.Equal(t, results.Rows[0].Metrics, results2.Rows[0].Metrics)
	require.Equal(t, results.Rows[1].Metrics, results2.Rows[1].Metrics)
}

// requireTimeToAccuracy checks the time-to-accuracy CSV: one row per evaluation (iterations
// 100, 200, 300), times that grow, training time within wall time, metrics in [0, 1], and the
// kept model's row with the reported test purity (same weights, same k-means seed).
func requireTimeToAccuracy(t *testing.T, path string, kept rundir.ResultRow) {
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"step", "elapsed_s", "train_s", "val_purity", "eval_purity", "eval_acc", "eval_nmi", "eval_ari", "eval_argmax_purity"}, rows[0])
	require.Len(t, rows, 4)
	prevElapsed := -1.0
	for i, row := range rows[1:] {
		require.Equal(t, strconv.Itoa(100*(i+1)), row[0])
		elapsed, err := strconv.ParseFloat(row[1], 64)
		require.NoError(t, err)
		training, err := strconv.ParseFloat(row[2], 64)
		require.NoError(t, err)
		require.GreaterOrEqual(t, elapsed, prevElapsed)
		require.LessOrEqual(t, training, elapsed+0.1, "training time excludes evaluations")
		prevElapsed = elapsed
		for _, cell := range row[3:] {
			v, err := strconv.ParseFloat(cell, 64)
			require.NoError(t, err)
			require.True(t, v >= 0 && v <= 1, "metric %q out of [0, 1]", cell)
		}
	}
	step := kept.Extra["selected_step"].(int)
	found := false
	for _, row := range rows[1:] {
		if row[0] == strconv.Itoa(step) {
			found = true
			require.Equal(t, strconv.FormatFloat(kept.Metrics.Purity, 'f', 4, 64), row[4])
		}
	}
	require.True(t, found, "selected step %v has no row in the curve", step)
}

type failingMethod struct{ panics bool }

func (p failingMethod) Run(*methods.Env) (*methods.Outcome, error) {
	if p.panics {
		panic("graph: shapes [3] and [4] do not match")
	}
	return nil, errors.New("plain failure")
}
func (failingMethod) Validate(*context.Context) error { return nil }
func (failingMethod) Params() []string                { return nil }

// A method's panic (GoMLX's way of reporting graph errors) and its error both reach the caller
// as errors naming the method; results of methods that finished before are kept.
func TestMethodFailuresBecomeErrors(t *testing.T) {
	methods.Register("test-panics", failingMethod{panics: true})
	methods.Register("test-fails", failingMethod{})
	for name, want := range map[string]string{"test-panics": "shapes [3] and [4]", "test-fails": "plain failure"} {
		cfg := testConfig(t, "kmeans", name)
		results, err := Run(cfg)
		require.ErrorContains(t, err, `method "`+name+`"`)
		require.ErrorContains(t, err, want)
		saved, readErr := rundir.ReadResults(results.Dir)
		require.NoError(t, readErr)
		require.Equal(t, "kmeans", saved.Rows[0].Method)
	}
}

func TestPrintTable(t *testing.T) {
	var b bytes.Buffer
	PrintTable(&b, &rundir.Results{Dataset: "mnist", Split: "test", N: 10, Seed: 2, Rows: []rundir.ResultRow{
		{Name: "ClusterGAN + β_x, k-means on E(x)", TrainSeconds: 61.2},
	}}, DefaultContext(), "default")
	out := b.String()
	require.True(t, strings.HasPrefix(out, "mnist, test split (n=10), seed 2\npreset default: mlp nets"), out)
	require.Contains(t, out, "ClusterGAN + β_x, k-means on E(x)")
	require.Contains(t, out, "1m1.2s")
}

func TestMetricLabel(t *testing.T) {
	for key, want := range map[string]string{
		"val_purity": "validation purity, k-means", "val_argmax_purity": "validation purity, argmax",
		"eval_nmi": "test NMI, k-means", "eval_argmax_purity": "test purity, argmax", "eval_acc": "test ACC, k-means",
		"val_other": "val_other", "score": "score",
	} {
		require.Equal(t, want, metricLabel(key, "test"), key)
	}
}

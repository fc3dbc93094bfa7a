package runner

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clustergan/clustergan/backend"
	"github.com/clustergan/clustergan/datasets"
	"github.com/gomlx/gomlx/backends"
	"github.com/stretchr/testify/require"
)

func testConfig(t *testing.T, methods ...string) Config {
	return Config{
		Dataset: "synthetic", Methods: methods, RunsDir: t.TempDir(), RunName: "run",
		Ctx: DefaultContext(), Out: &bytes.Buffer{},
		NewBackend: func() (backends.Backend, error) { return backend.ForTests(), nil },
	}
}

// ganTestSettings train every GAN method quickly on the synthetic mixture (5 clusters, 16
// features): a BatchNorm MLP, vanilla loss, Adam 1e-3, 300 iterations, short decoding, small maps.
const ganTestSettings = `prior_noise_dim=4; prior_num_clusters=5; mlp_hidden=64,64; mlp_batch_norm=true
	adversarial_loss=vanilla; n_critic=1; critic_learning_rate=1e-3; generator_learning_rate=1e-3
	train_steps=300; eval_every=100; checkpoint_every=100; kmeans_n_init=3; decode_steps=50; latent_map_points=200`

func ganTestConfig(t *testing.T, methods ...string) Config {
	cfg := testConfig(t, methods...)
	_, err := ApplySettings(cfg.Ctx, ganTestSettings, "test")
	require.NoError(t, err)
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
	require.Equal(t, Names(), cfg.Methods)
}

func TestApplySettings(t *testing.T) {
	ctx := DefaultContext()
	set, err := ApplySettings(ctx, "# comment\nseed=7; kmeans_n_init=3\n\n/critic/"+ParamKMeansTol+"=0.5", "test")
	require.NoError(t, err)
	require.Equal(t, []string{"seed", "kmeans_n_init", "/critic/kmeans_tol"}, set)
	v, _ := ctx.GetParam(ParamSeed)
	require.Equal(t, 7, v)
	v, _ = ctx.In("critic").GetParam(ParamKMeansTol)
	require.Equal(t, 0.5, v)

	_, err = ApplySettings(ctx, "seed=1\nno_such_param=3", "preset x")
	require.ErrorContains(t, err, "preset x:2")
	require.ErrorContains(t, err, "no_such_param")
	_, err = ApplySettings(ctx, "seed=abc", "-set")
	require.ErrorContains(t, err, `-set: "seed=abc"`)

	// "name=" empties a list parameter (GoMLX's parser rejects it), also in a scope; other
	// types still need a value.
	set, err = ApplySettings(ctx, "/encoder/mlp_conv_channels=16,32; /encoder/mlp_hidden=128; mlp_hidden=", "test")
	require.NoError(t, err)
	require.Equal(t, []string{"/encoder/mlp_conv_channels", "/encoder/mlp_hidden", "mlp_hidden"}, set)
	v, _ = ctx.GetParam("mlp_hidden")
	require.Equal(t, []int{}, v)
	v, _ = ctx.In("encoder").GetParam("mlp_hidden")
	require.Equal(t, []int{128}, v)
	set, err = ApplySettings(ctx, "/encoder/mlp_conv_channels=", "test")
	require.NoError(t, err)
	require.Equal(t, []string{"/encoder/mlp_conv_channels"}, set)
	v, _ = ctx.In("encoder").GetParam("mlp_conv_channels")
	require.Equal(t, []int{}, v)
	_, err = ApplySettings(ctx, "seed=", "-set")
	require.ErrorContains(t, err, `-set: "seed="`)
	_, err = ApplySettings(ctx, "/encoder/no_such_list=", "-set")
	require.ErrorContains(t, err, "no_such_list")
	ctx.In("encoder").SetParam("mlp_conv_channels", []int{16, 32})

	// FormatSettings writes what ApplySettings reads back, scoped values and empty lists included.
	ctx2 := DefaultContext()
	_, err = ApplySettings(ctx2, FormatSettings(ctx), "settings.txt")
	require.NoError(t, err)
	require.Equal(t, FormatSettings(ctx), FormatSettings(ctx2))
}

func TestPresetMethods(t *testing.T) {
	require.Equal(t, "clustergan,kmeans", PresetMethods("# x\n# methods: clustergan, kmeans\nseed=1"))
	require.Equal(t, "kmeans", PresetMethods("seed=1"))
}

func TestDefaultContextDeclaresEveryComponent(t *testing.T) {
	names := ParamNames(DefaultContext())
	for _, want := range []string{ParamSeed, ParamKMeansNInit, "prior", "prior_sigma", "architecture",
		"adversarial_loss", "beta_n", "beta_c", "train_steps", "n_critic", "batch_size"} {
		require.Contains(t, names, want)
	}
}

// TestKMeansRunDirectory runs the k-means baseline end to end on synthetic data and checks the
// run directory, then resumes it: the finished method must not run again.
func TestKMeansRunDirectory(t *testing.T) {
	cfg := testConfig(t, "kmeans")
	cfg.DataOptions = datasets.Options{Synthetic: &datasets.SyntheticConfig{
		K: 4, Dim: 3, PerCluster: 50, Separation: 1, Std: 0.05, Seed: 3}}
	report, err := Run(cfg)
	require.NoError(t, err)
	require.Len(t, report.Rows, 1)
	// Four clusters 20 standard deviations apart: k-means with 10 restarts must find them.
	require.InDelta(t, 1.0, report.Rows[0].Metrics.ACC, 1e-9)
	require.InDelta(t, 1.0, report.Rows[0].Metrics.NMI, 1e-9)
	for _, name := range []string{"settings.txt", "run.json", "results.json", "metrics.jsonl"} {
		require.FileExists(t, filepath.Join(report.Dir, name))
	}
	var saved Report
	data, err := os.ReadFile(filepath.Join(report.Dir, "results.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &saved))
	require.Equal(t, report.Rows[0].Metrics, saved.Rows[0].Metrics)
	require.Contains(t, cfg.Out.(*bytes.Buffer).String(), "ACC")

	// Resume: settings come from the directory, finished results are kept.
	out := &bytes.Buffer{}
	cfg2 := testConfig(t, "kmeans")
	cfg2.DataOptions = cfg.DataOptions
	cfg2.ResumeDir, cfg2.Out = report.Dir, out
	report2, err := Run(cfg2)
	require.NoError(t, err)
	require.Contains(t, out.String(), "finished in a previous session")
	require.Equal(t, report.Rows[0].Metrics, report2.Rows[0].Metrics)

	// A second run with the same name is refused rather than overwriting finished work.
	_, err = Run(testConfig(t, "kmeans"))
	require.NoError(t, err)
	cfg3 := testConfig(t, "kmeans")
	cfg3.RunsDir = cfg.RunsDir
	_, err = Run(cfg3)
	require.ErrorContains(t, err, "already exists")
}

func TestBadParameterValues(t *testing.T) {
	cfg := testConfig(t, "kmeans")
	_, err := ApplySettings(cfg.Ctx, "kmeans_n_init=-1", "-set")
	require.NoError(t, err)
	_, err = Run(cfg)
	require.Error(t, err)
	require.True(t, strings.Contains(err.Error(), `"kmeans_n_init": must be ≥ 1`), err.Error())

	cfg = testConfig(t, "clustergan")
	_, err = ApplySettings(cfg.Ctx, "beta_x=-2", "-set")
	require.NoError(t, err)
	_, err = Run(cfg)
	require.ErrorContains(t, err, `parameter "beta_x": must be ≥ 0, got -2`)
}

// TestClusterGANMethodAndResume runs the clustergan method through the runner on the synthetic
// mixture, then resumes the run as if it had been killed after its last checkpoint but before
// writing results: training is not repeated and the results come out the same.
func TestClusterGANMethodAndResume(t *testing.T) {
	cfg := ganTestConfig(t, "clustergan")
	report, err := Run(cfg)
	require.NoError(t, err)
	require.Len(t, report.Rows, 2)
	require.Equal(t, RowClusterGANKMeans, report.Rows[0].Method)
	require.Equal(t, RowClusterGANArgmax, report.Rows[1].Method)
	// The synthetic mixture (5 clusters, 16 features) is easy: see trainer's end-to-end test.
	require.GreaterOrEqual(t, report.Rows[1].Metrics.Purity, 0.95)
	require.FileExists(t, filepath.Join(report.Dir, "clustergan", "checkpoints", "best.ckpt"))
	require.FileExists(t, filepath.Join(report.Dir, "clustergan", "checkpoints", "checkpoint-000000300.ckpt"))
	metrics, err := os.ReadFile(filepath.Join(report.Dir, "metrics.jsonl"))
	require.NoError(t, err)
	require.Contains(t, string(metrics), `"event":"eval"`)
	require.FileExists(t, filepath.Join(report.Dir, "clustergan_losses.png"))
	require.FileExists(t, filepath.Join(report.Dir, "clustergan_validation.png"))
	for _, name := range []string{"latent_map_prior.png", "latent_map_test.png"} {
		require.FileExists(t, filepath.Join(report.Dir, "clustergan", name))
	}

	require.NoError(t, os.Remove(filepath.Join(report.Dir, "results.json")))
	out := &bytes.Buffer{}
	cfg2 := testConfig(t, "clustergan")
	cfg2.ResumeDir, cfg2.Out = report.Dir, out
	report2, err := Run(cfg2)
	require.NoError(t, err)
	require.Contains(t, out.String(), "resuming from")
	require.NotContains(t, out.String(), "eval @") // no training step was repeated
	require.Equal(t, report.Rows[0].Metrics, report2.Rows[0].Metrics)
	require.Equal(t, report.Rows[1].Metrics, report2.Rows[1].Metrics)
}

type panickyMethod struct{ panics bool }

func (p panickyMethod) Run(env *Env) (*Outcome, error) {
	if p.panics {
		panic("graph: shapes [3] and [4] do not match")
	}
	return nil, errors.New("plain failure")
}

// A method's panic (GoMLX's way of reporting graph errors) and its error both reach the caller
// as errors naming the method; results of methods that finished before are kept.
func TestMethodFailuresBecomeErrors(t *testing.T) {
	Register("test-panics", panickyMethod{panics: true})
	Register("test-fails", panickyMethod{})
	for name, want := range map[string]string{"test-panics": "shapes [3] and [4]", "test-fails": "plain failure"} {
		cfg := testConfig(t, "kmeans", name)
		report, err := Run(cfg)
		require.ErrorContains(t, err, `method "`+name+`"`)
		require.ErrorContains(t, err, want)
		data, readErr := os.ReadFile(filepath.Join(report.Dir, "results.json"))
		require.NoError(t, readErr)
		require.Contains(t, string(data), `"kmeans"`)
	}
}

// TestInfoGANMethod: the infogan method trains in its own copy of the settings (InfoGAN's
// noise σ) and clusters with the Q head.
func TestInfoGANMethod(t *testing.T) {
	cfg := ganTestConfig(t, "infogan")
	report, err := Run(cfg)
	require.NoError(t, err)
	require.Len(t, report.Rows, 2)
	require.Equal(t, RowInfoGANKMeans, report.Rows[0].Method)
	require.Equal(t, RowInfoGANArgmax, report.Rows[1].Method)
	t.Logf("infogan on the synthetic mixture: purity %.4f (k-means on Q), %.4f (argmax Q)",
		report.Rows[0].Metrics.Purity, report.Rows[1].Metrics.Purity)
	require.GreaterOrEqual(t, report.Rows[1].Metrics.Purity, 0.9)
	sigma, _ := cfg.Ctx.GetParam("prior_sigma")
	require.Equal(t, 0.1, sigma, "the run's own prior is unchanged")
	require.FileExists(t, filepath.Join(report.Dir, "infogan", "latent_map_test.png"))

	bad := testConfig(t, "infogan")
	_, err = ApplySettings(bad.Ctx, "infogan_sigma=0", "-set")
	require.NoError(t, err)
	require.ErrorContains(t, bad.Validate(), `"infogan_sigma": must be > 0`)
}

package methods

import (
	"errors"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/clustergan/clustergan/datasets"
	"github.com/clustergan/clustergan/evaluation"
	"github.com/clustergan/clustergan/inference"
	"github.com/clustergan/clustergan/internal/params"
	"github.com/clustergan/clustergan/layers"
	"github.com/clustergan/clustergan/losses"
	"github.com/clustergan/clustergan/objectives"
	"github.com/clustergan/clustergan/priors"
	"github.com/clustergan/clustergan/rundir"
	"github.com/clustergan/clustergan/trainer"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/stretchr/testify/require"
)

func TestRegistry(t *testing.T) {
	require.Equal(t, []string{"clustergan", "clustergan-bp", "gan-bp", "gmm-gan-bp", "imsat", "infogan", "kmeans", "uniform-gan-bp"}, Names())
	_, err := Get("kmeanz")
	require.EqualError(t, err, `unknown method "kmeanz"; valid values: clustergan, clustergan-bp, gan-bp, gmm-gan-bp, imsat, infogan, kmeans, uniform-gan-bp`)
	require.PanicsWithValue(t, `registry: method "kmeans" registered twice`, func() { Register("kmeans", kmeansMethod{}) })
}

// TestParams: each method's Params are the term weights and own settings its recipe reads.
func TestParams(t *testing.T) {
	clusterGAN := []string{losses.ParamBetaN, losses.ParamBetaC, losses.ParamBetaX, losses.ParamBetaMI}
	want := map[string][]string{
		"clustergan":    clusterGAN,
		"clustergan-bp": clusterGAN,
		"infogan":       {objectives.ParamInfoLambda, ParamInfoGANSigma},
		// IMSAT's term has weight 1 and its mi_* settings are shared with ClusterGAN's β_mi term.
		"imsat": nil,
		// The GAN baselines' game has no weights; the decoding settings are shared.
		"gan-bp": nil, "gmm-gan-bp": nil, "uniform-gan-bp": nil,
		"kmeans": nil,
	}
	require.Len(t, want, len(Names()))
	names := rundir.ParamNames(DefaultContext())
	for _, name := range Names() {
		m, err := Get(name)
		require.NoError(t, err)
		require.Equal(t, want[name], m.Params(), name)
		for _, p := range m.Params() {
			require.Contains(t, names, p, "%s: parameter %q is declared", name, p)
		}
	}
}

func TestDefaultContextDeclaresEveryComponent(t *testing.T) {
	names := rundir.ParamNames(DefaultContext())
	for _, want := range []string{ParamSeed, ParamKMeansNInit, ParamKMeansMaxIter, ParamKMeansTol, ParamLatentMapPoints,
		ParamTrackEvalSplit, ParamSelection, ParamGenerationSamples, ParamInfoGANSigma,
		"prior", "prior_sigma", "num_clusters", "architecture", "adversarial_loss", "beta_n", "beta_c", "beta_x", "beta_mi",
		"info_lambda", "train_steps", "n_critic", "batch_size"} {
		require.Contains(t, names, want)
	}
	// Every package's table, and nothing else: each name once, with its declared default.
	total := 0
	for _, table := range []params.Table{Params, priors.Params, layers.Params, losses.Params, objectives.Params,
		trainer.Params, inference.Params} {
		for key, value := range table.Defaults() {
			require.Contains(t, names, key)
			got, _ := DefaultContext().GetParam(key)
			require.Equal(t, value, got, key)
		}
		total += len(table)
	}
	require.Len(t, names, total)
	require.NoError(t, CheckParams(DefaultContext()))
	cfg, err := ConfigFromContext(context.New())
	require.NoError(t, err)
	declared, err := ConfigFromContext(DefaultContext())
	require.NoError(t, err)
	require.Equal(t, cfg, declared, "the defaults the code falls back to are the declared ones")
	// K defaults to "the data set's number of classes".
	k, _ := DefaultContext().GetParam(priors.ParamNumClusters)
	require.Equal(t, 0, k)
}

func TestNumClusters(t *testing.T) {
	eval := &datasets.Dataset{NumClasses: 5}
	env := func(settings string, eval *datasets.Dataset) *Env {
		ctx := DefaultContext()
		_, err := rundir.ApplySettings(ctx, settings, "test")
		require.NoError(t, err)
		return &Env{Ctx: ctx, Dataset: "data", Eval: eval}
	}
	k, err := NumClusters(env("", eval))
	require.NoError(t, err)
	require.Equal(t, 5, k, "0: the evaluation split's number of classes")
	k, err = NumClusters(env("num_clusters=3", eval))
	require.NoError(t, err)
	require.Equal(t, 3, k, "set: that number, whatever the data")
	_, err = NumClusters(env("num_clusters=-1", eval))
	require.EqualError(t, err, `parameter "num_clusters": must be ≥ 0, got -1`)
	_, err = NumClusters(env("", &datasets.Dataset{}))
	require.EqualError(t, err, `parameter "num_clusters": dataset "data" has no class count; set it explicitly`)
	k, err = NumClusters(env("num_clusters=4", &datasets.Dataset{}))
	require.NoError(t, err)
	require.Equal(t, 4, k)
}

// TestOwnContext: a method's context is a copy of every parameter of the run's, scoped ones
// included, with K resolved and the method's overrides; the run's context is untouched.
func TestOwnContext(t *testing.T) {
	ctx := DefaultContext()
	_, err := rundir.ApplySettings(ctx, "seed=7; /generator/mlp_hidden=8,8; /encoder/mlp_conv_kernel=3", "test")
	require.NoError(t, err)
	clone := ownContext(ctx, 5, map[string]any{priors.ParamPrior: "gmm"})
	get := func(c *context.Context, key string) any {
		v, _ := c.GetParam(key)
		return v
	}
	require.Equal(t, 7, get(clone, ParamSeed))
	require.Equal(t, []int{8, 8}, context.GetParamOr(clone.In("generator"), "mlp_hidden", []int{}))
	require.Equal(t, 3, context.GetParamOr(clone.In("encoder"), layers.ParamMLPConvKernel, 0))
	require.Equal(t, layers.DefaultMLPConvKernel, get(clone, layers.ParamMLPConvKernel), "a scoped value stays in its scope")
	require.Equal(t, "gmm", get(clone, priors.ParamPrior))
	require.Equal(t, 5, get(clone, priors.ParamNumClusters))
	require.Equal(t, rundir.ParamNames(ctx), rundir.ParamNames(clone))
	require.Equal(t, strings.Count(rundir.FormatSettings(ctx), "\n"), strings.Count(rundir.FormatSettings(clone), "\n"),
		"the same settings, scoped ones included")

	// The run's context is untouched, also when the copy changes later.
	clone.SetParam(ParamSeed, 9)
	clone.In("generator").SetParam("mlp_hidden", []int{4})
	require.Equal(t, 7, get(ctx, ParamSeed))
	require.Equal(t, priors.DefaultPrior, get(ctx, priors.ParamPrior))
	require.Equal(t, 0, get(ctx, priors.ParamNumClusters))
	require.Equal(t, []int{8, 8}, context.GetParamOr(ctx.In("generator"), "mlp_hidden", []int{}))

	// K = 0 (not resolved) keeps the run's value; no overrides, no change.
	same := ownContext(ctx, 0, nil)
	require.Equal(t, rundir.FormatSettings(ctx), rundir.FormatSettings(same))
}

func TestKMeansConfig(t *testing.T) {
	ctx := DefaultContext()
	cfg, err := KMeansConfig(ctx, 4, 9)
	require.NoError(t, err)
	require.Equal(t, evaluation.KMeansConfig{K: 4, NInit: evaluation.DefaultKMeansNInit, MaxIter: evaluation.DefaultKMeansMaxIter,
		Tol: evaluation.DefaultKMeansTol, Seed: 9}, cfg)
	for settings, want := range map[string]string{
		"kmeans_n_init=0":   `parameter "kmeans_n_init": must be ≥ 1, got 0`,
		"kmeans_max_iter=0": `parameter "kmeans_max_iter": must be ≥ 1, got 0`,
		"kmeans_tol=-1":     `parameter "kmeans_tol": must be ≥ 0, got -1`,
	} {
		ctx := DefaultContext()
		_, err := rundir.ApplySettings(ctx, settings, "test")
		require.NoError(t, err)
		_, err = KMeansConfig(ctx, 4, 9)
		require.EqualError(t, err, want)
	}
}

// TestValidate: every method validates the default settings, and a bad value fails up front
// with an error naming the parameter.
func TestValidate(t *testing.T) {
	for _, name := range Names() {
		m, _ := Get(name)
		require.NoError(t, m.Validate(DefaultContext()), name)
		ctx := DefaultContext()
		_, err := rundir.ApplySettings(ctx, ganTestSettings, "test")
		require.NoError(t, err)
		require.NoError(t, m.Validate(ctx), name)
	}
	training := []string{"clustergan", "clustergan-bp", "gan-bp", "gmm-gan-bp", "imsat", "infogan", "uniform-gan-bp"}
	decoding := []string{"clustergan-bp", "gan-bp", "gmm-gan-bp", "uniform-gan-bp"}
	for _, tc := range []struct {
		settings string
		methods  []string
		want     string
	}{
		{"decode_steps=0", decoding, inference.ParamSteps},
		{"adversarial_loss=nope", training, `parameter "adversarial_loss": must be one of: hinge, vanilla, wgan-gp, got "nope"`},
		{"kmeans_n_init=-1", Names(), `parameter "kmeans_n_init": must be ≥ 1, got -1`},
		{"train_steps=0", training, `parameter "train_steps": must be ≥ 1, got 0`},
		{"architecture=nope", training, `"architecture"`},
		{"model_selection=last", training, `parameter "model_selection": must be one of: best-validation, final, got "last"`},
		{"num_clusters=-1", training, `"num_clusters"`},
		{"beta_x=-2", []string{"clustergan", "clustergan-bp"}, `parameter "beta_x": must be ≥ 0, got -2`},
		{"beta_n=0; beta_c=0", []string{"clustergan", "clustergan-bp"}, `parameters "beta_n" and "beta_c" are both 0`},
		{"info_lambda=-1", []string{"infogan"}, `parameter "info_lambda": must be ≥ 0, got -1`},
		{"infogan_sigma=0", []string{"infogan"}, `parameter "infogan_sigma": must be > 0, got 0`},
		// The run's prior is clustergan's: β_c needs its cluster code.
		{"prior=gaussian", []string{"clustergan"}, `parameter "beta_c" = 10 but the prior has no cluster code z_c`},
		{"prior=dirichlet", training[:1], `parameter "prior": must be one of: gaussian, gmm, mixed, uniform, got "dirichlet"`},
	} {
		for _, name := range tc.methods {
			ctx := DefaultContext()
			_, err := rundir.ApplySettings(ctx, tc.settings, "-set")
			require.NoError(t, err)
			m, _ := Get(name)
			require.ErrorContains(t, m.Validate(ctx), tc.want, "%s with %s", name, tc.settings)
		}
	}
	// The methods with their own prior ignore the run's: clustergan-bp and infogan use the
	// mixed prior, the GAN baselines theirs.
	for _, name := range []string{"clustergan-bp", "infogan", "gan-bp", "gmm-gan-bp", "uniform-gan-bp"} {
		ctx := DefaultContext()
		_, err := rundir.ApplySettings(ctx, "prior=gaussian", "-set")
		require.NoError(t, err)
		m, _ := Get(name)
		require.NoError(t, m.Validate(ctx), name)
	}
}

// TestBadValuesFailAtRun: a method run with a bad value fails before any training, naming it.
func TestBadValuesFailAtRun(t *testing.T) {
	for _, tc := range []struct{ method, settings, want string }{
		{"kmeans", "kmeans_n_init=-1", `parameter "kmeans_n_init": must be ≥ 1, got -1`},
		{"clustergan", "beta_x=-2", `parameter "beta_x": must be ≥ 0, got -2`},
		{"gan-bp", "decode_steps=0", `parameter "decode_steps": must be ≥ 1, got 0`},
	} {
		r := newTestRun(t, ganTestSettings+"; "+tc.settings)
		m, _ := Get(tc.method)
		_, err := m.Run(r.env(tc.method))
		require.ErrorContains(t, err, tc.want, tc.method)
		require.Empty(t, r.metrics().Train, "%s: no training", tc.method)
	}
}

// TestKMeansMethod: k-means on the raw features with K from the data: four clusters 20
// standard deviations apart are found exactly.
func TestKMeansMethod(t *testing.T) {
	r := newTestRun(t, "", datasets.Options{Synthetic: &datasets.SyntheticConfig{
		K: 4, Dim: 3, PerCluster: 50, Separation: 1, Std: 0.05, Seed: 3}})
	out := r.run("kmeans")
	require.Len(t, out.Rows, 1)
	row := out.Rows[0]
	require.Equal(t, "kmeans", row.Method)
	require.Equal(t, RecipeKMeans, row.Recipe)
	require.Equal(t, RecipeKMeans, row.Name())
	require.InDelta(t, 1.0, row.Metrics.ACC, 1e-9)
	require.InDelta(t, 1.0, row.Metrics.NMI, 1e-9)
	labels := append([]int(nil), row.Labels...)
	sort.Ints(labels)
	require.Equal(t, 0, labels[0])
	require.Equal(t, 3, labels[len(labels)-1], "K = 4 from the data")
	require.Nil(t, out.Model)
	require.Nil(t, row.Generation)
	require.Contains(t, row.Extra, "inertia")
	require.Contains(t, row.Extra, "iterations")
	// k-means never starts a backend and writes nothing in its directory.
	env := r.env("kmeans")
	env.Backend = nil
	again, err := kmeansMethod{}.Run(env)
	require.NoError(t, err)
	require.Equal(t, row.Labels, again.Rows[0].Labels, "the run's seed fixes the result")
	require.NoFileExists(t, filepath.Join(r.dir, "kmeans", SettingsFile))
	results := r.metrics().Results
	require.Len(t, results, 2)
	require.Equal(t, RecipeKMeans, results[0].Row)
	require.Equal(t, row.Metrics, results[0].Metrics)
}

// TestLogErrorsStopAMethod: a failing Log (a full disk) stops a method with that error.
func TestLogErrorsStopAMethod(t *testing.T) {
	r := newTestRun(t, "")
	full := errors.New("disk full")
	env := r.env("kmeans")
	env.Log = func(rundir.Record) error { return full }
	_, err := kmeansMethod{}.Run(env)
	require.ErrorIs(t, err, full)
}

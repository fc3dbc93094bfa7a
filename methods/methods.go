// Package methods holds the clustering methods the framework compares, one file each, as a
// library: k-means on raw features, ClusterGAN (its encoder, and its generator with the paper's
// back-propagation decoding), the GAN baselines with plain priors, InfoGAN and IMSAT. A method
// fits on a data set's training split and clusters the evaluation split; it returns result rows
// and the artefacts a caller may draw (the trained model, the vectors it clustered). It never
// draws or prints tables itself: experiments/runner orchestrates run directories and figures.
//
// Every hyper-parameter is a GoMLX context parameter; DefaultContext declares all of them.
package methods

import (
	"fmt"
	"io"
	"time"

	"github.com/clustergan/clustergan/datasets"
	"github.com/clustergan/clustergan/evaluation"
	"github.com/clustergan/clustergan/inference"
	"github.com/clustergan/clustergan/internal/registry"
	"github.com/clustergan/clustergan/priors"
	"github.com/clustergan/clustergan/rundir"
	"github.com/clustergan/clustergan/trainer"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Method is one clustering method.
type Method interface {
	// Run fits the method on env.Data and clusters env.Eval, writing checkpoints under env.Dir.
	Run(env *Env) (*Outcome, error)
	// Validate checks the method's settings up front, so a bad value fails before any data is
	// loaded or any time is spent on other methods.
	Validate(ctx *context.Context) error
	// Params lists the parameters the method's recipe reads beyond the shared ones (term
	// weights, its own settings): a run warns about, or rejects, a weight no method uses.
	Params() []string
}

// Env is what a method receives.
type Env struct {
	Ctx     *context.Context  // every hyper-parameter, set from presets and -set; not modified
	Dataset string            // registered dataset name
	Data    *datasets.Splits  // all splits; Train (and Validation, for model selection) are used for fitting
	Eval    *datasets.Dataset // the split the reported numbers are computed on
	Dir     string            // this method's directory (exists)
	RunDir  string            // the run directory holding Dir and the other methods' directories
	Out     io.Writer         // progress and messages
	Resume  bool              // continue from the method's latest checkpoint in Dir
	Seed    int64

	// Backend returns the GoMLX backend, created on first use so that methods without GoMLX
	// (k-means) never start one.
	Backend func() (backends.Backend, error)
	// Log appends a record to the run's metrics.jsonl, tagged with the method's name.
	Log func(rundir.Record) error
}

// Outcome is what a method reports.
type Outcome struct {
	Rows      []Row
	TrainTime time.Duration // time spent fitting, excluding data loading and evaluation
	// Model is the trained GAN, for sample grids and interpolations (nil without one).
	Model *trainer.Model
	// Features are the vectors the method clustered for its first row, n × FeatureDim, for a
	// latent map (nil when there is nothing to map).
	Features   []float32
	FeatureDim int
	// FeatureName says what Features are ("E(x)", "recovered z").
	FeatureName string
}

// Row is one result row.
type Row struct {
	Method     string // the registered method
	Recipe     string // the objective and its extra terms, see objectives.Objective.Recipe
	Inference  string // how the evaluation data were clustered
	Metrics    evaluation.Metrics
	Labels     []int // predicted clusters of the evaluation split
	Generation *evaluation.GenAgreement
	Extra      map[string]any
}

// Name is the row's name (rundir.RowName).
func (r Row) Name() string { return rundir.RowName(r.Recipe, r.Inference) }

var methods = registry.New[Method]("method")

// Register makes a method selectable by name.
func Register(name string, m Method) { methods.Register(name, m) }

// Names lists the registered methods, sorted.
func Names() []string { return methods.Names() }

// Get returns the method registered under name.
func Get(name string) (Method, error) { return methods.Get(name) }

// Parameters of this package (GoMLX context parameters; DefaultParams gives their defaults).
const (
	// ParamSeed is the run's random seed (int, default 1; ≥ 0): it seeds k-means, GoMLX's RNG and
	// synthetic data, so the same seed and settings reproduce a run.
	ParamSeed = "seed"
	// ParamKMeansNInit is the number of k-means++ restarts (int, default 10 as scikit-learn); ≥ 1.
	ParamKMeansNInit = "kmeans_n_init"
	// ParamKMeansMaxIter bounds Lloyd iterations per restart (int, default 300); ≥ 1.
	ParamKMeansMaxIter = "kmeans_max_iter"
	// ParamKMeansTol is the convergence tolerance relative to the mean feature variance
	// (float, default 1e-4 as scikit-learn); ≥ 0.
	ParamKMeansTol = "kmeans_tol"
	// ParamLatentMapPoints is the number of points of each t-SNE latent map drawn from a method's
	// features (int, default 2000; below 4 per cluster, no map is drawn).
	ParamLatentMapPoints = "latent_map_points"
	// ParamTrackEvalSplit makes the encoder methods also score the reported split at every
	// validation evaluation (bool, default false), for time-to-accuracy curves. Selection still
	// uses validation only; the tracked numbers are never used to pick a model.
	ParamTrackEvalSplit = "track_eval_split"
	// ParamSelection says which weights a training method reports (string, default
	// SelectBest): SelectBest, the evaluation with the best validation purity (several
	// checkpoints of one run); SelectFinal, the final weights, as the official code evaluates
	// each run (it then picks among runs by validation purity, see the sweep reports).
	ParamSelection = "model_selection"
	// ParamGenerationSamples is the number of samples per cluster drawn to measure how well
	// the generator's cluster k draws the class cluster k holds on real data (int, default 100;
	// 0 = not measured).
	ParamGenerationSamples = "generation_samples"
)

// Values of ParamSelection.
const (
	SelectBest  = "best-validation"
	SelectFinal = "final"
)

// DefaultParams returns this package's parameters with their defaults.
func DefaultParams() map[string]any {
	return map[string]any{
		ParamSeed:              1,
		ParamKMeansNInit:       evaluation.DefaultKMeansNInit,
		ParamKMeansMaxIter:     evaluation.DefaultKMeansMaxIter,
		ParamKMeansTol:         evaluation.DefaultKMeansTol,
		ParamLatentMapPoints:   2000,
		ParamInfoGANSigma:      DefaultInfoGANSigma,
		ParamTrackEvalSplit:    false,
		ParamSelection:         SelectBest,
		ParamGenerationSamples: 100,
	}
}

// DefaultContext returns a context that declares every parameter a run can set, with its
// default (style.md #3): settings may only change declared names.
func DefaultContext() *context.Context {
	ctx := context.New().Checked(false)
	for _, params := range []map[string]any{DefaultParams(), trainer.ModelParams(), inference.DefaultParams()} {
		for key, value := range params {
			if _, dup := ctx.GetParam(key); dup {
				panic("methods: parameter " + key + " declared by two packages")
			}
			ctx.SetParam(key, value)
		}
	}
	return ctx
}

// KMeansConfig reads the k-means parameters from ctx, for k clusters and the given seed.
func KMeansConfig(ctx *context.Context, k int, seed int64) (evaluation.KMeansConfig, error) {
	cfg := evaluation.KMeansConfig{
		K:       k,
		NInit:   context.GetParamOr(ctx, ParamKMeansNInit, evaluation.DefaultKMeansNInit),
		MaxIter: context.GetParamOr(ctx, ParamKMeansMaxIter, evaluation.DefaultKMeansMaxIter),
		Tol:     context.GetParamOr(ctx, ParamKMeansTol, evaluation.DefaultKMeansTol),
		Seed:    seed,
	}
	switch {
	case cfg.NInit < 1:
		return cfg, fmt.Errorf("parameter %q: must be ≥ 1, got %d", ParamKMeansNInit, cfg.NInit)
	case cfg.MaxIter < 1:
		return cfg, fmt.Errorf("parameter %q: must be ≥ 1, got %d", ParamKMeansMaxIter, cfg.MaxIter)
	case cfg.Tol < 0:
		return cfg, fmt.Errorf("parameter %q: must be ≥ 0, got %g", ParamKMeansTol, cfg.Tol)
	}
	return cfg, nil
}

// NumClusters returns K: the num_clusters parameter, or the evaluation split's number of
// classes when it is 0.
func NumClusters(env *Env) (int, error) {
	k := context.GetParamOr(env.Ctx, priors.ParamNumClusters, priors.DefaultNumClusters)
	if k < 0 {
		return 0, fmt.Errorf("parameter %q: must be ≥ 0 (0 = number of classes), got %d", priors.ParamNumClusters, k)
	}
	if k == 0 {
		k = env.Eval.NumClasses
	}
	if k < 1 {
		return 0, fmt.Errorf("parameter %q: dataset %q has no class count; set it explicitly", priors.ParamNumClusters, env.Dataset)
	}
	return k, nil
}

// ownContext returns a fresh context holding a copy of ctx's parameters (scoped ones included)
// with K resolved and the given overrides: a method's model never touches the shared run
// context, nor the methods that run after it.
func ownContext(ctx *context.Context, k int, overrides map[string]any) *context.Context {
	clone := context.New().Checked(false)
	ctx.EnumerateParams(func(scope, key string, value any) {
		clone.InAbsPath(scope).SetParam(key, value)
	})
	if k > 0 {
		clone.SetParam(priors.ParamNumClusters, k)
	}
	for key, value := range overrides {
		clone.SetParam(key, value)
	}
	return clone
}

// selection reads ParamSelection.
func selection(ctx *context.Context) (string, error) {
	s := context.GetParamOr(ctx, ParamSelection, SelectBest)
	if s != SelectBest && s != SelectFinal {
		return "", fmt.Errorf("parameter %q = %q: must be %q or %q", ParamSelection, s, SelectBest, SelectFinal)
	}
	return s, nil
}

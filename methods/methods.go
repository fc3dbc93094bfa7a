// Package methods holds the clustering methods the framework compares, one file each, as a
// library: k-means on raw features, ClusterGAN (its encoder, and its generator with the paper's
// back-propagation decoding), the GAN baselines with plain priors, InfoGAN and IMSAT. A method
// fits on a data set's training split and clusters the evaluation split; it returns result rows
// and the artefacts a caller may draw (the trained model, the vectors it clustered). It never
// draws or prints tables itself: experiments/runner orchestrates run directories and figures.
//
// Every hyper-parameter is a GoMLX context parameter, declared by the package that reads it
// (package params); DefaultContext declares all of them.
package methods

import (
	"fmt"
	"io"
	"time"

	"github.com/clustergan/clustergan/datasets"
	"github.com/clustergan/clustergan/evaluation"
	"github.com/clustergan/clustergan/internal/params"
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

// Parameters of this package: GoMLX context parameters, documented in Params. ParamInfoGANSigma
// is declared beside its method, in infogan.go.
const (
	ParamSeed              = "seed"
	ParamKMeansNInit       = "kmeans_n_init"
	ParamKMeansMaxIter     = "kmeans_max_iter"
	ParamKMeansTol         = "kmeans_tol"
	ParamLatentMapPoints   = "latent_map_points"
	ParamTrackEvalSplit    = "track_eval_split"
	ParamSelection         = "model_selection"
	ParamGenerationSamples = "generation_samples"
)

// Defaults of the parameters above.
const (
	DefaultSeed              = 1
	DefaultKMeansNInit       = evaluation.DefaultKMeansNInit // 10, as scikit-learn
	DefaultKMeansMaxIter     = evaluation.DefaultKMeansMaxIter
	DefaultKMeansTol         = evaluation.DefaultKMeansTol // as scikit-learn
	DefaultLatentMapPoints   = 2000
	DefaultTrackEvalSplit    = false
	DefaultSelection         = SelectBest
	DefaultGenerationSamples = 100
)

// Values of ParamSelection.
const (
	SelectBest  = "best-validation"
	SelectFinal = "final"
)

// Params declares the parameters of this package: their defaults, meanings and ranges.
var Params = params.Declare("methods", params.Table{
	{Name: ParamSeed, Default: DefaultSeed, Range: params.AtLeast(0),
		Doc: "the run's random seed: it seeds k-means, GoMLX's RNG and synthetic data, so the same seed and settings reproduce a run"},
	{Name: ParamKMeansNInit, Default: DefaultKMeansNInit, Range: params.AtLeast(1),
		Doc: "number of k-means++ restarts of every k-means (10 as scikit-learn)"},
	{Name: ParamKMeansMaxIter, Default: DefaultKMeansMaxIter, Range: params.AtLeast(1),
		Doc: "most Lloyd iterations per k-means restart"},
	{Name: ParamKMeansTol, Default: DefaultKMeansTol, Range: params.AtLeast(0),
		Doc: "k-means convergence tolerance, relative to the mean feature variance (as scikit-learn)"},
	{Name: ParamLatentMapPoints, Default: DefaultLatentMapPoints, Range: params.AtLeast(0),
		Doc: "points of each t-SNE latent map drawn from a method's features; below 4 per cluster no map is drawn"},
	{Name: ParamTrackEvalSplit, Default: DefaultTrackEvalSplit,
		Doc: "the encoder methods also score the reported split at every validation evaluation, for time-to-accuracy curves (selection still uses validation only)"},
	{Name: ParamSelection, Default: DefaultSelection, Range: params.OneOf(SelectBest, SelectFinal),
		Doc: "which weights a training method reports: best-validation, the evaluation with the best validation purity; final, the final weights, as the official code evaluates each run"},
	{Name: ParamGenerationSamples, Default: DefaultGenerationSamples, Range: params.AtLeast(0),
		Doc: "samples per cluster drawn to measure whether the generator's cluster k draws the class cluster k holds on real data; 0 = not measured"},
	{Name: ParamInfoGANSigma, Default: DefaultInfoGANSigma, Range: params.Above(0),
		Doc: "standard deviation of InfoGAN's continuous noise (its categorical code is the mixed prior's one-hot over num_clusters)"},
})

// Config holds the parameters of this package, read by ConfigFromContext.
type Config struct {
	Seed                       int
	KMeansNInit, KMeansMaxIter int
	KMeansTol                  float64
	LatentMapPoints            int
	TrackEvalSplit             bool
	Selection                  string
	GenerationSamples          int
	InfoGANSigma               float64
}

// ConfigFromContext reads the parameters of this package from ctx (defaults for those not set)
// and checks each against its range; the error names the first parameter out of range.
func ConfigFromContext(ctx *context.Context) (Config, error) {
	r := Params.Reader(ctx)
	c := Config{
		Seed:              r.Int(ParamSeed),
		KMeansNInit:       r.Int(ParamKMeansNInit),
		KMeansMaxIter:     r.Int(ParamKMeansMaxIter),
		KMeansTol:         r.Float(ParamKMeansTol),
		LatentMapPoints:   r.Int(ParamLatentMapPoints),
		TrackEvalSplit:    r.Bool(ParamTrackEvalSplit),
		Selection:         r.String(ParamSelection),
		GenerationSamples: r.Int(ParamGenerationSamples),
		InfoGANSigma:      r.Float(ParamInfoGANSigma),
	}
	return c, r.Err()
}

// DefaultContext returns a context that declares every parameter a run can set, with its
// default (style.md #3): settings may only change declared names. It holds every declared
// parameter (params.Declared): the tables of priors, layers, losses, objectives, trainer,
// inference and this package, and of any other package linked in that declares parameters;
// a name declared twice panics when its second table is declared.
func DefaultContext() *context.Context { return params.Declared().NewContext() }

// CheckParams checks every value in ctx, in the root and in scopes, of a declared parameter:
// its scope must be one the parameter accepts and its value in the parameter's range, so that a
// bad value fails before anything runs, also when no method of the run reads it.
func CheckParams(ctx *context.Context) error { return params.Declared().CheckContext(ctx) }

// KMeansConfig reads the k-means parameters from ctx, for k clusters and the given seed.
func KMeansConfig(ctx *context.Context, k int, seed int64) (evaluation.KMeansConfig, error) {
	c, err := ConfigFromContext(ctx)
	return evaluation.KMeansConfig{K: k, NInit: c.KMeansNInit, MaxIter: c.KMeansMaxIter, Tol: c.KMeansTol, Seed: seed}, err
}

// NumClusters returns K: the num_clusters parameter, or the evaluation split's number of
// classes when it is 0.
func NumClusters(env *Env) (int, error) {
	pc, err := priors.ConfigFromContext(env.Ctx)
	if err != nil {
		return 0, err
	}
	k := pc.NumClusters
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
	c, err := ConfigFromContext(ctx)
	return c.Selection, err
}

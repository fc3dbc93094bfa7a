package runner

import (
	"io"
	"time"

	"github.com/clustergan/clustergan/datasets"
	"github.com/clustergan/clustergan/evaluation"
	"github.com/clustergan/clustergan/internal/registry"
	"github.com/clustergan/clustergan/trainer"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Method is one clustering method the runner can compare (k-means on pixels, ClusterGAN, ...).
type Method interface {
	// Run fits the method on env.Data and clusters env.Eval. It writes whatever it produces
	// (checkpoints, images) under env.Dir.
	Run(env *Env) (*Outcome, error)
}

// Validator is implemented by methods that can check their settings up front, so a bad value
// fails before any data is loaded or any time is spent on other methods.
type Validator interface {
	Validate(ctx *context.Context) error
}

// Env is what a method receives from the runner.
type Env struct {
	Ctx     *context.Context  // every hyper-parameter, already set from presets and -set
	Dataset string            // registered dataset name
	Data    *datasets.Splits  // all splits; Train/Validation may be used for fitting
	Eval    *datasets.Dataset // the split the reported numbers are computed on
	Dir     string            // this method's directory inside the run directory (exists)
	Out     io.Writer         // progress and messages
	Resume  bool              // continue from the method's latest checkpoint in Dir
	Seed    int64

	// Backend returns the GoMLX backend, created on first use so that methods that do not need
	// GoMLX (k-means) never start one.
	Backend func() (backends.Backend, error)

	// Log appends one JSON record to the run's metrics.jsonl, tagged with the method's name.
	Log func(record map[string]any) error
}

// Outcome is what a method reports: one or more result rows (ClusterGAN reports one for k-means
// on E(x) and one for argmax of the logits).
type Outcome struct {
	Rows      []Row
	TrainTime time.Duration // time spent fitting, excluding data loading and evaluation
}

// Row is one line of the results table.
type Row struct {
	Method  string             `json:"method"`
	Metrics evaluation.Metrics `json:"metrics"`
	// Labels are the predicted clusters of the evaluation split (not serialised into results.json).
	Labels []int `json:"-"`
	// Extra holds method-specific values (inertia, selected step, ...).
	Extra map[string]any `json:"extra,omitempty"`
}

// ganSettings is what every GAN-based method reads before it trains.
type ganSettings struct {
	backend backends.Backend
	k       int                     // clusters evaluated
	train   trainer.Config          // trainer settings
	kmeans  evaluation.KMeansConfig // k-means settings for k clusters
}

// readGANSettings reads the settings of a GAN-based method from ctx (the run's context, or the
// method's own copy of it).
func readGANSettings(env *Env, ctx *context.Context) (*ganSettings, error) {
	backend, err := env.Backend()
	if err != nil {
		return nil, err
	}
	k, err := NumClusters(env)
	if err != nil {
		return nil, err
	}
	train, err := trainer.ConfigFromContext(ctx)
	if err != nil {
		return nil, err
	}
	km, err := KMeansConfig(ctx, k, env.Seed)
	if err != nil {
		return nil, err
	}
	return &ganSettings{backend: backend, k: k, train: train, kmeans: km}, nil
}

var methods = registry.New[Method]("method")

// Register makes a method selectable by name with -methods.
func Register(name string, m Method) { methods.Register(name, m) }

// Names lists the registered methods, sorted.
func Names() []string { return methods.Names() }

// Get returns the method registered under name.
func Get(name string) (Method, error) { return methods.Get(name) }

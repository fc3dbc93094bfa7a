package runner

import (
	"fmt"
	"time"

	"github.com/clustergan/clustergan/evaluation"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Parameters of the k-means-on-pixels baseline (and of the k-means that methods run on latents).
const (
	// ParamKMeansNInit is the number of k-means++ restarts (int, default 10 as scikit-learn); ≥ 1.
	ParamKMeansNInit = "kmeans_n_init"
	// ParamKMeansMaxIter bounds Lloyd iterations per restart (int, default 300); ≥ 1.
	ParamKMeansMaxIter = "kmeans_max_iter"
	// ParamKMeansTol is the convergence tolerance relative to the mean feature variance
	// (float, default 1e-4 as scikit-learn); ≥ 0.
	ParamKMeansTol = "kmeans_tol"
	// ParamNumClusters is the number of clusters K for every method (int, default 0 = the
	// dataset's number of classes).
	ParamNumClusters = "num_clusters"
)

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

// NumClusters returns K: the num_clusters parameter, or the dataset's number of classes.
func NumClusters(env *Env) (int, error) {
	k := context.GetParamOr(env.Ctx, ParamNumClusters, 0)
	if k < 0 {
		return 0, fmt.Errorf("parameter %q: must be ≥ 0 (0 = number of classes), got %d", ParamNumClusters, k)
	}
	if k == 0 {
		k = env.Eval.NumClasses
	}
	if k < 1 {
		return 0, fmt.Errorf("parameter %q: dataset %q has no class count; set it explicitly", ParamNumClusters, env.Dataset)
	}
	return k, nil
}

// kmeansMethod is k-means on the raw features of the evaluation split (the paper's baseline).
type kmeansMethod struct{}

func init() { Register("kmeans", kmeansMethod{}) }

func (kmeansMethod) Validate(ctx *context.Context) error {
	_, err := KMeansConfig(ctx, 1, 0)
	return err
}

func (kmeansMethod) Run(env *Env) (*Outcome, error) {
	k, err := NumClusters(env)
	if err != nil {
		return nil, err
	}
	cfg, err := KMeansConfig(env.Ctx, k, env.Seed)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(env.Out, "kmeans: K=%d, n_init=%d on %d×%d raw features...\n", k, cfg.NInit, env.Eval.N(), env.Eval.Dim())
	start := time.Now()
	res, err := evaluation.KMeans(env.Eval.X, env.Eval.Dim(), cfg)
	if err != nil {
		return nil, err
	}
	elapsed := time.Since(start)
	metrics, err := evaluation.Evaluate(res.Labels, env.Eval.Labels)
	if err != nil {
		return nil, err
	}
	if err := env.Log(map[string]any{"event": "result", "inertia": res.Inertia, "metrics": metrics}); err != nil {
		return nil, err
	}
	return &Outcome{
		TrainTime: elapsed,
		Rows: []Row{{Method: "kmeans", Metrics: metrics, Labels: res.Labels,
			Extra: map[string]any{"inertia": res.Inertia, "iterations": res.Iter}}},
	}, nil
}

package methods

import (
	"fmt"
	"time"

	"github.com/clustergan/clustergan/evaluation"
	"github.com/clustergan/clustergan/rundir"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// kmeansMethod is k-means on the raw features of the evaluation split (the paper's baseline).
type kmeansMethod struct{}

func init() { Register("kmeans", kmeansMethod{}) }

// RecipeKMeans names the k-means row.
const RecipeKMeans = "k-means on raw features"

func (kmeansMethod) Validate(ctx *context.Context) error {
	_, err := KMeansConfig(ctx, 1, 0)
	return err
}

func (kmeansMethod) Params() []string { return nil }

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
	row := Row{Method: "kmeans", Recipe: RecipeKMeans, Labels: res.Labels,
		Extra: map[string]any{"inertia": res.Inertia, "iterations": res.Iter}}
	if err := scoreRow(env, &row); err != nil {
		return nil, err
	}
	return &Outcome{TrainTime: elapsed, Rows: []Row{row}}, nil
}

// scoreRow computes row's metrics from its labels against the evaluation split and logs it.
func scoreRow(env *Env, row *Row) error {
	metrics, err := evaluation.Evaluate(row.Labels, env.Eval.Labels)
	if err != nil {
		return err
	}
	row.Metrics = metrics
	return env.Log(&rundir.ResultRecord{Row: row.Name(), Metrics: metrics, Extra: row.Extra})
}

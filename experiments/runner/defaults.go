package runner

import (
	"github.com/clustergan/clustergan/evaluation"
	"github.com/clustergan/clustergan/inference"
	"github.com/clustergan/clustergan/trainer"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// ParamLatentMapPoints is the number of points of each t-SNE latent map a method draws (int,
// default 2000; below 4 per cluster, no map is drawn).
const ParamLatentMapPoints = "latent_map_points"

// DefaultParams returns the runner's own parameters with their defaults.
func DefaultParams() map[string]any {
	return map[string]any{
		ParamSeed:            1,
		ParamNumClusters:     0,
		ParamKMeansNInit:     evaluation.DefaultKMeansNInit,
		ParamKMeansMaxIter:   evaluation.DefaultKMeansMaxIter,
		ParamKMeansTol:       evaluation.DefaultKMeansTol,
		ParamLatentMapPoints: 2000,
		ParamInfoGANSigma:    1.0,
		ParamTrackEvalSplit:  false,
	}
}

// DefaultContext returns a context that declares every parameter a run can set, with its
// default value (style.md #3): -set and preset files may only change declared names.
func DefaultContext() *context.Context {
	ctx := context.New().Checked(false)
	for _, params := range []map[string]any{
		DefaultParams(), trainer.ModelParams(), inference.DefaultParams(),
	} {
		for key, value := range params {
			if _, dup := ctx.GetParam(key); dup {
				panic("runner: parameter " + key + " declared by two packages")
			}
			ctx.SetParam(key, value)
		}
	}
	return ctx
}

package methods

import (
	"fmt"

	"github.com/clustergan/clustergan/objectives"
	"github.com/clustergan/clustergan/priors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// ParamInfoGANSigma is the standard deviation of InfoGAN's continuous noise (float, default
// DefaultInfoGANSigma = 1: InfoGAN's noise is not the small-σ ClusterGAN noise); > 0. Its
// categorical code is the mixed prior's one-hot over num_clusters.
const ParamInfoGANSigma = "infogan_sigma"

// DefaultInfoGANSigma is the default of ParamInfoGANSigma.
const DefaultInfoGANSigma = 1.0

// infogan trains InfoGAN (objectives.InfoGAN: a Q head on the critic) with the mixed prior whose
// noise has σ = infogan_sigma, and clusters by Q: k-means on softmax(Q(x)) and argmax.
func init() {
	Register("infogan", encoderMethod{
		name: "infogan", objective: objectives.InfoGAN{}, output: "Q(x)", code: true, noNoise: true, generator: true,
		params: []string{ParamInfoGANSigma},
		check: func(ctx *context.Context) error {
			if sigma := context.GetParamOr(ctx, ParamInfoGANSigma, DefaultInfoGANSigma); !(sigma > 0) {
				return fmt.Errorf("parameter %q: must be > 0, got %g", ParamInfoGANSigma, sigma)
			}
			return nil
		},
		overrides: func(ctx *context.Context) map[string]any {
			return map[string]any{
				priors.ParamPrior: "mixed",
				priors.ParamSigma: context.GetParamOr(ctx, ParamInfoGANSigma, DefaultInfoGANSigma),
			}
		},
	})
}

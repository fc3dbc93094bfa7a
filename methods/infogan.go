package methods

import (
	"github.com/clustergan/clustergan/objectives"
	"github.com/clustergan/clustergan/priors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// ParamInfoGANSigma is the parameter of the infogan method, documented in Params.
const ParamInfoGANSigma = "infogan_sigma"

// DefaultInfoGANSigma is the default of ParamInfoGANSigma: InfoGAN's noise is N(0, 1), not the
// small-σ ClusterGAN noise.
const DefaultInfoGANSigma = 1.0

// infogan trains InfoGAN (objectives.InfoGAN: a Q head on the critic) with the mixed prior whose
// noise has σ = infogan_sigma, and clusters by Q: k-means on softmax(Q(x)) and argmax.
func init() {
	Register("infogan", encoderMethod{
		name: "infogan", objective: objectives.InfoGAN{}, output: "Q(x)", code: true, noNoise: true, generator: true,
		params: []string{ParamInfoGANSigma},
		check: func(ctx *context.Context) error {
			_, err := ConfigFromContext(ctx)
			return err
		},
		overrides: func(ctx *context.Context) map[string]any {
			c, _ := ConfigFromContext(ctx) // checked by check
			return map[string]any{priors.ParamPrior: "mixed", priors.ParamSigma: c.InfoGANSigma}
		},
	})
}

package objectives

import (
	"fmt"

	"github.com/clustergan/clustergan/losses"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// ClusterGAN is the paper's objective (Mukherjee et al. 2019, eq. 4): the critic update minimises
// the adversarial loss; the generator+encoder update minimises the adversarial loss +
// β_n·mean((z_n − ẑ_n)²) + β_c·CE(z_c, logits), with (ẑ_n, logits) = E(G(z)), so that E learns
// from generated data only. The registered encoder terms (β_x, β_mi) add real-data terms to
// that update: a variant of the paper's objective, named so in Recipe.
type ClusterGAN struct{}

func init() { Register("clustergan", ClusterGAN{}) }

// Phases implements Objective.
func (ClusterGAN) Phases(ctx *context.Context, nets *Nets, nCritic int) ([]Phase, error) {
	cfg, err := losses.ConfigFromContext(ctx)
	if err != nil {
		return nil, err
	}
	betaN, betaC := cfg.BetaN, cfg.BetaC
	gen := Phase{Name: "generator", Updates: []string{Generator, Encoder}, Optimizer: GeneratorOptimizer,
		Terms: []Term{GeneratorAdversarial()}}
	if betaN > 0 {
		if nets.Spec.NoiseDim < 1 {
			return nil, fmt.Errorf("parameter %q = %g but the prior has no noise part z_n; set it to 0", losses.ParamBetaN, betaN)
		}
		gen.Terms = append(gen.Terms, Noise(betaN))
	}
	if betaC > 0 {
		if nets.Spec.NumClusters < 1 {
			return nil, fmt.Errorf("parameter %q = %g but the prior has no cluster code z_c; set it to 0", losses.ParamBetaC, betaC)
		}
		gen.Terms = append(gen.Terms, Cluster(betaC))
	}
	extra, err := activeEncoderTerms(ctx, nets, true)
	if err != nil {
		return nil, err
	}
	if len(gen.Terms) == 1 && len(extra) == 0 {
		return nil, fmt.Errorf("parameters %q and %q are both 0 and no real-data term (%v) is on: the encoder would have no loss to learn from",
			losses.ParamBetaN, losses.ParamBetaC, encoderTermParams(true))
	}
	gen.Terms = append(gen.Terms, extra...)
	critic := Phase{Name: "critic", Updates: []string{Critic}, Optimizer: CriticOptimizer, Repeat: nCritic,
		Terms: []Term{CriticAdversarial()}}
	return []Phase{critic, gen}, nil
}

// Recipe implements Objective: "ClusterGAN", or "ClusterGAN + β_x + β_mi" with real-data terms.
func (ClusterGAN) Recipe(ctx *context.Context) string { return "ClusterGAN" + recipeSuffix(ctx) }

// Params implements Objective.
func (ClusterGAN) Params() []string {
	return append([]string{losses.ParamBetaN, losses.ParamBetaC}, encoderTermParams(true)...)
}

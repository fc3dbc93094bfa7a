package objectives

import (
	"fmt"

	"github.com/clustergan/clustergan/layers"
	"github.com/clustergan/clustergan/priors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// InfoGAN (Chen et al. 2016) has no encoder: a Q head on the critic's last hidden layer
// (layers.CriticWithCode) predicts the categorical code, and both the critic update (D and Q)
// and the generator update add λ·CE(z_c, Q(G(z))), the mutual-information bound. Q is part of
// the critic, so it is held fixed in the generator update.
type InfoGAN struct{}

func init() { Register("infogan", InfoGAN{}) }

// Phases implements Objective.
func (InfoGAN) Phases(ctx *context.Context, nets *Nets, nCritic int) ([]Phase, error) {
	cfg, err := ConfigFromContext(ctx)
	if err != nil {
		return nil, err
	}
	lambda := cfg.InfoLambda
	if _, ok := nets.Arch.(layers.CriticWithCode); !ok {
		return nil, fmt.Errorf("parameter %q: architecture %T has no InfoGAN Q head", layers.ParamArchitecture, nets.Arch)
	}
	if nets.Spec.NumClusters < 1 {
		return nil, fmt.Errorf("InfoGAN needs a prior with a categorical code (parameter %q)", priors.ParamPrior)
	}
	critic := Phase{Name: "critic", Updates: []string{Critic}, Optimizer: CriticOptimizer, Repeat: nCritic, CriticHasCode: true,
		Terms: []Term{CriticAdversarial()}}
	gen := Phase{Name: "generator", Updates: []string{Generator}, Optimizer: GeneratorOptimizer, CriticHasCode: true,
		Terms: []Term{GeneratorAdversarial()}}
	if lambda > 0 { // a term of weight 0 is left out, as in every objective
		critic.Terms = append(critic.Terms, Info(lambda))
		gen.Terms = append(gen.Terms, Info(lambda))
	}
	return []Phase{critic, gen}, nil
}

// Recipe implements Objective.
func (InfoGAN) Recipe(*context.Context) string { return "InfoGAN" }

// Params implements Objective.
func (InfoGAN) Params() []string { return []string{ParamInfoLambda} }

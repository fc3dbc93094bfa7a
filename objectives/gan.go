package objectives

import (
	"fmt"

	"github.com/clustergan/clustergan/priors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// GAN is the adversarial game alone, with no encoder: the paper's GAN baselines, whose latents
// are recovered by back-propagation decoding afterwards.
type GAN struct{}

func init() { Register("gan", GAN{}) }

// Phases implements Objective.
func (GAN) Phases(_ *context.Context, _ *Nets, nCritic int) ([]Phase, error) {
	return []Phase{
		{Name: "critic", Updates: []string{Critic}, Optimizer: CriticOptimizer, Repeat: nCritic, Terms: []Term{CriticAdversarial()}},
		{Name: "generator", Updates: []string{Generator}, Optimizer: GeneratorOptimizer, Terms: []Term{GeneratorAdversarial()}},
	}, nil
}

// Recipe implements Objective: "GAN (gaussian prior)".
func (GAN) Recipe(ctx *context.Context) string {
	cfg, _ := priors.ConfigFromContext(ctx) // a bad value fails when the prior is built; the name is read anyway
	return fmt.Sprintf("GAN (%s prior)", cfg.Prior)
}

// Params implements Objective: the game has no weights of its own.
func (GAN) Params() []string { return nil }

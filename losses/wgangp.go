package losses

import (
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

func init() { Register("wgan-gp", WGANGP{}) }

// WGANGP is the Wasserstein loss with gradient penalty (Gulrajani et al. 2017), ClusterGAN's
// choice: the critic minimises mean(D(fake)) − mean(D(real)) + GradientPenalty, the generator
// −mean(D(fake)).
type WGANGP struct{}

// CriticLoss implements Adversarial.
func (WGANGP) CriticLoss(ctx *context.Context, critic Critic, real, fake *graph.Node) *graph.Node {
	loss := graph.Sub(scoresMean("fake", critic(fake)), scoresMean("real", critic(real)))
	return graph.Add(loss, GradientPenalty(ctx, critic, real, fake))
}

// GeneratorLoss implements Adversarial.
func (WGANGP) GeneratorLoss(_ *context.Context, fakeScores *graph.Node) *graph.Node {
	return graph.Neg(scoresMean("fake", fakeScores))
}

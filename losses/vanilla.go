package losses

import (
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

func init() { Register("vanilla", Vanilla{}) }

// Vanilla is the non-saturating GAN loss (Goodfellow et al. 2014) on logits, as the PyTorch
// port: the critic minimises mean(softplus(−D(real))) + mean(softplus(D(fake))) (binary
// cross-entropy with the sigmoid folded in), the generator mean(softplus(−D(fake))).
type Vanilla struct{}

// CriticLoss implements Adversarial.
func (Vanilla) CriticLoss(_ *context.Context, critic Critic, real, fake *graph.Node) *graph.Node {
	realTerm := graph.ReduceAllMean(softplus(graph.Neg(checkScores("real", critic(real)))))
	fakeTerm := graph.ReduceAllMean(softplus(checkScores("fake", critic(fake))))
	return graph.Add(realTerm, fakeTerm)
}

// GeneratorLoss implements Adversarial.
func (Vanilla) GeneratorLoss(_ *context.Context, fakeScores *graph.Node) *graph.Node {
	return graph.ReduceAllMean(softplus(graph.Neg(checkScores("fake", fakeScores))))
}

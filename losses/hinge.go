package losses

import (
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

func init() { Register("hinge", Hinge{}) }

// Hinge is the hinge GAN loss (Lim & Ye 2017; Miyato et al. 2018): the critic minimises
// mean(relu(1 − D(real))) + mean(relu(1 + D(fake))), the generator −mean(D(fake)).
type Hinge struct{}

// CriticLoss implements Adversarial.
func (Hinge) CriticLoss(_ *context.Context, critic Critic, real, fake *graph.Node) *graph.Node {
	realScores := checkScores("real", critic(real))
	fakeScores := checkScores("fake", critic(fake))
	realTerm := graph.ReduceAllMean(relu(graph.OneMinus(realScores)))
	fakeTerm := graph.ReduceAllMean(relu(graph.OnePlus(fakeScores)))
	return graph.Add(realTerm, fakeTerm)
}

// GeneratorLoss implements Adversarial.
func (Hinge) GeneratorLoss(_ *context.Context, fakeScores *graph.Node) *graph.Node {
	return graph.Neg(scoresMean("fake", fakeScores))
}

func relu(x *graph.Node) *graph.Node { return graph.Max(x, graph.ZerosLike(x)) }

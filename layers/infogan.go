package layers

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// QScope is the scope, below the critic's, of InfoGAN's Q head.
const QScope = "q"

// CriticWithCode is implemented by architectures whose critic can also predict the categorical
// latent code, as InfoGAN's Q network: one linear head on the critic's last hidden layer, so Q
// shares every other layer with D (Chen et al. 2016, "InfoGAN", §5).
type CriticWithCode interface {
	// CriticAndCode returns the critic's scores [batch] and Q's logits [batch, NumClusters],
	// with the same variables as Critic plus the head under "critic/q".
	CriticAndCode(ctx *context.Context, spec Spec, x *graph.Node) (scores, logits *graph.Node)
}

// qHead is Q's linear head over the K categories.
func qHead(ctx *context.Context, spec Spec, hidden *graph.Node, who string) *graph.Node {
	if spec.NumClusters < 1 {
		panic(fmt.Sprintf("%s: InfoGAN's Q head needs Spec.NumClusters ≥ 1 (parameter num_clusters)", who))
	}
	ctx = ctx.In(QScope)
	in := hidden.Shape().Dimensions[1]
	return dense(ctx.WithInitializer(headInit(ctx, in, spec.NumClusters)), hidden, spec.NumClusters)
}

// CriticAndCode implements CriticWithCode.
func (n mlpNets) CriticAndCode(ctx *context.Context, spec Spec, x *graph.Node) (scores, logits *graph.Node) {
	const who = "layers mlp CriticAndCode"
	ctx, hidden := n.trunk(ctx, spec, x, CriticScope, who)
	return criticHead(ctx, hidden), qHead(ctx, spec, hidden, who)
}

// CriticAndCode implements CriticWithCode.
func (n convNets) CriticAndCode(ctx *context.Context, spec Spec, x *graph.Node) (scores, logits *graph.Node) {
	const who = "layers conv CriticAndCode"
	ctx = networkScope(ctx, CriticScope)
	hidden := n.trunk(ctx, spec, x, who)
	return criticHead(ctx, hidden), qHead(ctx, spec, hidden, who)
}

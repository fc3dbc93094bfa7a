package objectives

import (
	"github.com/clustergan/clustergan/losses"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// IMSAT (Hu et al. 2017) trains the encoder alone on real data: information maximisation over
// augmented views, the same term (losses.InfoMaxLoss with the mi_* settings and the warp) that
// ClusterGAN adds with weight β_mi. It is the baseline that tells what ClusterGAN's real-data
// terms achieve without the GAN. Its one term has weight 1: β_mi only weighs the term against
// the GAN's terms, and Adam's steps do not depend on the scale of a lone loss.
type IMSAT struct{}

func init() { Register("imsat", IMSAT{}) }

// Phases implements Objective: one encoder update per iteration, with the Adam (and learning
// rate) that the generator+encoder update of the GAN objectives uses.
func (IMSAT) Phases(ctx *context.Context, nets *Nets, _ int) ([]Phase, error) {
	if err := checkInfoMax(ctx, nets); err != nil {
		return nil, err
	}
	return []Phase{{Name: "encoder", Updates: []string{Encoder}, Optimizer: GeneratorOptimizer, Terms: []Term{InfoMax(1)}}}, nil
}

// Recipe implements Objective.
func (IMSAT) Recipe(*context.Context) string { return "IMSAT" }

// Params implements Objective: no weights (the mi_* settings are shared with ClusterGAN's term).
func (IMSAT) Params() []string { return nil }

// InfoMax is the information-maximisation term on a real batch with the given weight.
func InfoMax(weight float64) Term {
	return Term{Name: "infomax", Weight: weight, Loss: func(b *Batch) *graph.Node {
		_, logits := b.EncodedReal()
		return losses.InfoMaxLoss(b.Ctx, logits, augmentedLogits(b, b.Real(), logits)...)
	}}
}

package objectives

import (
	"fmt"

	"github.com/clustergan/clustergan/losses"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// The reconstruction term, β_x·mean((x − G(ẑ_n, softmax(logits)))²) with (ẑ_n, logits) = E(x)
// on a real batch x (losses.ParamBetaX): E learns from real digits as well as from G(z). The
// softmax stands in for the one-hot so that the term is differentiable.
func init() {
	RegisterEncoderTerm(EncoderTerm{
		Name: "reconstruction", Param: losses.ParamBetaX, Symbol: "β_x", Rank: 10, NeedsGenerator: true,
		Loss: func(b *Batch) *graph.Node {
			noiseHat, logits := b.EncodedReal()
			z := graph.Concatenate([]*graph.Node{noiseHat, graph.Softmax(logits, -1)}, 1)
			real := b.Real()
			xHat := graph.Reshape(b.Nets.Arch.Generator(b.Ctx, b.Nets.Spec, z), real.Shape().Dimensions...)
			return losses.ReconstructionLoss(real, xHat)
		},
		Check: func(_ *context.Context, nets *Nets) error {
			s := nets.Spec
			if s.NoiseDim+s.NumClusters != s.LatentDim || s.NoiseDim == 0 || s.NumClusters == 0 {
				return fmt.Errorf("parameter %q > 0 needs a prior whose z is (z_n, z_c) (prior \"mixed\"); this one has z of %d = %d noise + %d clusters",
					losses.ParamBetaX, s.LatentDim, s.NoiseDim, s.NumClusters)
			}
			return nil
		},
	})
}

package layers

import (
	"testing"

	"github.com/clustergan/clustergan/backend"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/stretchr/testify/require"
)

// CriticAndCode shares every critic variable and adds only Q's head: its scores equal Critic's.
func TestCriticAndCodeSharesTheCritic(t *testing.T) {
	for name, shape := range map[string][]int{"mlp": {64}, "conv": {8, 8, 1}} {
		arch, err := Get(name)
		require.NoError(t, err)
		cwc, ok := arch.(CriticWithCode)
		require.True(t, ok, name)
		spec := Spec{DataShape: shape, LatentDim: 5, NoiseDim: 2, NumClusters: 3}
		ctx := context.New().Checked(false)
		ctx.SetParams(Params.Defaults())
		ctx.SetParam(ParamMLPHidden, []int{8})
		flat := make([]float32, 2*64)
		for i := range flat {
			flat[i] = float32(i%7) / 7
		}
		x := tensors.FromFlatDataAndDimensions(flat, 2, 64)
		out := context.MustExecOnceN(backend.ForTests(), ctx, func(ctx *context.Context, x *graph.Node) []*graph.Node {
			scores := arch.Critic(ctx, spec, x)
			scores2, logits := cwc.CriticAndCode(ctx, spec, x)
			return []*graph.Node{scores, scores2, logits}
		}, x)
		require.Equal(t, out[0].Value(), out[1].Value())
		require.Equal(t, []int{2, 3}, out[2].Shape().Dimensions)
		var q int
		for v := range ctx.IterVariables() {
			if v.Scope() == "/critic/q" {
				q++
			}
		}
		require.Equal(t, 2, q, "Q head: weights and biases")
	}
}

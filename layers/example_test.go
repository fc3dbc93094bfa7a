package layers_test

import (
	"fmt"

	"github.com/clustergan/clustergan/backend"
	"github.com/clustergan/clustergan/layers"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// The pure-Go backend prints its configuration to stdout when it is created: create it before
// the example's output is captured.
var _ = backend.ForTests()

// Build the three networks of the architecture the context names, with a wider generator, and
// run them on a batch of 4 latent codes (Pendigits sizes: 16 features, dn = 5, K = 10).
func Example() {
	ctx := context.New()
	ctx.SetParam(layers.ParamArchitecture, "mlp")
	ctx.SetParam(layers.ParamMLPBatchNorm, true)
	ctx.In(layers.GeneratorScope).SetParam(layers.ParamMLPHidden, []int{256, 512})
	arch, err := layers.FromContext(ctx)
	if err != nil {
		panic(err)
	}
	spec := layers.Spec{DataShape: []int{16}, LatentDim: 15, NoiseDim: 5, NumClusters: 10}

	exec := context.MustNewExec(backend.ForTests(), ctx, func(ctx *context.Context, z *graph.Node) []*graph.Node {
		x := arch.Generator(ctx, spec, z)
		score := arch.Critic(ctx, spec, x)
		noise, logits := arch.Encoder(ctx, spec, x)
		return []*graph.Node{x, score, noise, logits}
	})
	z := tensors.FromShape(shapes.Make(dtypes.Float32, 4, spec.LatentDim))
	for _, out := range exec.MustExec(z) {
		fmt.Println(out.Shape())
	}
	fmt.Println(ctx.GetVariableByScopeAndName("/generator/fc2", "weights").Shape())
	// Output:
	// (Float32)[4 16]
	// (Float32)[4]
	// (Float32)[4 5]
	// (Float32)[4 10]
	// (Float32)[256 512]
}

package layers

import (
	"math/rand/v2"
	"testing"

	"github.com/clustergan/clustergan/backend"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Benchmarks run on MNIST shapes (dn = 30, K = 10) at the paper's batch size, 64, with
// "-bench . -benchtime 3x". With "-tags dotgrad" the efficient matmul gradients of
// internal/dotgrad are registered, as training programs do; without it the conv benchmarks are
// skipped, because GoMLX's stock matmul gradients build [64, 6272, 1024] tensors (1.6 GB each).
const benchBatch = 64

// BenchmarkForwardBackward times one forward and backward pass (gradients of every variable)
// through G and D: loss = mean D(G(z)) + mean D(x).
func BenchmarkForwardBackward(b *testing.B) {
	for _, name := range []string{"conv", "mlp"} {
		b.Run(name, func(b *testing.B) {
			benchmarkGraph(b, name, func(ctx *context.Context, a Architecture, z, x *graph.Node) *graph.Node {
				fake := a.Generator(ctx, mnistSpec, z)
				return graph.Add(graph.ReduceAllMean(a.Critic(ctx, mnistSpec, fake)), graph.ReduceAllMean(a.Critic(ctx, mnistSpec, x)))
			})
		})
	}
}

// BenchmarkCriticPenalty times the gradients of a WGAN-GP critic loss, the costliest graph of
// training: mean D(G(z)) − mean D(x) + 10·mean((‖∇D(x̂)‖ − 1)²) on interpolates x̂, whose gradient
// is second order. G's forward pass is included, its variables are not differentiated.
func BenchmarkCriticPenalty(b *testing.B) {
	for _, name := range []string{"conv", "mlp"} {
		b.Run(name, func(b *testing.B) {
			benchmarkGraph(b, name, func(ctx *context.Context, a Architecture, z, x *graph.Node) *graph.Node {
				fake := graph.StopGradient(a.Generator(ctx, mnistSpec, z))
				loss := graph.Sub(graph.ReduceAllMean(a.Critic(ctx, mnistSpec, fake)), graph.ReduceAllMean(a.Critic(ctx, mnistSpec, x)))
				const eps = 0.3 // a fixed interpolation weight is enough for timing
				mixed := graph.Add(graph.MulScalar(x, eps), graph.MulScalar(fake, 1-eps))
				grad := graph.Gradient(graph.ReduceAllSum(a.Critic(ctx, mnistSpec, mixed)), mixed)[0]
				norm := graph.Sqrt(graph.ReduceSum(graph.Square(grad), 1))
				penalty := graph.ReduceAllMean(graph.Square(graph.AddScalar(norm, -1)))
				return graph.Add(loss, graph.MulScalar(penalty, 10))
			})
		})
	}
}

// benchmarkGraph times the gradients of every trainable variable the loss uses.
func benchmarkGraph(b *testing.B, name string, lossFn func(ctx *context.Context, a Architecture, z, x *graph.Node) *graph.Node) {
	if name == "conv" && !efficientMatmulGradients {
		b.Skip("needs -tags dotgrad")
	}
	a, err := Get(name)
	if err != nil {
		b.Fatal(err)
	}
	spec, batch := mnistSpec, benchBatch
	rng := rand.New(rand.NewPCG(1, 1))
	z := tensors.FromFlatDataAndDimensions(toFloat32(randomFlat(rng, batch*spec.LatentDim)), batch, spec.LatentDim)
	x := tensors.FromFlatDataAndDimensions(toFloat32(randomFlat(rng, batch*spec.DataSize())), batch, spec.DataSize())
	ctx := context.New()
	exec, err := context.NewExec(backend.ForTests(), ctx, func(ctx *context.Context, z, x *graph.Node) []*graph.Node {
		loss := lossFn(ctx, a, z, x)
		return append([]*graph.Node{loss}, ctx.BuildTrainableVariablesGradientsGraph(loss)...)
	})
	if err != nil {
		b.Fatal(err)
	}
	// The first run compiles the graph and initialises the variables.
	if _, err := exec.Exec(z, x); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := exec.Exec(z, x); err != nil {
			b.Fatal(err)
		}
	}
}

package inference

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/clustergan/clustergan/backend"
	"github.com/clustergan/clustergan/layers"
	"github.com/clustergan/clustergan/trainer"
)

// BenchmarkDecodeMNISTMLP decodes 64 MNIST-shaped points (784 features) with the mlp generator
// (40-256-256-784, sigmoid output; dn = 30, K = 10) for τ = 100 steps: 640 restarts per
// execution. Sub-benchmarks vary ChunkSteps. Each iteration includes building the graph.
//
// Measured on the 2-core development machine (pure-Go backend, go:parallelism=-1), one
// iteration: see the Config and DefaultSteps documentation for the numbers and the
// extrapolation to the official τ = 5000 on 10k test points.
func BenchmarkDecodeMNISTMLP(b *testing.B) {
	ctx := trainer.NewContext(map[string]any{layers.ParamArchitecture: "mlp", layers.ParamMLPHidden: []int{256, 256}})
	if err := ctx.SetRNGStateFromSeed(1); err != nil {
		b.Fatal(err)
	}
	m, err := trainer.NewModel(backend.ForTests(), ctx, []int{28, 28, 1})
	if err != nil {
		b.Fatal(err)
	}
	const n = 64
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, n*m.DataDim())
	for i := range x {
		x[i] = rng.Float32()
	}
	for _, chunk := range []int{10, 25, 50, 100} {
		b.Run(fmt.Sprintf("chunk=%d", chunk), func(b *testing.B) {
			cfg := DefaultConfig()
			cfg.Steps, cfg.ChunkSteps, cfg.BatchSize = 100, chunk, n
			for b.Loop() {
				if _, err := Decode(m, x, cfg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

package trainer

import (
	"testing"

	"github.com/clustergan/clustergan/backend"
	"github.com/clustergan/clustergan/layers"
	"github.com/clustergan/clustergan/losses"
	"github.com/gomlx/gomlx/backends/simplego"
)

// BenchmarkIteration times one training iteration (n_critic critic steps + one G/E step) at
// batch 64 on MNIST shapes, on the pure-Go backend:
//
//	go test -run '^$' -bench Iteration -benchtime 3x ./trainer/
//
// Recorded numbers, with the machine, are in docs/benchmarks.md. The first (compiling)
// iteration is excluded.
func BenchmarkIteration(b *testing.B) {
	cases := []struct {
		name   string
		params map[string]any
	}{
		{"mlp-default", map[string]any{layers.ParamArchitecture: "mlp", layers.ParamMLPHidden: []int{256, 256},
			layers.ParamMLPBatchNorm: true, losses.ParamAdversarial: "vanilla", ParamNCritic: 1}},
		{"mlp-wgan-gp-1critic", map[string]any{layers.ParamArchitecture: "mlp", layers.ParamMLPHidden: []int{256, 256},
			losses.ParamAdversarial: "wgan-gp", ParamNCritic: 1}},
		{"conv-paper-1critic", map[string]any{layers.ParamArchitecture: "conv", losses.ParamAdversarial: "wgan-gp", ParamNCritic: 1}},
		{"conv-paper-5critic", map[string]any{layers.ParamArchitecture: "conv", losses.ParamAdversarial: "wgan-gp", ParamNCritic: 5}},
	}
	x := tinyData(1000, 784)
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			ctx := NewContext(c.params)
			if err := ctx.SetRNGStateFromSeed(1); err != nil {
				b.Fatal(err)
			}
			m, err := NewModel(backend.ForTests(), ctx, []int{28, 28, 1})
			if err != nil {
				b.Fatal(err)
			}
			cfg, err := ConfigFromContext(ctx)
			if err != nil {
				b.Fatal(err)
			}
			tr := &Trainer{Model: m, Config: cfg, TrainX: x}
			if _, err := tr.RunStep(); err != nil { // compiles the graph
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				if _, err := tr.RunStep(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkIterationBackendConfig times the default preset's iteration (mlp-default above) under
// pure-Go backend configurations: the executor mode and the DotGeneral kernel choice.
//
//	go test -run '^$' -bench IterationBackendConfig -benchtime 20x ./trainer/
func BenchmarkIterationBackendConfig(b *testing.B) {
	params := map[string]any{layers.ParamArchitecture: "mlp", layers.ParamMLPHidden: []int{256, 256},
		layers.ParamMLPBatchNorm: true, losses.ParamAdversarial: "vanilla", ParamNCritic: 1}
	x := tinyData(1000, 784)
	for _, config := range []string{"parallelism=-1", "parallelism=-1,dotgeneral_large", "parallelism=-1,dotgeneral_small",
		"ops_sequential", "ops_sequential,dotgeneral_large"} {
		b.Run(config, func(b *testing.B) {
			be, err := simplego.New(config)
			if err != nil {
				b.Fatal(err)
			}
			defer be.Finalize()
			ctx := NewContext(params)
			if err := ctx.SetRNGStateFromSeed(1); err != nil {
				b.Fatal(err)
			}
			m, err := NewModel(be, ctx, []int{28, 28, 1})
			if err != nil {
				b.Fatal(err)
			}
			cfg, err := ConfigFromContext(ctx)
			if err != nil {
				b.Fatal(err)
			}
			tr := &Trainer{Model: m, Config: cfg, TrainX: x}
			if _, err := tr.RunStep(); err != nil { // compiles the graph
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				if _, err := tr.RunStep(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

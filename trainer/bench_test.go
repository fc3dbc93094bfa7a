package trainer

import (
	"fmt"
	"strings"
	"testing"

	"github.com/clustergan/clustergan/backend"
	"github.com/clustergan/clustergan/layers"
	"github.com/clustergan/clustergan/losses"
	"github.com/clustergan/clustergan/objectives"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// iterationCases are the models BenchmarkIteration times (the PyTorch reference in benchmarks/
// has the same cases).
var iterationCases = []struct {
	name   string
	params map[string]any
}{
	{"mlp-default", map[string]any{layers.ParamArchitecture: "mlp", layers.ParamMLPHidden: []int{256, 256},
		layers.ParamMLPBatchNorm: true, losses.ParamAdversarial: "vanilla", ParamNCritic: 1}},
	{"mlp-default-beta-x", map[string]any{layers.ParamArchitecture: "mlp", layers.ParamMLPHidden: []int{256, 256},
		layers.ParamMLPBatchNorm: true, losses.ParamAdversarial: "vanilla", ParamNCritic: 1, losses.ParamBetaX: 10.0}},
	{"mlp-default-beta-mi", map[string]any{layers.ParamArchitecture: "mlp", layers.ParamMLPHidden: []int{256, 256},
		layers.ParamMLPBatchNorm: true, losses.ParamAdversarial: "vanilla", ParamNCritic: 1, losses.ParamBetaX: 10.0,
		losses.ParamBetaMI: 50.0, losses.ParamMIRotation: 15.0, losses.ParamMIScale: 0.1}},
	{"mlp-conv-encoder", map[string]any{layers.ParamArchitecture: "mlp", layers.ParamMLPHidden: []int{256, 256},
		layers.ParamMLPBatchNorm: true, losses.ParamAdversarial: "vanilla", ParamNCritic: 1, losses.ParamBetaX: 10.0,
		losses.ParamBetaMI: 50.0, losses.ParamMIRotation: 15.0, losses.ParamMIScale: 0.1,
		"/encoder/" + layers.ParamMLPConvChannels: []int{16, 32}, "/encoder/" + layers.ParamMLPHidden: []int{128}}},
	{"mlp-wgan-gp-1critic", map[string]any{layers.ParamArchitecture: "mlp", layers.ParamMLPHidden: []int{256, 256},
		losses.ParamAdversarial: "wgan-gp", ParamNCritic: 1}},
	{"conv-paper-1critic", map[string]any{layers.ParamArchitecture: "conv", losses.ParamAdversarial: "wgan-gp", ParamNCritic: 1}},
	{"conv-paper-5critic", map[string]any{layers.ParamArchitecture: "conv", losses.ParamAdversarial: "wgan-gp", ParamNCritic: 5}},
}

// BenchmarkIteration times one training iteration (n_critic critic steps + one G/E step) at
// batch 64 on MNIST shapes, on the pure-Go backend:
//
//	go test -run '^$' -bench Iteration -benchtime 3x ./trainer/
//
// Recorded numbers, with the machine, are in docs/benchmarks.md. The first (compiling)
// iteration is excluded.
func BenchmarkIteration(b *testing.B) {
	x := tinyData(1000, 784)
	for _, c := range iterationCases {
		b.Run(c.name, func(b *testing.B) { benchIteration(b, backend.ForTests(), c.params, x) })
	}
}

// benchIteration times Trainer.RunStep for a model built from params on be; the first
// (compiling) iteration is excluded.
func benchIteration(b *testing.B, be backends.Backend, params map[string]any, x []float32) {
	tr := newBenchTrainer(b, be, params, x)
	if _, err := tr.RunStep(); err != nil { // compiles the graph
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := tr.RunStep(); err != nil {
			b.Fatal(err)
		}
	}
}

// newBenchTrainer returns a trainer of a model built from params on be, on data x; nothing is
// compiled yet.
func newBenchTrainer(b *testing.B, be backends.Backend, params map[string]any, x []float32) *Trainer {
	// Keys "/scope/name" set name in that scope only, as the programs' -set does.
	global, scoped := map[string]any{}, map[string]any{}
	for k, v := range params {
		if strings.HasPrefix(k, "/") {
			scoped[k] = v
		} else {
			global[k] = v
		}
	}
	ctx := NewContext(global)
	for k, v := range scoped {
		scope, name := context.SplitScope(k)
		ctx.InAbsPath(scope).SetParam(name, v)
	}
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
	return &Trainer{Model: m, Objective: objectives.ClusterGAN{}, Config: cfg, TrainX: x}
}

// BenchmarkIterationBackendConfig times the MLP iteration with the real-data term
// (mlp-default-beta-x), the default preset's (mlp-conv-encoder) and the paper's conv nets with one
// critic step under pure-Go backend configurations: the executor mode, the DotGeneral kernel choice
// (GoMLX's simplego uses its blocked kernel when a product's output has more than 16 blocks, its
// triple loop below) and the float32 block side (backend.GoDotBlockLog2).
//
//	go test -run '^$' -bench IterationBackendConfig -benchtime 5x ./trainer/
func BenchmarkIterationBackendConfig(b *testing.B) {
	x := tinyData(1000, 784)
	saved := simplego.DotGeneralTargetBlockLog2Dim[dtypes.Float32]
	defer func() { simplego.DotGeneralTargetBlockLog2Dim[dtypes.Float32] = saved }()
	for _, setting := range []struct {
		config    string
		blockLog2 int
	}{
		{"parallelism=-1", 3}, {"parallelism=-1", 4}, {"parallelism=-1", 5}, {"parallelism=-1", 6},
		{"parallelism=-1,dotgeneral_large", 4}, {"ops_sequential", 4},
	} {
		for _, c := range iterationCases {
			if c.name != "mlp-default-beta-x" && c.name != "mlp-conv-encoder" && c.name != "conv-paper-1critic" {
				continue
			}
			b.Run(fmt.Sprintf("%s/block=%d/%s", setting.config, 1<<setting.blockLog2, c.name), func(b *testing.B) {
				// GoMLX reads the block side when building and when running a graph: set it
				// before this sub-benchmark builds its own.
				simplego.DotGeneralTargetBlockLog2Dim[dtypes.Float32] = setting.blockLog2
				be, err := simplego.New(setting.config)
				if err != nil {
					b.Fatal(err)
				}
				defer be.Finalize()
				benchIteration(b, be, c.params, x)
			})
		}
	}
}

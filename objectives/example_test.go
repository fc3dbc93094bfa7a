package objectives_test

import (
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/clustergan/clustergan/backend"
	"github.com/clustergan/clustergan/layers"
	"github.com/clustergan/clustergan/losses"
	"github.com/clustergan/clustergan/objectives"
	"github.com/clustergan/clustergan/priors"
	"github.com/clustergan/clustergan/trainer"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// TestMain creates the test backend before any example runs: the pure-Go backend prints its
// configuration to stdout once, when it is created, which would otherwise land in the output
// of whichever example runs first.
func TestMain(m *testing.M) {
	backend.ForTests()
	os.Exit(m.Run())
}

// A new objective is one type with Phases, Recipe and Params, registered in its own file. This
// one (registered under a name for this example only) trains an encoder to invert a generator
// it holds fixed: ClusterGAN's latent terms without the adversarial game.
type inverter struct{}

func init() { objectives.Register("example-inverter", inverter{}) }

// Phases reads the term weights through the config function of the package that owns them
// (which checks their ranges) and leaves out a term of weight 0, as the registered objectives
// do.
func (inverter) Phases(ctx *context.Context, _ *objectives.Nets, _ int) ([]objectives.Phase, error) {
	cfg, err := losses.ConfigFromContext(ctx)
	if err != nil {
		return nil, err
	}
	p := objectives.Phase{Name: "encoder", Updates: []string{objectives.Encoder}, Optimizer: objectives.GeneratorOptimizer}
	if w := cfg.BetaN; w > 0 {
		p.Terms = append(p.Terms, objectives.Noise(w))
	}
	if w := cfg.BetaC; w > 0 {
		p.Terms = append(p.Terms, objectives.Cluster(w))
	}
	if len(p.Terms) == 0 {
		return nil, fmt.Errorf("parameters %q and %q are both 0", losses.ParamBetaN, losses.ParamBetaC)
	}
	return []objectives.Phase{p}, nil
}

func (inverter) Recipe(*context.Context) string { return "E ∘ G = id" }

func (inverter) Params() []string { return []string{losses.ParamBetaN, losses.ParamBetaC} }

// Example_newObjective trains the objective above by its registered name: the trainer runs its
// one phase and logs its terms under "<phase>/<term>".
func Example_newObjective() {
	obj, err := objectives.Get("example-inverter")
	if err != nil {
		panic(err)
	}
	ctx := trainer.NewContext(map[string]any{
		priors.ParamNoiseDim: 2, priors.ParamNumClusters: 3, losses.ParamBetaC: 0.0,
		layers.ParamArchitecture: "mlp", layers.ParamMLPHidden: []int{8}, trainer.ParamBatchSize: 4,
	})
	if err := ctx.SetRNGStateFromSeed(1); err != nil {
		panic(err)
	}
	model, err := trainer.NewModel(backend.ForTests(), ctx, []int{5})
	if err != nil {
		panic(err)
	}
	cfg, err := trainer.ConfigFromContext(ctx)
	if err != nil {
		panic(err)
	}
	tr := &trainer.Trainer{Model: model, Objective: obj, Config: cfg, TrainX: make([]float32, 10*5)}
	l, err := tr.RunStep()
	if err != nil {
		panic(err)
	}
	var names []string
	for name := range l {
		names = append(names, name)
	}
	slices.Sort(names)
	fmt.Println(obj.Recipe(ctx))
	fmt.Println(names)
	fmt.Printf("total/noise = %.4f\n", l["encoder/total"]/l["encoder/noise"]) // β_n = 10, the default
	// Output:
	// E ∘ G = id
	// [encoder/noise encoder/total]
	// total/noise = 10.0000
}

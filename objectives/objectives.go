// Package objectives defines what one training iteration minimises: an Objective is a list of
// phases (the critic update, the generator+encoder update, ...), and each phase a list of named,
// weighted loss terms together with the players whose variables it updates (style.md #16).
//
// The trainer runs phases; it knows nothing of ClusterGAN, InfoGAN or IMSAT. Objectives and the
// terms they are made of register themselves by name, one file each:
//
//	clustergan  critic: adversarial; generator+encoder: adversarial + β_n·noise + β_c·cluster
//	gan         critic: adversarial; generator: adversarial (the baselines: no encoder)
//	infogan     critic and generator: adversarial + λ·CE(z_c, Q(G(z))) (Q on the critic)
//	imsat       encoder: β_mi·information maximisation on real data (no GAN)
//
// Objectives with a generator and an encoder may add the real-data terms registered with
// RegisterEncoderTerm (reconstruction, β_x; infomax, β_mi) by giving them a weight > 0.
//
// Terms build their graphs from a Batch: the values one phase shares (a prior sample, G(z), a
// real batch, E(x), ...), each built on first use. The order in which terms ask for them is the
// order in which random numbers are drawn, so it is part of an objective's definition.
package objectives

import (
	"fmt"
	"strings"

	"github.com/clustergan/clustergan/internal/params"
	"github.com/clustergan/clustergan/internal/registry"
	"github.com/clustergan/clustergan/layers"
	"github.com/clustergan/clustergan/losses"
	"github.com/clustergan/clustergan/priors"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// ParamInfoLambda is the parameter of this package (a GoMLX context parameter, documented in
// Params). The weights of the other terms belong to package losses.
const ParamInfoLambda = "info_lambda"

// DefaultInfoLambda is the default of ParamInfoLambda, as InfoGAN's discrete codes.
const DefaultInfoLambda = 1.0

// Params declares the parameters of this package: their defaults, meanings and ranges.
var Params = params.Declare("objectives", params.Table{
	{Name: ParamInfoLambda, Default: DefaultInfoLambda, Range: params.AtLeast(0),
		Doc: "λ, the weight of InfoGAN's mutual-information term λ·CE(z_c, Q(G(z))) in both its updates; 0 drops the term"},
})

// Config holds the parameters of this package, read by ConfigFromContext.
type Config struct {
	InfoLambda float64
}

// ConfigFromContext reads the parameters of this package from ctx (defaults for those not set)
// and checks each against its range; the error names the parameter out of range.
func ConfigFromContext(ctx *context.Context) (Config, error) {
	r := Params.Reader(ctx)
	c := Config{InfoLambda: r.Float(ParamInfoLambda)}
	return c, r.Err()
}

// Players: the variable scopes of the three networks (each layers.Architecture builder opens
// its own under the context it is given).
const (
	Generator = "/" + layers.GeneratorScope
	Critic    = "/" + layers.CriticScope
	Encoder   = "/" + layers.EncoderScope
)

// Optimisers: each phase names the Adam it steps. The critic has its own; G and E share one
// (the paper's setting), whose learning rate also trains an encoder alone.
const (
	CriticOptimizer    = "critic"
	GeneratorOptimizer = "generator"
)

// Nets is what terms build graphs from: the prior, the architecture with its sizes, and the
// adversarial loss pair.
type Nets struct {
	Prior       priors.Prior
	Arch        layers.Architecture
	Spec        layers.Spec
	Adversarial losses.Adversarial
}

// Term is one named, weighted loss term of a phase: the phase minimises Σ Weight·Loss(b).
type Term struct {
	// Name is how the term is logged ("adversarial", "noise", ...), unique within a phase.
	Name string
	// Weight multiplies the term in the phase's loss (1 for the adversarial terms).
	Weight float64
	// Loss builds the unweighted term, a scalar.
	Loss func(b *Batch) *graph.Node
}

// Phase is one update of an iteration.
type Phase struct {
	// Name prefixes the logged terms: "<phase>/<term>", "<phase>/total".
	Name string
	// Updates lists the players (Generator, Critic, Encoder) whose variables this phase
	// updates; every other variable is held fixed.
	Updates []string
	// Optimizer is CriticOptimizer or GeneratorOptimizer.
	Optimizer string
	// Repeat is how many times the phase runs per iteration, each on a fresh Batch (n_critic
	// for the critic update); 0 counts as 1.
	Repeat int
	// Terms are summed in this order.
	Terms []Term
	// CriticHasCode: the critic has InfoGAN's Q head (layers.CriticWithCode); Batch.FakeScores
	// then comes from the same critic pass as Batch.FakeCode.
	CriticHasCode bool
}

// UpdatesPlayer reports whether the phase updates player's variables.
func (p Phase) UpdatesPlayer(player string) bool {
	for _, u := range p.Updates {
		if u == player {
			return true
		}
	}
	return false
}

// Objective is a registered training objective.
type Objective interface {
	// Phases returns the phases of one iteration, in order, with the term weights in ctx.
	// nCritic is the number of critic updates per iteration. Errors name the parameter to fix.
	Phases(ctx *context.Context, nets *Nets, nCritic int) ([]Phase, error)
	// Recipe names the objective with the extra terms ctx switches on, for result rows:
	// "ClusterGAN", "ClusterGAN + β_x + β_mi", "IMSAT", ...
	Recipe(ctx *context.Context) string
	// Params lists the parameters the objective reads (term weights and its own settings).
	Params() []string
}

var objectives = registry.New[Objective]("objective")

// Register adds an objective under name; it panics if name is empty or taken.
func Register(name string, o Objective) { objectives.Register(name, o) }

// Names returns the registered objective names, sorted.
func Names() []string { return objectives.Names() }

// Get returns the objective registered as name, or an error listing the valid names.
func Get(name string) (Objective, error) { return objectives.Get(name) }

// TermNames returns the "<phase>/<term>" names the phases log, the "<phase>/total" of each
// phase after its terms, in order.
func TermNames(phases []Phase) []string {
	var names []string
	for _, p := range phases {
		for _, t := range p.Terms {
			names = append(names, p.Name+"/"+t.Name)
		}
		names = append(names, p.Name+"/total")
	}
	return names
}

// Validate checks that the phases can be built: names, players, optimisers, at least one term
// each.
func Validate(phases []Phase) error {
	if len(phases) == 0 {
		return fmt.Errorf("objective has no phase")
	}
	seen := map[string]bool{}
	for _, p := range phases {
		if p.Name == "" || strings.Contains(p.Name, "/") || seen[p.Name] {
			return fmt.Errorf("phase name %q is empty, has a '/' or repeats", p.Name)
		}
		seen[p.Name] = true
		if len(p.Terms) == 0 {
			return fmt.Errorf("phase %q has no loss term", p.Name)
		}
		if len(p.Updates) == 0 {
			return fmt.Errorf("phase %q updates no player", p.Name)
		}
		if p.Optimizer != CriticOptimizer && p.Optimizer != GeneratorOptimizer {
			return fmt.Errorf("phase %q: optimizer %q is neither %q nor %q", p.Name, p.Optimizer, CriticOptimizer, GeneratorOptimizer)
		}
		terms := map[string]bool{}
		for _, t := range p.Terms {
			if t.Name == "" || t.Name == "total" || strings.Contains(t.Name, "/") || terms[t.Name] {
				return fmt.Errorf("phase %q: term name %q is empty, reserved, has a '/' or repeats", p.Name, t.Name)
			}
			terms[t.Name] = true
			if t.Loss == nil {
				return fmt.Errorf("phase %q: term %q has no loss", p.Name, t.Name)
			}
		}
	}
	return nil
}

// Batch holds what the terms of one phase share, each value built on first use: the prior
// sample, G(z), a real batch, the encoder's and the critic's outputs on them.
type Batch struct {
	Ctx  *context.Context
	Nets *Nets
	// Data is the whole training split [n, features], on the device; Real draws from it.
	Data *graph.Node
	// Size is the batch size.
	Size  int
	phase Phase

	latent                   *priors.Latent
	fake, real               *graph.Node
	fakeNoise, fakeLogits    *graph.Node
	realNoise, realLogits    *graph.Node
	fakeScores, fakeCode     *graph.Node
	encodedFake, encodedReal bool
}

// NewBatch starts the shared values of one run of phase p.
func NewBatch(ctx *context.Context, nets *Nets, data *graph.Node, size int, p Phase) *Batch {
	return &Batch{Ctx: ctx, Nets: nets, Data: data, Size: size, phase: p}
}

// Latent is the phase's prior sample.
func (b *Batch) Latent() priors.Latent {
	if b.latent == nil {
		l := b.Nets.Prior.Sample(b.Ctx, b.Data.Graph(), b.Size)
		b.latent = &l
	}
	return *b.latent
}

// Fake is G(z) for the phase's prior sample, held constant (StopGradient) in a phase that does
// not update the generator.
func (b *Batch) Fake() *graph.Node {
	if b.fake == nil {
		fake := b.Nets.Arch.Generator(b.Ctx, b.Nets.Spec, b.Latent().Z)
		if !b.phase.UpdatesPlayer(Generator) {
			fake = graph.StopGradient(fake)
		}
		b.fake = fake
	}
	return b.fake
}

// Real is a batch of training rows drawn uniformly with replacement from the context's RNG.
func (b *Batch) Real() *graph.Node {
	if b.real == nil {
		n := b.Data.Shape().Dimensions[0]
		idx := b.Ctx.RandomIntN(b.Data.Graph(), int32(n), shapes.Make(dtypes.Int32, b.Size, 1))
		b.real = graph.Gather(b.Data, idx)
	}
	return b.real
}

// Critic applies the critic to x (a new pass each call: the critic losses need D on real, fake
// and interpolated data).
func (b *Batch) Critic(x *graph.Node) *graph.Node { return b.Nets.Arch.Critic(b.Ctx, b.Nets.Spec, x) }

// FakeScores is D(G(z)); with Phase.CriticHasCode it comes from the same pass as FakeCode.
func (b *Batch) FakeScores() *graph.Node {
	if b.fakeScores == nil {
		if b.phase.CriticHasCode {
			b.fakeWithCode()
		} else {
			b.fakeScores = b.Critic(b.Fake())
		}
	}
	return b.fakeScores
}

// FakeCode is InfoGAN's Q(G(z)) logits, from the critic with a Q head.
func (b *Batch) FakeCode() *graph.Node {
	if b.fakeCode == nil {
		b.fakeWithCode()
	}
	return b.fakeCode
}

func (b *Batch) fakeWithCode() {
	cwc, ok := b.Nets.Arch.(layers.CriticWithCode)
	if !ok {
		panic(fmt.Sprintf("objectives: InfoGAN's Q head needs an architecture with one (layers.CriticWithCode); %T has none (parameter %q)",
			b.Nets.Arch, layers.ParamArchitecture))
	}
	scores, code := cwc.CriticAndCode(b.Ctx, b.Nets.Spec, b.Fake())
	if b.phase.CriticHasCode && b.fakeScores == nil {
		b.fakeScores = scores
	}
	b.fakeCode = code
}

// EncodedFake is E(G(z)): (ẑ_n, logits).
func (b *Batch) EncodedFake() (noise, logits *graph.Node) {
	if !b.encodedFake {
		b.fakeNoise, b.fakeLogits = b.Nets.Arch.Encoder(b.Ctx, b.Nets.Spec, b.Fake())
		b.encodedFake = true
	}
	return b.fakeNoise, b.fakeLogits
}

// EncodedReal is E(x) on the phase's real batch: (ẑ_n, logits).
func (b *Batch) EncodedReal() (noise, logits *graph.Node) {
	if !b.encodedReal {
		b.realNoise, b.realLogits = b.Nets.Arch.Encoder(b.Ctx, b.Nets.Spec, b.Real())
		b.encodedReal = true
	}
	return b.realNoise, b.realLogits
}

// Loss builds the weighted sum of the phase's terms and returns it with each term's unweighted
// value, in the order of p.Terms.
func Loss(b *Batch, terms []Term) (total *graph.Node, values []*graph.Node) {
	for _, t := range terms {
		v := t.Loss(b)
		values = append(values, v)
		weighted := v
		if t.Weight != 1 {
			weighted = graph.MulScalar(v, t.Weight)
		}
		if total == nil {
			total = weighted
		} else {
			total = graph.Add(total, weighted)
		}
	}
	return total, values
}

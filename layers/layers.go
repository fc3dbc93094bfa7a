// Package layers builds ClusterGAN's three networks — the generator G, the critic D and the
// encoder E — as GoMLX graphs that train on the pure-Go backend.
//
// Architectures are pluggable: each implements Architecture and registers itself under a name
// ("conv": the paper's MNIST/Fashion nets; "mlp": its 10x_73k/Pendigits nets). The trainer picks
// one with the context parameter ParamArchitecture and calls Get.
//
// Every builder opens its own scope ("generator", "critic", "encoder") under the context it is
// given, and creates or reuses its variables there, so a network can be called several times in
// one graph (the critic on real, fake and interpolated data) and across graphs, always with one
// set of variables.
//
// Only operations with first- and second-order gradients on the pure-Go backend are used: the
// convolutions are built from Gather/ScatterSum and matrix products (see Conv2D), batch
// normalisation from reductions (see BatchNorm), and the encoder's two heads are two dense layers
// rather than a split of one output.
package layers

import (
	"fmt"

	"github.com/clustergan/clustergan/internal/registry"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// ParamArchitecture selects the registered Architecture the trainer builds.
// Type string, default DefaultArchitecture ("mlp"); legal values: Names().
const ParamArchitecture = "architecture"

// DefaultArchitecture is the value of ParamArchitecture when it is not set.
const DefaultArchitecture = "mlp"

// Scopes under which the builders create their variables (below the context they are given).
const (
	GeneratorScope = "generator"
	CriticScope    = "critic"
	EncoderScope   = "encoder"
)

// Spec describes the data and latent sizes the networks are built for.
type Spec struct {
	DataShape   []int // per-example shape: {28,28,1} for MNIST, {16} for vectors
	LatentDim   int   // size of z fed to G (= NoiseDim + NumClusters for ClusterGAN)
	NoiseDim    int   // dn: size of the encoder's ẑ_n head
	NumClusters int   // K: size of the encoder's logits head (0 = no cluster head)
}

// DataSize is the flat size of one example, the product of DataShape.
func (s Spec) DataSize() int {
	n := 1
	for _, d := range s.DataShape {
		n *= d
	}
	return n
}

// Validate reports what is wrong with s, if anything.
func (s Spec) Validate() error {
	if len(s.DataShape) == 0 {
		return fmt.Errorf("layers.Spec.DataShape is empty")
	}
	for _, d := range s.DataShape {
		if d <= 0 {
			return fmt.Errorf("layers.Spec.DataShape=%v has a non-positive dimension", s.DataShape)
		}
	}
	if s.LatentDim <= 0 {
		return fmt.Errorf("layers.Spec.LatentDim=%d must be positive", s.LatentDim)
	}
	if s.NoiseDim < 0 || s.NumClusters < 0 {
		return fmt.Errorf("layers.Spec.NoiseDim=%d and NumClusters=%d must not be negative", s.NoiseDim, s.NumClusters)
	}
	if s.NoiseDim+s.NumClusters == 0 {
		return fmt.Errorf("layers.Spec: NoiseDim and NumClusters are both 0, the encoder would have no output")
	}
	return nil
}

// Architecture builds the three networks of ClusterGAN. Each method opens its own scope
// (GeneratorScope, CriticScope, EncoderScope) under ctx and reuses its variables when called
// again.
type Architecture interface {
	// Generator maps z [batch, LatentDim] to x [batch, prod(DataShape)] (flat), under scope ctx.In("generator").
	Generator(ctx *context.Context, spec Spec, z *graph.Node) *graph.Node
	// Critic maps x [batch, prod(DataShape)] to scores [batch], under scope ctx.In("critic").
	Critic(ctx *context.Context, spec Spec, x *graph.Node) *graph.Node
	// Encoder maps x to (ẑ_n [batch, NoiseDim], logits [batch, NumClusters]), under scope ctx.In("encoder").
	// A head of size 0 is returned as nil.
	Encoder(ctx *context.Context, spec Spec, x *graph.Node) (noise, logits *graph.Node)
}

var architectures = registry.New[Architecture]("architecture")

// Register adds an architecture under name; it panics if name is empty or already taken.
func Register(name string, a Architecture) { architectures.Register(name, a) }

// Names returns the registered architecture names, sorted.
func Names() []string { return architectures.Names() }

// Get returns the architecture registered as name, or an error listing the valid names.
func Get(name string) (Architecture, error) { return architectures.Get(name) }

// FromContext returns the architecture named by ParamArchitecture in ctx.
func FromContext(ctx *context.Context) (Architecture, error) {
	name := context.GetParamOr(ctx, ParamArchitecture, DefaultArchitecture)
	a, err := Get(name)
	if err != nil {
		return nil, fmt.Errorf("parameter %q: %w", ParamArchitecture, err)
	}
	return a, nil
}

// DefaultParams returns every context parameter this package reads, with its default value, for
// an experiment's default context.
func DefaultParams() map[string]any {
	return map[string]any{
		ParamArchitecture:    DefaultArchitecture,
		ParamMLPHidden:       defaultMLPHidden(),
		ParamMLPBatchNorm:    false,
		ParamMLPConvChannels: []int{},
		ParamMLPConvKernel:   defaultMLPConvKernel,
		ParamGeneratorOutput: OutputSigmoid,
		ParamHeadInit:        InitGlorot,
	}
}

// networkScope returns ctx in the network's scope, unchecked so that variables are created on
// the first call and reused on every later one (in the same graph or another).
func networkScope(ctx *context.Context, scope string) *context.Context {
	return ctx.In(scope).Checked(false)
}

// mustValidate panics (graph-building code) with a message naming the bad Spec field.
func mustValidate(spec Spec, who string) {
	if err := spec.Validate(); err != nil {
		panic(fmt.Sprintf("%s: %v", who, err))
	}
}

// checkInput panics unless x is [batch, size].
func checkInput(x *graph.Node, size int, who, what string) {
	if x.Rank() != 2 || x.Shape().Dimensions[1] != size {
		panic(fmt.Sprintf("%s: %s has shape %s, want [batch, %d]", who, what, x.Shape(), size))
	}
}

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

	"github.com/clustergan/clustergan/internal/params"
	"github.com/clustergan/clustergan/internal/registry"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Hyper-parameters of this package: GoMLX context parameters, documented in Params. All but
// ParamArchitecture are read in each network's scope, so that "/generator/mlp_hidden=256,512"
// overrides "mlp_hidden" for the generator only.
const (
	ParamArchitecture    = "architecture"
	ParamMLPHidden       = "mlp_hidden"
	ParamMLPBatchNorm    = "mlp_batch_norm"
	ParamMLPConvChannels = "mlp_conv_channels"
	ParamMLPConvKernel   = "mlp_conv_kernel"
	ParamGeneratorOutput = "generator_output"
	ParamHeadInit        = "head_init"
)

// Defaults of the parameters above (the list defaults are DefaultMLPHidden and
// DefaultMLPConvChannels).
const (
	DefaultArchitecture    = "mlp"
	DefaultMLPBatchNorm    = false // the 10x_73k nets; the Pendigits nets use true
	DefaultMLPConvKernel   = 5
	DefaultGeneratorOutput = OutputSigmoid
	DefaultHeadInit        = InitGlorot
)

// DefaultMLPHidden is the default of ParamMLPHidden: the official 10x_73k and Pendigits nets.
func DefaultMLPHidden() []int { return []int{256, 256} }

// DefaultMLPConvChannels is the default of ParamMLPConvChannels: no convolutions (the plain MLP).
func DefaultMLPConvChannels() []int { return []int{} }

// Scopes of the networks as absolute paths, where their per-network parameters are set.
var (
	allNets      = []string{"/" + GeneratorScope, "/" + CriticScope, "/" + EncoderScope}
	imageNets    = []string{"/" + CriticScope, "/" + EncoderScope}
	generatorNet = []string{"/" + GeneratorScope}
)

// Params declares the parameters of this package: their defaults, meanings, ranges and scopes.
var Params = params.Declare("layers", params.Table{
	{Name: ParamArchitecture, Default: DefaultArchitecture, Range: params.OneOfFunc(Names),
		Doc: "the networks G, D and E: conv is the paper's MNIST/Fashion nets, mlp its 10x_73k/Pendigits nets"},
	{Name: ParamMLPHidden, Default: DefaultMLPHidden(), Range: params.Each(params.AtLeast(1)), Scopes: allNets,
		Doc: "widths of the mlp nets' hidden layers; an empty list gives a single linear layer"},
	{Name: ParamMLPBatchNorm, Default: DefaultMLPBatchNorm, Scopes: allNets,
		Doc: "insert batch normalisation between each hidden layer of the mlp nets and its activation"},
	{Name: ParamMLPConvChannels, Default: DefaultMLPConvChannels(), Range: params.Each(params.AtLeast(1)), Scopes: imageNets,
		Doc: "output channels of strided mlp_conv_kernel² SAME convolutions (stride 2, then batch norm if mlp_batch_norm, then LReLU(0.2)) that the mlp critic and encoder apply to images before their hidden layers; empty: none"},
	{Name: ParamMLPConvKernel, Default: DefaultMLPConvKernel, Range: params.AtLeast(1), Scopes: imageNets,
		Doc: "kernel size of the mlp_conv_channels convolutions"},
	{Name: ParamGeneratorOutput, Default: DefaultGeneratorOutput, Range: params.OneOf(OutputSigmoid, OutputLinear), Scopes: generatorNet,
		Doc: "the mlp generator's output activation: sigmoid for data in [0, 1] (MNIST, Pendigits), linear for 10x_73k"},
	{Name: ParamHeadInit, Default: DefaultHeadInit, Range: params.OneOf(InitGlorot, InitNormal), Scopes: imageNets,
		Doc: "initialiser of the last dense layer of the critic and the encoder: glorot (uniform ±√(6/(fan_in+fan_out))) or normal (N(0, 0.02²)); the official code uses glorot for the MNIST nets, normal for the 10x_73k critic and both Pendigits heads"},
})

// Config holds the parameters of this package, read by ConfigFromContext.
type Config struct {
	Architecture string
	// Generator, Critic and Encoder are the per-network parameters as each network reads them,
	// in its own scope.
	Generator, Critic, Encoder NetConfig
}

// NetConfig holds the parameters one network reads in its scope.
type NetConfig struct {
	Hidden       []int
	BatchNorm    bool
	ConvChannels []int
	ConvKernel   int
	Output       string
	HeadInit     string
}

// ConfigFromContext reads the parameters of this package from ctx, the per-network ones in
// each network's scope below ctx, and checks each against its range; the error names the first
// parameter out of range (and its scope).
func ConfigFromContext(ctx *context.Context) (Config, error) {
	r := Params.Reader(ctx)
	c := Config{Architecture: r.String(ParamArchitecture)}
	if err := r.Err(); err != nil {
		return c, err
	}
	for _, net := range []struct {
		scope string
		cfg   *NetConfig
	}{{GeneratorScope, &c.Generator}, {CriticScope, &c.Critic}, {EncoderScope, &c.Encoder}} {
		var err error
		if *net.cfg, err = netConfig(ctx.In(net.scope)); err != nil {
			return c, err
		}
	}
	return c, nil
}

// netConfig reads the per-network parameters in ctx's scope.
func netConfig(ctx *context.Context) (NetConfig, error) {
	r := Params.Reader(ctx)
	n := NetConfig{
		Hidden:       r.Ints(ParamMLPHidden),
		BatchNorm:    r.Bool(ParamMLPBatchNorm),
		ConvChannels: r.Ints(ParamMLPConvChannels),
		ConvKernel:   r.Int(ParamMLPConvKernel),
		Output:       r.String(ParamGeneratorOutput),
		HeadInit:     r.String(ParamHeadInit),
	}
	return n, r.Err()
}

// mustNetConfig is netConfig for graph-building code: it panics, naming the parameter to fix.
func mustNetConfig(ctx *context.Context, who string) NetConfig {
	n, err := netConfig(ctx)
	if err != nil {
		panic(fmt.Sprintf("%s: %v", who, err))
	}
	return n
}

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

// FromContext returns the architecture named by ParamArchitecture in ctx, after checking every
// parameter of this package (ConfigFromContext), so that a bad value fails before a graph is
// built.
func FromContext(ctx *context.Context) (Architecture, error) {
	cfg, err := ConfigFromContext(ctx)
	if err != nil {
		return nil, err
	}
	a, err := Get(cfg.Architecture)
	if err != nil {
		return nil, fmt.Errorf("parameter %q: %w", ParamArchitecture, err)
	}
	return a, nil
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

package layers

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

func init() {
	Register("mlp", mlpNets{})
}

// Legal values of ParamGeneratorOutput.
const (
	OutputSigmoid = "sigmoid"
	OutputLinear  = "linear"
)

// mlpNets are the official 10x_73k/Pendigits networks (sudiptodip15/ClusterGAN,
// 10x_73k/clus_wgan.py and pendigit/clus_wgan.py) with configurable widths:
//
//	G: z → [FC h_i → (BN) → LReLU(0.2)]* → FC prod(DataShape) → sigmoid or linear
//	D: x → [FC h_i → (BN) → LReLU(0.2)]* → FC 1
//	E: x → [FC h_i → (BN) → LReLU(0.2)]* → FC(dn+K), split into ẑ_n and logits
//
// optionally with a stem of strided convolutions in D and E (ParamMLPConvChannels), a departure
// from those nets for image data.
//
// Weights N(0, 0.02) except the last FC of D and E (ParamHeadInit, default Glorot); zero biases.
type mlpNets struct{}

// convStem applies the strided convolutions of ParamMLPConvChannels in ctx's scope to the images
// x [batch, H·W·C] of spec.DataShape and returns their output flattened, [batch, H'·W'·C'];
// without channels it returns x.
func convStem(ctx *context.Context, spec Spec, x *graph.Node, who string) *graph.Node {
	cfg := mustNetConfig(ctx, who)
	channels, kernel := cfg.ConvChannels, cfg.ConvKernel
	if len(channels) == 0 {
		return x
	}
	shape := spec.DataShape
	switch len(shape) {
	case 2:
		shape = []int{shape[0], shape[1], 1}
	case 3:
	default:
		panic(fmt.Sprintf("%s: parameter %q (scope %q) = %v needs image data [H, W] or [H, W, C], got data shape %v",
			who, ParamMLPConvChannels, ctx.Scope(), channels, spec.DataShape))
	}
	useBN := cfg.BatchNorm
	batch := x.Shape().Dimensions[0]
	x = graph.Reshape(x, append([]int{batch}, shape...)...)
	for i, c := range channels {
		layerCtx := ctx.Inf("conv%d", i+1)
		x = Conv2D(layerCtx, x, c, kernel, 2, PaddingSame)
		if useBN {
			x = BatchNorm(layerCtx.In("bn"), x)
		}
		x = leakyReLU(x)
	}
	d := x.Shape().Dimensions
	return graph.Reshape(x, batch, d[1]*d[2]*d[3])
}

// hiddenLayers builds the FC → (BN) → LReLU stack with the widths in ctx's scope.
func hiddenLayers(ctx *context.Context, x *graph.Node, who string) *graph.Node {
	cfg := mustNetConfig(ctx, who)
	widths, useBN := cfg.Hidden, cfg.BatchNorm
	for i, width := range widths {
		layerCtx := ctx.Inf("fc%d", i+1)
		x = dense(layerCtx, x, width)
		if useBN {
			x = BatchNorm(layerCtx.In("bn"), x)
		}
		x = leakyReLU(x)
	}
	return x
}

// Generator implements Architecture.
func (mlpNets) Generator(ctx *context.Context, spec Spec, z *graph.Node) *graph.Node {
	const who = "layers mlp Generator"
	mustValidate(spec, who)
	checkInput(z, spec.LatentDim, who, "z")
	ctx = networkScope(ctx, GeneratorScope).WithInitializer(normalInit(ctx))
	x := dense(ctx.In("out"), hiddenLayers(ctx, z, who), spec.DataSize())
	if mustNetConfig(ctx, who).Output == OutputLinear {
		return x
	}
	return graph.Sigmoid(x) // OutputSigmoid, the only other value the parameter's range allows
}

// trunk opens the network's scope and runs the hidden layers shared by D, D+Q and E; it returns
// the scoped context (for the heads) and the last hidden layer.
func (mlpNets) trunk(ctx *context.Context, spec Spec, x *graph.Node, scope, who string) (*context.Context, *graph.Node) {
	mustValidate(spec, who)
	checkInput(x, spec.DataSize(), who, "x")
	ctx = networkScope(ctx, scope)
	layerCtx := ctx.WithInitializer(normalInit(ctx))
	return ctx, hiddenLayers(layerCtx, convStem(layerCtx, spec, x, who), who)
}

// Critic implements Architecture.
func (n mlpNets) Critic(ctx *context.Context, spec Spec, x *graph.Node) *graph.Node {
	ctx, hidden := n.trunk(ctx, spec, x, CriticScope, "layers mlp Critic")
	return criticHead(ctx, hidden)
}

// Encoder implements Architecture.
func (n mlpNets) Encoder(ctx *context.Context, spec Spec, x *graph.Node) (noise, logits *graph.Node) {
	ctx, hidden := n.trunk(ctx, spec, x, EncoderScope, "layers mlp Encoder")
	return encoderHeads(ctx, spec, hidden)
}

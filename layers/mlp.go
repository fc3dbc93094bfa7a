package layers

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

func init() {
	Register("mlp", mlpNets{})
}

// Parameters of the "mlp" architecture, read in each network's scope so that, for example,
// "generator/mlp_hidden=256,512" overrides "mlp_hidden" for the generator only.
const (
	// ParamMLPHidden lists the hidden-layer widths. Type []int, default [256, 256] (the official
	// 10x_73k and Pendigits nets); each width must be positive; an empty list gives a single
	// linear layer.
	ParamMLPHidden = "mlp_hidden"
	// ParamMLPBatchNorm inserts BatchNorm between each hidden FC layer and its activation.
	// Type bool, default false (10x_73k nets); the Pendigits nets use true.
	ParamMLPBatchNorm = "mlp_batch_norm"
	// ParamMLPConvChannels lists the output channels of strided convolutions that the critic
	// and the encoder apply to image data before their hidden FC layers: each is a
	// ParamMLPConvKernel² "SAME" convolution of stride 2 (28→14→7 on MNIST), then BN when
	// ParamMLPBatchNorm is set, then LReLU(0.2). Type []int, default empty (the plain MLP);
	// ignored by the generator, whose input is z. Read in each network's scope, so
	// "/encoder/mlp_conv_channels=16,32" gives the encoder alone a small convolutional stem.
	ParamMLPConvChannels = "mlp_conv_channels"
	// ParamMLPConvKernel is the kernel size of those convolutions. Type int, default 5.
	ParamMLPConvKernel = "mlp_conv_kernel"
	// ParamGeneratorOutput is the generator's output activation. Type string, default
	// OutputSigmoid; legal values OutputSigmoid (data in [0,1]: MNIST, Pendigits), OutputLinear
	// (10x_73k).
	ParamGeneratorOutput = "generator_output"
)

// Legal values of ParamGeneratorOutput.
const (
	OutputSigmoid = "sigmoid"
	OutputLinear  = "linear"
)

func defaultMLPHidden() []int { return []int{256, 256} }

// defaultMLPConvKernel is the default of ParamMLPConvKernel.
const defaultMLPConvKernel = 5

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
	channels := context.GetParamOr(ctx, ParamMLPConvChannels, []int{})
	if len(channels) == 0 {
		return x
	}
	kernel := context.GetParamOr(ctx, ParamMLPConvKernel, defaultMLPConvKernel)
	mustPositive(who+": parameters", []string{ParamMLPConvKernel}, kernel)
	for _, c := range channels {
		mustPositive(who+": parameters", []string{ParamMLPConvChannels}, c)
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
	useBN := context.GetParamOr(ctx, ParamMLPBatchNorm, false)
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
	widths := context.GetParamOr(ctx, ParamMLPHidden, defaultMLPHidden())
	useBN := context.GetParamOr(ctx, ParamMLPBatchNorm, false)
	for i, width := range widths {
		if width <= 0 {
			panic(fmt.Sprintf("%s: parameter %q (scope %q) = %v has a non-positive width", who, ParamMLPHidden, ctx.Scope(), widths))
		}
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
	switch name := context.GetParamOr(ctx, ParamGeneratorOutput, OutputSigmoid); name {
	case OutputSigmoid:
		return graph.Sigmoid(x)
	case OutputLinear:
		return x
	default:
		panic(fmt.Sprintf("%s: parameter %q (scope %q) is %q; legal values: %q, %q",
			who, ParamGeneratorOutput, ctx.Scope(), name, OutputSigmoid, OutputLinear))
	}
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

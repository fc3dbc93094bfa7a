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

// mlpNets are the official 10x_73k/Pendigits networks (sudiptodip15/ClusterGAN,
// 10x_73k/clus_wgan.py and pendigit/clus_wgan.py) with configurable widths:
//
//	G: z → [FC h_i → (BN) → LReLU(0.2)]* → FC prod(DataShape) → sigmoid or linear
//	D: x → [FC h_i → (BN) → LReLU(0.2)]* → FC 1
//	E: x → [FC h_i → (BN) → LReLU(0.2)]* → FC(dn+K), split into ẑ_n and logits
//
// Weights N(0, 0.02) except the last FC of D and E (ParamHeadInit, default Glorot); zero biases.
type mlpNets struct{}

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
	return ctx, hiddenLayers(ctx.WithInitializer(normalInit(ctx)), x, who)
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

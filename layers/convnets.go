package layers

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
)

func init() {
	Register("conv", convNets{channels1: 64, channels2: 128, hidden: 1024})
}

// Kernel, stride and padding of every convolution of the paper's image nets.
const (
	convKernel  = 4
	convStride  = 2
	convPadding = PaddingSame
)

// convNets are the official MNIST/Fashion networks (sudiptodip15/ClusterGAN, mnist/clus_wgan.py),
// for images [H, W, C] with H and W divisible by 4:
//
//	G: FC(z→hidden) → BN → ReLU → FC(→H/4·W/4·channels2) → reshape → BN → ReLU →
//	   ConvT(→channels1) [H/4→H/2] → BN → ReLU → ConvT(→C) [H/2→H] → sigmoid
//	D: Conv(C→channels1) [H→H/2] → LReLU → Conv(→channels2) [H/2→H/4] → LReLU → FC hidden →
//	   LReLU → FC 1
//	E: D's trunk → FC(hidden→dn) and FC(hidden→K), together one Glorot-initialised FC(hidden→dn+K)
//
// with 4×4 stride-2 "SAME" convolutions, BN as BatchNorm, weights N(0, 0.02) except the last FC of
// D and E (ParamHeadInit, default Glorot), zero biases. The paper uses channels1=64,
// channels2=128, hidden=1024; tests use smaller widths.
type convNets struct {
	channels1, channels2, hidden int
}

// imageShape returns spec.DataShape as (H, W, C), panicking unless it suits these nets.
func (n convNets) imageShape(spec Spec, who string) (h, w, c int) {
	mustValidate(spec, who)
	if len(spec.DataShape) != 3 || spec.DataShape[0]%4 != 0 || spec.DataShape[1]%4 != 0 {
		panic(fmt.Sprintf("%s: the conv architecture needs Spec.DataShape = [H, W, C] with H and W divisible by 4, got %v",
			who, spec.DataShape))
	}
	return spec.DataShape[0], spec.DataShape[1], spec.DataShape[2]
}

// Generator implements Architecture.
func (n convNets) Generator(ctx *context.Context, spec Spec, z *graph.Node) *graph.Node {
	const who = "layers conv Generator"
	h, w, c := n.imageShape(spec, who)
	checkInput(z, spec.LatentDim, who, "z")
	ctx = networkScope(ctx, GeneratorScope).WithInitializer(normalInit(ctx))
	batch := z.Shape().Dimensions[0]

	x := dense(ctx.In("fc1"), z, n.hidden)
	x = activations.Relu(BatchNorm(ctx.In("bn1"), x))
	x = dense(ctx.In("fc2"), x, h/4*w/4*n.channels2)
	x = graph.Reshape(x, batch, h/4, w/4, n.channels2)
	x = activations.Relu(BatchNorm(ctx.In("bn2"), x))
	x = ConvTranspose2D(ctx.In("convt1"), x, n.channels1, convKernel, convStride, convPadding)
	x = activations.Relu(BatchNorm(ctx.In("bn3"), x))
	x = ConvTranspose2D(ctx.In("convt2"), x, c, convKernel, convStride, convPadding)
	return graph.Reshape(graph.Sigmoid(x), batch, h*w*c)
}

// trunk is the part shared by D and E: two strided convolutions and a hidden FC layer.
func (n convNets) trunk(ctx *context.Context, spec Spec, x *graph.Node, who string) *graph.Node {
	h, w, c := n.imageShape(spec, who)
	checkInput(x, h*w*c, who, "x")
	batch := x.Shape().Dimensions[0]
	ctx = ctx.WithInitializer(normalInit(ctx))
	x = graph.Reshape(x, batch, h, w, c)
	x = leakyReLU(Conv2D(ctx.In("conv1"), x, n.channels1, convKernel, convStride, convPadding))
	x = leakyReLU(Conv2D(ctx.In("conv2"), x, n.channels2, convKernel, convStride, convPadding))
	x = graph.Reshape(x, batch, h/4*w/4*n.channels2) // NHWC flattening, as tcl.flatten
	return leakyReLU(dense(ctx.In("fc1"), x, n.hidden))
}

// Critic implements Architecture.
func (n convNets) Critic(ctx *context.Context, spec Spec, x *graph.Node) *graph.Node {
	ctx = networkScope(ctx, CriticScope)
	hidden := n.trunk(ctx, spec, x, "layers conv Critic")
	return criticHead(ctx, hidden)
}

// Encoder implements Architecture.
func (n convNets) Encoder(ctx *context.Context, spec Spec, x *graph.Node) (noise, logits *graph.Node) {
	ctx = networkScope(ctx, EncoderScope)
	hidden := n.trunk(ctx, spec, x, "layers conv Encoder")
	return encoderHeads(ctx, spec, hidden)
}

// criticHead is the critic's last FC(→1), reshaped to [batch].
func criticHead(ctx *context.Context, hidden *graph.Node) *graph.Node {
	in := hidden.Shape().Dimensions[1]
	ctx = ctx.In("head")
	score := dense(ctx.WithInitializer(headInit(ctx, in, 1)), hidden, 1)
	return graph.Reshape(score, hidden.Shape().Dimensions[0])
}

// encoderHeads is the encoder's last FC(hidden→dn+K), linear, built as two dense layers ("noise"
// and "logits") so that no Slice is needed (its gradient is missing on the pure-Go backend). Their
// weights are drawn as one layer's would be: Glorot limits use fan-out dn+K.
func encoderHeads(ctx *context.Context, spec Spec, hidden *graph.Node) (noise, logits *graph.Node) {
	in := hidden.Shape().Dimensions[1]
	init := headInit(ctx, in, spec.NoiseDim+spec.NumClusters)
	if spec.NoiseDim > 0 {
		noise = dense(ctx.In("noise").WithInitializer(init), hidden, spec.NoiseDim)
	}
	if spec.NumClusters > 0 {
		logits = dense(ctx.In("logits").WithInitializer(init), hidden, spec.NumClusters)
	}
	return noise, logits
}

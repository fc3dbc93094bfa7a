package layers

import (
	"fmt"
	"sync"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
)

// Padding is a convolution padding mode, as TensorFlow defines it.
type Padding string

// Padding modes.
const (
	// PaddingSame gives ceil(in/stride) outputs, padding pad_total = max((out-1)·stride+k-in, 0)
	// zeros of which pad_total/2 go before and the rest after (TensorFlow's "SAME").
	PaddingSame Padding = "SAME"
	// PaddingValid uses no padding: (in-k)/stride+1 outputs (TensorFlow's "VALID").
	PaddingValid Padding = "VALID"
)

// ConvOutputSize returns the output length of a convolution along one axis and the padding placed
// before the input, following TensorFlow's definitions of "SAME" and "VALID".
func ConvOutputSize(in, kernel, stride int, padding Padding) (out, padBefore int) {
	switch padding {
	case PaddingSame:
		out = (in + stride - 1) / stride
		padTotal := max((out-1)*stride+kernel-in, 0)
		return out, padTotal / 2
	case PaddingValid:
		if in < kernel {
			return 0, 0
		}
		return (in-kernel)/stride + 1, 0
	}
	panic(fmt.Sprintf("layers: unknown convolution padding %q; valid: %q, %q", padding, PaddingSame, PaddingValid))
}

// ConvTransposeOutputSize returns the output length of a transposed convolution along one axis,
// as tf.contrib.layers.convolution2d_transpose computes it: in·stride for "SAME",
// in·stride+max(kernel-stride, 0) for "VALID". A convolution with the same kernel, stride and
// padding maps that length back to in.
func ConvTransposeOutputSize(in, kernel, stride int, padding Padding) int {
	switch padding {
	case PaddingSame:
		return in * stride
	case PaddingValid:
		return in*stride + max(kernel-stride, 0)
	}
	panic(fmt.Sprintf("layers: unknown convolution padding %q; valid: %q, %q", padding, PaddingSame, PaddingValid))
}

// convGeometry is a 2D convolution of a [batch, height, width, ·] input, stride in both axes.
type convGeometry struct {
	batch, height, width, kh, kw, stride int
	padding                              Padding
}

// patchIndices returns, for each output pixel (batch-major, NHWC order) and each kernel tap
// (row-major), the row of the flattened input [batch·height·width, C] that the tap reads, or the
// row batch·height·width (a zero row appended to the input) where the tap falls in the padding.
// The result is cached: graphs of one shape are built many times.
func (g convGeometry) patchIndices() (indices []int32, outH, outW int) {
	outH, padTop := ConvOutputSize(g.height, g.kh, g.stride, g.padding)
	outW, padLeft := ConvOutputSize(g.width, g.kw, g.stride, g.padding)
	if cached, ok := patchIndicesCache.Load(g); ok {
		return cached.([]int32), outH, outW
	}
	sink := g.batch * g.height * g.width
	indices = make([]int32, 0, g.batch*outH*outW*g.kh*g.kw)
	for b := range g.batch {
		for oh := range outH {
			for ow := range outW {
				for i := range g.kh {
					ih := oh*g.stride - padTop + i
					for j := range g.kw {
						iw := ow*g.stride - padLeft + j
						if ih < 0 || ih >= g.height || iw < 0 || iw >= g.width {
							indices = append(indices, int32(sink))
						} else {
							indices = append(indices, int32((b*g.height+ih)*g.width+iw))
						}
					}
				}
			}
		}
	}
	patchIndicesCache.Store(g, indices)
	return indices, outH, outW
}

var patchIndicesCache sync.Map // convGeometry → []int32

// indexConst returns indices as a [len, 1] constant, the layout Gather and ScatterSum expect.
func indexConst(g *graph.Graph, indices []int32) *graph.Node {
	return graph.ConstTensor(g, tensors.FromFlatDataAndDimensions(indices, len(indices), 1))
}

// rowsIota returns the [n, 1] constant 0, 1, …, n-1.
func rowsIota(g *graph.Graph, n int) *graph.Node {
	rows := make([]int32, n)
	for i := range rows {
		rows[i] = int32(i)
	}
	return indexConst(g, rows)
}

func mustPositive(who string, names []string, values ...int) {
	for i, v := range values {
		if v <= 0 {
			panic(fmt.Sprintf("%s: %s=%d must be positive", who, names[i], v))
		}
	}
}

// Conv2DWithKernel convolves x [batch, H, W, C] (NHWC) with kernel [kh, kw, C, O] at the given
// stride (both axes) and padding, like TensorFlow's conv2d; the result is [batch, H', W', O] with
// H', W' from ConvOutputSize. No bias.
//
// It is built as im2col: x gets one zero row appended (a ScatterSum into zeros, whose gradient is
// a Gather and vice versa), a Gather with precomputed indices collects each output pixel's
// kh·kw·C inputs (padding taps read the zero row), and one matrix product applies the kernel. All
// these ops have gradients of every order on the pure-Go backend, unlike GoMLX's convolution.
func Conv2DWithKernel(x, kernel *graph.Node, stride int, padding Padding) *graph.Node {
	const who = "layers.Conv2DWithKernel"
	if x.Rank() != 4 || kernel.Rank() != 4 {
		panic(fmt.Sprintf("%s: want x [batch,H,W,C] and kernel [kh,kw,C,O], got %s and %s", who, x.Shape(), kernel.Shape()))
	}
	b, h, w, c := x.Shape().Dimensions[0], x.Shape().Dimensions[1], x.Shape().Dimensions[2], x.Shape().Dimensions[3]
	kh, kw, kc, o := kernel.Shape().Dimensions[0], kernel.Shape().Dimensions[1], kernel.Shape().Dimensions[2], kernel.Shape().Dimensions[3]
	if kc != c {
		panic(fmt.Sprintf("%s: kernel %s expects %d input channels, x %s has %d", who, kernel.Shape(), kc, x.Shape(), c))
	}
	mustPositive(who, []string{"stride"}, stride)
	geo := convGeometry{batch: b, height: h, width: w, kh: kh, kw: kw, stride: stride, padding: padding}
	indices, outH, outW := geo.patchIndices()
	if outH <= 0 || outW <= 0 {
		panic(fmt.Sprintf("%s: input %dx%d is smaller than kernel %dx%d with %s padding", who, h, w, kh, kw, padding))
	}
	g := x.Graph()
	n := b * h * w
	rows := graph.Reshape(x, n, c)
	padded := graph.ScatterSum(graph.Zeros(g, shapes.Make(x.DType(), n+1, c)), rowsIota(g, n), rows, true, true)
	patches := graph.Gather(padded, indexConst(g, indices))
	patches = graph.Reshape(patches, b*outH*outW, kh*kw*c)
	out := graph.Dot(patches, graph.Reshape(kernel, kh*kw*c, o))
	return graph.Reshape(out, b, outH, outW, o)
}

// ConvTranspose2DWithKernel is the transposed convolution of y [batch, H, W, Cin] with kernel
// [kh, kw, O, Cin] (TensorFlow's conv2d_transpose layout), giving [batch, H', W', O] with H', W'
// from ConvTransposeOutputSize. It is exactly the adjoint (the gradient with respect to the input)
// of Conv2DWithKernel with the same kernel, stride and padding, mapping [batch, H', W', O] to y's
// shape — which is how TensorFlow defines conv2d_transpose. No bias.
//
// Built as col2im: one matrix product gives each input pixel's kh·kw·O contributions, a
// ScatterSum adds them into the output pixels (contributions to padding go to an extra row) and a
// Gather drops that extra row.
func ConvTranspose2DWithKernel(y, kernel *graph.Node, stride int, padding Padding) *graph.Node {
	const who = "layers.ConvTranspose2DWithKernel"
	if y.Rank() != 4 || kernel.Rank() != 4 {
		panic(fmt.Sprintf("%s: want y [batch,H,W,Cin] and kernel [kh,kw,O,Cin], got %s and %s", who, y.Shape(), kernel.Shape()))
	}
	b, inH, inW, cin := y.Shape().Dimensions[0], y.Shape().Dimensions[1], y.Shape().Dimensions[2], y.Shape().Dimensions[3]
	kh, kw, o, kc := kernel.Shape().Dimensions[0], kernel.Shape().Dimensions[1], kernel.Shape().Dimensions[2], kernel.Shape().Dimensions[3]
	if kc != cin {
		panic(fmt.Sprintf("%s: kernel %s expects %d input channels (last axis), y %s has %d", who, kernel.Shape(), kc, y.Shape(), cin))
	}
	mustPositive(who, []string{"stride"}, stride)
	h := ConvTransposeOutputSize(inH, kh, stride, padding)
	w := ConvTransposeOutputSize(inW, kw, stride, padding)
	geo := convGeometry{batch: b, height: h, width: w, kh: kh, kw: kw, stride: stride, padding: padding}
	indices, outH, outW := geo.patchIndices()
	if outH != inH || outW != inW {
		// Cannot happen for the sizes above; guards the adjoint relation.
		panic(fmt.Sprintf("%s: internal error, conv of %dx%d gives %dx%d, not %dx%d", who, h, w, outH, outW, inH, inW))
	}
	g := y.Graph()
	n := b * h * w
	cols := graph.DotGeneral(graph.Reshape(y, b*inH*inW, cin), []int{1}, nil,
		graph.Reshape(kernel, kh*kw*o, cin), []int{1}, nil) // [pixels, kh·kw·O]
	cols = graph.Reshape(cols, b*inH*inW*kh*kw, o)
	summed := graph.ScatterSum(graph.Zeros(g, shapes.Make(y.DType(), n+1, o)), indexConst(g, indices), cols, false, false)
	out := graph.Gather(summed, rowsIota(g, n), true)
	return graph.Reshape(out, b, h, w, o)
}

// Conv2D is a convolution layer: Conv2DWithKernel with a kernel [k, k, C, outChannels] (variable
// "weights", drawn by ctx's initializer) plus a bias [outChannels] ("biases", zero), both in
// ctx's scope. x is [batch, H, W, C] (NHWC).
func Conv2D(ctx *context.Context, x *graph.Node, outChannels, kernelSize, stride int, padding Padding) *graph.Node {
	mustPositive("layers.Conv2D", []string{"outChannels", "kernelSize"}, outChannels, kernelSize)
	if x.Rank() != 4 {
		panic(fmt.Sprintf("layers.Conv2D (scope %q): want x [batch,H,W,C], got %s", ctx.Scope(), x.Shape()))
	}
	in := x.Shape().Dimensions[3]
	kernel := ctx.VariableWithShape("weights", shapes.Make(x.DType(), kernelSize, kernelSize, in, outChannels)).ValueGraph(x.Graph())
	return addChannelBias(ctx, Conv2DWithKernel(x, kernel, stride, padding))
}

// ConvTranspose2D is a transposed-convolution layer (TensorFlow's conv2d_transpose):
// ConvTranspose2DWithKernel with a kernel [k, k, outChannels, Cin] (variable "weights", drawn by
// ctx's initializer) plus a bias [outChannels] ("biases", zero), both in ctx's scope. With
// PaddingSame the spatial size grows by stride (7→14→28 in the MNIST generator).
func ConvTranspose2D(ctx *context.Context, x *graph.Node, outChannels, kernelSize, stride int, padding Padding) *graph.Node {
	mustPositive("layers.ConvTranspose2D", []string{"outChannels", "kernelSize"}, outChannels, kernelSize)
	if x.Rank() != 4 {
		panic(fmt.Sprintf("layers.ConvTranspose2D (scope %q): want x [batch,H,W,C], got %s", ctx.Scope(), x.Shape()))
	}
	in := x.Shape().Dimensions[3]
	kernel := ctx.VariableWithShape("weights", shapes.Make(x.DType(), kernelSize, kernelSize, outChannels, in)).ValueGraph(x.Graph())
	return addChannelBias(ctx, ConvTranspose2DWithKernel(x, kernel, stride, padding))
}

// addChannelBias adds a zero-initialised bias over the last axis.
func addChannelBias(ctx *context.Context, x *graph.Node) *graph.Node {
	channels := x.Shape().Dimensions[x.Rank()-1]
	bias := ctx.WithInitializer(initializers.Zero).VariableWithShape("biases", shapes.Make(x.DType(), channels)).ValueGraph(x.Graph())
	return graph.Add(x, graph.ExpandLeftToRank(bias, x.Rank()))
}

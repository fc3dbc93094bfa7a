package layers

import (
	"fmt"
	"math"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
)

// Initialisation and activation constants of the official ClusterGAN code
// (github.com/sudiptodip15/ClusterGAN, mnist/clus_wgan.py and siblings).
const (
	// WeightStdDev is the standard deviation of tf.random_normal_initializer(stddev=0.02), used
	// for every weight matrix and kernel except the heads initialised with Glorot.
	WeightStdDev = 0.02
	// LeakyReLUAlpha is the slope of leaky_relu(x, alpha=0.2) for negative inputs. GoMLX's
	// activations.LeakyRelu uses 0.3, so the slope is always passed explicitly.
	LeakyReLUAlpha = 0.2
	// BatchNormEpsilon is tf.contrib.layers.batch_norm's default epsilon (TF r1.15 API docs:
	// batch_norm(inputs, decay=0.999, center=True, scale=False, epsilon=0.001, ...)).
	BatchNormEpsilon = 1e-3
)

// Legal values of ParamHeadInit.
const (
	InitGlorot = "glorot" // uniform in ±sqrt(6/(fan_in+fan_out)), as tf.contrib's xavier_initializer
	InitNormal = "normal" // N(0, WeightStdDev²)
)

// leakyReLU is max(x, 0.2·x), the official code's leaky_relu.
func leakyReLU(x *graph.Node) *graph.Node { return activations.LeakyReluWithAlpha(x, LeakyReLUAlpha) }

// normalInit is the N(0, 0.02²) initializer of the official code.
func normalInit(ctx *context.Context) context.VariableInitializer {
	return initializers.RandomNormalFn(ctx, WeightStdDev)
}

// glorotInit draws uniformly in ±sqrt(6/(fanIn+fanOut)) whatever the variable's own shape, so
// that several variables can together form one Glorot-initialised layer (the encoder's heads).
func glorotInit(ctx *context.Context, fanIn, fanOut int) context.VariableInitializer {
	limit := math.Sqrt(6 / float64(fanIn+fanOut))
	return initializers.RandomUniformFn(ctx, -limit, limit)
}

// headInit returns the initializer that ParamHeadInit selects for a last layer fanIn→fanOut.
func headInit(ctx *context.Context, fanIn, fanOut int) context.VariableInitializer {
	if mustNetConfig(ctx, "layers head").HeadInit == InitNormal {
		return normalInit(ctx)
	}
	return glorotInit(ctx, fanIn, fanOut) // InitGlorot, the only other value the parameter's range allows
}

// dense is x·W + b with W [in, out] drawn by ctx's initializer and b [out] zero (tf.contrib's
// fully_connected without normaliser: biases_initializer=zeros). Variables "weights" and
// "biases" live directly in ctx's scope.
func dense(ctx *context.Context, x *graph.Node, out int) *graph.Node {
	in := x.Shape().Dimensions[x.Rank()-1]
	dtype := x.DType()
	w := ctx.VariableWithShape("weights", shapes.Make(dtype, in, out)).ValueGraph(x.Graph())
	b := ctx.WithInitializer(initializers.Zero).VariableWithShape("biases", shapes.Make(dtype, out)).ValueGraph(x.Graph())
	return graph.Add(graph.Dot(x, w), graph.InsertAxes(b, 0))
}

// BatchNorm normalises x over every axis but the last with the statistics of the batch itself —
// always, also when sampling — and adds a learned offset β (variable "beta", zero-initialised, in
// ctx's scope). There is no learned scale γ. This is tf.contrib.layers.batch_norm with its
// defaults (center=True, scale=False, epsilon=BatchNormEpsilon, is_training=True), as the official
// generator uses it. Gradients flow through the batch mean and variance, as in TF and PyTorch
// (GoMLX's batchnorm layer stops them). The variance is the biased one (tf.nn.moments).
func BatchNorm(ctx *context.Context, x *graph.Node) *graph.Node {
	if x.Rank() < 2 {
		panic(fmt.Sprintf("layers.BatchNorm (scope %q): input shape %s needs a batch axis and a feature axis", ctx.Scope(), x.Shape()))
	}
	features := x.Shape().Dimensions[x.Rank()-1]
	axes := make([]int, x.Rank()-1)
	for i := range axes {
		axes[i] = i
	}
	mean := graph.ReduceAndKeep(x, graph.ReduceMean, axes...)
	centred := graph.Sub(x, mean)
	variance := graph.ReduceAndKeep(graph.Square(centred), graph.ReduceMean, axes...)
	// Sqrt then Div rather than Rsqrt: Rsqrt has no gradient in GoMLX v0.26.
	normed := graph.Div(centred, graph.Sqrt(graph.AddScalar(variance, BatchNormEpsilon)))
	beta := ctx.WithInitializer(initializers.Zero).VariableWithShape("beta", shapes.Make(x.DType(), features)).ValueGraph(x.Graph())
	return graph.Add(normed, graph.ExpandLeftToRank(beta, x.Rank()))
}

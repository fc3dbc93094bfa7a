// Package losses holds ClusterGAN's losses: the adversarial losses, registered by name as
// (critic loss, generator loss) pairs ("wgan-gp", "vanilla", "hinge"), the WGAN-GP gradient
// penalty, and the latent-recovery losses of the generator+encoder update (Mukherjee et al.
// 2019, eq. 4; the official code's β_n·mean((z_n − ẑ_n)²) + β_c·mean(CE(z_c, logits))).
//
// Losses are scalar graph nodes, minimised by the player that owns them. Graph-building
// functions panic with a message naming the parameter or argument to fix.
package losses

import (
	"fmt"
	"slices"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/clustergan/clustergan/internal/registry"
)

// Hyper-parameters read by this package (GoMLX context parameters; see DefaultParams).
const (
	// ParamAdversarial names the adversarial loss (string, default "wgan-gp" as the official
	// code); one of Names(): "hinge", "vanilla", "wgan-gp".
	ParamAdversarial = "adversarial_loss"
	// ParamGPLambda is λ, the weight of the WGAN-GP gradient penalty (float, default 10); ≥ 0,
	// 0 disables the penalty.
	ParamGPLambda = "gp_lambda"
	// ParamGPPerSample chooses how the penalty's interpolation weight ε ~ U(0, 1) is drawn
	// (bool, default false): false draws one ε per batch, as the official code; true draws one
	// per example, as the WGAN-GP paper and the PyTorch port.
	ParamGPPerSample = "gp_per_sample"
	// ParamBetaN is β_n, the weight of NoiseLoss in LatentLoss (float, default 10; the paper
	// uses 0 for Fashion-MNIST); ≥ 0, 0 drops the term.
	ParamBetaN = "beta_n"
	// ParamBetaC is β_c, the weight of ClusterLoss in LatentLoss (float, default 10); ≥ 0, 0
	// drops the term.
	ParamBetaC = "beta_c"
	// ParamBetaX is β_x, the weight of ReconstructionLoss on real data (float, default 0: the
	// paper trains E on generated data only). > 0 adds β_x·mean((x − G(E(x)))²) over a real
	// batch to the generator+encoder update, so E also learns from real digits.
	ParamBetaX = "beta_x"
)

// Defaults of the parameters above.
const (
	DefaultAdversarial = "wgan-gp"
	DefaultGPLambda    = 10.0
	DefaultGPPerSample = false
	DefaultBetaN       = 10.0
	DefaultBetaC       = 10.0
	DefaultBetaX       = 0.0
)

// DefaultParams returns the parameters of this package with their defaults, for an
// experiment's default context.
func DefaultParams() map[string]any {
	return map[string]any{
		ParamAdversarial:  DefaultAdversarial,
		ParamGPLambda:     DefaultGPLambda,
		ParamGPPerSample:  DefaultGPPerSample,
		ParamBetaN:        DefaultBetaN,
		ParamBetaC:        DefaultBetaC,
		ParamBetaX:        DefaultBetaX,
		ParamBetaMI:       DefaultBetaMI,
		ParamMILambda:     DefaultMILambda,
		ParamMIEta:        DefaultMIEta,
		ParamMIShift:      DefaultMIShift,
		ParamMIVATEpsilon: DefaultMIVATEpsilon,
		ParamMIRotation:   DefaultMIRotation,
		ParamMIScale:      DefaultMIScale,
		ParamMIViews:      DefaultMIViews,
	}
}

// Critic maps x [batch, ...] to scores [batch] (or [batch, 1]). Its variables are already
// scoped by the caller, and it may be called several times in one graph.
type Critic func(x *graph.Node) *graph.Node

// Adversarial is an adversarial loss: a critic loss and a generator loss under one name.
type Adversarial interface {
	// CriticLoss is minimised by the critic (it includes the gradient penalty for wgan-gp). It
	// depends on fake too: pass StopGradient(fake), or freeze the generator, in critic updates.
	CriticLoss(ctx *context.Context, critic Critic, real, fake *graph.Node) *graph.Node
	// GeneratorLoss is minimised by the generator, from the critic's scores on generated data.
	GeneratorLoss(ctx *context.Context, fakeScores *graph.Node) *graph.Node
}

var adversarials = registry.New[Adversarial]("adversarial loss")

// Register adds an adversarial loss under name; it panics if name is empty or taken.
func Register(name string, a Adversarial) { adversarials.Register(name, a) }

// Names returns the registered adversarial loss names, sorted.
func Names() []string { return adversarials.Names() }

// Get returns the adversarial loss registered as name, or an error listing the valid names.
func Get(name string) (Adversarial, error) { return adversarials.Get(name) }

// New returns the adversarial loss named by ParamAdversarial in ctx.
func New(ctx *context.Context) (Adversarial, error) {
	name := context.GetParamOr(ctx, ParamAdversarial, DefaultAdversarial)
	a, err := Get(name)
	if err != nil {
		return nil, fmt.Errorf("parameter %q: %w", ParamAdversarial, err)
	}
	return a, nil
}

// NoiseLoss is mean((z_n − ẑ_n)²) over all elements, as the official code.
func NoiseLoss(zn, znHat *graph.Node) *graph.Node {
	if zn == nil || znHat == nil || !zn.Shape().Equal(znHat.Shape()) {
		panic(fmt.Sprintf("losses.NoiseLoss: z_n and ẑ_n must have the same shape, got %s and %s", shapeOf(zn), shapeOf(znHat)))
	}
	return graph.ReduceAllMean(graph.Square(graph.Sub(zn, znHat)))
}

// ClusterLoss is the mean over the batch of the softmax cross-entropy
// −Σ_k oneHot_k·log softmax(logits)_k, for oneHot and logits [batch, K].
func ClusterLoss(oneHot, logits *graph.Node) *graph.Node {
	if oneHot == nil || logits == nil || logits.Rank() != 2 || !slices.Equal(oneHot.Shape().Dimensions, logits.Shape().Dimensions) {
		panic(fmt.Sprintf("losses.ClusterLoss: oneHot and logits must both be [batch, K], got %s and %s", shapeOf(oneHot), shapeOf(logits)))
	}
	if !logits.DType().IsFloat() {
		panic(fmt.Sprintf("losses.ClusterLoss: logits must be float, got %s", logits.DType()))
	}
	oneHot = graph.ConvertDType(oneHot, logits.DType())
	// LogSoftmax subtracts the row maximum, so large logits do not overflow.
	perExample := graph.Neg(graph.ReduceSum(graph.Mul(oneHot, graph.LogSoftmax(logits, -1)), -1))
	return graph.ReduceAllMean(perExample)
}

// LatentLoss is β_n·NoiseLoss(zn, znHat) + β_c·ClusterLoss(oneHot, logits), with β_n and β_c
// from ParamBetaN and ParamBetaC. A term whose β is 0 is left out of the graph and its
// arguments may be nil; it panics if both are 0.
func LatentLoss(ctx *context.Context, zn, znHat, oneHot, logits *graph.Node) *graph.Node {
	betaN := nonNegativeParam(ctx, ParamBetaN, DefaultBetaN)
	betaC := nonNegativeParam(ctx, ParamBetaC, DefaultBetaC)
	var terms []*graph.Node
	if betaN > 0 {
		if zn == nil || znHat == nil {
			panic(fmt.Sprintf("losses.LatentLoss: %s = %g but z_n or ẑ_n is nil; set %s = 0 for priors without a noise part",
				ParamBetaN, betaN, ParamBetaN))
		}
		terms = append(terms, graph.MulScalar(NoiseLoss(zn, znHat), betaN))
	}
	if betaC > 0 {
		if oneHot == nil || logits == nil {
			panic(fmt.Sprintf("losses.LatentLoss: %s = %g but the one-hot code or the logits are nil; set %s = 0 for priors without clusters",
				ParamBetaC, betaC, ParamBetaC))
		}
		terms = append(terms, graph.MulScalar(ClusterLoss(oneHot, logits), betaC))
	}
	switch len(terms) {
	case 0:
		panic(fmt.Sprintf("losses.LatentLoss: %s and %s are both 0, there is no latent loss to build", ParamBetaN, ParamBetaC))
	case 1:
		return terms[0]
	}
	return graph.Add(terms[0], terms[1])
}

// BetaX returns β_x from ParamBetaX; it panics if it is negative.
func BetaX(ctx *context.Context) float64 { return nonNegativeParam(ctx, ParamBetaX, DefaultBetaX) }

// ReconstructionLoss is mean((x − xHat)²) over all elements: the real-data term that ParamBetaX
// weights, with xHat = G(E(x)).
func ReconstructionLoss(x, xHat *graph.Node) *graph.Node {
	if x == nil || xHat == nil || !x.Shape().Equal(xHat.Shape()) {
		panic(fmt.Sprintf("losses.ReconstructionLoss: x and x̂ must have the same shape, got %s and %s", shapeOf(x), shapeOf(xHat)))
	}
	return graph.ReduceAllMean(graph.Square(graph.Sub(x, xHat)))
}

// Interpolate returns x̂ = ε·real + (1−ε)·fake with ε ~ U(0, 1) from ctx's RNG: one ε for the
// whole batch, or one per example if ParamGPPerSample is true.
func Interpolate(ctx *context.Context, real, fake *graph.Node) *graph.Node {
	if real == nil || fake == nil || !real.Shape().Equal(fake.Shape()) || real.Rank() < 1 {
		panic(fmt.Sprintf("losses.Interpolate: real and fake must have the same shape [batch, ...], got %s and %s", shapeOf(real), shapeOf(fake)))
	}
	if !real.DType().IsFloat() {
		panic(fmt.Sprintf("losses.Interpolate: real and fake must be float, got %s", real.DType()))
	}
	epsShape := real.Shape().Clone()
	if context.GetParamOr(ctx, ParamGPPerSample, DefaultGPPerSample) {
		for axis := 1; axis < epsShape.Rank(); axis++ {
			epsShape.Dimensions[axis] = 1 // broadcast over each example's features
		}
	} else {
		epsShape.Dimensions = nil // a scalar
	}
	eps := ctx.RandomUniform(real.Graph(), epsShape)
	return graph.Add(fake, graph.Mul(eps, graph.Sub(real, fake)))
}

// GradientPenalty is λ·mean_b((‖∇ₓD(x̂_b)‖₂ − 1)²) with x̂ from Interpolate and λ from
// ParamGPLambda (Gulrajani et al. 2017, eq. 3); it is 0 when λ = 0. The gradient of the critic
// is part of the graph, so differentiating the penalty w.r.t. the critic's weights is a
// second-order gradient.
func GradientPenalty(ctx *context.Context, critic Critic, real, fake *graph.Node) *graph.Node {
	lambda := nonNegativeParam(ctx, ParamGPLambda, DefaultGPLambda)
	if lambda == 0 {
		return graph.ScalarZero(real.Graph(), real.DType())
	}
	return graph.MulScalar(unitGradientPenalty(critic, Interpolate(ctx, real, fake)), lambda)
}

// gradNormEpsilon is added to ‖∇D‖² before the square root: the value changes by < 1e-12
// relative for gradients of norm ≥ 1e-6, and a zero gradient (a dead ReLU critic) gets a zero
// rather than NaN second-order gradient (d√u/du is infinite at 0).
const gradNormEpsilon = 1e-12

// unitGradientPenalty is mean_b((‖∇ₓD(x_b)‖₂ − 1)²) at x.
func unitGradientPenalty(critic Critic, x *graph.Node) *graph.Node {
	scores := critic(x)
	if scores.Shape().Size() != x.Shape().Dimensions[0] {
		panic(fmt.Sprintf("losses: the critic must return one score per example ([batch] or [batch, 1]), got %s for input %s",
			scores.Shape(), x.Shape()))
	}
	grad := graph.Gradient(graph.ReduceAllSum(scores), x)[0]
	sq := graph.Square(grad)
	if x.Rank() > 1 {
		sq = graph.ReduceSum(sq, exampleAxes(x)...)
	}
	norm := graph.Sqrt(graph.AddScalar(sq, gradNormEpsilon))
	return graph.ReduceAllMean(graph.Square(graph.AddScalar(norm, -1)))
}

// exampleAxes are the axes of one example in x [batch, ...]: 1 … rank−1.
func exampleAxes(x *graph.Node) []int {
	axes := make([]int, x.Rank()-1)
	for i := range axes {
		axes[i] = i + 1
	}
	return axes
}

// softplus is log(1 + eˣ) computed as max(x, 0) + log1p(e^−|x|), which neither overflows for
// large x nor loses precision for very negative x; its gradient is exact, also at 0 (GoMLX takes
// the derivatives of max and |x| at 0 as 1, giving 1 − ½).
func softplus(x *graph.Node) *graph.Node {
	return graph.Add(graph.Max(x, graph.ZerosLike(x)), graph.Log1p(graph.Exp(graph.Neg(graph.Abs(x)))))
}

func nonNegativeParam(ctx *context.Context, key string, def float64) float64 {
	v := context.GetParamOr(ctx, key, def)
	if !(v >= 0) {
		panic(fmt.Sprintf("losses: parameter %q = %g, must be ≥ 0", key, v))
	}
	return v
}

func shapeOf(x *graph.Node) string {
	if x == nil {
		return "nil"
	}
	return x.Shape().String()
}

// checkScores returns the critic's scores, panicking unless they are float.
func checkScores(name string, scores *graph.Node) *graph.Node {
	if scores == nil || !scores.DType().IsFloat() {
		panic(fmt.Sprintf("losses: the critic's %s scores must be a float [batch] node, got %s", name, shapeOf(scores)))
	}
	return scores
}

// scoresMean is the mean of the critic's scores.
func scoresMean(name string, scores *graph.Node) *graph.Node {
	return graph.ReduceAllMean(checkScores(name, scores))
}

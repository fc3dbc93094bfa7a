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

	"github.com/clustergan/clustergan/internal/params"
	"github.com/clustergan/clustergan/internal/registry"
)

// Hyper-parameters read by this package: GoMLX context parameters, documented in Params.
const (
	ParamAdversarial = "adversarial_loss"
	ParamGPLambda    = "gp_lambda"
	ParamGPPerSample = "gp_per_sample"
	ParamBetaN       = "beta_n"
	ParamBetaC       = "beta_c"
	ParamBetaX       = "beta_x"
	// The real-data information-maximisation term (IMSAT, Hu et al. 2017, eq. 7, with data
	// augmentation as the self-augmentation): a departure from the paper, off by default.
	ParamBetaMI       = "beta_mi"
	ParamMILambda     = "mi_lambda"
	ParamMIEta        = "mi_eta"
	ParamMIShift      = "mi_shift"
	ParamMIRotation   = "mi_rotation"
	ParamMIScale      = "mi_scale"
	ParamMIViews      = "mi_views"
	ParamMIVATEpsilon = "mi_vat_epsilon"
)

// Defaults of the parameters above.
const (
	DefaultAdversarial = "wgan-gp" // as the official code
	DefaultGPLambda    = 10.0
	DefaultGPPerSample = false // one ε per batch, as the official code
	DefaultBetaN       = 10.0
	DefaultBetaC       = 10.0
	DefaultBetaX       = 0.0 // the paper trains E on generated data only
	DefaultBetaMI      = 0.0 // the paper trains E on generated data only
	// DefaultMILambda: IMSAT used 0.1 on MNIST, which the MNIST default preset uses with its
	// conv-stem encoder, while with an MLP encoder it clustered worse.
	DefaultMILambda     = 1.0
	DefaultMIEta        = 2.0 // IMSAT used 4 with λ = 0.1
	DefaultMIShift      = 3
	DefaultMIRotation   = 0.0
	DefaultMIScale      = 0.0
	DefaultMIViews      = 1
	DefaultMIVATEpsilon = 0.0
)

// Params declares the parameters of this package: their defaults, meanings and ranges.
var Params = params.Declare("losses", params.Table{
	{Name: ParamAdversarial, Default: DefaultAdversarial, Range: params.OneOfFunc(Names),
		Doc: "the adversarial loss pair (critic loss, generator loss)"},
	{Name: ParamGPLambda, Default: DefaultGPLambda, Range: params.AtLeast(0),
		Doc: "λ, the weight of the WGAN-GP gradient penalty; 0 disables it"},
	{Name: ParamGPPerSample, Default: DefaultGPPerSample,
		Doc: "draw the gradient penalty's interpolation weight ε ~ U(0, 1) per example (as the WGAN-GP paper and the PyTorch port) rather than once per batch (as the official code)"},
	{Name: ParamBetaN, Default: DefaultBetaN, Range: params.AtLeast(0),
		Doc: "β_n, the weight of the noise-recovery loss mean((z_n − ẑ_n)²) in the generator+encoder update (the paper uses 0 for Fashion-MNIST); 0 drops the term"},
	{Name: ParamBetaC, Default: DefaultBetaC, Range: params.AtLeast(0),
		Doc: "β_c, the weight of the cluster-recovery cross-entropy CE(z_c, E(G(z))) in the generator+encoder update; 0 drops the term"},
	{Name: ParamBetaX, Default: DefaultBetaX, Range: params.AtLeast(0),
		Doc: "β_x, the weight of the reconstruction loss mean((x − G(E(x)))²) on a real batch, so that E also learns from real data; 0: off, as in the paper"},
	{Name: ParamBetaMI, Default: DefaultBetaMI, Range: params.AtLeast(0),
		Doc: "β_mi, the weight of IMSAT's information maximisation on a real batch in the generator+encoder update; 0: off, as in the paper"},
	{Name: ParamMILambda, Default: DefaultMILambda, Range: params.AtLeast(0),
		Doc: "λ, the weight of the entropy terms H(Y|X) − η·H(Y) against the augmentation-consistency term inside the information maximisation (IMSAT used 0.1 on MNIST)"},
	{Name: ParamMIEta, Default: DefaultMIEta, Range: params.AtLeast(0),
		Doc: "η, the weight of the marginal entropy H(Y) against H(Y|X) inside the information maximisation; larger values push the clusters towards equal sizes (IMSAT used 4)"},
	{Name: ParamMIShift, Default: DefaultMIShift, Range: params.AtLeast(0),
		Doc: "largest random translation, in pixels, of the warped view of each real image; with mi_rotation and mi_scale also 0 there is no warped view, as vector data need"},
	{Name: ParamMIRotation, Default: DefaultMIRotation, Range: params.AtLeast(0),
		Doc: "largest rotation, in degrees, of the warped view"},
	{Name: ParamMIScale, Default: DefaultMIScale, Range: params.Interval(0, 1),
		Doc: "largest relative change of scale of the warped view (0.1 draws scales in [0.9, 1.1])"},
	{Name: ParamMIViews, Default: DefaultMIViews, Range: params.AtLeast(1),
		Doc: "number of independently warped views of each real image, whose consistency terms add up (> 1 only with a warp); each costs one more encoder pass"},
	{Name: ParamMIVATEpsilon, Default: DefaultMIVATEpsilon, Range: params.AtLeast(0),
		Doc: "ε of virtual adversarial training (IMSAT's self-augmentation): > 0 adds the view x + r_adv, r_adv of L2 norm ε per example in the data's units (about 1.5 for MNIST pixels); 0: off"},
})

// Config holds the parameters of this package, read by ConfigFromContext.
type Config struct {
	Adversarial         string
	GPLambda            float64
	GPPerSample         bool
	BetaN, BetaC, BetaX float64
	BetaMI              float64
	MILambda, MIEta     float64
	MIShift             int
	MIRotation, MIScale float64
	MIViews             int
	MIVATEpsilon        float64
}

// ConfigFromContext reads the parameters of this package from ctx (defaults for those not set)
// and checks each against its range; the error names the first parameter out of range.
func ConfigFromContext(ctx *context.Context) (Config, error) {
	r := Params.Reader(ctx)
	c := Config{
		Adversarial:  r.String(ParamAdversarial),
		GPLambda:     r.Float(ParamGPLambda),
		GPPerSample:  r.Bool(ParamGPPerSample),
		BetaN:        r.Float(ParamBetaN),
		BetaC:        r.Float(ParamBetaC),
		BetaX:        r.Float(ParamBetaX),
		BetaMI:       r.Float(ParamBetaMI),
		MILambda:     r.Float(ParamMILambda),
		MIEta:        r.Float(ParamMIEta),
		MIShift:      r.Int(ParamMIShift),
		MIRotation:   r.Float(ParamMIRotation),
		MIScale:      r.Float(ParamMIScale),
		MIViews:      r.Int(ParamMIViews),
		MIVATEpsilon: r.Float(ParamMIVATEpsilon),
	}
	return c, r.Err()
}

// MustConfig is ConfigFromContext for graph-building code: it panics, naming the parameter to
// fix.
func MustConfig(ctx *context.Context) Config {
	c, err := ConfigFromContext(ctx)
	if err != nil {
		panic("losses: " + err.Error())
	}
	return c
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

// New returns the adversarial loss named by ParamAdversarial in ctx, after checking every
// parameter of this package (ConfigFromContext).
func New(ctx *context.Context) (Adversarial, error) {
	cfg, err := ConfigFromContext(ctx)
	if err != nil {
		return nil, err
	}
	a, err := Get(cfg.Adversarial)
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
	cfg := MustConfig(ctx)
	betaN, betaC := cfg.BetaN, cfg.BetaC
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
	if MustConfig(ctx).GPPerSample {
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
	lambda := MustConfig(ctx).GPLambda
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

package losses

import (
	"fmt"
	"slices"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Parameters of the real-data information-maximisation term (IMSAT, Hu et al. 2017, eq. 7 with
// data augmentation as the self-augmentation), a departure from the paper, off by default.
const (
	// ParamBetaMI is β_mi, the weight of InfoMaxLoss on real data in the generator+encoder update
	// (float, default 0: the paper trains E on generated data only); ≥ 0.
	ParamBetaMI = "beta_mi"
	// ParamMILambda is λ, the weight of the entropy terms H(Y|X) − η·H(Y) against the
	// augmentation-consistency term inside InfoMaxLoss (float, default 1; IMSAT used 0.1 on
	// MNIST, which the MNIST default preset uses with its conv-stem encoder, while with an MLP
	// encoder it clustered worse); ≥ 0.
	ParamMILambda = "mi_lambda"
	// ParamMIEta is η, the weight of the marginal entropy H(Y) against H(Y|X) inside InfoMaxLoss
	// (float, default 2; IMSAT used 4 with λ = 0.1); ≥ 0. Larger values push the clusters
	// towards equal sizes.
	ParamMIEta = "mi_eta"
	// ParamMIShift is the largest random translation, in pixels, of the warped view of each real
	// image (int, default 3); ≥ 0. With ParamMIRotation and ParamMIScale also 0 there is no warped
	// view, as vector data need.
	ParamMIShift = "mi_shift"
	// ParamMIRotation is the largest rotation, in degrees, of the warped view (float, default 0);
	// ≥ 0.
	ParamMIRotation = "mi_rotation"
	// ParamMIScale is the largest relative change of scale of the warped view (float, default 0:
	// 0.1 draws scales in [0.9, 1.1]); in [0, 1).
	ParamMIScale = "mi_scale"
	// ParamMIViews is the number of independently warped views of each real image (int,
	// default 1); ≥ 1, and > 1 only with a warp. Their consistency terms add up, as IMSAT's
	// augmentations do; each view costs one more encoder pass, all views sharing one batch.
	ParamMIViews = "mi_views"
)

// Defaults of the parameters above.
const (
	DefaultBetaMI     = 0.0
	DefaultMILambda   = 1.0
	DefaultMIEta      = 2.0
	DefaultMIShift    = 3
	DefaultMIRotation = 0.0
	DefaultMIScale    = 0.0
	DefaultMIViews    = 1
)

// BetaMI returns β_mi from ParamBetaMI; it panics if it is negative.
func BetaMI(ctx *context.Context) float64 { return nonNegativeParam(ctx, ParamBetaMI, DefaultBetaMI) }

// MIRotation returns ParamMIRotation; it panics if it is negative.
func MIRotation(ctx *context.Context) float64 {
	return nonNegativeParam(ctx, ParamMIRotation, DefaultMIRotation)
}

// MIScale returns ParamMIScale; it panics unless it is in [0, 1).
func MIScale(ctx *context.Context) float64 {
	s := nonNegativeParam(ctx, ParamMIScale, DefaultMIScale)
	if s >= 1 {
		panic(fmt.Sprintf("losses: parameter %q = %g, must be in [0, 1)", ParamMIScale, s))
	}
	return s
}

// MIShift returns ParamMIShift; it panics if it is negative.
func MIShift(ctx *context.Context) int {
	s := context.GetParamOr(ctx, ParamMIShift, DefaultMIShift)
	if s < 0 {
		panic(fmt.Sprintf("losses: parameter %q = %d, must be ≥ 0", ParamMIShift, s))
	}
	return s
}

// MIViews returns ParamMIViews; it panics if it is below 1.
func MIViews(ctx *context.Context) int {
	v := context.GetParamOr(ctx, ParamMIViews, DefaultMIViews)
	if v < 1 {
		panic(fmt.Sprintf("losses: parameter %q = %d, must be ≥ 1", ParamMIViews, v))
	}
	return v
}

// InfoMaxLoss is IMSAT's regularised information maximisation for a batch of real data, from
// the encoder's logits on each example x_i, [batch, K], and on augmented views T_v(x_i), each
// [batch, K] or a stack of views [views, batch, K] (as one encoder pass over several views gives):
//
//	Σ_v (1/B)·Σ_i CE(p_i, q_vi) + λ·[(1/B)·Σ_i H(p_i) − η·H((1/B)·Σ_i p_i)]
//
// with p_i = softmax(logits_i), q_vi = softmax(augLogits[v]_i), λ and η from ParamMILambda and
// ParamMIEta, and the p_i of the consistency terms held constant (IMSAT's self-augmented
// training pulls the augmented views towards the clean one, not the reverse). Minimising it
// makes each assignment confident and invariant to the augmentations, and the clusters' sizes
// even.
func InfoMaxLoss(ctx *context.Context, logits *graph.Node, augLogits ...*graph.Node) *graph.Node {
	if logits == nil || logits.Rank() != 2 || len(augLogits) == 0 {
		panic(fmt.Sprintf("losses.InfoMaxLoss: needs logits [batch, K] and at least one augmented view, got %s and %d views",
			shapeOf(logits), len(augLogits)))
	}
	for _, a := range augLogits {
		if a == nil || (a.Rank() != 2 && a.Rank() != 3) || !slices.Equal(logits.Shape().Dimensions, a.Shape().Dimensions[a.Rank()-2:]) {
			panic(fmt.Sprintf("losses.InfoMaxLoss: augmented logits must be [batch, K] or [views, batch, K] with the logits' [batch, K], got %s and %s",
				shapeOf(a), shapeOf(logits)))
		}
	}
	lambda := nonNegativeParam(ctx, ParamMILambda, DefaultMILambda)
	eta := nonNegativeParam(ctx, ParamMIEta, DefaultMIEta)
	logP := graph.LogSoftmax(logits, -1)
	p := graph.Exp(logP)
	// Consistency: cross-entropy of each augmented view against the (constant) clean one.
	var consistency *graph.Node
	clean := graph.StopGradient(p)
	for _, a := range augLogits {
		target := clean
		if a.Rank() == 3 { // a stack of views: the mean over the batch of each, summed
			target = graph.ExpandAxes(target, 0)
		}
		perExample := graph.ReduceSum(graph.Mul(target, graph.LogSoftmax(a, -1)), -1)
		ce := graph.Neg(graph.ReduceAllSum(graph.ReduceMean(perExample, -1)))
		if consistency == nil {
			consistency = ce
		} else {
			consistency = graph.Add(consistency, ce)
		}
	}
	condEntropy := graph.Neg(graph.ReduceAllMean(graph.ReduceSum(graph.Mul(p, logP), -1)))
	marginal := graph.ReduceMean(p, 0)
	// The marginal is a mean of softmaxes, so no entry is exactly 0 unless a logit is -Inf; the
	// epsilon only guards that case.
	margEntropy := graph.Neg(graph.ReduceAllSum(graph.Mul(marginal, graph.Log(graph.AddScalar(marginal, 1e-12)))))
	return graph.Add(consistency, graph.MulScalar(graph.Sub(condEntropy, graph.MulScalar(margEntropy, eta)), lambda))
}

// ParamMIVATEpsilon is ε of virtual adversarial training (Miyato et al. 2018), IMSAT's
// self-augmentation: with ε > 0 InfoMaxLoss also gets the view x + r_adv, where r_adv (of L2
// norm ε per example) is the direction in which E's cluster assignment changes fastest (float,
// default 0: off); ≥ 0. In the data's units (MNIST pixels in [0, 1]: IMSAT's adaptive ε, a
// quarter of the distance to the 10th neighbour, is about 1.5 there).
const ParamMIVATEpsilon = "mi_vat_epsilon"

// DefaultMIVATEpsilon is the default of ParamMIVATEpsilon.
const DefaultMIVATEpsilon = 0.0

// vatXi is the length of the probe perturbation of VAT's power iteration: small enough for the
// second-order expansion, large enough for float32 (VAT's own code uses 1e-6).
const vatXi = 1e-6

// MIVATEpsilon returns ParamMIVATEpsilon; it panics if it is negative.
func MIVATEpsilon(ctx *context.Context) float64 {
	return nonNegativeParam(ctx, ParamMIVATEpsilon, DefaultMIVATEpsilon)
}

// VirtualAdversarialView returns x + r_adv for x [batch, ...]: r_adv is eps times the unit
// direction (per example) of one power iteration for the perturbation that most changes
// KL(softmax(logits) ‖ softmax(encode(x + r))), started from a random direction drawn from
// ctx's RNG. logits = encode(x) and is held constant. The result carries no gradient to r_adv.
func VirtualAdversarialView(ctx *context.Context, encode func(x *graph.Node) *graph.Node, x, logits *graph.Node, eps float64) *graph.Node {
	g := x.Graph()
	unit := func(v *graph.Node) *graph.Node {
		norm := graph.Sqrt(graph.AddScalar(graph.ReduceAndKeep(graph.Square(v), graph.ReduceSum, exampleAxes(v)...), 1e-24))
		return graph.Div(v, norm)
	}
	d := graph.MulScalar(unit(ctx.RandomNormal(g, x.Shape())), vatXi)
	p := graph.StopGradient(graph.Softmax(logits, -1))
	logQ := graph.LogSoftmax(encode(graph.Add(x, d)), -1)
	// KL(p ‖ q) up to p's entropy, which does not depend on d.
	kl := graph.Neg(graph.ReduceAllSum(graph.Mul(p, logQ)))
	grad := graph.Gradient(kl, d)[0]
	return graph.Add(x, graph.StopGradient(graph.MulScalar(unit(grad), eps)))
}

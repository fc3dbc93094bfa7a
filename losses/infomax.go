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
	// MNIST, which clustered worse in our MNIST probes); ≥ 0.
	ParamMILambda = "mi_lambda"
	// ParamMIEta is η, the weight of the marginal entropy H(Y) against H(Y|X) inside InfoMaxLoss
	// (float, default 2; IMSAT used 4 with λ = 0.1); ≥ 0. Larger values push the clusters
	// towards equal sizes.
	ParamMIEta = "mi_eta"
	// ParamMIShift is the largest random translation, in pixels, of the augmented view of each
	// real image (int, default 3); ≥ 0, 0 compares an image with itself (needed for vector
	// data).
	ParamMIShift = "mi_shift"
)

// Defaults of the parameters above.
const (
	DefaultBetaMI   = 0.0
	DefaultMILambda = 1.0
	DefaultMIEta    = 2.0
	DefaultMIShift  = 3
)

// BetaMI returns β_mi from ParamBetaMI; it panics if it is negative.
func BetaMI(ctx *context.Context) float64 { return nonNegativeParam(ctx, ParamBetaMI, DefaultBetaMI) }

// MIShift returns ParamMIShift; it panics if it is negative.
func MIShift(ctx *context.Context) int {
	s := context.GetParamOr(ctx, ParamMIShift, DefaultMIShift)
	if s < 0 {
		panic(fmt.Sprintf("losses: parameter %q = %d, must be ≥ 0", ParamMIShift, s))
	}
	return s
}

// InfoMaxLoss is IMSAT's regularised information maximisation for a batch of real data, from
// the encoder's logits on each example x_i and on an augmented view T(x_i), both [batch, K]:
//
//	(1/B)·Σ_i CE(p_i, q_i) + λ·[(1/B)·Σ_i H(p_i) − η·H((1/B)·Σ_i p_i)]
//
// with p_i = softmax(logits_i), q_i = softmax(augLogits_i), λ and η from ParamMILambda and
// ParamMIEta, and the p_i of
// the consistency term held constant (IMSAT's self-augmented training pulls the augmented view
// towards the clean one, not the reverse). Minimising it makes each assignment confident and
// invariant to the augmentation, and the clusters' sizes even.
func InfoMaxLoss(ctx *context.Context, logits, augLogits *graph.Node) *graph.Node {
	if logits == nil || augLogits == nil || logits.Rank() != 2 || !slices.Equal(logits.Shape().Dimensions, augLogits.Shape().Dimensions) {
		panic(fmt.Sprintf("losses.InfoMaxLoss: logits and augmented logits must both be [batch, K], got %s and %s",
			shapeOf(logits), shapeOf(augLogits)))
	}
	lambda := nonNegativeParam(ctx, ParamMILambda, DefaultMILambda)
	eta := nonNegativeParam(ctx, ParamMIEta, DefaultMIEta)
	logP := graph.LogSoftmax(logits, -1)
	p := graph.Exp(logP)
	// Consistency: cross-entropy of the augmented view against the (constant) clean one.
	consistency := graph.Neg(graph.ReduceAllMean(graph.ReduceSum(
		graph.Mul(graph.StopGradient(p), graph.LogSoftmax(augLogits, -1)), -1)))
	condEntropy := graph.Neg(graph.ReduceAllMean(graph.ReduceSum(graph.Mul(p, logP), -1)))
	marginal := graph.ReduceMean(p, 0)
	// The marginal is a mean of softmaxes, so no entry is exactly 0 unless a logit is -Inf; the
	// epsilon only guards that case.
	margEntropy := graph.Neg(graph.ReduceAllSum(graph.Mul(marginal, graph.Log(graph.AddScalar(marginal, 1e-12)))))
	return graph.Add(consistency, graph.MulScalar(graph.Sub(condEntropy, graph.MulScalar(margEntropy, eta)), lambda))
}

package losses

import (
	"fmt"
	"slices"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

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
	cfg := MustConfig(ctx)
	lambda, eta := cfg.MILambda, cfg.MIEta
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

// Virtual adversarial training (Miyato et al. 2018) is IMSAT's self-augmentation: with
// ParamMIVATEpsilon = ε > 0, InfoMaxLoss also gets the view x + r_adv, where r_adv (of L2 norm ε
// per example) is the direction in which E's cluster assignment changes fastest. ε is in the
// data's units: for MNIST pixels in [0, 1], IMSAT's adaptive ε, a quarter of the distance to the
// 10th neighbour, is about 1.5.

// vatXi is the length of the probe perturbation of VAT's power iteration: small enough for the
// second-order expansion, large enough for float32 (VAT's own code uses 1e-6).
const vatXi = 1e-6

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

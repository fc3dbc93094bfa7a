package losses

import (
	"math"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/stretchr/testify/require"
)

// softmaxRows is a plain-Go softmax of each row.
func softmaxRows(logits [][]float64) [][]float64 {
	out := make([][]float64, len(logits))
	for i, row := range logits {
		m := math.Inf(-1)
		for _, v := range row {
			m = math.Max(m, v)
		}
		var z float64
		out[i] = make([]float64, len(row))
		for k, v := range row {
			out[i][k] = math.Exp(v - m)
			z += out[i][k]
		}
		for k := range row {
			out[i][k] /= z
		}
	}
	return out
}

// infoMaxReference is IMSAT's objective written out with loops (Hu et al. 2017, eq. 7: R_SAT
// as the cross-entropy of the augmented view against the clean one, plus λ·(H(Y|X) − η·H(Y))).
// Its second return is the part that depends on the clean logits through gradients
// (λ·(H(Y|X) − η·H(Y))); the consistency's clean side is a constant.
func infoMaxReference(logits, aug [][]float64, lambda, eta float64) (total, entropyPart float64) {
	p, q := softmaxRows(logits), softmaxRows(aug)
	b, k := float64(len(p)), len(p[0])
	var ce, hCond float64
	marg := make([]float64, k)
	for i := range p {
		for j := range k {
			ce -= p[i][j] * math.Log(q[i][j]) / b
			hCond -= p[i][j] * math.Log(p[i][j]) / b
			marg[j] += p[i][j] / b
		}
	}
	var hMarg float64
	for _, m := range marg {
		hMarg -= m * math.Log(m)
	}
	return ce + lambda*(hCond-eta*hMarg), lambda * (hCond - eta*hMarg)
}

var (
	tinyLogits    = [][]float64{{2, 0, -1}, {0.5, 0.5, 0}, {-1, 3, 0.2}, {0, 0, 0}}
	tinyAugLogits = [][]float64{{1, 0.3, -1}, {0, 1, 0}, {-2, 2, 1}, {0.1, -0.1, 0.4}}
)

func TestInfoMaxLossValue(t *testing.T) {
	for _, c := range []struct{ lambda, eta float64 }{{0, 4}, {1, 0}, {1, 2}, {0.1, 4}} {
		want, _ := infoMaxReference(tinyLogits, tinyAugLogits, c.lambda, c.eta)
		ctx := context.New()
		ctx.SetParams(map[string]any{ParamMILambda: c.lambda, ParamMIEta: c.eta})
		got := run(t, ctx, func(ctx *context.Context, g *graph.Graph) []*graph.Node {
			return []*graph.Node{InfoMaxLoss(ctx, graph.Const(g, tinyLogits), graph.Const(g, tinyAugLogits))}
		})[0][0]
		require.InDelta(t, want, got, 1e-10, "%+v", c) // the loss guards log(0) with 1e-12
	}
	// Hand check with λ = 1, η = 0 on one example and two clusters: p = q = (½, ½) gives
	// CE = H = log 2, so the loss is 2·log 2.
	ctx := context.New()
	ctx.SetParams(map[string]any{ParamMILambda: 1.0, ParamMIEta: 0.0})
	got := run(t, ctx, func(ctx *context.Context, g *graph.Graph) []*graph.Node {
		z := graph.Const(g, [][]float64{{0, 0}})
		return []*graph.Node{InfoMaxLoss(ctx, z, z)}
	})[0][0]
	require.InDelta(t, 2*math.Ln2, got, 1e-12)
}

// TestInfoMaxLossGradients: w.r.t. the augmented logits the gradient is the softmax
// cross-entropy's (q − p)/B; w.r.t. the clean logits it is the entropies' only (the clean side
// of the consistency term is held constant), checked by central differences.
func TestInfoMaxLossGradients(t *testing.T) {
	const lambda, eta = 0.5, 2.0
	ctx := context.New()
	ctx.SetParams(map[string]any{ParamMILambda: lambda, ParamMIEta: eta})
	out := run(t, ctx, func(ctx *context.Context, g *graph.Graph) []*graph.Node {
		l, a := graph.Const(g, tinyLogits), graph.Const(g, tinyAugLogits)
		grads := graph.Gradient(InfoMaxLoss(ctx, l, a), l, a)
		return grads
	})
	gradClean, gradAug := out[0], out[1]
	p, q := softmaxRows(tinyLogits), softmaxRows(tinyAugLogits)
	b, k := len(p), len(p[0])
	for i := range b {
		for j := range k {
			require.InDelta(t, (q[i][j]-p[i][j])/float64(b), gradAug[i*k+j], 1e-12, "d/d aug[%d][%d]", i, j)
			const h = 1e-6
			plus, minus := clone(tinyLogits), clone(tinyLogits)
			plus[i][j] += h
			minus[i][j] -= h
			_, fp := infoMaxReference(plus, tinyAugLogits, lambda, eta)
			_, fm := infoMaxReference(minus, tinyAugLogits, lambda, eta)
			require.InDelta(t, (fp-fm)/(2*h), gradClean[i*k+j], 1e-7, "d/d logits[%d][%d]", i, j)
		}
	}
}

// TestInfoMaxLossPrefersBalancedConfidentClusters: with λ = η = 1 confident, evenly used, consistent
// assignments score lower than all examples in one cluster, and than uncertain ones.
func TestInfoMaxLossPrefersBalancedConfidentClusters(t *testing.T) {
	confident := [][]float64{{20, 0}, {0, 20}, {20, 0}, {0, 20}}
	collapsed := [][]float64{{20, 0}, {20, 0}, {20, 0}, {20, 0}}
	uncertain := [][]float64{{0, 0}, {0, 0}, {0, 0}, {0, 0}}
	loss := func(l [][]float64) float64 {
		ctx := context.New()
		ctx.SetParams(map[string]any{ParamMILambda: 1.0, ParamMIEta: 1.0})
		return run(t, ctx, func(ctx *context.Context, g *graph.Graph) []*graph.Node {
			x := graph.Const(g, l)
			return []*graph.Node{InfoMaxLoss(ctx, x, x)}
		})[0][0]
	}
	c := loss(confident)
	require.Less(t, c, loss(collapsed))
	require.Less(t, c, loss(uncertain))
	// Confident and balanced: CE ≈ H(Y|X) ≈ 0, H(Y) = log 2.
	require.InDelta(t, -math.Ln2, c, 1e-6)
}

func TestInfoMaxParams(t *testing.T) {
	for _, tc := range []struct {
		key   string
		value any
		want  string
	}{
		{ParamBetaMI, -1.0, `parameter "beta_mi": must be ≥ 0, got -1`},
		{ParamMIShift, -2, `parameter "mi_shift": must be ≥ 0, got -2`},
		{ParamMIViews, 0, `parameter "mi_views": must be ≥ 1, got 0`},
		{ParamMIScale, 1.0, `parameter "mi_scale": must be in [0, 1), got 1`},
		{ParamMIVATEpsilon, -0.5, `parameter "mi_vat_epsilon": must be ≥ 0, got -0.5`},
	} {
		ctx := context.New()
		ctx.SetParam(tc.key, tc.value)
		_, err := ConfigFromContext(ctx)
		require.EqualError(t, err, tc.want)
		require.PanicsWithValue(t, "losses: "+tc.want, func() { MustConfig(ctx) })
	}
	cfg, err := ConfigFromContext(context.New())
	require.NoError(t, err)
	require.Equal(t, DefaultMIViews, cfg.MIViews)
	require.Equal(t, DefaultBetaMI, cfg.BetaMI)
	require.Equal(t, DefaultMIShift, cfg.MIShift)
}

func clone(m [][]float64) [][]float64 {
	out := make([][]float64, len(m))
	for i := range m {
		out[i] = append([]float64(nil), m[i]...)
	}
	return out
}

// TestInfoMaxLossTwoViews: each augmented view adds its own consistency term.
func TestInfoMaxLossTwoViews(t *testing.T) {
	ctx := context.New()
	want1, entropy := infoMaxReference(tinyLogits, tinyAugLogits, DefaultMILambda, DefaultMIEta)
	want2, _ := infoMaxReference(tinyLogits, tinyLogits, DefaultMILambda, DefaultMIEta)
	got := run(t, ctx, func(ctx *context.Context, g *graph.Graph) []*graph.Node {
		l := graph.Const(g, tinyLogits)
		return []*graph.Node{InfoMaxLoss(ctx, l, graph.Const(g, tinyAugLogits), l)}
	})[0][0]
	require.InDelta(t, want1+want2-entropy, got, 1e-10)
	require.Panics(t, func() {
		run(t, ctx, func(ctx *context.Context, g *graph.Graph) []*graph.Node {
			return []*graph.Node{InfoMaxLoss(ctx, graph.Const(g, tinyLogits))}
		})
	})
}

// TestInfoMaxLossStackedViews: a stack [views, batch, K] counts as that many views passed one
// by one (value against the loop reference; each view's gradient is its own (q − p)/B), and a
// stack whose trailing dimensions are not the logits' is rejected with the shapes named.
func TestInfoMaxLossStackedViews(t *testing.T) {
	ctx := context.New()
	want1, entropy := infoMaxReference(tinyLogits, tinyAugLogits, DefaultMILambda, DefaultMIEta)
	want2, _ := infoMaxReference(tinyLogits, tinyLogits, DefaultMILambda, DefaultMIEta)
	stack := [][][]float64{tinyAugLogits, tinyLogits}
	out := run(t, ctx, func(ctx *context.Context, g *graph.Graph) []*graph.Node {
		l, s := graph.Const(g, tinyLogits), graph.Const(g, stack)
		loss := InfoMaxLoss(ctx, l, s)
		return append([]*graph.Node{loss}, graph.Gradient(loss, s)...)
	})
	require.InDelta(t, want1+want2-entropy, out[0][0], 1e-10)
	p := softmaxRows(tinyLogits)
	b, k := len(p), len(p[0])
	for v, view := range stack {
		q := softmaxRows(view)
		for i := range b {
			for j := range k {
				require.InDelta(t, (q[i][j]-p[i][j])/float64(b), out[1][(v*b+i)*k+j], 1e-12, "d/d stack[%d][%d][%d]", v, i, j)
			}
		}
	}
	require.PanicsWithValue(t, "losses.InfoMaxLoss: augmented logits must be [batch, K] or [views, batch, K] with the logits' [batch, K], got (Float64)[2 3 3] and (Float64)[4 3]", func() {
		run(t, ctx, func(ctx *context.Context, g *graph.Graph) []*graph.Node {
			bad := [][][]float64{tinyLogits[:3], tinyLogits[:3]}
			return []*graph.Node{InfoMaxLoss(ctx, graph.Const(g, tinyLogits), graph.Const(g, bad))}
		})
	})
}

// TestVirtualAdversarialView: for an encoder whose logits depend only on the first feature,
// (w·x_0, 0), the direction that changes the assignment fastest is ±e_0, so each example moves
// by exactly ε along its first feature, whatever the random start of the power iteration.
func TestVirtualAdversarialView(t *testing.T) {
	const eps = 0.5
	x := [][]float64{{0.3, 1, -2}, {-1, 0.5, 0.5}, {2, 0, 1}}
	ctx := context.New()
	require.NoError(t, ctx.SetRNGStateFromSeed(3))
	out := run(t, ctx, func(ctx *context.Context, g *graph.Graph) []*graph.Node {
		// A product, not a Slice: Slice's gradient needs Pad, which the pure-Go backend lacks.
		w := graph.Const(g, [][]float64{{3, 0}, {0, 0}, {0, 0}})
		encode := func(x *graph.Node) *graph.Node { return graph.Dot(x, w) }
		xn := graph.Const(g, x)
		return []*graph.Node{VirtualAdversarialView(ctx, encode, xn, encode(xn), eps)}
	})[0]
	for i, row := range x {
		require.InDelta(t, eps, math.Abs(out[i*3]-row[0]), 1e-6, "example %d: %v", i, out[i*3:i*3+3])
		require.InDelta(t, row[1], out[i*3+1], 1e-6, "example %d", i)
		require.InDelta(t, row[2], out[i*3+2], 1e-6, "example %d", i)
	}
}

package losses

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
	"github.com/stretchr/testify/require"

	"github.com/clustergan/clustergan/backend"
	_ "github.com/clustergan/clustergan/internal/dotgrad" // The matmul VJPs the trainer uses.
)

// run executes fn once on the test backend and returns its outputs as float64 slices.
func run(t *testing.T, ctx *context.Context, fn func(ctx *context.Context, g *graph.Graph) []*graph.Node) [][]float64 {
	t.Helper()
	if ctx == nil {
		ctx = context.New()
	}
	outs := context.MustExecOnceN(backend.ForTests(), ctx, fn)
	res := make([][]float64, len(outs))
	for i, o := range outs {
		switch o.DType() {
		case dtypes.Float64:
			res[i] = tensors.MustCopyFlatData[float64](o)
		case dtypes.Float32:
			for _, v := range tensors.MustCopyFlatData[float32](o) {
				res[i] = append(res[i], float64(v))
			}
		default:
			t.Fatalf("output %d has dtype %s", i, o.DType())
		}
	}
	return res
}

// Tiny inputs shared by the value tests. The linear critic D(x) = x·w with w = (3, 4) gives
// D(real) = (0.1·3, 1·4) = (0.3, 4) and D(fake) = (1·3 + 1·4, −1·3) = (7, −3); its gradient is w
// everywhere, so ‖∇D‖ = 5 at any x̂ and the penalty is λ·(5 − 1)² = 10·16 = 160.
var (
	tinyReal = [][]float64{{0.1, 0}, {0, 1}}
	tinyFake = [][]float64{{1, 1}, {-1, 0}}
	tinyW    = []float64{3, 4}
)

func tinyLoss(t *testing.T, name string, params map[string]any) (criticLoss, generatorLoss float64) {
	t.Helper()
	a, err := Get(name)
	require.NoError(t, err)
	ctx := context.New()
	ctx.SetParams(params)
	require.NoError(t, ctx.SetRNGStateFromSeed(1))
	out := run(t, ctx, func(ctx *context.Context, g *graph.Graph) []*graph.Node {
		w := graph.Const(g, tinyW)
		critic := func(x *graph.Node) *graph.Node { return graph.Dot(x, w) }
		real, fake := graph.Const(g, tinyReal), graph.Const(g, tinyFake)
		return []*graph.Node{a.CriticLoss(ctx, critic, real, fake), a.GeneratorLoss(ctx, critic(fake))}
	})
	return out[0][0], out[1][0]
}

func TestAdversarialValues(t *testing.T) {
	t.Run("wgan-gp", func(t *testing.T) {
		c, g := tinyLoss(t, "wgan-gp", nil)
		// mean D(fake) − mean D(real) + GP = (7 − 3)/2 − (0.3 + 4)/2 + 160 = 2 − 2.15 + 160.
		// The penalty's ε = 1e-12 under the square root adds λ·2·4·(1e-12/(2·5)) = 8e-12.
		require.InDelta(t, 159.85, c, 1e-10)
		// −mean D(fake) = −2.
		require.InDelta(t, -2, g, 1e-12)
		for _, perSample := range []bool{false, true} {
			c, _ = tinyLoss(t, "wgan-gp", map[string]any{ParamGPLambda: 0.5, ParamGPPerSample: perSample})
			require.InDelta(t, -0.15+0.5*16, c, 1e-10, "λ = 0.5, per sample = %v", perSample)
		}
		c, _ = tinyLoss(t, "wgan-gp", map[string]any{ParamGPLambda: 0.0})
		require.InDelta(t, -0.15, c, 1e-12, "λ = 0 drops the penalty")
	})
	t.Run("vanilla", func(t *testing.T) {
		c, g := tinyLoss(t, "vanilla", nil)
		// softplus(x) = log(1 + eˣ):
		// real: (softplus(−0.3) + softplus(−4))/2 = (0.554355244 + 0.018149928)/2 = 0.286252586
		// fake: (softplus(7) + softplus(−3))/2 = (7.000911466 + 0.048587352)/2 = 3.524749409
		require.InDelta(t, 3.811001995, c, 1e-9)
		// (softplus(−7) + softplus(3))/2 = (0.000911466 + 3.048587352)/2 = 1.524749409.
		require.InDelta(t, 1.524749409, g, 1e-9)
	})
	t.Run("hinge", func(t *testing.T) {
		c, g := tinyLoss(t, "hinge", nil)
		// real: (relu(1 − 0.3) + relu(1 − 4))/2 = (0.7 + 0)/2 = 0.35
		// fake: (relu(1 + 7) + relu(1 − 3))/2 = (8 + 0)/2 = 4
		require.InDelta(t, 4.35, c, 1e-12)
		require.InDelta(t, -2, g, 1e-12)
	})
}

func TestSoftplus(t *testing.T) {
	xs := []float64{-100, -1, 0, 1, 100}
	for _, dtype := range []dtypes.DType{dtypes.Float64, dtypes.Float32} {
		out := run(t, nil, func(_ *context.Context, g *graph.Graph) []*graph.Node {
			x := graph.ConvertDType(graph.Const(g, xs), dtype)
			y := softplus(x)
			return []*graph.Node{y, graph.Gradient(graph.ReduceAllSum(y), x)[0]}
		})
		for i, x := range xs {
			// log(1+eˣ) overflows float32 at x = 100 when computed naively; the reference uses
			// log1p(eˣ) for x ≤ 0 and x + log1p(e⁻ˣ) otherwise.
			want := math.Log1p(math.Exp(x))
			if x > 0 {
				want = x + math.Log1p(math.Exp(-x))
			}
			tol := 1e-15
			if dtype == dtypes.Float32 {
				tol = 1e-6
			}
			require.InDelta(t, want, out[0][i], tol*(1+math.Abs(want)), "%s softplus(%g)", dtype, x)
			// d softplus/dx = sigmoid(x); exactly ½ at 0.
			require.InDelta(t, 1/(1+math.Exp(-x)), out[1][i], tol, "%s softplus'(%g)", dtype, x)
		}
		if dtype == dtypes.Float64 {
			require.Greater(t, out[0][0], 0.0, "softplus(−100) ≈ e⁻¹⁰⁰ must not round to 0 in float64")
		}
	}
}

func TestNoiseLoss(t *testing.T) {
	zn := [][]float64{{1, 2}, {3, 4}}
	znHat := [][]float64{{1, 0}, {0, 4}}
	out := run(t, nil, func(_ *context.Context, g *graph.Graph) []*graph.Node {
		a, b := graph.Const(g, zn), graph.Const(g, znHat)
		loss := NoiseLoss(a, b)
		return []*graph.Node{loss, graph.Gradient(loss, b)[0]}
	})
	// Differences (0, 2, 3, 0), squares (0, 4, 9, 0): mean 13/4.
	require.InDelta(t, 3.25, out[0][0], 1e-15)
	// d/dẑ mean((z − ẑ)²) = −2(z − ẑ)/N with N = 4 elements.
	require.InDeltaSlice(t, []float64{0, -1, -1.5, 0}, out[1], 1e-15)

	g := graph.NewGraph(backend.ForTests(), "bad")
	defer g.Finalize()
	require.PanicsWithValue(t, "losses.NoiseLoss: z_n and ẑ_n must have the same shape, got (Float64)[2 2] and (Float64)[2 3]", func() {
		NoiseLoss(graph.Zeros(g, shapes.Make(dtypes.Float64, 2, 2)), graph.Zeros(g, shapes.Make(dtypes.Float64, 2, 3)))
	})
}

func TestClusterLoss(t *testing.T) {
	logits := [][]float64{{1, 2, 3}, {0, 0, 0}}
	oneHot := [][]float32{{0, 0, 1}, {1, 0, 0}} // float32 like priors' one-hot: converted to the logits' dtype
	out := run(t, nil, func(_ *context.Context, g *graph.Graph) []*graph.Node {
		l := graph.Const(g, logits)
		loss := ClusterLoss(graph.Const(g, oneHot), l)
		return []*graph.Node{loss, graph.Gradient(loss, l)[0]}
	})
	// CE = logsumexp(l) − l_k: row 1: log(e + e² + e³) − 3 = 3.407605964 − 3 = 0.407605964;
	// row 2: log 3 − 0 = 1.098612289. Mean 0.753109127.
	require.InDelta(t, 0.753109126556245, out[0][0], 1e-12)
	// d CE/d logits = (softmax(l) − onehot)/batch, batch = 2, computed here from the definition.
	var want []float64
	for i, row := range logits {
		var z float64
		for _, v := range row {
			z += math.Exp(v)
		}
		for j, v := range row {
			want = append(want, (math.Exp(v)/z-float64(oneHot[i][j]))/2)
		}
	}
	require.InDeltaSlice(t, want, out[1], 1e-12)
	// Large logits: LogSoftmax must not overflow (e^1000 does).
	out = run(t, nil, func(_ *context.Context, g *graph.Graph) []*graph.Node {
		return []*graph.Node{ClusterLoss(graph.Const(g, [][]float64{{0, 1}}), graph.Const(g, [][]float64{{1000, 0}}))}
	})
	require.InDelta(t, 1000, out[0][0], 1e-9)
}

func TestLatentLoss(t *testing.T) {
	zn := [][]float64{{1, 2}, {3, 4}}
	znHat := [][]float64{{1, 0}, {0, 4}}
	logits := [][]float64{{1, 2, 3}, {0, 0, 0}}
	oneHot := [][]float64{{0, 0, 1}, {1, 0, 0}}
	const noiseLoss, clusterLoss = 3.25, 0.753109126556245 // from TestNoiseLoss and TestClusterLoss
	latent := func(params map[string]any, withNoise, withClusters bool) float64 {
		ctx := context.New()
		ctx.SetParams(params)
		return run(t, ctx, func(ctx *context.Context, g *graph.Graph) []*graph.Node {
			var a, b, c, d *graph.Node
			if withNoise {
				a, b = graph.Const(g, zn), graph.Const(g, znHat)
			}
			if withClusters {
				c, d = graph.Const(g, oneHot), graph.Const(g, logits)
			}
			return []*graph.Node{LatentLoss(ctx, a, b, c, d)}
		})[0][0]
	}
	require.InDelta(t, 10*noiseLoss+10*clusterLoss, latent(nil, true, true), 1e-12, "defaults β_n = β_c = 10")
	require.InDelta(t, 2*noiseLoss+0.5*clusterLoss, latent(map[string]any{ParamBetaN: 2, ParamBetaC: 0.5}, true, true), 1e-12)
	require.InDelta(t, 10*clusterLoss, latent(map[string]any{ParamBetaN: 0.0}, false, true), 1e-12,
		"β_n = 0 (the paper's Fashion setting) drops the noise term, whose inputs may then be nil")
	require.InDelta(t, 3*noiseLoss, latent(map[string]any{ParamBetaN: 3, ParamBetaC: 0}, true, false), 1e-12)
	require.PanicsWithValue(t, `losses.LatentLoss: beta_c = 10 but the one-hot code or the logits are nil; set beta_c = 0 for priors without clusters`,
		func() { latent(nil, true, false) })
	require.PanicsWithValue(t, `losses: parameter "beta_n": must be ≥ 0, got -1`, func() { latent(map[string]any{ParamBetaN: -1.0}, true, true) })
	require.Panics(t, func() { latent(map[string]any{ParamBetaN: 0, ParamBetaC: 0}, true, true) })
}

// tanhCritic is D(x_b) = Σ_j tanh((x_b·W)_j)·v_j for x [batch, in], W [in, hidden], v [hidden].
func tanhCritic(w, v *graph.Node) Critic {
	return func(x *graph.Node) *graph.Node { return graph.Dot(graph.Tanh(graph.Dot(x, w)), v) }
}

// Plain-Go counterparts of tanhCritic, for finite differences. Matrices are row-major.
type plainCritic struct {
	in, hidden int
	w, v       []float64
}

func (c plainCritic) score(x []float64) float64 {
	var s float64
	for j := 0; j < c.hidden; j++ {
		var u float64
		for i := 0; i < c.in; i++ {
			u += x[i] * c.w[i*c.hidden+j]
		}
		s += math.Tanh(u) * c.v[j]
	}
	return s
}

// fdGradNorm is ‖∇D(x)‖₂ by central differences: error ≈ h²·|D”'|/6 ≈ 1e-12 for h = 1e-6 and
// O(1) derivatives, plus rounding ≈ 1e-16/1e-6 = 1e-10.
func (c plainCritic) fdGradNorm(x []float64) float64 {
	const h = 1e-6
	var sq float64
	for i := range x {
		xp := append([]float64(nil), x...)
		xp[i] += h
		xm := append([]float64(nil), x...)
		xm[i] -= h
		d := (c.score(xp) - c.score(xm)) / (2 * h)
		sq += d * d
	}
	return math.Sqrt(sq)
}

// penalty is λ·mean_b((‖∇D(x̂_b)‖ − 1)²) for x̂ [batch, in].
func (c plainCritic) penalty(lambda float64, xHat []float64) float64 {
	batch := len(xHat) / c.in
	var sum float64
	for b := 0; b < batch; b++ {
		n := c.fdGradNorm(xHat[b*c.in : (b+1)*c.in])
		sum += (n - 1) * (n - 1)
	}
	return lambda * sum / float64(batch)
}

func randomMatrix(rng *rand.Rand, rows, cols int, scale float64) [][]float64 {
	m := make([][]float64, rows)
	for i := range m {
		m[i] = make([]float64, cols)
		for j := range m[i] {
			m[i][j] = scale * rng.NormFloat64()
		}
	}
	return m
}

func flatten(m [][]float64) []float64 {
	var f []float64
	for _, row := range m {
		f = append(f, row...)
	}
	return f
}

// TestGradientPenalty checks the penalty, the whole wgan-gp critic loss and the penalty's
// gradient w.r.t. the critic's weights (a second-order gradient) against finite differences of
// a plain-Go critic. x̂ depends on the RNG: a graph that only interpolates, run from the same
// seed, draws the same ε (it is the first random draw in both graphs).
func TestGradientPenalty(t *testing.T) {
	const batch, in, hidden, lambda, seed = 4, 3, 5, 10.0, 7
	rng := rand.New(rand.NewPCG(1, 2))
	real, fake := randomMatrix(rng, batch, in, 1), randomMatrix(rng, batch, in, 1)
	wM, v := randomMatrix(rng, in, hidden, 0.7), randomMatrix(rng, 1, hidden, 1)[0]
	pc := plainCritic{in: in, hidden: hidden, w: flatten(wM), v: v}

	for _, perSample := range []bool{false, true} {
		newCtx := func() *context.Context {
			ctx := context.New()
			ctx.SetParams(map[string]any{ParamGPLambda: lambda, ParamGPPerSample: perSample})
			require.NoError(t, ctx.SetRNGStateFromSeed(seed))
			return ctx
		}
		xHat := run(t, newCtx(), func(ctx *context.Context, g *graph.Graph) []*graph.Node {
			return []*graph.Node{Interpolate(ctx, graph.Const(g, real), graph.Const(g, fake))}
		})[0]
		out := run(t, newCtx(), func(ctx *context.Context, g *graph.Graph) []*graph.Node {
			w := graph.Const(g, wM)
			critic := tanhCritic(w, graph.Const(g, v))
			r, f := graph.Const(g, real), graph.Const(g, fake)
			gp := GradientPenalty(ctx, critic, r, f)
			return []*graph.Node{gp, graph.Gradient(gp, w)[0]}
		})
		gp, gpGrad := out[0][0], out[1]

		wantGP := pc.penalty(lambda, xHat)
		require.InDelta(t, wantGP, gp, 1e-7*(1+wantGP), "per sample = %v", perSample)
		require.Greater(t, wantGP, 1e-3, "the test needs a non-trivial penalty")

		// ∂GP/∂W by central differences of the plain-Go penalty (itself built on finite
		// differences): error ≈ h²·|GP'''| + 1e-10/h ≈ 1e-8 for h = 1e-4.
		const h = 1e-4
		for k := range pc.w {
			plus, minus := pc, pc
			plus.w = append([]float64(nil), pc.w...)
			plus.w[k] += h
			minus.w = append([]float64(nil), pc.w...)
			minus.w[k] -= h
			fd := (plus.penalty(lambda, xHat) - minus.penalty(lambda, xHat)) / (2 * h)
			require.InDelta(t, fd, gpGrad[k], 1e-5*(1+math.Abs(fd)), "∂GP/∂W[%d], per sample = %v", k, perSample)
		}

		// The whole critic loss: mean D(fake) − mean D(real) + GP.
		loss := run(t, newCtx(), func(ctx *context.Context, g *graph.Graph) []*graph.Node {
			critic := tanhCritic(graph.Const(g, wM), graph.Const(g, v))
			return []*graph.Node{WGANGP{}.CriticLoss(ctx, critic, graph.Const(g, real), graph.Const(g, fake))}
		})[0][0]
		var meanReal, meanFake float64
		for b := 0; b < batch; b++ {
			meanReal += pc.score(real[b]) / batch
			meanFake += pc.score(fake[b]) / batch
		}
		require.InDelta(t, meanFake-meanReal+wantGP, loss, 1e-7*(1+math.Abs(loss)), "per sample = %v", perSample)
	}
}

// TestInterpolate checks the structure of x̂ = ε·real + (1−ε)·fake: real − x̂ = (1−ε)(real − fake)
// with a single ratio 1−ε for the whole batch by default, one per row with ParamGPPerSample.
func TestInterpolate(t *testing.T) {
	const batch, dim = 8, 3
	rng := rand.New(rand.NewPCG(3, 4))
	real, fake := randomMatrix(rng, batch, dim, 1), randomMatrix(rng, batch, dim, 1)
	for _, perSample := range []bool{false, true} {
		ctx := context.New()
		ctx.SetParam(ParamGPPerSample, perSample)
		require.NoError(t, ctx.SetRNGStateFromSeed(5))
		xHat := run(t, ctx, func(ctx *context.Context, g *graph.Graph) []*graph.Node {
			return []*graph.Node{Interpolate(ctx, graph.Const(g, real), graph.Const(g, fake))}
		})[0]
		rowRatios := make([]float64, batch)
		for b := 0; b < batch; b++ {
			for j := 0; j < dim; j++ {
				ratio := (real[b][j] - xHat[b*dim+j]) / (real[b][j] - fake[b][j])
				require.True(t, ratio >= 0 && ratio <= 1, "ratio %g outside [0, 1]", ratio)
				if j == 0 {
					rowRatios[b] = ratio
				}
				// |real − fake| ≳ 0.1 here, so rounding moves the ratio by ≲ 1e-14.
				require.InDelta(t, rowRatios[b], ratio, 1e-12, "one ε per example: row %d, column %d", b, j)
			}
		}
		distinct := 0
		for b := 1; b < batch; b++ {
			if math.Abs(rowRatios[b]-rowRatios[0]) > 1e-12 {
				distinct++
			}
		}
		if perSample {
			require.Equal(t, batch-1, distinct, "per-sample ε must differ between rows: %v", rowRatios)
		} else {
			require.Zero(t, distinct, "per-batch ε must be the same for all rows: %v", rowRatios)
		}
	}
}

// TestCriticTraining takes a few Adam steps on each critic loss with a context-variable critic
// (real and fake batches fixed and well separated) and checks that the loss goes down.
func TestCriticTraining(t *testing.T) {
	const batch, in, hidden, steps = 16, 4, 8, 30
	rng := rand.New(rand.NewPCG(5, 6))
	real, fake := randomMatrix(rng, batch, in, 0.3), randomMatrix(rng, batch, in, 0.3)
	for b := range real {
		for j := range real[b] {
			real[b][j]++
			fake[b][j]--
		}
	}
	w0, v0 := randomMatrix(rng, in, hidden, 0.1), randomMatrix(rng, 1, hidden, 0.1)[0]
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			a, err := Get(name)
			require.NoError(t, err)
			ctx := context.New().Checked(false)
			require.NoError(t, ctx.SetRNGStateFromSeed(9))
			criticCtx := ctx.In("critic")
			w := criticCtx.VariableWithValue("w", w0)
			v := criticCtx.VariableWithValue("v", v0)
			opt := optimizers.Adam().LearningRate(0.01).Done()
			exec := context.MustNewExec(backend.ForTests(), ctx, func(ctx *context.Context, g *graph.Graph) *graph.Node {
				critic := tanhCritic(w.ValueGraph(g), v.ValueGraph(g))
				loss := a.CriticLoss(ctx, critic, graph.Const(g, real), graph.Const(g, fake))
				opt.UpdateGraph(ctx, g, loss)
				return loss
			})
			var losses []float64
			for range steps {
				losses = append(losses, tensors.ToScalar[float64](exec.MustExec()[0]))
			}
			// Average over 3 steps: the wgan-gp loss moves with the random ε.
			first := (losses[0] + losses[1] + losses[2]) / 3
			last := (losses[steps-1] + losses[steps-2] + losses[steps-3]) / 3
			require.Less(t, last, first-0.1*math.Abs(first), "%s critic loss: %v", name, losses)
		})
	}
}

func TestRegistry(t *testing.T) {
	require.Equal(t, []string{"hinge", "vanilla", "wgan-gp"}, Names())
	require.Panics(t, func() { Register("hinge", Hinge{}) })

	a, err := New(context.New())
	require.NoError(t, err)
	require.Equal(t, WGANGP{}, a, "the default is the official code's wgan-gp")

	ctx := context.New()
	ctx.SetParam(ParamAdversarial, "lsgan")
	_, err = New(ctx)
	require.Error(t, err)
	require.Contains(t, err.Error(), ParamAdversarial)
	require.Contains(t, err.Error(), "lsgan")
	for _, name := range Names() {
		require.Contains(t, err.Error(), name)
	}
}

func TestDefaults(t *testing.T) {
	// Official ClusterGAN code: WGAN-GP, λ = 10, one ε per batch, β_n = β_c = 10 (MNIST).
	require.Equal(t, map[string]any{
		ParamAdversarial: "wgan-gp",
		ParamGPLambda:    10.0,
		ParamGPPerSample: false,
		ParamBetaN:       10.0,
		ParamBetaC:       10.0,
		ParamBetaX:       0.0,
		// The real-data terms are off by default: the paper trains E on generated data only.
		ParamBetaMI:       0.0,
		ParamMILambda:     1.0,
		ParamMIEta:        2.0,
		ParamMIShift:      3,
		ParamMIVATEpsilon: 0.0,
		ParamMIRotation:   0.0,
		ParamMIScale:      0.0,
		ParamMIViews:      1,
	}, Params.Defaults())
	cfg, err := ConfigFromContext(context.New())
	require.NoError(t, err)
	declared, err := ConfigFromContext(Params.NewContext())
	require.NoError(t, err)
	require.Equal(t, cfg, declared, "the defaults the code falls back to are the declared ones")
	// The params are looked up the scope chain.
	ctx := context.New()
	ctx.SetParam(ParamGPLambda, -1.0)
	require.PanicsWithValue(t, `losses: parameter "gp_lambda" (scope "/critic"): must be ≥ 0, got -1`, func() {
		run(t, ctx.In("critic"), func(ctx *context.Context, g *graph.Graph) []*graph.Node {
			x := graph.Const(g, tinyReal)
			return []*graph.Node{GradientPenalty(ctx, func(x *graph.Node) *graph.Node { return graph.ReduceSum(x, 1) }, x, x)}
		})
	})
}

func TestCriticShapeCheck(t *testing.T) {
	g := graph.NewGraph(backend.ForTests(), "bad")
	defer g.Finalize()
	x := graph.Const(g, tinyReal)
	require.PanicsWithValue(t,
		"losses: the critic must return one score per example ([batch] or [batch, 1]), got (Float64)[2 2] for input (Float64)[2 2]",
		func() { unitGradientPenalty(func(x *graph.Node) *graph.Node { return x }, x) })
}

func TestReconstructionLoss(t *testing.T) {
	x := [][]float64{{0, 1}, {0.5, 0.5}}
	xHat := [][]float64{{0.5, 1}, {0.5, 0}}
	out := run(t, nil, func(_ *context.Context, g *graph.Graph) []*graph.Node {
		a, b := graph.Const(g, x), graph.Const(g, xHat)
		loss := ReconstructionLoss(a, b)
		return []*graph.Node{loss, graph.Gradient(loss, b)[0]}
	})
	// Differences (−0.5, 0, 0, 0.5), squares (0.25, 0, 0, 0.25): mean 0.125.
	require.InDelta(t, 0.125, out[0][0], 1e-15)
	// d/dx̂ mean((x − x̂)²) = −2(x − x̂)/N with N = 4.
	require.InDeltaSlice(t, []float64{0.25, 0, 0, -0.25}, out[1], 1e-15)
	g := graph.NewGraph(backend.ForTests(), "bad")
	defer g.Finalize()
	require.Panics(t, func() {
		ReconstructionLoss(graph.Zeros(g, shapes.Make(dtypes.Float64, 2, 2)), graph.Zeros(g, shapes.Make(dtypes.Float64, 2, 3)))
	})
	ctx := context.New()
	ctx.SetParam(ParamBetaX, -1.0)
	_, err := ConfigFromContext(ctx)
	require.EqualError(t, err, `parameter "beta_x": must be ≥ 0, got -1`)
}

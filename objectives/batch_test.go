package objectives

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/clustergan/clustergan/backend"
	"github.com/clustergan/clustergan/layers"
	"github.com/clustergan/clustergan/losses"
	"github.com/clustergan/clustergan/priors"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/stretchr/testify/require"
)

// Terms evaluated on tiny hand-computed inputs: a prior that always draws the same two
// latents, and nets simple enough to compute by hand, which count how often each is built.

// fixedPrior always draws z = [z_n, e_k] with z_n = {{0.1, −0.2}, {0.3, 0.4}} and k = 0, 1.
type fixedPrior struct{ samples *int }

func (fixedPrior) Dim() int                              { return 4 }
func (fixedPrior) NoiseDim() int                         { return 2 }
func (fixedPrior) NumClusters() int                      { return 2 }
func (fixedPrior) Split() (noise, clusters int, ok bool) { return 2, 2, true }
func (fixedPrior) SampleNoise(*rand.Rand, []float32)     {}
func (fixedPrior) NoiseMeanSquare() float64              { return 0 }
func (fixedPrior) NoiseBounds() (lo, hi float64)         { return math.Inf(-1), math.Inf(1) }
func (p fixedPrior) Sample(_ *context.Context, g *graph.Graph, _ int) priors.Latent {
	*p.samples++
	noise := graph.Const(g, [][]float32{{0.1, -0.2}, {0.3, 0.4}})
	oneHot := graph.Const(g, [][]float32{{1, 0}, {0, 1}})
	return priors.Latent{Z: graph.Concatenate([]*graph.Node{noise, oneHot}, 1), Noise: noise, OneHot: oneHot,
		Cluster: graph.Const(g, []int32{0, 1})}
}

// countingNets: G(z) = w·z with a generator variable w = 2; D(x) = c·Σ_j x_j with a critic
// variable c = 1; E(x) = (0.25·x[:, :2], x[:, 2:]).
type countingNets struct{ generator, critic, encoder int }

func (n *countingNets) Generator(ctx *context.Context, _ layers.Spec, z *graph.Node) *graph.Node {
	n.generator++
	w := ctx.In(layers.GeneratorScope).VariableWithValue("w", float32(2)).ValueGraph(z.Graph())
	return graph.Mul(z, w)
}

func (n *countingNets) Critic(ctx *context.Context, _ layers.Spec, x *graph.Node) *graph.Node {
	n.critic++
	return criticScores(ctx, x)
}

func criticScores(ctx *context.Context, x *graph.Node) *graph.Node {
	c := ctx.In(layers.CriticScope).VariableWithValue("c", float32(1)).ValueGraph(x.Graph())
	return graph.Mul(graph.ReduceSum(x, 1), c)
}

func (n *countingNets) Encoder(_ *context.Context, _ layers.Spec, x *graph.Node) (noise, logits *graph.Node) {
	n.encoder++
	return columns(x, 0, 0.25), columns(x, 2, 1)
}

// columns returns scale·x[:, from:from+2] of x [batch, 4], as a product with a constant
// selection matrix (the gradient of a slice needs Pad, which the pure-Go backend lacks).
func columns(x *graph.Node, from int, scale float32) *graph.Node {
	sel := make([][]float32, 4)
	for i := range sel {
		sel[i] = make([]float32, 2)
	}
	sel[from][0], sel[from+1][1] = scale, scale
	return graph.MatMul(x, graph.Const(x.Graph(), sel))
}

// meanGap is a hand-computable adversarial pair: the critic minimises mean D(fake) − mean D(real),
// the generator −mean D(fake).
type meanGap struct{}

func (meanGap) CriticLoss(_ *context.Context, critic losses.Critic, real, fake *graph.Node) *graph.Node {
	return graph.Sub(graph.ReduceAllMean(critic(fake)), graph.ReduceAllMean(critic(real)))
}

func (meanGap) GeneratorLoss(_ *context.Context, fakeScores *graph.Node) *graph.Node {
	return graph.Neg(graph.ReduceAllMean(fakeScores))
}

// evalPhase builds phase p of obj on the fixed nets with real data of three rows [1, 1, 1, 1]
// (so every real batch is the same), and returns the phase's total, its terms' values, the
// gradients of the total with respect to the generator's w and the critic's c, and the counts.
func evalPhase(t *testing.T, ctx *context.Context, p Phase) (total float64, values []float64, dW, dC float64, nets *countingNets, samples int) {
	t.Helper()
	nets = &countingNets{}
	n := &Nets{Prior: fixedPrior{samples: &samples}, Arch: nets, Adversarial: meanGap{},
		Spec: layers.Spec{DataShape: []int{4}, LatentDim: 4, NoiseDim: 2, NumClusters: 2}}
	require.NoError(t, ctx.SetRNGStateFromSeed(1))
	outs := context.MustExecOnceN(backend.ForTests(), ctx, func(ctx *context.Context, g *graph.Graph) []*graph.Node {
		data := graph.Const(g, [][]float32{{1, 1, 1, 1}, {1, 1, 1, 1}, {1, 1, 1, 1}})
		b := NewBatch(ctx, n, data, 2, p)
		tot, vals := Loss(b, p.Terms)
		// The variables exist once the terms have built the nets.
		w := ctx.GetVariableByScopeAndName(Generator, "w").ValueGraph(g)
		c := ctx.GetVariableByScopeAndName(Critic, "c").ValueGraph(g)
		grads := graph.Gradient(tot, w, c)
		return append([]*graph.Node{tot, grads[0], grads[1]}, vals...)
	})
	scalar := func(x *tensors.Tensor) float64 { return float64(tensors.ToScalar[float32](x)) }
	for _, o := range outs[3:] {
		values = append(values, scalar(o))
	}
	return scalar(outs[0]), values, scalar(outs[1]), scalar(outs[2]), nets, samples
}

// Hand-computed values of the fixed nets. z = {{0.1, −0.2, 1, 0}, {0.3, 0.4, 0, 1}},
// G(z) = 2z = {{0.2, −0.4, 2, 0}, {0.6, 0.8, 0, 2}}, D(G(z)) = (1.8, 3.4) with mean 2.6, and
// D(x) = 4 on every real row.
const (
	genAdversarial = -2.6
	criticGap      = 2.6 - 4
	// E(G(z)) noise = 0.25·G(z)[:, :2] = {{0.05, −0.1}, {0.15, 0.2}}; z_n − ẑ_n = {{0.05, −0.1},
	// {0.15, 0.2}}; mean of squares (0.0025 + 0.01 + 0.0225 + 0.04)/4.
	noiseTerm = 0.075 / 4
	// Logits {{2, 0}, {0, 2}} against codes e_0, e_1: −log softmax = log(1 + e⁻²) for both rows.
)

var clusterTerm = math.Log1p(math.Exp(-2))

func TestClusterGANTermValues(t *testing.T) {
	ctx := context.New().Checked(false)
	ctx.SetParams(map[string]any{losses.ParamBetaN: 3.0, losses.ParamBetaC: 0.5})
	phases, err := ClusterGAN{}.Phases(ctx, &Nets{Spec: layers.Spec{LatentDim: 4, NoiseDim: 2, NumClusters: 2}}, 2)
	require.NoError(t, err)

	t.Run("critic", func(t *testing.T) {
		total, values, dW, dC, nets, samples := evalPhase(t, ctx, phases[0])
		require.InDelta(t, criticGap, total, 1e-6)
		require.InDelta(t, criticGap, values[0], 1e-6)
		// The critic update holds G(z) constant: no gradient reaches G's variable. d/dc of
		// c·(2.6 − 4) is −1.4.
		require.Zero(t, dW)
		require.InDelta(t, criticGap, dC, 1e-6)
		require.Equal(t, countingNets{generator: 1, critic: 2, encoder: 0}, *nets, "one G pass, D on real and fake")
		require.Equal(t, 1, samples)
	})
	t.Run("generator", func(t *testing.T) {
		total, values, dW, _, nets, samples := evalPhase(t, ctx, phases[1])
		require.InDeltaSlice(t, []float64{genAdversarial, noiseTerm, clusterTerm}, values, 1e-6)
		require.InDelta(t, genAdversarial+3*noiseTerm+0.5*clusterTerm, total, 1e-6)
		// The generator update trains G: d/dw of −mean(Σ_j w·z_j) is −mean(Σ_j z_j) = −1.3, plus
		// the latent terms' share, so it is not 0.
		require.NotZero(t, dW)
		// The noise and cluster terms share one E(G(z)) pass over one G(z) of one prior sample.
		require.Equal(t, countingNets{generator: 1, critic: 1, encoder: 1}, *nets)
		require.Equal(t, 1, samples)
	})
}

func TestRealDataTermValues(t *testing.T) {
	// β_x and β_mi on a real batch x = [1, 1, 1, 1]: E(x) = ((0.25, 0.25), logits (1, 1)).
	ctx := context.New().Checked(false)
	ctx.SetParams(map[string]any{losses.ParamBetaN: 1.0, losses.ParamBetaC: 1.0, losses.ParamBetaX: 2.0, losses.ParamBetaMI: 0.5,
		losses.ParamMIShift: 0, losses.ParamMIEta: 1.0})
	phases, err := ClusterGAN{}.Phases(ctx, &Nets{Spec: layers.Spec{DataShape: []int{4}, LatentDim: 4, NoiseDim: 2, NumClusters: 2}}, 1)
	require.NoError(t, err)
	total, values, _, _, nets, samples := evalPhase(t, ctx, phases[1])
	// Reconstruction: G((0.25, 0.25, softmax(1, 1))) = (0.5, 0.5, 1, 1); mean((x − x̂)²) =
	// (0.25 + 0.25)/4. Information maximisation with the clean view only, λ = 1, η = 1: the
	// consistency CE(p, p) = H(p) = ln 2, plus H(p) − η·H(mean p) = ln 2 − ln 2.
	const recon = 0.125
	infomax := math.Ln2
	require.InDeltaSlice(t, []float64{genAdversarial, noiseTerm, clusterTerm, recon, infomax}, values, 1e-6)
	require.InDelta(t, genAdversarial+noiseTerm+clusterTerm+2*recon+0.5*infomax, total, 1e-6)
	// E runs once on G(z) and once on the real batch, which both real-data terms share; G runs on
	// z and on E(x).
	require.Equal(t, countingNets{generator: 2, critic: 1, encoder: 2}, *nets)
	require.Equal(t, 1, samples)

	// IMSAT: the same term alone with weight 1, and nothing but E on the real batch.
	phases, err = IMSAT{}.Phases(ctx, &Nets{Spec: layers.Spec{DataShape: []int{4}, LatentDim: 4, NoiseDim: 2, NumClusters: 2}}, 1)
	require.NoError(t, err)
	nets = &countingNets{}
	var imsatSamples int
	n := &Nets{Prior: fixedPrior{samples: &imsatSamples}, Arch: nets, Adversarial: meanGap{},
		Spec: layers.Spec{DataShape: []int{4}, LatentDim: 4, NoiseDim: 2, NumClusters: 2}}
	require.NoError(t, ctx.SetRNGStateFromSeed(1))
	out := context.MustExecOnce(backend.ForTests(), ctx, func(ctx *context.Context, g *graph.Graph) *graph.Node {
		data := graph.Const(g, [][]float32{{1, 1, 1, 1}, {1, 1, 1, 1}})
		tot, _ := Loss(NewBatch(ctx, n, data, 2, phases[0]), phases[0].Terms)
		return tot
	})
	require.InDelta(t, infomax, float64(tensors.ToScalar[float32](out)), 1e-6)
	require.Equal(t, countingNets{encoder: 1}, *nets)
	require.Zero(t, imsatSamples, "IMSAT draws no latent")
}

func TestInfoGANTermValues(t *testing.T) {
	// A critic with a Q head: InfoGAN's phases read D's scores and Q's code from one pass.
	ctx := context.New().Checked(false)
	ctx.SetParam(ParamInfoLambda, 2.0)
	nets := &qNets{}
	phases, err := InfoGAN{}.Phases(ctx, &Nets{Arch: nets, Spec: layers.Spec{LatentDim: 4, NoiseDim: 2, NumClusters: 2}}, 1)
	require.NoError(t, err)
	var samples int
	n := &Nets{Prior: fixedPrior{samples: &samples}, Arch: nets, Adversarial: meanGap{},
		Spec: layers.Spec{DataShape: []int{4}, LatentDim: 4, NoiseDim: 2, NumClusters: 2}}
	require.NoError(t, ctx.SetRNGStateFromSeed(1))
	outs := context.MustExecOnceN(backend.ForTests(), ctx, func(ctx *context.Context, g *graph.Graph) []*graph.Node {
		data := graph.Const(g, [][]float32{{1, 1, 1, 1}})
		tot, vals := Loss(NewBatch(ctx, n, data, 2, phases[1]), phases[1].Terms)
		return append([]*graph.Node{tot}, vals...)
	})
	// Q's logits are G(z)[:, 2:] = {{2, 0}, {0, 2}}: the cluster term's CE, log(1 + e⁻²).
	got := []float64{}
	for _, o := range outs {
		got = append(got, float64(tensors.ToScalar[float32](o)))
	}
	require.InDeltaSlice(t, []float64{genAdversarial + 2*clusterTerm, genAdversarial, clusterTerm}, got, 1e-6)
	require.Equal(t, 1, nets.withCode, "one critic pass gives the scores and the code")
	require.Zero(t, nets.critic)
	require.Equal(t, 1, samples)
}

// qNets adds InfoGAN's Q head to countingNets: Q(x) = x[:, 2:].
type qNets struct {
	countingNets
	withCode int
}

func (n *qNets) CriticAndCode(ctx *context.Context, _ layers.Spec, x *graph.Node) (scores, logits *graph.Node) {
	n.withCode++
	return criticScores(ctx, x), columns(x, 2, 1)
}

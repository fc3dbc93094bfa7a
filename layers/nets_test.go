package layers

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/clustergan/clustergan/backend"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
	"github.com/stretchr/testify/require"
)

var (
	// The paper's MNIST setting: dn = 30, K = 10.
	mnistSpec = Spec{DataShape: []int{28, 28, 1}, LatentDim: 40, NoiseDim: 30, NumClusters: 10}
	// Pendigits-like vectors: dn = 5, K = 10.
	vectorSpec = Spec{DataShape: []int{16}, LatentDim: 15, NoiseDim: 5, NumClusters: 10}
	// The conv architecture with small widths on 8×8 images, for tests that execute it.
	tinyConv     = convNets{channels1: 2, channels2: 3, hidden: 8}
	tinyConvSpec = Spec{DataShape: []int{8, 8, 1}, LatentDim: 5, NoiseDim: 3, NumClusters: 2}
)

func TestRegistry(t *testing.T) {
	require.Equal(t, []string{"conv", "mlp"}, Names())
	a, err := Get("conv")
	require.NoError(t, err)
	require.Equal(t, convNets{channels1: 64, channels2: 128, hidden: 1024}, a)
	_, err = Get("resnet")
	require.ErrorContains(t, err, `unknown architecture "resnet"; valid values: conv, mlp`)

	ctx := context.New()
	a, err = FromContext(ctx)
	require.NoError(t, err)
	require.Equal(t, mlpNets{}, a, "default architecture")
	ctx.SetParam(ParamArchitecture, "resnet")
	_, err = FromContext(ctx)
	require.ErrorContains(t, err, ParamArchitecture)

	require.Panics(t, func() { Register("mlp", mlpNets{}) }, "duplicate name")
	for _, key := range []string{ParamArchitecture, ParamMLPHidden, ParamMLPBatchNorm, ParamMLPConvChannels, ParamMLPConvKernel,
		ParamGeneratorOutput, ParamHeadInit} {
		require.Contains(t, Params.Defaults(), key)
	}
}

// TestConfigFromContext: the per-network parameters are read in each network's scope, and a
// bad value, at the root or in a scope, fails naming the parameter and the scope.
func TestConfigFromContext(t *testing.T) {
	cfg, err := ConfigFromContext(context.New())
	require.NoError(t, err)
	declared, err := ConfigFromContext(Params.NewContext())
	require.NoError(t, err)
	require.Equal(t, cfg, declared, "the defaults the code falls back to are the declared ones")
	want := NetConfig{Hidden: DefaultMLPHidden(), BatchNorm: DefaultMLPBatchNorm, ConvChannels: DefaultMLPConvChannels(),
		ConvKernel: DefaultMLPConvKernel, Output: DefaultGeneratorOutput, HeadInit: DefaultHeadInit}
	require.Equal(t, Config{Architecture: DefaultArchitecture, Generator: want, Critic: want, Encoder: want}, cfg)

	ctx := Params.NewContext()
	ctx.In(EncoderScope).SetParams(map[string]any{ParamMLPHidden: []int{128}, ParamMLPConvChannels: []int{16, 32}})
	cfg, err = ConfigFromContext(ctx)
	require.NoError(t, err)
	require.Equal(t, []int{128}, cfg.Encoder.Hidden)
	require.Equal(t, []int{16, 32}, cfg.Encoder.ConvChannels)
	require.Equal(t, DefaultMLPHidden(), cfg.Generator.Hidden)
	require.Empty(t, cfg.Critic.ConvChannels)

	ctx.In(CriticScope).SetParam(ParamHeadInit, "zeros")
	_, err = ConfigFromContext(ctx)
	require.EqualError(t, err, `parameter "head_init" (scope "/critic"): must be one of: glorot, normal, got "zeros"`)
	_, err = FromContext(ctx)
	require.EqualError(t, err, `parameter "head_init" (scope "/critic"): must be one of: glorot, normal, got "zeros"`)
	ctx = Params.NewContext()
	ctx.SetParam(ParamMLPHidden, []int{64, 0})
	_, err = FromContext(ctx)
	require.EqualError(t, err, `parameter "mlp_hidden" (scope "/generator"): every element must be ≥ 1, got [64 0]`)
	ctx.SetParam(ParamArchitecture, "resnet")
	_, err = FromContext(ctx)
	require.EqualError(t, err, `parameter "architecture": must be one of: conv, mlp, got "resnet"`)
}

func TestSpecValidate(t *testing.T) {
	require.NoError(t, mnistSpec.Validate())
	require.Equal(t, 784, mnistSpec.DataSize())
	for _, tc := range []struct {
		spec Spec
		want string
	}{
		{Spec{LatentDim: 4, NoiseDim: 1}, "DataShape is empty"},
		{Spec{DataShape: []int{4, 0}, LatentDim: 4, NoiseDim: 1}, "non-positive"},
		{Spec{DataShape: []int{4}, NoiseDim: 1}, "LatentDim"},
		{Spec{DataShape: []int{4}, LatentDim: 4, NoiseDim: -1}, "negative"},
		{Spec{DataShape: []int{4}, LatentDim: 4}, "both 0"},
	} {
		require.ErrorContains(t, tc.spec.Validate(), tc.want)
	}
}

// buildNets builds G, D and E symbolically (no execution) and returns their outputs.
func buildNets(ctx *context.Context, a Architecture, spec Spec, batch int) (gen, score, noise, logits *graph.Node) {
	g := graph.NewGraph(backend.ForTests(), "shapes")
	z := graph.Parameter(g, "z", shapes.Make(dtypes.Float32, batch, spec.LatentDim))
	x := graph.Parameter(g, "x", shapes.Make(dtypes.Float32, batch, spec.DataSize()))
	gen = a.Generator(ctx, spec, z)
	score = a.Critic(ctx, spec, x)
	noise, logits = a.Encoder(ctx, spec, x)
	return
}

// paramsUnder counts the parameters of the variables in scope and its sub-scopes.
func paramsUnder(ctx *context.Context, scope string) int {
	n := 0
	for v := range ctx.IterVariables() {
		if v.Scope() == scope || strings.HasPrefix(v.Scope(), scope+"/") {
			n += v.Shape().Size()
		}
	}
	return n
}

func TestConvArchitecture(t *testing.T) {
	a, err := Get("conv")
	require.NoError(t, err)
	ctx := context.New()
	gen, score, noise, logits := buildNets(ctx, a, mnistSpec, 3)
	t.Run("shapes", func(t *testing.T) {
		require.Equal(t, []int{3, 784}, gen.Shape().Dimensions)
		require.Equal(t, []int{3}, score.Shape().Dimensions)
		require.Equal(t, []int{3, 30}, noise.Shape().Dimensions)
		require.Equal(t, []int{3, 10}, logits.Shape().Dimensions)
	})
	t.Run("parameter counts", func(t *testing.T) {
		// Hand count for MNIST (z = 30 + 10 = 40; 4×4 kernels; FC, conv and convT layers have
		// biases; BN has β only):
		// G: FC 40·1024+1024 = 41,984; BN 1,024; FC 1024·6272+6272 = 6,428,800 (6272 = 7·7·128);
		//    BN 128; ConvT 4·4·128·64+64 = 131,136; BN 64; ConvT 4·4·64·1+1 = 1,025
		//    → 6,604,161.
		// D: Conv 4·4·1·64+64 = 1,088; Conv 4·4·64·128+128 = 131,200; FC 6272·1024+1024 =
		//    6,423,552; FC 1024+1 = 1,025 → 6,556,865.
		// E: D's trunk 6,555,840 + FC 1024·40+40 = 41,000 → 6,596,840.
		require.Equal(t, 6_604_161, paramsUnder(ctx, "/generator"))
		require.Equal(t, 6_556_865, paramsUnder(ctx, "/critic"))
		require.Equal(t, 6_596_840, paramsUnder(ctx, "/encoder"))
		require.Equal(t, 6_604_161+6_556_865+6_596_840, ctx.NumParameters(), "variables outside the three scopes")
		require.Equal(t, []int{4, 4, 64, 128}, ctx.GetVariableByScopeAndName("/generator/convt1", "weights").Shape().Dimensions)
		require.Equal(t, []int{4, 4, 1, 64}, ctx.GetVariableByScopeAndName("/critic/conv1", "weights").Shape().Dimensions)
	})
	t.Run("bad spec", func(t *testing.T) {
		require.PanicsWithValue(t,
			"layers conv Generator: the conv architecture needs Spec.DataShape = [H, W, C] with H and W divisible by 4, got [16]",
			func() { buildNets(context.New(), a, vectorSpec, 2) })
		bad := mnistSpec
		bad.LatentDim = 0
		require.Panics(t, func() { buildNets(context.New(), a, bad, 2) })
	})
}

func TestMLPArchitecture(t *testing.T) {
	a, err := Get("mlp")
	require.NoError(t, err)
	t.Run("shapes and parameter counts", func(t *testing.T) {
		ctx := context.New()
		gen, score, noise, logits := buildNets(ctx, a, vectorSpec, 3)
		require.Equal(t, []int{3, 16}, gen.Shape().Dimensions)
		require.Equal(t, []int{3}, score.Shape().Dimensions)
		require.Equal(t, []int{3, 5}, noise.Shape().Dimensions)
		require.Equal(t, []int{3, 10}, logits.Shape().Dimensions)
		// Default widths 256, 256:
		// G: 15·256+256 + 256·256+256 + 256·16+16 = 4,096 + 65,792 + 4,112 = 74,000.
		// D: 16·256+256 + 65,792 + 256+1 = 4,352 + 65,792 + 257 = 70,401.
		// E: 4,352 + 65,792 + 256·15+15 = 73,999.
		require.Equal(t, 74_000, paramsUnder(ctx, "/generator"))
		require.Equal(t, 70_401, paramsUnder(ctx, "/critic"))
		require.Equal(t, 73_999, paramsUnder(ctx, "/encoder"))
	})
	t.Run("per-network widths and batch norm", func(t *testing.T) {
		ctx := context.New()
		ctx.SetParam(ParamMLPHidden, []int{5})
		ctx.In(GeneratorScope).SetParam(ParamMLPHidden, []int{4, 6})
		ctx.In(EncoderScope).SetParam(ParamMLPBatchNorm, true)
		buildNets(ctx, a, vectorSpec, 2)
		shape := func(scope, name string) []int {
			v := ctx.GetVariableByScopeAndName(scope, name)
			require.NotNil(t, v, "%s/%s", scope, name)
			return v.Shape().Dimensions
		}
		require.Equal(t, []int{15, 4}, shape("/generator/fc1", "weights"))
		require.Equal(t, []int{4, 6}, shape("/generator/fc2", "weights"))
		require.Equal(t, []int{6, 16}, shape("/generator/out", "weights"))
		require.Equal(t, []int{16, 5}, shape("/critic/fc1", "weights"))
		require.Equal(t, []int{5, 1}, shape("/critic/head", "weights"))
		require.Equal(t, []int{5}, shape("/encoder/fc1/bn", "beta"))
		require.Equal(t, []int{5, 5}, shape("/encoder/noise", "weights"))
		require.Equal(t, []int{5, 10}, shape("/encoder/logits", "weights"))
		require.Nil(t, ctx.GetVariableByScopeAndName("/critic/fc1/bn", "beta"), "BN only where asked")
	})
	t.Run("conv stem", func(t *testing.T) {
		// 8×8 images, 3×3 stride-2 "SAME" convolutions: 8→4→2, so fc1 sees 2·2·3 = 12 features.
		ctx := context.New()
		ctx.SetParam(ParamMLPHidden, []int{5})
		ctx.In(EncoderScope).SetParams(map[string]any{ParamMLPConvChannels: []int{2, 3}, ParamMLPConvKernel: 3, ParamMLPBatchNorm: true})
		_, score, noise, logits := buildNets(ctx, a, tinyConvSpec, 4)
		require.Equal(t, []int{4}, score.Shape().Dimensions)
		require.Equal(t, []int{4, 3}, noise.Shape().Dimensions)
		require.Equal(t, []int{4, 2}, logits.Shape().Dimensions)
		shape2 := func(ctx *context.Context, scope, name string) []int {
			v := ctx.GetVariableByScopeAndName(scope, name)
			require.NotNil(t, v, "%s/%s", scope, name)
			return v.Shape().Dimensions
		}
		shape := func(scope, name string) []int { return shape2(ctx, scope, name) }
		require.Equal(t, []int{3, 3, 1, 2}, shape("/encoder/conv1", "weights"))
		require.Equal(t, []int{2}, shape("/encoder/conv1/bn", "beta"))
		require.Equal(t, []int{3, 3, 2, 3}, shape("/encoder/conv2", "weights"))
		require.Equal(t, []int{12, 5}, shape("/encoder/fc1", "weights"))
		require.Equal(t, []int{64, 5}, shape("/critic/fc1", "weights"), "the critic keeps the plain MLP")
		require.Nil(t, ctx.GetVariableByScopeAndName("/critic/conv1", "weights"))

		// Images given as [H, W] get one channel; vector data are rejected with the parameter named.
		flat := tinyConvSpec
		flat.DataShape = []int{8, 8}
		ctx = context.New()
		ctx.In(EncoderScope).SetParams(map[string]any{ParamMLPConvChannels: []int{2, 3}, ParamMLPConvKernel: 3})
		_, _, _, logits = buildNets(ctx, a, flat, 2)
		require.Equal(t, []int{2, 2}, logits.Shape().Dimensions)
		require.Equal(t, []int{3, 3, 1, 2}, shape2(ctx, "/encoder/conv1", "weights"))
		ctx = context.New()
		ctx.In(EncoderScope).SetParam(ParamMLPConvChannels, []int{2})
		spec := vectorSpec
		require.PanicsWithValue(t, `layers mlp Encoder: parameter "mlp_conv_channels" (scope "/encoder") = [2] needs image data [H, W] or [H, W, C], got data shape [16]`,
			func() { buildNets(ctx, a, spec, 2) })
		ctx = context.New()
		ctx.In(EncoderScope).SetParams(map[string]any{ParamMLPConvChannels: []int{2}, ParamMLPConvKernel: 0})
		require.PanicsWithValue(t, `layers mlp Encoder: parameter "mlp_conv_kernel" (scope "/encoder"): must be ≥ 1, got 0`,
			func() { buildNets(ctx, a, tinyConvSpec, 2) })
	})
	t.Run("no cluster head", func(t *testing.T) {
		spec := vectorSpec
		spec.NumClusters = 0
		_, _, noise, logits := buildNets(context.New(), a, spec, 2)
		require.NotNil(t, noise)
		require.Nil(t, logits)
	})
	t.Run("bad parameters", func(t *testing.T) {
		for key, value := range map[string]any{
			ParamMLPHidden:       []int{4, 0},
			ParamMLPConvChannels: []int{2, 0},
			ParamGeneratorOutput: "tanh",
			ParamHeadInit:        "he",
		} {
			ctx := context.New()
			ctx.SetParam(key, value)
			func() {
				defer func() {
					r := recover()
					require.NotNil(t, r, key)
					require.Contains(t, r, key)
				}()
				buildNets(ctx, a, vectorSpec, 2)
			}()
		}
	})
	t.Run("generator output", func(t *testing.T) {
		// The same variables with a linear output give the logits of the sigmoid output.
		ctx := context.New()
		z := tensorOf(randomFlat(rand.New(rand.NewPCG(7, 8)), 3*15), 3, 15)
		gen := func(ctx *context.Context, z *graph.Node) *graph.Node { return a.Generator(ctx, vectorSpec, z) }
		sig := flatOf(context.MustExecOnce(backend.ForTests(), ctx, gen, z))
		ctx.In(GeneratorScope).SetParam(ParamGeneratorOutput, OutputLinear)
		lin := flatOf(context.MustExecOnce(backend.ForTests(), ctx, gen, z))
		for i := range sig {
			require.Greater(t, sig[i], 0.0)
			require.Less(t, sig[i], 1.0)
			require.InDelta(t, sig[i], 1/(1+math.Exp(-lin[i])), 1e-12)
		}
	})
}

func TestInitialisation(t *testing.T) {
	a, err := Get("mlp")
	require.NoError(t, err)
	ctx := context.New()
	ctx.SetParam(ParamMLPHidden, []int{256})
	ctx.SetParam(context.ParamInitialSeed, int64(42))
	ctx.In(CriticScope).SetParam(ParamHeadInit, InitNormal)
	spec := Spec{DataShape: []int{64}, LatentDim: 40, NoiseDim: 30, NumClusters: 10}
	_, _, _, _ = buildNets(ctx, a, spec, 2)
	require.NoError(t, ctx.InitializeVariables(backend.ForTests(), nil))
	values := func(scope, name string) []float64 {
		v := ctx.GetVariableByScopeAndName(scope, name)
		require.NotNil(t, v, "%s/%s", scope, name)
		return toFloat64(tensors.MustCopyFlatData[float32](v.MustValue()))
	}
	stats := func(v []float64) (std, maxAbs float64) {
		for _, x := range v {
			std += x * x
			maxAbs = max(maxAbs, abs(x))
		}
		return math.Sqrt(std / float64(len(v))), maxAbs
	}
	t.Run("normal 0.02", func(t *testing.T) {
		for _, scope := range []string{"/generator/fc1", "/generator/out", "/critic/fc1", "/encoder/fc1", "/critic/head"} {
			std, _ := stats(values(scope, "weights"))
			require.InEpsilon(t, WeightStdDev, std, 0.15, scope)
		}
	})
	t.Run("glorot heads", func(t *testing.T) {
		// One FC(256 → 30+10) split in two: limit sqrt(6/(256+40)), std limit/√3.
		limit := math.Sqrt(6.0 / (256 + 40))
		w := append(values("/encoder/noise", "weights"), values("/encoder/logits", "weights")...)
		std, maxAbs := stats(w)
		require.LessOrEqual(t, maxAbs, limit)
		require.Greater(t, maxAbs, 0.95*limit)
		require.InEpsilon(t, limit/math.Sqrt(3), std, 0.1)
	})
	t.Run("zero biases", func(t *testing.T) {
		for _, scope := range []string{"/generator/fc1", "/critic/head", "/encoder/logits"} {
			_, maxAbs := stats(values(scope, "biases"))
			require.Zero(t, maxAbs, scope)
		}
	})
}

// TestVariableReuse builds the critic twice in one graph and again in a second graph: one set of
// variables, under /critic, and the same function each time.
func TestVariableReuse(t *testing.T) {
	for name, a := range map[string]Architecture{"conv": tinyConv, "mlp": mlpNets{}} {
		t.Run(name, func(t *testing.T) {
			spec := tinyConvSpec
			ctx := context.New() // checked: reuse must not depend on the caller's context
			ctx.SetParam(ParamMLPHidden, []int{4})
			rng := rand.New(rand.NewPCG(9, 10))
			real := tensorOf(randomFlat(rng, 2*64), 2, 64)
			fake := tensorOf(randomFlat(rng, 2*64), 2, 64)

			both := context.MustNewExec(backend.ForTests(), ctx, func(ctx *context.Context, x, y *graph.Node) []*graph.Node {
				return []*graph.Node{a.Critic(ctx, spec, x), a.Critic(ctx, spec, y)}
			})
			out := both.MustExec(real, fake)
			numVars := ctx.NumVariables()
			for v := range ctx.IterVariables() {
				if v.Scope() == context.RootScope && strings.HasPrefix(v.Name(), "#") {
					continue // the context's random-number state
				}
				require.True(t, strings.HasPrefix(v.Scope(), "/critic/"), v.ScopeAndName())
			}
			single := flatOf(context.MustExecOnce(backend.ForTests(), ctx, func(ctx *context.Context, x *graph.Node) *graph.Node {
				return a.Critic(ctx, spec, x)
			}, fake))
			require.Equal(t, numVars, ctx.NumVariables(), "second graph created variables")
			require.Equal(t, flatOf(out[1]), single)
			require.NotEqual(t, flatOf(out[0]), single)
		})
	}
}

// TestPenaltyGradient checks the second-order gradient the WGAN-GP penalty needs: the gradient of
// P = ‖∇_x Σ_b D(x_b)‖² with respect to every critic parameter, against central differences.
func TestPenaltyGradient(t *testing.T) {
	for name, tc := range map[string]struct {
		a      Architecture
		spec   Spec
		params map[string]any
	}{
		"conv":        {tinyConv, tinyConvSpec, nil},
		"mlp with BN": {mlpNets{}, vectorSpec, map[string]any{ParamMLPHidden: []int{6, 5}, ParamMLPBatchNorm: true}},
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.New()
			ctx.SetParams(tc.params)
			rng := rand.New(rand.NewPCG(11, 12))
			x := tensorOf(randomFlat(rng, 3*tc.spec.DataSize()), 3, tc.spec.DataSize())
			penalty := func(ctx *context.Context, x *graph.Node) *graph.Node {
				score := graph.ReduceAllSum(tc.a.Critic(ctx, tc.spec, x))
				return graph.ReduceAllSum(graph.Square(graph.Gradient(score, x)[0]))
			}
			var vars []*context.Variable
			withGrads := context.MustNewExec(backend.ForTests(), ctx, func(ctx *context.Context, x *graph.Node) []*graph.Node {
				p := penalty(ctx, x)
				vars = vars[:0]
				var nodes []*graph.Node
				for v := range ctx.IterVariables() {
					if !v.Trainable || !v.DType().IsFloat() {
						continue // the context's random-number state
					}
					vars = append(vars, v)
					nodes = append(nodes, v.ValueGraph(x.Graph()))
				}
				return append([]*graph.Node{p}, graph.Gradient(p, nodes...)...)
			})
			withGrads.MustExec(x) // initialises the variables
			// Non-zero biases and larger weights than the N(0, 0.02) initialisation, so that
			// every term of the gradient matters.
			for _, v := range vars {
				v.MustSetValue(tensorOf(randomFlat(rng, v.Shape().Size()), v.Shape().Dimensions...))
			}
			out := withGrads.MustExec(x)
			only := context.MustNewExec(backend.ForTests(), ctx, penalty)
			value := func() float64 { return flatOf(only.MustExec(x)[0])[0] }
			require.InDelta(t, flatOf(out[0])[0], value(), 1e-12)
			require.Len(t, out, 1+len(vars))
			for i, v := range vars {
				base := flatOf(v.MustValue())
				numeric := finiteDiff(base, func(p []float64) float64 {
					v.MustSetValue(tensorOf(p, v.Shape().Dimensions...))
					return value()
				})
				v.MustSetValue(tensorOf(base, v.Shape().Dimensions...))
				requireClose(t, numeric, flatOf(out[1+i]), 1e-5, v.ScopeAndName())
			}
		})
	}
}

// TestAdamLowersLoss trains each tiny conv network (and the mlp nets with BN) on a small
// regression for a few Adam steps.
func TestAdamLowersLoss(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	const batch, steps = 4, 20
	spec := tinyConvSpec
	z := tensors.FromFlatDataAndDimensions(toFloat32(randomFlat(rng, batch*spec.LatentDim)), batch, spec.LatentDim)
	images := randomFlat(rng, batch*spec.DataSize())
	for i := range images {
		images[i] = 0.5 + 0.4*images[i] // targets inside the sigmoid's range
	}
	x := tensors.FromFlatDataAndDimensions(toFloat32(images), batch, spec.DataSize())
	scores := tensors.FromFlatDataAndDimensions(toFloat32(randomFlat(rng, batch)), batch)
	codes := tensors.FromFlatDataAndDimensions(toFloat32(randomFlat(rng, batch*5)), batch, 5)

	mse := func(a, b *graph.Node) *graph.Node { return graph.ReduceAllMean(graph.Square(graph.Sub(a, b))) }
	for archName, a := range map[string]Architecture{"conv": tinyConv, "mlp": mlpNets{}} {
		for name, tc := range map[string]struct {
			build  func(ctx *context.Context, in, target *graph.Node) *graph.Node
			in, to *tensors.Tensor
		}{
			"generator": {func(ctx *context.Context, in, target *graph.Node) *graph.Node {
				return mse(a.Generator(ctx, spec, in), target)
			}, z, x},
			"critic": {func(ctx *context.Context, in, target *graph.Node) *graph.Node {
				return mse(a.Critic(ctx, spec, in), target)
			}, x, scores},
			"encoder": {func(ctx *context.Context, in, target *graph.Node) *graph.Node {
				noise, logits := a.Encoder(ctx, spec, in)
				return mse(graph.Concatenate([]*graph.Node{noise, logits}, 1), target)
			}, x, codes},
		} {
			t.Run(archName+"/"+name, func(t *testing.T) {
				ctx := context.New().Checked(false)
				ctx.SetParams(map[string]any{ParamMLPHidden: []int{16}, ParamMLPBatchNorm: true, context.ParamInitialSeed: int64(1)})
				opt := optimizers.Adam().LearningRate(0.05).Done()
				step := context.MustNewExec(backend.ForTests(), ctx, func(ctx *context.Context, in, target *graph.Node) *graph.Node {
					loss := tc.build(ctx, in, target)
					opt.UpdateGraph(ctx, in.Graph(), loss)
					return loss
				})
				var losses []float64
				for range steps {
					losses = append(losses, float64(tensors.MustCopyFlatData[float32](step.MustExec(tc.in, tc.to)[0])[0]))
				}
				require.Less(t, losses[steps-1], 0.7*losses[0], "losses %v", losses)
			})
		}
	}
}

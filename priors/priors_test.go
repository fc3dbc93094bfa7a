package priors

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/stretchr/testify/require"

	"github.com/clustergan/clustergan/backend"
)

// samples is one executed Latent, as row-major Go slices (nil where the Latent field is nil).
type samples struct {
	batch          int
	z, noise, hot  []float32
	zDim, noiseDim int
	cluster        []int32
}

func shapesMake(dims ...int) shapes.Shape { return shapes.Make(DType, dims...) }

// newCtx returns a context with a seeded RNG and the given parameters.
func newCtx(t *testing.T, seed int64, params map[string]any) *context.Context {
	t.Helper()
	ctx := context.New()
	ctx.SetParams(params)
	require.NoError(t, ctx.SetRNGStateFromSeed(seed))
	return ctx
}

// draw samples batch latents from p with ctx's RNG and checks the shapes and dtypes promised by
// Latent.
func draw(t *testing.T, ctx *context.Context, p Prior, batch int) samples {
	t.Helper()
	var hasHot bool
	outs := context.MustExecOnceN(backend.ForTests(), ctx, func(ctx *context.Context, g *graph.Graph) []*graph.Node {
		l := p.Sample(ctx, g, batch)
		require.Equal(t, []int{batch, p.Dim()}, l.Z.Shape().Dimensions)
		require.Equal(t, DType, l.Z.DType())
		require.Equal(t, []int{batch, p.NoiseDim()}, l.Noise.Shape().Dimensions)
		require.Equal(t, DType, l.Noise.DType())
		hasHot = l.OneHot != nil
		require.Equal(t, hasHot, l.Cluster != nil, "OneHot and Cluster must both be set or both nil")
		require.Equal(t, hasHot, p.NumClusters() > 0, "NumClusters() must be 0 exactly when there is no OneHot")
		out := []*graph.Node{l.Z, l.Noise}
		if hasHot {
			require.Equal(t, []int{batch, p.NumClusters()}, l.OneHot.Shape().Dimensions)
			require.Equal(t, DType, l.OneHot.DType())
			require.Equal(t, []int{batch}, l.Cluster.Shape().Dimensions)
			require.Equal(t, dtypes.Int32, l.Cluster.DType())
			out = append(out, l.OneHot, l.Cluster)
		}
		return out
	})
	s := samples{batch: batch, zDim: p.Dim(), noiseDim: p.NoiseDim(),
		z: tensors.MustCopyFlatData[float32](outs[0]), noise: tensors.MustCopyFlatData[float32](outs[1])}
	if hasHot {
		s.hot = tensors.MustCopyFlatData[float32](outs[2])
		s.cluster = tensors.MustCopyFlatData[int32](outs[3])
	}
	return s
}

// columnStats returns the mean and (population) standard deviation of column j of an
// [n, dim] row-major matrix, over the rows where keep (if non-nil) is true.
func columnStats(x []float32, dim, j int, keep func(row int) bool) (mean, std float64, n int) {
	var sum, sumSq float64
	for row := 0; row*dim < len(x); row++ {
		if keep != nil && !keep(row) {
			continue
		}
		v := float64(x[row*dim+j])
		sum += v
		sumSq += v * v
		n++
	}
	mean = sum / float64(n)
	return mean, math.Sqrt(sumSq/float64(n) - mean*mean), n
}

// checkOneHot checks that every row of hot has exactly one 1 (rest 0) at the row's cluster.
func checkOneHot(t *testing.T, s samples, k int) {
	t.Helper()
	for row, c := range s.cluster {
		require.True(t, c >= 0 && int(c) < k, "row %d: cluster %d outside [0, %d)", row, c, k)
		for j := 0; j < k; j++ {
			want := float32(0)
			if j == int(c) {
				want = 1
			}
			require.Equal(t, want, s.hot[row*k+j], "row %d (cluster %d), one-hot column %d", row, c, j)
		}
	}
}

// checkFrequencies checks that each of the k clusters has frequency 1/k within 5 standard
// errors of a binomial proportion, sqrt(p(1−p)/n).
func checkFrequencies(t *testing.T, cluster []int32, k int) {
	t.Helper()
	counts := make([]int, k)
	for _, c := range cluster {
		counts[c]++
	}
	n := float64(len(cluster))
	p := 1 / float64(k)
	tol := 5 * math.Sqrt(p*(1-p)/n)
	for c, count := range counts {
		require.InDelta(t, p, float64(count)/n, tol, "frequency of cluster %d", c)
	}
}

// Tolerances of the Gaussian moment checks, in standard errors: for n i.i.d. N(μ, σ²) values the
// sample mean has standard error σ/√n and the sample standard deviation ≈ σ/√(2n). Five standard
// errors keep each seeded check far from a false alarm (two-sided p ≈ 6e-7) while a wrong σ
// (say 0.1 vs 0.11, i.e. 20 standard errors at n = 20000) still fails.
const numSE = 5

func checkGaussianColumns(t *testing.T, x []float32, dim int, mean func(j int) float64, sigma float64, keep func(row int) bool) {
	t.Helper()
	for j := 0; j < dim; j++ {
		m, s, n := columnStats(x, dim, j, keep)
		require.InDelta(t, mean(j), m, numSE*sigma/math.Sqrt(float64(n)), "mean of column %d", j)
		require.InDelta(t, sigma, s, numSE*sigma/math.Sqrt(2*float64(n)), "std of column %d", j)
	}
}

func TestMixed(t *testing.T) {
	const dn, k, sigma, batch = 4, 5, 0.1, 20000
	ctx := newCtx(t, 1, map[string]any{ParamPrior: "mixed", ParamNoiseDim: dn, ParamNumClusters: k, ParamSigma: sigma})
	p, err := New(ctx)
	require.NoError(t, err)
	require.Equal(t, Mixed{NoiseSize: dn, Clusters: k, Sigma: sigma}, p)
	require.Equal(t, dn+k, p.Dim())
	s := draw(t, ctx, p, batch)

	t.Run("one-hot", func(t *testing.T) { checkOneHot(t, s, k) })
	t.Run("cluster frequencies", func(t *testing.T) { checkFrequencies(t, s.cluster, k) })
	t.Run("noise moments", func(t *testing.T) {
		checkGaussianColumns(t, s.noise, dn, func(int) float64 { return 0 }, sigma, nil)
	})
	t.Run("noise independent of cluster", func(t *testing.T) {
		// Per-cluster means of z_n: each over ≈ batch/k rows, standard error σ/√(batch/k).
		for c := int32(0); c < k; c++ {
			checkGaussianColumns(t, s.noise, dn, func(int) float64 { return 0 }, sigma,
				func(row int) bool { return s.cluster[row] == c })
		}
	})
	t.Run("Z is [noise, one-hot]", func(t *testing.T) {
		for row := 0; row < batch; row++ {
			require.Equal(t, s.noise[row*dn:(row+1)*dn], s.z[row*(dn+k):row*(dn+k)+dn])
			require.Equal(t, s.hot[row*k:(row+1)*k], s.z[row*(dn+k)+dn:(row+1)*(dn+k)])
		}
	})
}

func TestMixedSampleClustersAndCompose(t *testing.T) {
	m := Mixed{NoiseSize: 3, Clusters: 4, Sigma: 0.5}
	ctx := newCtx(t, 2, nil)
	// One row per cluster, as in a sample grid, given as int64 to check the conversion.
	clusters := []int64{0, 1, 2, 3, 3, 0}
	outs := context.MustExecOnceN(backend.ForTests(), ctx, func(ctx *context.Context, g *graph.Graph) []*graph.Node {
		l := m.SampleClusters(ctx, graph.Const(g, clusters))
		return []*graph.Node{l.Z, l.OneHot, l.Cluster}
	})
	z := tensors.MustCopyFlatData[float32](outs[0])
	hot := tensors.MustCopyFlatData[float32](outs[1])
	require.Equal(t, []int32{0, 1, 2, 3, 3, 0}, tensors.MustCopyFlatData[int32](outs[2]))
	for row, c := range clusters {
		for j := 0; j < 4; j++ {
			want := float32(0)
			if j == int(c) {
				want = 1
			}
			require.Equal(t, want, hot[row*4+j])
			require.Equal(t, want, z[row*7+3+j])
		}
	}

	t.Run("shape errors name the field", func(t *testing.T) {
		g := graph.NewGraph(backend.ForTests(), "compose")
		defer g.Finalize()
		noise := graph.Zeros(g, shapesMake(2, 3))
		require.PanicsWithValue(t, "priors: Mixed.Compose: oneHot shape (Float32)[2 5], want [batch=2, Clusters=4]", func() {
			m.Compose(noise, graph.Zeros(g, shapesMake(2, 5)))
		})
		require.Panics(t, func() { m.Compose(graph.Zeros(g, shapesMake(2, 2)), graph.Zeros(g, shapesMake(2, 4))) })
		require.PanicsWithValue(t, "priors: Mixed.Sigma = 0, must be > 0", func() {
			Mixed{NoiseSize: 3, Clusters: 4}.Compose(noise, graph.Zeros(g, shapesMake(2, 4)))
		})
	})
}

func TestGaussian(t *testing.T) {
	const batch = 20000
	ctx := newCtx(t, 3, map[string]any{ParamPrior: "gaussian", ParamNoiseDim: 3, ParamNumClusters: 2})
	p, err := New(ctx)
	require.NoError(t, err)
	require.Equal(t, Gaussian{Size: 5, Sigma: DefaultGaussianSigma}, p, "Dim = noise dim + clusters, σ from its own parameter")
	s := draw(t, ctx, p, batch)
	require.Equal(t, s.z, s.noise)
	checkGaussianColumns(t, s.z, 5, func(int) float64 { return 0 }, 1, nil)

	ctx.SetParam(ParamGaussianSigma, 2.5)
	p, err = New(ctx)
	require.NoError(t, err)
	checkGaussianColumns(t, draw(t, ctx, p, batch).z, 5, func(int) float64 { return 0 }, 2.5, nil)
}

func TestUniform(t *testing.T) {
	const low, high, batch = -1.0, 3.0, 20000
	ctx := newCtx(t, 4, map[string]any{ParamPrior: "uniform", ParamNoiseDim: 2, ParamNumClusters: 2,
		ParamUniformLow: low, ParamUniformHigh: high})
	p, err := New(ctx)
	require.NoError(t, err)
	require.Equal(t, Uniform{Size: 4, Low: low, High: high}, p)
	s := draw(t, ctx, p, batch)
	require.Equal(t, s.z, s.noise)
	for i, v := range s.z {
		require.True(t, v >= low && v < high, "value %d = %g outside [%g, %g)", i, v, low, high)
	}
	// U(a, b): mean (a+b)/2, variance w²/12 with w = b−a, fourth central moment w⁴/80. The
	// sample mean's standard error is σ/√n; the sample variance's is √((μ₄ − σ⁴)/n), and by the
	// delta method the sample std's is that over 2σ.
	w := high - low
	sigma := w / math.Sqrt(12)
	seStd := math.Sqrt((math.Pow(w, 4)/80-math.Pow(sigma, 4))/batch) / (2 * sigma)
	for j := 0; j < 4; j++ {
		m, sd, n := columnStats(s.z, 4, j, nil)
		require.InDelta(t, (low+high)/2, m, numSE*sigma/math.Sqrt(float64(n)), "mean of column %d", j)
		require.InDelta(t, sigma, sd, numSE*seStd, "std of column %d", j)
	}
}

func TestGMM(t *testing.T) {
	const dn, k, sigma, batch = 3, 4, 0.1, 20000
	ctx := newCtx(t, 5, map[string]any{ParamPrior: "gmm", ParamNoiseDim: dn, ParamNumClusters: k, ParamSigma: sigma,
		ParamGMMSeed: 7})
	p, err := New(ctx)
	require.NoError(t, err)
	gmm := p.(GMM)
	require.Equal(t, NewGMM(dn+k, k, sigma, 7), gmm)
	require.Equal(t, dn+k, gmm.Dim())
	require.Equal(t, k, gmm.NumClusters())

	t.Run("means", func(t *testing.T) {
		require.Len(t, gmm.Means, k)
		for _, row := range gmm.Means {
			require.Len(t, row, dn+k)
			for _, v := range row {
				require.True(t, v >= -1 && v < 1)
			}
		}
		require.Equal(t, gmm.Means, NewGMM(dn+k, k, sigma, 7).Means, "same seed, same means")
		require.NotEqual(t, gmm.Means, NewGMM(dn+k, k, sigma, 8).Means, "another seed, other means")
	})

	s := draw(t, ctx, p, batch)
	require.Equal(t, s.z, s.noise)
	t.Run("one-hot", func(t *testing.T) { checkOneHot(t, s, k) })
	t.Run("component frequencies", func(t *testing.T) { checkFrequencies(t, s.cluster, k) })
	t.Run("component moments", func(t *testing.T) {
		for c := int32(0); c < k; c++ {
			checkGaussianColumns(t, s.z, dn+k, func(j int) float64 { return gmm.Means[c][j] }, sigma,
				func(row int) bool { return s.cluster[row] == c })
		}
	})

	t.Run("bad means", func(t *testing.T) {
		g := graph.NewGraph(backend.ForTests(), "gmm")
		defer g.Finalize()
		bad := gmm
		bad.Means = bad.Means[:2]
		require.PanicsWithValue(t, "priors: GMM.Means has 2 rows, want Components = 4 (build it with NewGMM)", func() {
			bad.Sample(context.New(), g, 3)
		})
	})
}

func TestSameSeedSameSamples(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			params := map[string]any{ParamPrior: name, ParamNoiseDim: 3, ParamNumClusters: 3}
			sample := func(seed int64) samples {
				ctx := newCtx(t, seed, params)
				p, err := New(ctx)
				require.NoError(t, err)
				return draw(t, ctx, p, 16)
			}
			a, b, c := sample(11), sample(11), sample(12)
			require.Equal(t, a, b)
			require.NotEqual(t, a.z, c.z)
		})
	}
}

func TestRegistry(t *testing.T) {
	require.Equal(t, []string{"gaussian", "gmm", "mixed", "uniform"}, Names())
	require.Panics(t, func() { Register("mixed", nil) }, "duplicate names must panic")

	ctx := context.New()
	ctx.SetParam(ParamPrior, "dirichlet")
	_, err := New(ctx)
	require.Error(t, err)
	require.Contains(t, err.Error(), ParamPrior)
	require.Contains(t, err.Error(), "dirichlet")
	for _, name := range Names() {
		require.Contains(t, err.Error(), name)
	}
}

func TestDefaults(t *testing.T) {
	// K defaults to 0, "the data set's number of classes", which only a method can resolve.
	_, err := New(context.New())
	require.ErrorContains(t, err, `prior "mixed": parameter "num_clusters" = 0 means the data set's number of classes`)
	mnist := context.New()
	mnist.SetParam(ParamNumClusters, 10)
	p, err := New(mnist)
	require.NoError(t, err)
	// The official ClusterGAN code's MNIST prior: dn = 30, K = 10, σ = 0.10.
	require.Equal(t, Mixed{NoiseSize: 30, Clusters: 10, Sigma: 0.10}, p)

	// The table declares every parameter, with the values the factories fall back to.
	params := Params.Defaults()
	for _, key := range []string{ParamPrior, ParamNoiseDim, ParamNumClusters, ParamSigma, ParamGaussianSigma,
		ParamUniformLow, ParamUniformHigh, ParamGMMSeed} {
		require.Contains(t, params, key)
	}
	ctx := context.New()
	ctx.SetParams(params)
	ctx.SetParam(ParamNumClusters, 10)
	fromDefaults, err := New(ctx)
	require.NoError(t, err)
	require.Equal(t, p, fromDefaults)
	for _, name := range Names() {
		ctx := context.New()
		ctx.SetParams(params)
		ctx.SetParams(map[string]any{ParamPrior: name, ParamNumClusters: 10})
		withMap, err := New(ctx)
		require.NoError(t, err)
		bare := context.New()
		bare.SetParams(map[string]any{ParamPrior: name, ParamNumClusters: 10})
		withoutMap, err := New(bare)
		require.NoError(t, err)
		require.Equal(t, withoutMap, withMap, name)
		require.Equal(t, 40, withMap.Dim(), "%s: all priors feed G the same size, dn + K", name)
	}
}

func TestBadParams(t *testing.T) {
	for _, tc := range []struct {
		prior, key string
		value      any
	}{
		{"mixed", ParamNoiseDim, 0},
		{"mixed", ParamNumClusters, -1},
		{"mixed", ParamSigma, 0.0},
		{"gmm", ParamSigma, -0.1},
		{"gaussian", ParamGaussianSigma, 0.0},
		{"gaussian", ParamNoiseDim, 0},
		{"uniform", ParamUniformLow, 1.0},
		{"uniform", ParamUniformHigh, math.Inf(1)},
	} {
		ctx := context.New()
		ctx.SetParams(map[string]any{ParamPrior: tc.prior, ParamNumClusters: 2, tc.key: tc.value})
		_, err := New(ctx)
		require.Error(t, err, "%s with %s = %v", tc.prior, tc.key, tc.value)
		require.Contains(t, err.Error(), tc.key)
		require.True(t, strings.Contains(err.Error(), tc.prior), "error %q should name the prior", err)
	}
	// Parameters are found up the scopes, as for per-network settings.
	ctx := context.New()
	ctx.SetParams(map[string]any{ParamNoiseDim: 7, ParamNumClusters: 3})
	p, err := New(ctx.In("generator"))
	require.NoError(t, err)
	require.Equal(t, 7, p.NoiseDim())
	require.True(t, slices.Contains(Names(), DefaultPrior))
}

package priors

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/stretchr/testify/require"
)

// The host-side half of Prior: Split, SampleNoise, NoiseMeanSquare and NoiseBounds, which
// decoding, sample grids and generation checks use instead of switching on the prior's type.

// hostPriors are one value of each prior, built by the registered factories from the same
// parameters (dn = 3, K = 4, so the priors without a split have dimension 7).
func hostPriors(t *testing.T) map[string]Prior {
	t.Helper()
	out := map[string]Prior{}
	for _, name := range Names() {
		ctx := context.New()
		ctx.SetParams(map[string]any{ParamPrior: name, ParamNoiseDim: 3, ParamNumClusters: 4, ParamSigma: 0.2,
			ParamGaussianSigma: 1.5, ParamUniformLow: -1.0, ParamUniformHigh: 3.0, ParamGMMSeed: 7})
		p, err := New(ctx)
		require.NoError(t, err, name)
		out[name] = p
	}
	return out
}

func TestSplit(t *testing.T) {
	want := map[string]struct {
		noise, clusters int
		ok              bool
	}{
		// Only the mixed prior lays z out as [z_n, one-hot]: dn = 3 noise and K = 4 code columns.
		"mixed": {3, 4, true},
		// The gmm prior has components, but they are not part of z.
		"gmm":      {0, 0, false},
		"gaussian": {0, 0, false},
		"uniform":  {0, 0, false},
	}
	all := hostPriors(t)
	require.Len(t, want, len(all), "every registered prior has a case")
	for _, name := range Names() {
		p := all[name]
		t.Run(name, func(t *testing.T) {
			noise, clusters, ok := p.Split()
			require.Equal(t, want[name].noise, noise)
			require.Equal(t, want[name].clusters, clusters)
			require.Equal(t, want[name].ok, ok)
			if ok {
				// A split prior's z is exactly its noise and its code.
				require.Equal(t, p.Dim(), noise+clusters)
				require.Equal(t, p.NoiseDim(), noise)
				require.Equal(t, p.NumClusters(), clusters)
			} else {
				// Otherwise SampleNoise draws all of z.
				require.Equal(t, p.Dim(), p.NoiseDim())
			}
		})
	}
}

func TestNoiseMeanSquareAndBounds(t *testing.T) {
	gmm := NewGMM(7, 4, 0.2, 7)
	var meanMu2 float64
	for _, mu := range gmm.Means {
		for _, v := range mu {
			meanMu2 += v * v / 28
		}
	}
	for _, tc := range []struct {
		name       string
		want       float64
		lo, hi     float64
		fromParams Prior
	}{
		// σ² of the mixed prior's z_n: 0.2² = 0.04.
		{"mixed", 0.04, math.Inf(-1), math.Inf(1), Mixed{NoiseSize: 3, Clusters: 4, Sigma: 0.2}},
		// The gaussian prior has its own σ = 1.5: 2.25.
		{"gaussian", 2.25, math.Inf(-1), math.Inf(1), Gaussian{Size: 7, Sigma: 1.5}},
		// U(a, b): E[z²] = (a² + ab + b²)/3 = (1 − 3 + 9)/3 = 7/3.
		{"uniform", 7.0 / 3, -1, 3, Uniform{Size: 7, Low: -1, High: 3}},
		// σ² + the mean of the 4 × 7 squared mean coordinates.
		{"gmm", 0.04 + meanMu2, math.Inf(-1), math.Inf(1), gmm},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := hostPriors(t)[tc.name]
			require.Equal(t, tc.fromParams, p)
			require.InDelta(t, tc.want, p.NoiseMeanSquare(), 1e-12)
			lo, hi := p.NoiseBounds()
			require.Equal(t, tc.lo, lo)
			require.Equal(t, tc.hi, hi)
		})
	}
	// The hand-computed gmm value for one fixed set of means: μ = (0.5, −0.5), (0.5, 0.5) and
	// σ = 0.1 give 0.01 + 0.25 = 0.26.
	fixed := GMM{Size: 2, Components: 2, Sigma: 0.1, Means: [][]float64{{0.5, -0.5}, {0.5, 0.5}}}
	require.InDelta(t, 0.26, fixed.NoiseMeanSquare(), 1e-12)
}

// TestSampleNoise is the seeded statistical check of the host sampler against the moments the
// prior states: over n rows the sample mean square lies within numSE standard errors of
// NoiseMeanSquare, with the standard error computed from the prior's own fourth moment (so a
// wrong σ, scale or mixture weight fails), and every value lies within NoiseBounds.
func TestSampleNoise(t *testing.T) {
	const rows = 20000
	all := hostPriors(t)
	for _, name := range Names() {
		p := all[name]
		t.Run(name, func(t *testing.T) {
			dim := p.NoiseDim()
			x := make([]float32, rows*dim)
			p.SampleNoise(rand.New(rand.NewPCG(11, 12)), x)

			// Rows are independent; coordinates within a gmm row share a component, so the
			// standard error is that of the per-row mean square m_r = mean_j z_rj².
			var sum float64
			for r := range rows {
				var m float64
				for _, v := range x[r*dim : (r+1)*dim] {
					m += float64(v) * float64(v) / float64(dim)
				}
				sum += m
			}
			got := sum / rows
			se := math.Sqrt(rowMeanSquareVariance(t, p) / rows)
			t.Logf("mean square %.5f, stated %.5f, standard error %.5f", got, p.NoiseMeanSquare(), se)
			require.InDelta(t, p.NoiseMeanSquare(), got, numSE*se)

			lo, hi := p.NoiseBounds()
			for i, v := range x {
				require.Falsef(t, math.IsNaN(float64(v)), "value %d is NaN", i)
				require.Truef(t, float64(v) >= lo && float64(v) <= hi, "value %d = %g outside [%g, %g]", i, v, lo, hi)
			}

			// The same seed gives the same draws; another seed others.
			again := make([]float32, len(x))
			p.SampleNoise(rand.New(rand.NewPCG(11, 12)), again)
			require.Equal(t, x, again)
			p.SampleNoise(rand.New(rand.NewPCG(13, 12)), again)
			require.NotEqual(t, x, again)
		})
	}
}

// rowMeanSquareVariance is Var(m) for m = mean_j z_j² of one draw of Noise, from each prior's
// moments: for i.i.d. coordinates Var(z²)/d with Var(z²) = E[z⁴] − E[z²]²; for the gmm prior,
// E[Var(m | k)] + Var(E[m | k]) over the uniformly drawn component k.
func rowMeanSquareVariance(t *testing.T, p Prior) float64 {
	d := float64(p.NoiseDim())
	switch p := p.(type) {
	case Mixed:
		return 2 * math.Pow(p.Sigma, 4) / d // z ~ N(0, σ²): E[z⁴] = 3σ⁴
	case Gaussian:
		return 2 * math.Pow(p.Sigma, 4) / d
	case Uniform:
		a, b := p.Low, p.High
		m4 := (math.Pow(b, 5) - math.Pow(a, 5)) / (5 * (b - a))
		m2 := p.NoiseMeanSquare()
		return (m4 - m2*m2) / d
	case GMM:
		// Given k, z_j = μ_kj + σε_j: Var(z_j²) = 2σ⁴ + 4σ²μ_kj², E[z_j²] = σ² + μ_kj².
		s2 := p.Sigma * p.Sigma
		var within, mean, meanSq float64
		for _, mu := range p.Means {
			var v, e float64
			for _, m := range mu {
				v += 2*s2*s2 + 4*s2*m*m
				e += s2 + m*m
			}
			within += v / (d * d) / float64(p.Components)
			mean += e / d / float64(p.Components)
			meanSq += (e / d) * (e / d) / float64(p.Components)
		}
		return within + meanSq - mean*mean
	}
	t.Fatalf("no stated variance for prior %T", p)
	return 0
}

// TestNumClustersMustBeResolved: num_clusters = 0 stands for the data set's number of classes,
// which methods fill in; every prior built directly from it says so, naming the parameter.
func TestNumClustersMustBeResolved(t *testing.T) {
	for _, name := range Names() {
		ctx := context.New()
		ctx.SetParams(map[string]any{ParamPrior: name, ParamNumClusters: 0})
		_, err := New(ctx)
		require.EqualError(t, err, `prior "`+name+`": parameter "num_clusters" = 0 means the data set's number of classes, `+
			`which the method resolves; a prior built directly needs it ≥ 1`)
		ctx.SetParam(ParamNumClusters, -2)
		_, err = New(ctx)
		require.EqualError(t, err, `prior "`+name+`": parameter "num_clusters": must be ≥ 0, got -2`)
	}
}

// TestClusterSampler: the mixed and gmm priors draw from a chosen cluster and map a latent back
// to it; the priors without clusters do not implement it.
func TestClusterSampler(t *testing.T) {
	for name, p := range hostPriors(t) {
		cs, ok := p.(ClusterSampler)
		require.Equal(t, name == "mixed" || name == "gmm", ok, name)
		if !ok {
			continue
		}
		rng := rand.New(rand.NewPCG(3, 4))
		for k := range p.NumClusters() {
			z := make([]float32, 50*p.Dim())
			cs.SampleCluster(rng, k, z)
			for r := range 50 {
				// σ = 0.2 against means at least ~0.5 apart (gmm, seed 7) or one-hot codes.
				require.Equal(t, k, cs.ClusterOf(z[r*p.Dim():(r+1)*p.Dim()]), "%s cluster %d row %d", name, k, r)
			}
		}
	}
	// The mixed prior's draws of cluster k are SampleNoise's rows with the one-hot of k appended.
	m := Mixed{NoiseSize: 2, Clusters: 3, Sigma: 0.5}
	z := make([]float32, 4*5)
	m.SampleCluster(rand.New(rand.NewPCG(1, 1)), 2, z)
	noise := make([]float32, 4*2)
	m.SampleNoise(rand.New(rand.NewPCG(1, 1)), noise)
	for r := range 4 {
		require.Equal(t, append(append([]float32{}, noise[2*r:2*r+2]...), 0, 0, 1), z[5*r:5*r+5])
	}
}

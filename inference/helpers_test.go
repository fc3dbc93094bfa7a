package inference

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/clustergan/clustergan/backend"
	"github.com/clustergan/clustergan/layers"
	"github.com/clustergan/clustergan/priors"
	"github.com/clustergan/clustergan/trainer"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/stretchr/testify/require"
)

// Sizes of the tiny test model: 12 data features from dn = 2 noise dimensions and K = 3 clusters,
// so G maps a 5-dimensional latent into 12 dimensions and is injective in practice.
const (
	testDataDim  = 12
	testNoiseDim = 2
	testK        = 3
)

// tinyModel builds a mlp model (hidden {16}, no BatchNorm, linear output) with the named prior
// and a fixed random generator (see rescaleGenerator).
func tinyModel(t testing.TB, prior string, seed int64, extra ...map[string]any) *trainer.Model {
	t.Helper()
	ctx := trainer.NewContext(append([]map[string]any{{
		priors.ParamPrior: prior, priors.ParamNoiseDim: testNoiseDim, priors.ParamNumClusters: testK,
		layers.ParamArchitecture: "mlp", layers.ParamMLPHidden: []int{16},
		layers.ParamMLPBatchNorm: false, layers.ParamGeneratorOutput: layers.OutputLinear,
	}}, extra...)...)
	require.NoError(t, ctx.SetRNGStateFromSeed(seed))
	m, err := trainer.NewModel(backend.ForTests(), ctx, []int{testDataDim})
	require.NoError(t, err)
	_, err = m.Generate(make([]float32, m.Spec.LatentDim)) // creates G's variables
	require.NoError(t, err)
	rescaleGenerator(t, m, seed)
	return m
}

// rescaleGenerator replaces G's weights by N(0, gain²/fan_in) draws (gain 2) and its other
// variables (biases, BatchNorm offsets) by N(0, 0.1²). The trained-from-scratch initialisation N(0, 0.02²) makes G nearly constant, so
// that no decoder could tell latents apart; a trained G is far from constant.
func rescaleGenerator(t testing.TB, m *trainer.Model, seed int64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(seed), 7))
	weights := 0
	for v := range m.Ctx.InAbsPath("/" + layers.GeneratorScope).IterVariablesInScope() {
		dims := v.Shape().Dimensions
		values := make([]float32, v.Shape().Size())
		scale := 0.1
		if v.Name() == "weights" {
			scale = 2 / math.Sqrt(float64(dims[0]))
		}
		for i := range values {
			values[i] = float32(rng.NormFloat64() * scale)
		}
		require.NoError(t, v.SetValue(tensors.FromFlatDataAndDimensions(values, dims...)))
		if v.Name() == "weights" {
			weights++
		}
	}
	require.Equal(t, 2, weights, "G of the tiny mlp has 2 dense layers")
}

// mixedTargets draws n latents z* = [z_n*, e_k*] with z_n* ~ U(−0.5, 0.5) (inside the default
// clip range) and k* uniform, and returns them with x = G(z*).
func mixedTargets(t testing.TB, m *trainer.Model, n int, seed uint64) (x, noise []float32, cluster []int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 11))
	z := make([]float32, 0, n*(testNoiseDim+testK))
	for range n {
		k := rng.IntN(testK)
		cluster = append(cluster, k)
		for range testNoiseDim {
			v := float32(rng.Float64() - 0.5)
			noise = append(noise, v)
			z = append(z, v)
		}
		for j := range testK {
			z = append(z, float32(b2f(j == k)))
		}
	}
	x, err := m.Generate(z)
	require.NoError(t, err)
	return x, noise, cluster
}

// reconstruction returns mean|x − G(z)| of each row.
func reconstruction(t testing.TB, m *trainer.Model, x, z []float32) []float64 {
	t.Helper()
	gz, err := m.Generate(z)
	require.NoError(t, err)
	dim := m.DataDim()
	out := make([]float64, len(x)/dim)
	for i := range out {
		for j := range dim {
			out[i] += math.Abs(float64(x[i*dim+j] - gz[i*dim+j]))
		}
		out[i] /= float64(dim)
	}
	return out
}

// generatorValues copies every variable under the generator scope.
func generatorValues(m *trainer.Model) map[string][]float32 {
	out := map[string][]float32{}
	for v := range m.Ctx.InAbsPath("/" + layers.GeneratorScope).IterVariablesInScope() {
		out[v.ScopeAndName()] = tensors.MustCopyFlatData[float32](v.MustValue())
	}
	return out
}

package priors

import (
	"fmt"
	"math/rand/v2"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

func init() {
	Register("mixed", func(cfg Config) (Prior, error) {
		k, err := numClusters(cfg)
		if err != nil {
			return nil, err
		}
		return Mixed{NoiseSize: cfg.NoiseDim, Clusters: k, Sigma: cfg.Sigma}, nil
	})
}

// Mixed is ClusterGAN's prior: z = [z_n, e_k] with z_n ~ N(0, σ²I_dn) and e_k the one-hot of
// k ~ U{0, …, K−1} (Mukherjee et al. 2019, §3.1; the official code uses σ = 0.10).
type Mixed struct {
	NoiseSize int     // dn ≥ 1, the dimension of z_n
	Clusters  int     // K ≥ 1
	Sigma     float64 // σ > 0
}

// Dim implements Prior: dn + K.
func (m Mixed) Dim() int { return m.NoiseSize + m.Clusters }

// NoiseDim implements Prior: dn.
func (m Mixed) NoiseDim() int { return m.NoiseSize }

// NumClusters implements Prior: K.
func (m Mixed) NumClusters() int { return m.Clusters }

// Split implements Prior: Z = [z_n, one-hot].
func (m Mixed) Split() (noise, clusters int, ok bool) { return m.NoiseSize, m.Clusters, true }

// SampleNoise implements Prior: z_n ~ N(0, σ²I).
func (m Mixed) SampleNoise(rng *rand.Rand, dst []float32) { normalRows(rng, dst, m.Sigma) }

// NoiseMeanSquare implements Prior: σ².
func (m Mixed) NoiseMeanSquare() float64 { return m.Sigma * m.Sigma }

// NoiseBounds implements Prior: unbounded.
func (m Mixed) NoiseBounds() (lo, hi float64) { return unbounded() }

// SampleCluster implements ClusterSampler: z_n ~ N(0, σ²I) for every row (drawn row after row,
// as SampleNoise), then the one-hot of k.
func (m Mixed) SampleCluster(rng *rand.Rand, k int, dst []float32) {
	rows := len(dst) / m.Dim()
	noise := make([]float32, rows*m.NoiseSize)
	m.SampleNoise(rng, noise)
	for r := range rows {
		row := dst[r*m.Dim() : (r+1)*m.Dim()]
		copy(row, noise[r*m.NoiseSize:(r+1)*m.NoiseSize])
		for j := range m.Clusters {
			row[m.NoiseSize+j] = 0
		}
		row[m.NoiseSize+k] = 1
	}
}

// ClusterOf implements ClusterSampler: the largest coordinate of the code part.
func (m Mixed) ClusterOf(z []float32) int {
	code := z[m.NoiseSize : m.NoiseSize+m.Clusters]
	best := 0
	for j, v := range code {
		if v > code[best] {
			best = j
		}
	}
	return best
}

// Sample implements Prior.
func (m Mixed) Sample(ctx *context.Context, g *graph.Graph, batch int) Latent {
	m.check()
	mustBatch("Mixed", batch)
	return m.SampleClusters(ctx, sampleClusters(ctx, g, batch, m.Clusters))
}

// SampleClusters draws fresh z_n for the given cluster indices (an int vector [batch] with
// values in [0, K)): for sample grids with one row per cluster, or to condition the generator
// on chosen clusters. Indices outside [0, K) give an all-zero one-hot.
func (m Mixed) SampleClusters(ctx *context.Context, cluster *graph.Node) Latent {
	m.check()
	if !cluster.DType().IsInt() || cluster.Rank() != 1 {
		panic(fmt.Sprintf("priors: Mixed.SampleClusters: cluster must be an int vector [batch], got %s", cluster.Shape()))
	}
	batch := cluster.Shape().Dimensions[0]
	mustBatch("Mixed", batch)
	if cluster.DType() != dtypes.Int32 {
		cluster = graph.ConvertDType(cluster, dtypes.Int32)
	}
	noise := gaussian(ctx, cluster.Graph(), batch, m.NoiseSize, m.Sigma)
	oneHot := graph.OneHot(cluster, m.Clusters, DType)
	return Latent{Z: m.Compose(noise, oneHot), Noise: noise, OneHot: oneHot, Cluster: cluster}
}

// Compose returns z = [noise, oneHot] for noise [batch, dn] and oneHot [batch, K] (any code of
// that shape, for instance a softmax when interpolating between clusters).
func (m Mixed) Compose(noise, oneHot *graph.Node) *graph.Node {
	m.check()
	if noise.Rank() != 2 || noise.Shape().Dimensions[1] != m.NoiseSize {
		panic(fmt.Sprintf("priors: Mixed.Compose: noise shape %s, want [batch, NoiseSize=%d]", noise.Shape(), m.NoiseSize))
	}
	if oneHot.Rank() != 2 || oneHot.Shape().Dimensions[1] != m.Clusters ||
		oneHot.Shape().Dimensions[0] != noise.Shape().Dimensions[0] {
		panic(fmt.Sprintf("priors: Mixed.Compose: oneHot shape %s, want [batch=%d, Clusters=%d]",
			oneHot.Shape(), noise.Shape().Dimensions[0], m.Clusters))
	}
	return graph.Concatenate([]*graph.Node{noise, graph.ConvertDType(oneHot, noise.DType())}, 1)
}

func (m Mixed) check() {
	mustPositiveInt("Mixed", "NoiseSize", m.NoiseSize)
	mustPositiveInt("Mixed", "Clusters", m.Clusters)
	mustPositiveFloat("Mixed", "Sigma", m.Sigma)
}

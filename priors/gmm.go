package priors

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

func init() {
	Register("gmm", func(cfg Config) (Prior, error) {
		dim, err := fullDim(cfg)
		if err != nil {
			return nil, err
		}
		k, err := numClusters(cfg)
		if err != nil {
			return nil, err
		}
		return NewGMM(dim, k, cfg.Sigma, uint64(cfg.GMMSeed)), nil
	})
}

// GMM is a Gaussian-mixture prior in the style of DeLiGAN (Gurumurthy et al. 2017), with fixed
// rather than learned means: k ~ U{0, …, K−1}, z ~ N(μ_k, σ²I).
//
// Cluster is the component index k and OneHot its one-hot, so an encoder can be trained to
// recover the component; they are not part of Z (the component is only implicit in Z's mean),
// and Noise is all of Z.
type GMM struct {
	Size       int         // dimension of z, ≥ 1
	Components int         // K ≥ 1
	Sigma      float64     // σ > 0, the standard deviation of every component
	Means      [][]float64 // Components rows of Size values: μ_k
}

// gmmStream is the second PCG word of the means' generator, so that they do not coincide with
// another use of the same seed.
const gmmStream = 0x676d6d // "gmm"

// NewGMM returns a GMM whose means are drawn from U(-1, 1)^size with a PCG generator seeded by
// seed: the same arguments give the same means on every machine.
func NewGMM(size, components int, sigma float64, seed uint64) GMM {
	rng := rand.New(rand.NewPCG(seed, gmmStream))
	means := make([][]float64, components)
	for k := range means {
		means[k] = make([]float64, size)
		for i := range means[k] {
			means[k][i] = 2*rng.Float64() - 1
		}
	}
	return GMM{Size: size, Components: components, Sigma: sigma, Means: means}
}

// Dim implements Prior.
func (p GMM) Dim() int { return p.Size }

// NoiseDim implements Prior: all of z.
func (p GMM) NoiseDim() int { return p.Size }

// NumClusters implements Prior: the number of components.
func (p GMM) NumClusters() int { return p.Components }

// Split implements Prior: the component is not part of Z.
func (p GMM) Split() (noise, clusters int, ok bool) { return 0, 0, false }

// SampleNoise implements Prior: per row, a component k ~ U{0, …, K−1}, then z ~ N(μ_k, σ²I).
func (p GMM) SampleNoise(rng *rand.Rand, dst []float32) {
	for row := 0; row < len(dst)/p.Size; row++ {
		mu := p.Means[rng.IntN(p.Components)]
		for j := range p.Size {
			dst[row*p.Size+j] = float32(mu[j] + rng.NormFloat64()*p.Sigma)
		}
	}
}

// SampleCluster implements ClusterSampler: z ~ N(μ_k, σ²I).
func (p GMM) SampleCluster(rng *rand.Rand, k int, dst []float32) {
	mu := p.Means[k]
	for row := 0; row < len(dst)/p.Size; row++ {
		for j := range p.Size {
			dst[row*p.Size+j] = float32(mu[j] + rng.NormFloat64()*p.Sigma)
		}
	}
}

// ClusterOf implements ClusterSampler: the component with the nearest mean (the most likely
// one, as every component has the same σ and weight).
func (p GMM) ClusterOf(z []float32) int {
	best, bestD := 0, math.Inf(1)
	for k, mu := range p.Means {
		var d float64
		for j, v := range mu {
			diff := float64(z[j]) - v
			d += diff * diff
		}
		if d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// NoiseMeanSquare implements Prior: σ² + the mean of the squared mean coordinates.
func (p GMM) NoiseMeanSquare() float64 {
	var sum float64
	var n int
	for _, mu := range p.Means {
		for _, v := range mu {
			sum += v * v
			n++
		}
	}
	if n == 0 {
		return p.Sigma * p.Sigma
	}
	return p.Sigma*p.Sigma + sum/float64(n)
}

// NoiseBounds implements Prior: unbounded.
func (p GMM) NoiseBounds() (lo, hi float64) { return unbounded() }

// Sample implements Prior.
func (p GMM) Sample(ctx *context.Context, g *graph.Graph, batch int) Latent {
	mustPositiveInt("GMM", "Size", p.Size)
	mustPositiveInt("GMM", "Components", p.Components)
	mustPositiveFloat("GMM", "Sigma", p.Sigma)
	mustBatch("GMM", batch)
	if len(p.Means) != p.Components {
		panic(fmt.Sprintf("priors: GMM.Means has %d rows, want Components = %d (build it with NewGMM)", len(p.Means), p.Components))
	}
	means := make([][]float32, p.Components)
	for k, row := range p.Means {
		if len(row) != p.Size {
			panic(fmt.Sprintf("priors: GMM.Means[%d] has %d values, want Size = %d", k, len(row), p.Size))
		}
		means[k] = make([]float32, p.Size)
		for i, v := range row {
			means[k][i] = float32(v)
		}
	}
	cluster := sampleClusters(ctx, g, batch, p.Components)
	mu := graph.Gather(graph.Const(g, means), graph.InsertAxes(cluster, -1)) // [batch, Size]
	z := graph.Add(mu, gaussian(ctx, g, batch, p.Size, p.Sigma))
	return Latent{Z: z, Noise: z, OneHot: graph.OneHot(cluster, p.Components, DType), Cluster: cluster}
}

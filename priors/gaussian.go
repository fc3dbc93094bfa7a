package priors

import (
	"math/rand/v2"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

func init() {
	Register("gaussian", func(cfg Config) (Prior, error) {
		dim, err := fullDim(cfg)
		if err != nil {
			return nil, err
		}
		return Gaussian{Size: dim, Sigma: cfg.GaussianSigma}, nil
	})
}

// Gaussian is the usual GAN prior z ~ N(0, σ²I). It has no categorical part: Noise is Z and
// OneHot and Cluster are nil.
type Gaussian struct {
	Size  int     // dimension of z, ≥ 1
	Sigma float64 // σ > 0
}

// Dim implements Prior.
func (p Gaussian) Dim() int { return p.Size }

// NoiseDim implements Prior: all of z.
func (p Gaussian) NoiseDim() int { return p.Size }

// NumClusters implements Prior: 0.
func (p Gaussian) NumClusters() int { return 0 }

// Split implements Prior: no split.
func (p Gaussian) Split() (noise, clusters int, ok bool) { return 0, 0, false }

// SampleNoise implements Prior: z ~ N(0, σ²I).
func (p Gaussian) SampleNoise(rng *rand.Rand, dst []float32) { normalRows(rng, dst, p.Sigma) }

// NoiseMeanSquare implements Prior: σ².
func (p Gaussian) NoiseMeanSquare() float64 { return p.Sigma * p.Sigma }

// NoiseBounds implements Prior: unbounded.
func (p Gaussian) NoiseBounds() (lo, hi float64) { return unbounded() }

// Sample implements Prior.
func (p Gaussian) Sample(ctx *context.Context, g *graph.Graph, batch int) Latent {
	mustPositiveInt("Gaussian", "Size", p.Size)
	mustPositiveFloat("Gaussian", "Sigma", p.Sigma)
	mustBatch("Gaussian", batch)
	z := gaussian(ctx, g, batch, p.Size, p.Sigma)
	return Latent{Z: z, Noise: z}
}

package priors

import (
	"math/rand/v2"

	"fmt"
	"math"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

func init() {
	Register("uniform", func(cfg Config) (Prior, error) {
		dim, err := fullDim(cfg)
		if err != nil {
			return nil, err
		}
		low, high := cfg.UniformLow, cfg.UniformHigh
		if err := checkRange(low, high); err != nil {
			return nil, fmt.Errorf("parameters %q = %g and %q = %g: %w", ParamUniformLow, low, ParamUniformHigh, high, err)
		}
		return Uniform{Size: dim, Low: low, High: high}, nil
	})
}

// Uniform is the prior z ~ U(Low, High)^Size (InfoGAN-style; the default is [-1, 1)). It has
// no categorical part: Noise is Z and OneHot and Cluster are nil.
type Uniform struct {
	Size      int // dimension of z, ≥ 1
	Low, High float64
}

func checkRange(low, high float64) error {
	if math.IsNaN(low) || math.IsNaN(high) || math.IsInf(low, 0) || math.IsInf(high, 0) || !(low < high) {
		return fmt.Errorf("need finite low < high")
	}
	return nil
}

// Dim implements Prior.
func (p Uniform) Dim() int { return p.Size }

// NoiseDim implements Prior: all of z.
func (p Uniform) NoiseDim() int { return p.Size }

// NumClusters implements Prior: 0.
func (p Uniform) NumClusters() int { return 0 }

// Split implements Prior: no split.
func (p Uniform) Split() (noise, clusters int, ok bool) { return 0, 0, false }

// SampleNoise implements Prior: z ~ U(Low, High)^dim.
func (p Uniform) SampleNoise(rng *rand.Rand, dst []float32) {
	for i := range dst {
		dst[i] = float32(p.Low + (p.High-p.Low)*rng.Float64())
	}
}

// NoiseMeanSquare implements Prior: E[z²] = (a² + ab + b²)/3 for z ~ U(a, b).
func (p Uniform) NoiseMeanSquare() float64 { return (p.Low*p.Low + p.Low*p.High + p.High*p.High) / 3 }

// NoiseBounds implements Prior: [Low, High].
func (p Uniform) NoiseBounds() (lo, hi float64) { return p.Low, p.High }

// Sample implements Prior.
func (p Uniform) Sample(ctx *context.Context, g *graph.Graph, batch int) Latent {
	mustPositiveInt("Uniform", "Size", p.Size)
	if err := checkRange(p.Low, p.High); err != nil {
		panic(fmt.Sprintf("priors: Uniform.Low = %g, Uniform.High = %g: %v", p.Low, p.High, err))
	}
	mustBatch("Uniform", batch)
	u := ctx.RandomUniform(g, shapes.Make(DType, batch, p.Size)) // [0, 1)
	z := graph.AddScalar(graph.MulScalar(u, p.High-p.Low), p.Low)
	return Latent{Z: z, Noise: z}
}

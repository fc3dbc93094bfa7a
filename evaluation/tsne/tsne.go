// Package tsne embeds high-dimensional points in 2-D with t-distributed stochastic neighbour
// embedding (t-SNE), to draw latent maps such as Figure 3 of the ClusterGAN paper.
//
// It is standard t-SNE (van der Maaten & Hinton, "Visualizing Data using t-SNE", JMLR 9, 2008)
// with the optimiser of the reference implementation (van der Maaten's bhtsne, tsne.cpp):
//   - per point, the Gaussian precision β_i on squared Euclidean distances is found by a
//     bisection (safeguarded with Newton steps) so that the entropy of P_{·|i} is
//     log(Perplexity) (natural log);
//   - P_ij = (P_{j|i} + P_{i|j}) / 2n, Q_ij ∝ (1 + ||y_i − y_j||²)⁻¹ (Student-t, one degree of
//     freedom), and the cost is KL(P‖Q);
//   - gradient descent with momentum 0.5 for the first 250 iterations and 0.8 after, P
//     multiplied by EarlyExaggeration for those first 250 iterations, per-coordinate gains
//     (+0.2 when the gradient's sign differs from the last update's, ×0.8 otherwise, at least
//     0.01), the embedding re-centred after every step;
//   - initial points drawn from N(0, σ²) with σ = InitStdDev, as bhtsne and scikit-learn.
//
// The gradient carries the factor 4 of the paper, so learning rates are on scikit-learn's scale
// (its "auto" rule is the default). Two ways to compute it:
//   - Exact (Config.Theta = 0): every pair, O(n²) time per iteration and 8n² bytes for P.
//     Suitable up to a few thousand points.
//   - Barnes–Hut (Config.Theta > 0; van der Maaten, "Accelerating t-SNE using Tree-Based
//     Algorithms", JMLR 15, 2014): P restricted to the ⌊3·Perplexity⌋ nearest neighbours of each
//     point (found by brute force, O(n²·dim) once), the repulsive forces summarised by a quadtree:
//     a cell is used as a whole when its side length is below Theta times the distance from the
//     point to the cell's centre of mass (scikit-learn's criterion). O(n log n) per iteration;
//     use it for n above a few thousand, with DefaultTheta.
//
// Results depend only on the input and Config.Seed, not on Config.Workers: work is split by rows
// and every sum over rows is taken in row order.
package tsne

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
)

// Defaults and fixed constants of the optimiser; the schedule constants are those of bhtsne.
const (
	// DefaultPerplexity is used when Config.Perplexity is 0.
	DefaultPerplexity = 30.0
	// DefaultIterations is used when Config.Iterations is 0.
	DefaultIterations = 1000
	// DefaultEarlyExaggeration is used when Config.EarlyExaggeration is 0.
	DefaultEarlyExaggeration = 12.0
	// DefaultTheta is the usual Barnes–Hut angle (bhtsne and scikit-learn); pass it explicitly,
	// since Theta = 0 selects the exact method.
	DefaultTheta = 0.5

	// ExaggerationIterations is the number of initial iterations with exaggerated P and
	// InitialMomentum.
	ExaggerationIterations = 250
	// InitialMomentum is the momentum of the first ExaggerationIterations iterations.
	InitialMomentum = 0.5
	// FinalMomentum is the momentum after them.
	FinalMomentum = 0.8
	// MinGain is the lower bound of the per-coordinate gains.
	MinGain = 0.01
	// MinLearningRate is the floor of the automatic learning rate max(n/EarlyExaggeration/4, 50),
	// scikit-learn's learning_rate="auto" (Belkina et al., Nature Communications 10, 2019).
	MinLearningRate = 50.0
	// InitStdDev is the standard deviation of the random initial embedding.
	InitStdDev = 1e-4
	// KLEvery is the number of iterations between entries of Result.KLHistory.
	KLEvery = 50
)

// outDim is the dimension of the embedding; the quadtree and plots assume 2.
const outDim = 2

// Config configures Embed. Zero values select the defaults; negative values are errors.
type Config struct {
	// Perplexity is the effective number of neighbours, in [1, (n−1)/3] (bhtsne's bound, needed
	// by the Barnes–Hut neighbour lists and kept for the exact method so switching methods never
	// changes which inputs are valid). Default DefaultPerplexity.
	Perplexity float64
	// Iterations is the number of gradient steps. Default DefaultIterations.
	Iterations int
	// LearningRate is the step size. Default max(n/EarlyExaggeration/4, MinLearningRate).
	LearningRate float64
	// EarlyExaggeration multiplies P during the first ExaggerationIterations iterations; >= 1.
	// Default DefaultEarlyExaggeration.
	EarlyExaggeration float64
	// Seed seeds the random initial embedding.
	Seed int64
	// Theta selects the method: 0 is exact, > 0 is Barnes–Hut with this angle (DefaultTheta is
	// the usual choice; smaller is more accurate and slower, above about 0.8 the error grows
	// quickly).
	Theta float64
	// Workers is the number of goroutines; 0 means runtime.NumCPU(). Results do not depend on it.
	Workers int
}

// Result is the embedding returned by Embed.
type Result struct {
	// Y is the n×2 embedding, row-major, centred on the origin.
	Y []float64
	// KL is KL(P‖Q) (natural log) of the final embedding, with P not exaggerated. In Barnes–Hut
	// mode P is the sparse neighbour P and the normalisation of Q is the tree's estimate.
	KL float64
	// KLHistory[k] is KL after (k+1)·KLEvery iterations, computed as KL.
	KLHistory []float64
}

// Embed maps the n = len(x)/dim rows of the row-major matrix x to 2-D with t-SNE.
func Embed(x []float32, dim int, cfg Config) (*Result, error) {
	n, err := validate(x, dim, &cfg)
	if err != nil {
		return nil, fmt.Errorf("t-SNE: %w", err)
	}
	var obj objective
	if cfg.Theta == 0 {
		obj = newExact(x, dim, cfg.Perplexity, cfg.Workers)
	} else {
		obj = newBarnesHut(x, dim, cfg.Perplexity, cfg.Theta, cfg.Workers)
	}
	return optimize(obj, n, cfg), nil
}

// validate checks x, dim and cfg, fills in cfg's defaults and returns the number of rows.
func validate(x []float32, dim int, cfg *Config) (int, error) {
	if dim < 1 {
		return 0, fmt.Errorf("dim = %d, must be >= 1", dim)
	}
	if len(x)%dim != 0 {
		return 0, fmt.Errorf("len(x) = %d is not a multiple of dim = %d", len(x), dim)
	}
	n := len(x) / dim
	if n < 2 {
		return 0, fmt.Errorf("x has %d rows, need at least 2", n)
	}
	for i, v := range x {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return 0, fmt.Errorf("x[%d] (row %d, column %d) is %v; values must be finite", i, i/dim, i%dim, v)
		}
	}
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	if cfg.Perplexity == 0 {
		cfg.Perplexity = DefaultPerplexity
	}
	maxPerp := float64(n-1) / 3
	switch {
	case !finite(cfg.Perplexity) || cfg.Perplexity < 1:
		return 0, fmt.Errorf("Config.Perplexity = %g, must be >= 1 (0 means %g)", cfg.Perplexity, DefaultPerplexity)
	case cfg.Perplexity > maxPerp:
		return 0, fmt.Errorf("Config.Perplexity = %g is too large for %d rows: must be <= (n-1)/3 = %g", cfg.Perplexity, n, maxPerp)
	case cfg.Iterations < 0:
		return 0, fmt.Errorf("Config.Iterations = %d, must be >= 0 (0 means %d)", cfg.Iterations, DefaultIterations)
	case !finite(cfg.LearningRate) || cfg.LearningRate < 0:
		return 0, fmt.Errorf("Config.LearningRate = %g, must be finite and >= 0 (0 means max(n/EarlyExaggeration/4, %g))", cfg.LearningRate, MinLearningRate)
	case !finite(cfg.EarlyExaggeration) || (cfg.EarlyExaggeration != 0 && cfg.EarlyExaggeration < 1):
		return 0, fmt.Errorf("Config.EarlyExaggeration = %g, must be finite and >= 1 (0 means %g)", cfg.EarlyExaggeration, DefaultEarlyExaggeration)
	case !finite(cfg.Theta) || cfg.Theta < 0:
		return 0, fmt.Errorf("Config.Theta = %g, must be finite and >= 0 (0 is the exact method)", cfg.Theta)
	case cfg.Workers < 0:
		return 0, fmt.Errorf("Config.Workers = %d, must be >= 0 (0 means runtime.NumCPU())", cfg.Workers)
	}
	if cfg.Iterations == 0 {
		cfg.Iterations = DefaultIterations
	}
	if cfg.EarlyExaggeration == 0 {
		cfg.EarlyExaggeration = DefaultEarlyExaggeration
	}
	if cfg.LearningRate == 0 {
		cfg.LearningRate = math.Max(float64(n)/cfg.EarlyExaggeration/4, MinLearningRate)
	}
	if cfg.Workers == 0 {
		cfg.Workers = runtime.NumCPU()
	}
	return n, nil
}

// objective is KL(P‖Q) for a fixed P, computed exactly or with Barnes–Hut.
type objective interface {
	// gradient writes ∂KL/∂y (with P multiplied by exaggeration) into grad and returns
	// Z = Σ_{i≠j} (1 + ||y_i − y_j||²)⁻¹, the normalisation of Q.
	gradient(y, grad []float64, exaggeration float64) (z float64)
	// kl returns KL(P‖Q) at y, given Z from gradient at the same y.
	kl(y []float64, z float64) float64
}

// optimize runs the bhtsne gradient descent on obj from a seeded random start.
func optimize(obj objective, n int, cfg Config) *Result {
	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 0x75e))
	y := make([]float64, n*outDim)
	for i := range y {
		y[i] = InitStdDev * rng.NormFloat64()
	}
	grad := make([]float64, len(y))
	update := make([]float64, len(y))
	gains := make([]float64, len(y))
	for i := range gains {
		gains[i] = 1
	}
	klAt := func() float64 {
		return obj.kl(y, obj.gradient(y, grad, 1))
	}

	res := &Result{}
	for it := range cfg.Iterations {
		exaggeration, momentum := 1.0, FinalMomentum
		if it < ExaggerationIterations {
			exaggeration, momentum = cfg.EarlyExaggeration, InitialMomentum
		}
		obj.gradient(y, grad, exaggeration)
		for k, g := range grad {
			// sign(g) != sign(update), with sign(0) = 0, as tsne.cpp.
			if (g > 0) != (update[k] > 0) || (g < 0) != (update[k] < 0) {
				gains[k] += 0.2
			} else {
				gains[k] *= 0.8
			}
			gains[k] = math.Max(gains[k], MinGain)
			update[k] = momentum*update[k] - cfg.LearningRate*gains[k]*g
			y[k] += update[k]
		}
		center(y, n)
		if (it+1)%KLEvery == 0 {
			res.KLHistory = append(res.KLHistory, klAt())
		}
	}
	if cfg.Iterations%KLEvery == 0 && len(res.KLHistory) > 0 {
		res.KL = res.KLHistory[len(res.KLHistory)-1]
	} else {
		res.KL = klAt()
	}
	res.Y = y
	return res
}

// center subtracts the column means of the n×2 matrix y; t-SNE's cost is translation invariant.
func center(y []float64, n int) {
	var mx, my float64
	for i := range n {
		mx += y[2*i]
		my += y[2*i+1]
	}
	mx /= float64(n)
	my /= float64(n)
	for i := range n {
		y[2*i] -= mx
		y[2*i+1] -= my
	}
}

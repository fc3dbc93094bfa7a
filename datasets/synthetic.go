package datasets

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// SyntheticConfig describes a mixture of K isotropic Gaussians in Dim dimensions.
type SyntheticConfig struct {
	// K is the number of clusters (>= 1).
	K int
	// Dim is the dimension of the mixture (>= 1).
	Dim int
	// PerCluster is the number of examples of each cluster in each of the three splits (>= 1).
	PerCluster int
	// Separation is the smallest distance between two cluster means (> 0). Means sit on
	// orthogonal axes when K <= Dim, else evenly on a circle in the first two coordinates
	// (on a line when Dim == 1).
	Separation float64
	// Std is the standard deviation of each coordinate around its mean (>= 0).
	Std float64
	// EmbedDim, when > 0, maps the samples into EmbedDim features through a fixed random
	// non-linear map, tanh(W·u + b) of the samples u scaled into [-1, 1]; 0 keeps the Dim
	// features.
	EmbedDim int
	// Seed makes the data deterministic: the same config gives the same data.
	Seed int64
}

// Defaults of the "synthetic" data set: five well separated clusters in the plane
// (Separation/Std = 10), embedded into 16 features so that the generator and encoder see
// a non-trivial, yet still clearly clusterable, input. 200 examples per cluster and split.
const (
	DefaultSyntheticK          = 5
	DefaultSyntheticDim        = 2
	DefaultSyntheticPerCluster = 200
	DefaultSyntheticSeparation = 1.0
	DefaultSyntheticStd        = 0.1
	DefaultSyntheticEmbedDim   = 16
)

// syntheticEmbedGain scales the random map W, so tanh is noticeably non-linear on inputs in
// [-1, 1] without saturating.
const syntheticEmbedGain = 1.5

// DefaultSyntheticConfig returns the configuration of the "synthetic" data set with seed 0.
func DefaultSyntheticConfig() SyntheticConfig {
	return SyntheticConfig{
		K:          DefaultSyntheticK,
		Dim:        DefaultSyntheticDim,
		PerCluster: DefaultSyntheticPerCluster,
		Separation: DefaultSyntheticSeparation,
		Std:        DefaultSyntheticStd,
		EmbedDim:   DefaultSyntheticEmbedDim,
	}
}

// Validate checks every field, naming the first one that is wrong.
func (c SyntheticConfig) Validate() error {
	switch {
	case c.K < 1:
		return fmt.Errorf("synthetic: K = %d, want >= 1", c.K)
	case c.Dim < 1:
		return fmt.Errorf("synthetic: Dim = %d, want >= 1", c.Dim)
	case c.PerCluster < 1:
		return fmt.Errorf("synthetic: PerCluster = %d, want >= 1", c.PerCluster)
	case !(c.Separation > 0) || math.IsInf(c.Separation, 0):
		return fmt.Errorf("synthetic: Separation = %g, want a finite value > 0", c.Separation)
	case !(c.Std >= 0) || math.IsInf(c.Std, 0):
		return fmt.Errorf("synthetic: Std = %g, want a finite value >= 0", c.Std)
	case c.EmbedDim < 0:
		return fmt.Errorf("synthetic: EmbedDim = %d, want >= 0 (0 = no embedding)", c.EmbedDim)
	}
	return nil
}

// Means returns the K cluster means (before scaling to [0, 1]); any two are at least
// Separation apart.
func (c SyntheticConfig) Means() [][]float64 {
	means := make([][]float64, c.K)
	for k := range means {
		means[k] = make([]float64, c.Dim)
		switch {
		case c.K <= c.Dim:
			// Orthogonal axes: every pair is exactly Separation apart.
			means[k][k] = c.Separation / math.Sqrt2
		case c.Dim == 1:
			means[k][0] = float64(k) * c.Separation
		default:
			// A regular K-gon whose neighbouring vertices are Separation apart.
			radius := c.Separation / (2 * math.Sin(math.Pi/float64(c.K)))
			angle := 2 * math.Pi * float64(k) / float64(c.K)
			means[k][0], means[k][1] = radius*math.Cos(angle), radius*math.Sin(angle)
		}
	}
	return means
}

// Synthetic draws train, validation and test sets of PerCluster examples per cluster each
// from the mixture, in a seeded random order. The features are scaled into [0, 1] (see
// scaleInto) by one transform computed over the three splits together, so a sigmoid generator
// can produce them. Splits.Synthetic records cfg, the data's provenance.
func Synthetic(cfg SyntheticConfig) (*Splits, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 0x5eed_c1a5))
	means := cfg.Means()
	n := cfg.K * cfg.PerCluster
	const numSplits = 3
	raw := make([]float64, numSplits*n*cfg.Dim)
	labels := make([]int, numSplits*n)
	for s := range numSplits {
		order := rng.Perm(n)
		for i, o := range order {
			row := s*n + i
			k := o % cfg.K
			labels[row] = k
			for j := range cfg.Dim {
				raw[row*cfg.Dim+j] = means[k][j] + cfg.Std*rng.NormFloat64()
			}
		}
	}
	features, dim := raw, cfg.Dim
	if cfg.EmbedDim > 0 {
		scaleInto(raw, cfg.Dim, -1, 1)
		features, dim = embed(raw, cfg.Dim, cfg.EmbedDim, rng), cfg.EmbedDim
	}
	scaleInto(features, dim, 0, 1)
	x := make([]float32, len(features))
	for i, v := range features {
		x[i] = float32(v)
	}
	all := &Dataset{Name: "synthetic", X: x, Shape: []int{dim}, Labels: labels, NumClasses: cfg.K}
	return &Splits{Train: all.rows(0, n), Validation: all.rows(n, 2*n), Test: all.rows(2*n, 3*n), Synthetic: &cfg}, nil
}

// embed applies tanh(W·u + b) row by row, with W ~ N(0, gain²/dim) and b ~ N(0, 0.1²) drawn
// from rng.
func embed(u []float64, dim, embedDim int, rng *rand.Rand) []float64 {
	w := make([]float64, embedDim*dim)
	scale := syntheticEmbedGain / math.Sqrt(float64(dim))
	for i := range w {
		w[i] = scale * rng.NormFloat64()
	}
	b := make([]float64, embedDim)
	for i := range b {
		b[i] = 0.1 * rng.NormFloat64()
	}
	rows := len(u) / dim
	out := make([]float64, rows*embedDim)
	for r := range rows {
		in := u[r*dim : (r+1)*dim]
		for e := range embedDim {
			sum := b[e]
			for j, v := range in {
				sum += w[e*dim+j] * v
			}
			out[r*embedDim+e] = math.Tanh(sum)
		}
	}
	return out
}

// scaleInto maps the row-major x (dim columns) into [lo, hi] by one similarity transform: each
// column is centred on the midpoint of its range and all are divided by the same factor, so
// the widest column spans [lo, hi] exactly and distances keep their proportions (scaling
// columns separately would blow a noise-only column up to the size of the signal).
func scaleInto(x []float64, dim int, lo, hi float64) {
	centers := make([]float64, dim)
	halfRange := 0.0
	for j := range dim {
		cmin, cmax := math.Inf(1), math.Inf(-1)
		for i := j; i < len(x); i += dim {
			cmin, cmax = math.Min(cmin, x[i]), math.Max(cmax, x[i])
		}
		centers[j] = (cmin + cmax) / 2
		halfRange = math.Max(halfRange, (cmax-cmin)/2)
	}
	mid, half := (lo+hi)/2, (hi-lo)/2
	for i := range x {
		if halfRange == 0 {
			x[i] = mid
			continue
		}
		x[i] = math.Min(hi, math.Max(lo, mid+half*(x[i]-centers[i%dim])/halfRange))
	}
}

// loadSynthetic is the "synthetic" loader: opts.Synthetic, or the defaults; either with
// opts.Seed when its own Seed is 0 (a program's mixture takes the run's seed).
func loadSynthetic(opts Options) (*Splits, error) {
	cfg := DefaultSyntheticConfig()
	if opts.Synthetic != nil {
		cfg = *opts.Synthetic
	}
	if cfg.Seed == 0 {
		cfg.Seed = opts.Seed
	}
	return Synthetic(cfg)
}

func init() {
	Register("synthetic", loadSynthetic)
}

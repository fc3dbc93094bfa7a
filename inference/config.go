package inference

import (
	"fmt"
	"math"

	"github.com/clustergan/clustergan/priors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Context parameters read by ConfigFromContext (GoMLX context parameters; see DefaultParams).
const (
	// ParamSteps is τ, the Adam steps of every restart (int, default DefaultSteps); ≥ 1.
	ParamSteps = "decode_steps"
	// ParamLearningRate is Adam's learning rate (float, default 0.01 as the official code); > 0.
	ParamLearningRate = "decode_learning_rate"
	// ParamLambda weighs the penalty λ·mean(z_n²) (float, default 10 as the official code); ≥ 0.
	ParamLambda = "decode_lambda"
	// ParamClip clips the optimised latent to [−clip, clip] after every step (float, default
	// 0.6 as the official code); ≥ 0, 0 turns clipping off.
	ParamClip = "decode_clip"
	// ParamBatchSize is the number of points decoded per execution (int, default 64); ≥ 1.
	ParamBatchSize = "decode_batch_size"
	// ParamChunkSteps is the number of Adam steps unrolled in one graph execution (int,
	// default 25); ≥ 1. GoMLX v0.26 has no While loop, so each chunk is one graph. Measured on
	// BenchmarkDecodeMNISTMLP (τ = 100, graph building included): 10 → 16.9 s, 25 → 14.4 s,
	// 50 → 14.9 s, 100 → 15.1 s; larger chunks only cost longer graph building.
	ParamChunkSteps = "decode_chunk_steps"
	// ParamSeed seeds the initial latents (int, default 1).
	ParamSeed = "decode_seed"
)

// Defaults of the parameters above.
const (
	// DefaultSteps is the CPU default for τ. The official code runs 5000 steps. On the pure-Go
	// backend (2 cores), BenchmarkDecodeMNISTMLP decodes 64 MNIST points × 10 restarts with the
	// mlp generator 40-256-256-784 for τ = 100 in 14.4 s (20–26 s while other jobs load the
	// machine): ≈ 144 ms per step of 640 restarts, ≈ 0.7 GFLOP per step at ≈ 4.9 GFLOP/s, so
	// matrix products bound it. Extrapolated, τ = 5000 on the 10k test points costs
	// 10000/64 × 5000 × 0.144 s ≈ 31 h (≈ 11 s per point); τ = 300 costs ≈ 1.9 h (≈ 0.7 s per
	// point). Adam moves a coordinate by at most ≈ lr per step, so crossing the clip range
	// [−0.6, 0.6] takes ≥ 120 steps at lr = 0.01; 300 leaves margin, and on
	// TestRecovery's problem the best restarts' losses are the same after 100, 300 and 1000 steps.
	DefaultSteps        = 300
	DefaultLearningRate = 0.01
	DefaultLambda       = 10.0
	DefaultClip         = 0.6
	DefaultBatchSize    = 64
	DefaultChunkSteps   = 25
	DefaultSeed         = 1
)

// Adam's constants: TensorFlow's AdamOptimizer defaults, as the official code uses them.
const (
	adamBeta1   = 0.9
	adamBeta2   = 0.999
	adamEpsilon = 1e-8
)

// Config sets up back-propagation decoding.
//
// Clip applies to the optimised part of the latent: z_n for the mixed prior, the whole z for
// the other priors. Its default suits ClusterGAN's mixed prior (σ = 0.1); for a gaussian or gmm
// prior set Clip = 0 (no clipping). For the uniform prior the latent is always kept inside
// [Low, High] too. Likewise Lambda multiplies mean(z_n²) for the mixed prior and mean(z²)
// otherwise: the default 10 matches z_n ~ N(0, 0.1²); scale it down for a wider prior.
type Config struct {
	Steps        int     // τ, Adam steps per restart; ≥ 1 (official code 5000; DefaultSteps on CPU)
	LearningRate float64 // Adam learning rate; > 0
	Lambda       float64 // weight of the penalty mean(z_n²); ≥ 0
	Clip         float64 // z_n is clipped to [−Clip, Clip] after every step; ≥ 0, 0 = no clipping
	BatchSize    int     // points per execution (all restarts of those points run together); ≥ 1
	ChunkSteps   int     // Adam steps unrolled per graph execution; ≥ 1
	Seed         int64   // seeds the initial latents (drawn in Go, so the model's RNG is untouched)

	// Trace, if not nil, is called after every chunk of steps with the batch index, the number
	// of steps done and the current loss of every restart of the batch (point-major: row
	// i·K + k is restart k of the batch's point i).
	Trace func(batch, steps int, loss []float32)
}

// DefaultConfig returns the official code's settings with the CPU default for Steps.
func DefaultConfig() Config {
	return Config{
		Steps: DefaultSteps, LearningRate: DefaultLearningRate, Lambda: DefaultLambda,
		Clip: DefaultClip, BatchSize: DefaultBatchSize, ChunkSteps: DefaultChunkSteps, Seed: DefaultSeed,
	}
}

// DefaultParams returns the parameters of this package with their defaults, for an
// experiment's default context.
func DefaultParams() map[string]any {
	return map[string]any{
		ParamSteps:        DefaultSteps,
		ParamLearningRate: DefaultLearningRate,
		ParamLambda:       DefaultLambda,
		ParamClip:         DefaultClip,
		ParamBatchSize:    DefaultBatchSize,
		ParamChunkSteps:   DefaultChunkSteps,
		ParamSeed:         DefaultSeed,
	}
}

// ConfigFromContext reads a Config from ctx's parameters (defaults for those not set) and
// validates it.
func ConfigFromContext(ctx *context.Context) (Config, error) {
	cfg := Config{
		Steps:        context.GetParamOr(ctx, ParamSteps, DefaultSteps),
		LearningRate: context.GetParamOr(ctx, ParamLearningRate, DefaultLearningRate),
		Lambda:       context.GetParamOr(ctx, ParamLambda, DefaultLambda),
		Clip:         context.GetParamOr(ctx, ParamClip, DefaultClip),
		BatchSize:    context.GetParamOr(ctx, ParamBatchSize, DefaultBatchSize),
		ChunkSteps:   context.GetParamOr(ctx, ParamChunkSteps, DefaultChunkSteps),
		Seed:         int64(context.GetParamOr(ctx, ParamSeed, DefaultSeed)),
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// Validate reports the first field of c that is out of range.
func (c Config) Validate() error {
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	switch {
	case c.Steps < 1:
		return fmt.Errorf("inference: Config.Steps (parameter %q) = %d, must be ≥ 1", ParamSteps, c.Steps)
	case !(c.LearningRate > 0) || !finite(c.LearningRate):
		return fmt.Errorf("inference: Config.LearningRate (parameter %q) = %g, must be finite and > 0", ParamLearningRate, c.LearningRate)
	case !(c.Lambda >= 0) || !finite(c.Lambda):
		return fmt.Errorf("inference: Config.Lambda (parameter %q) = %g, must be finite and ≥ 0", ParamLambda, c.Lambda)
	case !(c.Clip >= 0) || !finite(c.Clip):
		return fmt.Errorf("inference: Config.Clip (parameter %q) = %g, must be finite and ≥ 0 (0 = no clipping)", ParamClip, c.Clip)
	case c.BatchSize < 1:
		return fmt.Errorf("inference: Config.BatchSize (parameter %q) = %d, must be ≥ 1", ParamBatchSize, c.BatchSize)
	case c.ChunkSteps < 1:
		return fmt.Errorf("inference: Config.ChunkSteps (parameter %q) = %d, must be ≥ 1", ParamChunkSteps, c.ChunkSteps)
	}
	return nil
}

// ForPlainPrior adapts decoding settings stated for ClusterGAN's mixed prior, whose z_n has
// standard deviation mixedSigma, to a prior without a cluster code in z (gaussian, uniform,
// gmm), whose whole z is optimised. With s = rms(z)/mixedSigma (Prior.NoiseMeanSquare), the
// prior's root-mean-square latent coordinate in units of mixedSigma, the learning rate is
// multiplied by s and λ divided by s²: the decoding problem in z/s is then the one the settings
// were chosen for (the same number of steps crosses the prior's range, and λ·mean(z²) weighs a
// typical latent as it weighs a typical z_n). Clipping is turned off, as Config advises for these
// priors (a bounded prior still keeps z inside its range).
func ForPlainPrior(cfg Config, meanSquare, mixedSigma float64) (Config, error) {
	if !(mixedSigma > 0) {
		return cfg, fmt.Errorf("inference: parameter %q (the mixed prior's σ) = %g: must be > 0", priors.ParamSigma, mixedSigma)
	}
	if !(meanSquare > 0) {
		return cfg, fmt.Errorf("inference: the prior's mean square latent coordinate = %g: must be > 0", meanSquare)
	}
	s := math.Sqrt(meanSquare) / mixedSigma
	cfg.LearningRate *= s
	cfg.Lambda /= s * s
	cfg.Clip = 0
	return cfg, cfg.Validate()
}

package inference

import (
	"fmt"
	"math"

	"github.com/clustergan/clustergan/internal/params"
	"github.com/clustergan/clustergan/priors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Context parameters read by ConfigFromContext: GoMLX context parameters, documented in Params.
const (
	ParamSteps        = "decode_steps"
	ParamLearningRate = "decode_learning_rate"
	ParamLambda       = "decode_lambda"
	ParamClip         = "decode_clip"
	ParamBatchSize    = "decode_batch_size"
	ParamChunkSteps   = "decode_chunk_steps"
	ParamSeed         = "decode_seed"
	ParamRestarts     = "decode_restarts"
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
	DefaultLearningRate = 0.01 // as the official code
	DefaultLambda       = 10.0 // as the official code
	DefaultClip         = 0.6  // as the official code
	DefaultBatchSize    = 64
	// DefaultChunkSteps: GoMLX v0.26 has no While loop, so each chunk is one graph. Measured on
	// BenchmarkDecodeMNISTMLP (τ = 100, graph building included): 10 → 16.9 s, 25 → 14.4 s,
	// 50 → 14.9 s, 100 → 15.1 s; larger chunks only cost longer graph building.
	DefaultChunkSteps = 25
	DefaultSeed       = 1
	// DefaultRestarts: one start per point for a prior without a cluster code; the official
	// baseline code (Image_wgan_gp.py, recon_enc) restarts K times from fresh prior draws.
	DefaultRestarts = 1
)

// Params declares the parameters of this package: their defaults, meanings and ranges.
var Params = params.Declare("inference", params.Table{
	{Name: ParamSteps, Default: DefaultSteps, Range: params.AtLeast(1),
		Doc: "τ, the Adam steps of every restart of back-propagation decoding (the official code runs 5000; 300 is the CPU default)"},
	{Name: ParamLearningRate, Default: DefaultLearningRate, Range: params.Above(0).Finite(),
		Doc: "Adam's learning rate in back-propagation decoding (0.01 as the official code)"},
	{Name: ParamLambda, Default: DefaultLambda, Range: params.AtLeast(0).Finite(),
		Doc: "λ, the weight of the penalty λ·mean(z_n²) in back-propagation decoding (10 as the official code; scale it down for a wider prior)"},
	{Name: ParamClip, Default: DefaultClip, Range: params.AtLeast(0).Finite(),
		Doc: "back-propagation decoding clips the optimised latent to [−clip, clip] after every step (0.6 as the official code); 0 turns clipping off"},
	{Name: ParamBatchSize, Default: DefaultBatchSize, Range: params.AtLeast(1),
		Doc: "points decoded per graph execution (all their restarts run together)"},
	{Name: ParamChunkSteps, Default: DefaultChunkSteps, Range: params.AtLeast(1),
		Doc: "Adam steps of back-propagation decoding unrolled in one graph execution"},
	{Name: ParamSeed, Default: DefaultSeed,
		Doc: "seeds the initial latents of back-propagation decoding"},
	{Name: ParamRestarts, Default: DefaultRestarts, Range: params.AtLeast(1),
		Doc: "restarts per point, from fresh prior draws, in the decoding of a prior without a cluster code (the mixed prior restarts once per one-hot); the lowest loss wins"},
})

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
	// Restarts is the number of starts per point for a prior without a cluster code (the mixed
	// prior restarts once per one-hot whatever it says); ≥ 1, 0 counts as 1.
	Restarts int

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
		Restarts: DefaultRestarts,
	}
}

// ConfigFromContext reads a Config from ctx's parameters (defaults for those not set) and
// validates it: the error names the first parameter out of range.
func ConfigFromContext(ctx *context.Context) (Config, error) {
	r := Params.Reader(ctx)
	cfg := Config{
		Steps:        r.Int(ParamSteps),
		LearningRate: r.Float(ParamLearningRate),
		Lambda:       r.Float(ParamLambda),
		Clip:         r.Float(ParamClip),
		BatchSize:    r.Int(ParamBatchSize),
		ChunkSteps:   r.Int(ParamChunkSteps),
		Seed:         int64(r.Int(ParamSeed)),
		Restarts:     r.Int(ParamRestarts),
	}
	return cfg, r.Err()
}

// Validate reports the first field of c that is out of its parameter's range.
func (c Config) Validate() error {
	for _, f := range []struct {
		field, param string
		value        any
	}{
		{"Steps", ParamSteps, c.Steps},
		{"LearningRate", ParamLearningRate, c.LearningRate},
		{"Lambda", ParamLambda, c.Lambda},
		{"Clip", ParamClip, c.Clip},
		{"BatchSize", ParamBatchSize, c.BatchSize},
		{"ChunkSteps", ParamChunkSteps, c.ChunkSteps},
	} {
		p, _ := Params.Lookup(f.param)
		if err := p.Range.Check(f.value); err != nil {
			return fmt.Errorf("inference: Config.%s (parameter %q) = %v: %w", f.field, f.param, f.value, err)
		}
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
	if p, _ := priors.Params.Lookup(priors.ParamSigma); p.Check("", mixedSigma) != nil {
		return cfg, fmt.Errorf("inference: the mixed prior's σ: %w", p.Check("", mixedSigma))
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

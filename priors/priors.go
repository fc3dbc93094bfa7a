// Package priors defines the latent distributions a generator samples from: ClusterGAN's mixed
// prior (Gaussian noise concatenated with a one-hot cluster code) and the baselines' Gaussian,
// uniform and Gaussian-mixture priors.
//
// Each prior is a plain value type with exported fields (named so as not to clash with the
// Prior methods: Mixed.NoiseSize is what NoiseDim returns) and one sampler method, registered by
// name; New builds the one named by ParamPrior from a context's parameters. All samples are
// float32 and their randomness comes from the context's RNG, so a seeded context (and a
// checkpoint, which stores the RNG state) reproduces them.
//
// So that every prior feeds the same generator input size, the priors without a noise/cluster
// split (gaussian, uniform, gmm) have Dim = ParamNoiseDim + ParamNumClusters, the size of the
// mixed prior's z.
package priors

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/clustergan/clustergan/internal/params"
	"github.com/clustergan/clustergan/internal/registry"
)

// DType is the dtype of every float sample (Z, Noise, OneHot).
const DType = dtypes.Float32

// Hyper-parameters read by the prior factories: GoMLX context parameters, documented in Params.
const (
	ParamPrior         = "prior"
	ParamNoiseDim      = "prior_noise_dim"
	ParamNumClusters   = "num_clusters"
	ParamSigma         = "prior_sigma"
	ParamGaussianSigma = "prior_gaussian_sigma"
	ParamUniformLow    = "prior_uniform_low"
	ParamUniformHigh   = "prior_uniform_high"
	ParamGMMSeed       = "prior_gmm_seed"
)

// Defaults of the parameters above.
const (
	DefaultPrior       = "mixed"
	DefaultNoiseDim    = 30 // as the official code for MNIST
	DefaultNumClusters = 0  // the data set's number of classes, which the methods fill in
	// DefaultSigma is the official ClusterGAN code's σ; the PyTorch port uses 0.75.
	DefaultSigma         = 0.10
	DefaultGaussianSigma = 1.0 // the usual N(0, I); separate from ParamSigma, whose small default suits the mixed prior only
	DefaultUniformLow    = -1.0
	DefaultUniformHigh   = 1.0
	DefaultGMMSeed       = 1
)

// Params declares the parameters of this package: their defaults, meanings and ranges.
var Params = params.Declare("priors", params.Table{
	{Name: ParamPrior, Default: DefaultPrior, Range: params.OneOfFunc(Names),
		Doc: "the latent distribution G samples from: mixed is ClusterGAN's (Gaussian z_n and a one-hot cluster code), the others the baselines' plain priors"},
	{Name: ParamNoiseDim, Default: DefaultNoiseDim, Range: params.AtLeast(1),
		Doc: "d_n, the dimension of the mixed prior's Gaussian part z_n; the other priors have dimension prior_noise_dim + num_clusters"},
	{Name: ParamNumClusters, Default: DefaultNumClusters, Range: params.AtLeast(0),
		Doc: "K, the one number of clusters of a run: the mixed prior's one-hot size, the gmm prior's components and the clusters every method reports; 0 = the data set's number of classes"},
	{Name: ParamSigma, Default: DefaultSigma, Range: params.Above(0),
		Doc: "standard deviation of the mixed prior's z_n and of each gmm component (0.10 as the official code; the PyTorch port uses 0.75)"},
	{Name: ParamGaussianSigma, Default: DefaultGaussianSigma, Range: params.Above(0),
		Doc: "standard deviation of the plain gaussian prior"},
	{Name: ParamUniformLow, Default: DefaultUniformLow, Range: params.Finite(),
		Doc: "lower bound of the uniform prior (below prior_uniform_high)"},
	{Name: ParamUniformHigh, Default: DefaultUniformHigh, Range: params.Finite(),
		Doc: "upper bound of the uniform prior (excluded)"},
	{Name: ParamGMMSeed, Default: DefaultGMMSeed,
		Doc: "seeds the draw of the gmm component means from U(-1, 1)^dim, constants identical in every graph and run with the same seed"},
})

// Config holds the parameters of this package, read by ConfigFromContext.
type Config struct {
	Prior                   string
	NoiseDim, NumClusters   int
	Sigma, GaussianSigma    float64
	UniformLow, UniformHigh float64
	GMMSeed                 int
}

// ConfigFromContext reads the parameters of this package from ctx (up its scopes; defaults for
// those not set) and checks each against its range; the error names the first parameter out
// of range. K = 0 is valid here: the factories that need K say so.
func ConfigFromContext(ctx *context.Context) (Config, error) {
	r := Params.Reader(ctx)
	c := Config{
		Prior:         r.String(ParamPrior),
		NoiseDim:      r.Int(ParamNoiseDim),
		NumClusters:   r.Int(ParamNumClusters),
		Sigma:         r.Float(ParamSigma),
		GaussianSigma: r.Float(ParamGaussianSigma),
		UniformLow:    r.Float(ParamUniformLow),
		UniformHigh:   r.Float(ParamUniformHigh),
		GMMSeed:       r.Int(ParamGMMSeed),
	}
	return c, r.Err()
}

// Latent is one batch of latent samples.
type Latent struct {
	// Z is what the generator receives: [batch, Dim()].
	Z *graph.Node
	// Noise is the continuous part z_n: [batch, NoiseDim()]. For priors without a
	// noise/cluster split it is Z itself.
	Noise *graph.Node
	// OneHot is the cluster (or mixture component) as a float one-hot: [batch, NumClusters()];
	// nil if the prior has no categorical part.
	OneHot *graph.Node
	// Cluster is the cluster (or component) index, int32 in [0, NumClusters()): [batch]; nil
	// if the prior has no categorical part.
	Cluster *graph.Node
}

// Prior is a latent distribution.
type Prior interface {
	// Dim is the dimension of Z.
	Dim() int
	// NoiseDim is the dimension of Noise.
	NoiseDim() int
	// NumClusters is the dimension of OneHot, 0 if the prior has no categorical part.
	NumClusters() int
	// Sample draws batch samples using ctx's RNG.
	Sample(ctx *context.Context, g *graph.Graph, batch int) Latent

	// Split reports whether Z is laid out as [z_n, one-hot of the cluster], with noise = NoiseDim
	// and clusters = NumClusters coordinates (the mixed prior): then a generator input can be
	// composed from a chosen cluster and noise, as sample grids and back-prop decoding do.
	Split() (noise, clusters int, ok bool)
	// SampleNoise fills dst, NoiseDim values per row, with host-side draws of Noise (z_n for a
	// split prior, all of Z otherwise) from rng: the starting points of back-prop decoding and
	// the noise of sample grids, reproducible from a seed without a graph.
	SampleNoise(rng *rand.Rand, dst []float32)
	// NoiseMeanSquare is E[mean of Noise's squared coordinates]: the scale of a typical latent.
	NoiseMeanSquare() float64
	// NoiseBounds bounds every coordinate of Noise: [lo, hi], ±Inf when it is unbounded.
	NoiseBounds() (lo, hi float64)
}

// ClusterSampler is implemented by priors whose samples come from one of NumClusters clusters
// (the mixed prior's one-hot, the gmm prior's components), so that a generator can be asked for
// a chosen cluster and a latent mapped back to its cluster: the generation agreement of package
// methods uses it.
type ClusterSampler interface {
	// SampleCluster fills dst, Dim values per row, with host-side draws of z from cluster k.
	SampleCluster(rng *rand.Rand, k int, dst []float32)
	// ClusterOf returns the cluster that the latent z (Dim values) most likely came from.
	ClusterOf(z []float32) int
}

// normalRows fills dst with σ·N(0, 1) draws.
func normalRows(rng *rand.Rand, dst []float32, sigma float64) {
	for i := range dst {
		dst[i] = float32(rng.NormFloat64() * sigma)
	}
}

// unbounded is NoiseBounds of the priors with Gaussian noise.
func unbounded() (lo, hi float64) { return math.Inf(-1), math.Inf(1) }

// Factory builds a prior from the parameters of this package, already checked against their
// ranges.
type Factory func(cfg Config) (Prior, error)

var factories = registry.New[Factory]("prior")

// Register adds a prior factory under name; it panics if name is empty or taken.
func Register(name string, f Factory) { factories.Register(name, f) }

// Names returns the registered prior names, sorted.
func Names() []string { return factories.Names() }

// Get returns the factory registered as name, or an error listing the valid names.
func Get(name string) (Factory, error) { return factories.Get(name) }

// New builds the prior named by ParamPrior from ctx's parameters (ConfigFromContext).
func New(ctx *context.Context) (Prior, error) {
	cfg, err := ConfigFromContext(ctx)
	if err != nil {
		if p, _ := Params.Lookup(ParamPrior); p.Check("", cfg.Prior) != nil {
			return nil, err // the name itself is wrong
		}
		return nil, fmt.Errorf("prior %q: %w", cfg.Prior, err)
	}
	f, err := Get(cfg.Prior)
	if err != nil {
		return nil, fmt.Errorf("parameter %q: %w", ParamPrior, err)
	}
	p, err := f(cfg)
	if err != nil {
		return nil, fmt.Errorf("prior %q: %w", cfg.Prior, err)
	}
	return p, nil
}

// fullDim is the dimension of the priors without a noise/cluster split: ParamNoiseDim +
// ParamNumClusters.
func fullDim(cfg Config) (int, error) {
	k, err := numClusters(cfg)
	if err != nil {
		return 0, err
	}
	return cfg.NoiseDim + k, nil
}

// numClusters returns K, which must have been resolved to ≥ 1.
func numClusters(cfg Config) (int, error) {
	if cfg.NumClusters == 0 {
		return 0, fmt.Errorf("parameter %q = 0 means the data set's number of classes, which the method resolves; a prior built directly needs it ≥ 1", ParamNumClusters)
	}
	return cfg.NumClusters, nil
}

// Graph-building code panics, naming the field to fix, when a value type is unusable (the
// factories have already returned errors for bad parameters).

func mustBatch(prior string, batch int) {
	if batch < 1 {
		panic(fmt.Sprintf("priors: %s.Sample: batch = %d, must be ≥ 1", prior, batch))
	}
}

func mustPositiveInt(prior, field string, v int) {
	if v < 1 {
		panic(fmt.Sprintf("priors: %s.%s = %d, must be ≥ 1", prior, field, v))
	}
}

func mustPositiveFloat(prior, field string, v float64) {
	if !(v > 0) {
		panic(fmt.Sprintf("priors: %s.%s = %g, must be > 0", prior, field, v))
	}
}

// sampleClusters draws batch indices uniformly from {0, …, k−1}, int32 [batch].
func sampleClusters(ctx *context.Context, g *graph.Graph, batch, k int) *graph.Node {
	// RandomIntN needs a typed bound: an untyped constant matches none of its cases.
	return ctx.RandomIntN(g, int32(k), shapes.Make(dtypes.Int32, batch))
}

// gaussian draws σ·N(0, 1) of shape [batch, dim].
func gaussian(ctx *context.Context, g *graph.Graph, batch, dim int, sigma float64) *graph.Node {
	return graph.MulScalar(ctx.RandomNormal(g, shapes.Make(DType, batch, dim)), sigma)
}

// Package inference recovers latents of data points by back-propagation decoding through a
// trained generator: gradient descent on z to make G(z) reconstruct x.
//
// For ClusterGAN's mixed prior it implements the paper's modified algorithm (Mukherjee et al.
// 2019, Algorithm 1, and the official baseline code): for every point and every cluster k one
// restart with z_c = e_k fixed and z_n⁰ ~ N(0, σ²I); τ Adam steps on z_n minimising
//
//	mean|x − G([z_n, e_k])| + λ·mean(z_n²)
//
// with z_n clipped to [−Clip, Clip] after every step; the restart with the lowest final loss
// gives the point's cluster and z_n. For the other priors (gaussian, uniform, gmm) it runs plain
// back-propagation decoding: Config.Restarts starts from prior samples (one by default; the
// official baseline code restarts K times), the whole z optimised, the lowest loss kept.
//
// All restarts of a batch of points run together in one GoMLX graph that unrolls ChunkSteps Adam
// steps (GoMLX v0.26 has no While loop); the latent and Adam's moments go back in as inputs for
// the next chunk. Adam is written on graph nodes and the gradient is taken with respect to the
// latent only, so the generator's variables are read and never updated.
//
// BatchNorm: the generators' batch normalisation always uses the statistics of the batch it is
// given (as the official generator does, also when sampling). Decoding feeds all BatchSize × K
// restarts of a batch as one generator batch, so with a BatchNorm generator a point's result
// depends slightly on the other points of its batch and on BatchSize, and the restarts are
// coupled through the batch statistics. We keep the batched form because a generator with batch
// statistics has no single-point output to match: G(z) of one latent alone is a different
// function (a batch of one normalises every feature to β). Generators without BatchNorm (the
// mlp default) decode every restart independently of the others.
package inference

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/clustergan/clustergan/internal/panics"
	"github.com/clustergan/clustergan/trainer"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX's idiom for graph code.
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Result holds the recovered latents of n points.
type Result struct {
	N        int
	NoiseDim int       // columns of Noise: dn for the mixed prior, LatentDim otherwise
	Noise    []float32 // n × NoiseDim: the recovered z_n of the best restart (all of z for plain decoding)
	Cluster  []int     // n: the best restart's cluster k, or -1 for priors without a mixed one-hot
	Loss     []float32 // n: final loss of the best restart
	Z        []float32 // n × LatentDim: the full recovered latent fed to G
}

// Decode recovers latents for x (n × DataDim, row-major) with m's generator, which it does not
// modify. See the package documentation for the algorithm and Config for the settings.
func Decode(m *trainer.Model, x []float32, cfg Config) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d, err := newDecoder(m, cfg)
	if err != nil {
		return nil, err
	}
	dim := m.DataDim()
	if len(x) == 0 || len(x)%dim != 0 {
		return nil, fmt.Errorf("inference: x has %d values, not a positive multiple of the model's data dimension %d (Spec.DataShape %v)",
			len(x), dim, m.Spec.DataShape)
	}
	n := len(x) / dim
	res := &Result{N: n, NoiseDim: d.dim}
	rng := newRNG(cfg.Seed)
	for batch, start := 0, 0; start < n; batch, start = batch+1, start+cfg.BatchSize {
		end := min(n, start+cfg.BatchSize)
		if err := d.decodeBatch(batch, x[start*dim:end*dim], end-start, rng, res); err != nil {
			return nil, fmt.Errorf("inference: decoding points %d–%d: %w", start, end-1, err)
		}
	}
	return res, nil
}

// newRNG returns the generator of the initial latents: batch after batch, each draws its
// restarts' initial latents in row order.
func newRNG(seed int64) *rand.Rand { return rand.New(rand.NewPCG(uint64(seed), 0xdec0de)) }

// decoder holds what the mode (mixed or plain) and the prior fix.
type decoder struct {
	m        *trainer.Model
	cfg      Config
	mixed    bool
	restarts int                               // K for the mixed prior, Config.Restarts otherwise
	dim      int                               // optimised columns: dn for the mixed prior, LatentDim otherwise
	lo, hi   float64                           // clip range of the optimised latent; lo > hi means none
	draw     func(rng *rand.Rand, z []float32) // the prior's SampleNoise
	execs    map[int]*context.Exec             // by the number of steps per chunk
}

func newDecoder(m *trainer.Model, cfg Config) (*decoder, error) {
	d := &decoder{m: m, cfg: cfg, restarts: 1, dim: m.Spec.LatentDim, lo: 1, hi: -1, execs: map[int]*context.Exec{}}
	if cfg.Clip > 0 {
		d.lo, d.hi = -cfg.Clip, cfg.Clip
	}
	prior := m.Prior
	d.draw = prior.SampleNoise
	if dn, k, ok := prior.Split(); ok {
		// The paper's modified decoding: one restart per one-hot, z_n optimised.
		d.mixed, d.restarts, d.dim = true, k, dn
	} else {
		d.restarts = max(cfg.Restarts, 1) // fresh prior draws, as the official baselines
	}
	if lo, hi := prior.NoiseBounds(); !math.IsInf(lo, -1) || !math.IsInf(hi, 1) {
		// A bounded prior (uniform): the latent stays inside its support, within Clip if set.
		if d.lo > d.hi {
			d.lo, d.hi = lo, hi
		} else {
			d.lo, d.hi = max(d.lo, lo), min(d.hi, hi)
		}
		if d.lo > d.hi {
			return nil, fmt.Errorf("inference: Config.Clip = %g leaves no point of the prior's range [%g, %g]", cfg.Clip, lo, hi)
		}
	}
	if d.dim < 1 || (d.mixed && d.dim+d.restarts != m.Spec.LatentDim) || (!d.mixed && m.Prior.Dim() != m.Spec.LatentDim) {
		return nil, fmt.Errorf("inference: prior %T (dim %d) does not match the model's Spec.LatentDim %d", m.Prior, m.Prior.Dim(), m.Spec.LatentDim)
	}
	return d, nil
}

// decodeBatch decodes the b points of x and appends them to res.
func (d *decoder) decodeBatch(batch int, x []float32, b int, rng *rand.Rand, res *Result) error {
	rows := b * d.restarts
	z := make([]float32, rows*d.dim)
	d.draw(rng, z)
	zeros := make([]float32, rows*d.dim)
	xT := tensors.FromFlatDataAndDimensions(x, b, len(x)/b)
	zT := tensors.FromFlatDataAndDimensions(z, rows, d.dim)
	mT := tensors.FromFlatDataAndDimensions(zeros, rows, d.dim)
	vT := tensors.FromFlatDataAndDimensions(zeros, rows, d.dim)
	defer func() {
		for _, t := range []*tensors.Tensor{xT, zT, mT, vT} {
			t.MustFinalizeAll()
		}
	}()
	var loss []float32
	for done := 0; done < d.cfg.Steps; {
		steps := min(d.cfg.ChunkSteps, d.cfg.Steps-done)
		exec, err := d.exec(steps)
		if err != nil {
			return err
		}
		stepT := tensors.FromScalar(float32(done))
		var out []*tensors.Tensor
		var execErr error
		err = catch(func() { out, execErr = exec.Exec(xT, zT, mT, vT, stepT) })
		stepT.MustFinalizeAll()
		if err = errors.Join(err, execErr); err != nil {
			return err
		}
		for _, t := range []*tensors.Tensor{zT, mT, vT} {
			t.MustFinalizeAll()
		}
		zT, mT, vT = out[0], out[1], out[2]
		loss = tensors.MustCopyFlatData[float32](out[3])
		out[3].MustFinalizeAll()
		done += steps
		if d.cfg.Trace != nil {
			d.cfg.Trace(batch, done, loss)
		}
	}
	z = tensors.MustCopyFlatData[float32](zT)
	d.pick(z, loss, b, res)
	return nil
}

// pick appends, for each of the b points, the restart with the lowest loss (the first on ties).
func (d *decoder) pick(z, loss []float32, b int, res *Result) {
	k := d.restarts
	for i := range b {
		best := 0
		for r := 1; r < k; r++ {
			if loss[i*k+r] < loss[i*k+best] {
				best = r
			}
		}
		row := i*k + best
		noise := z[row*d.dim : (row+1)*d.dim]
		res.Noise = append(res.Noise, noise...)
		res.Loss = append(res.Loss, loss[row])
		res.Z = append(res.Z, noise...)
		if d.mixed {
			res.Cluster = append(res.Cluster, best)
			for j := range k {
				res.Z = append(res.Z, float32(b2f(j == best)))
			}
		} else {
			res.Cluster = append(res.Cluster, -1)
		}
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// exec returns the executor that runs `steps` Adam steps, building it on first use. Its inputs
// are x [b, DataDim], z, m, v [b·K, dim] and the number of steps already done (float32 scalar);
// its outputs are the new z, m, v and the loss of every restart at the new z.
func (d *decoder) exec(steps int) (e *context.Exec, err error) {
	if e, ok := d.execs[steps]; ok {
		return e, nil
	}
	err = catch(func() {
		e = context.MustNewExec(d.m.Backend, d.m.Ctx, func(ctx *context.Context, in []*Node) []*Node {
			return d.chunkGraph(ctx, in[0], in[1], in[2], in[3], in[4], steps)
		})
	})
	if err != nil {
		return nil, err
	}
	d.execs[steps] = e
	return e, nil
}

// chunkGraph builds `steps` unrolled Adam steps.
func (d *decoder) chunkGraph(ctx *context.Context, x, z, m, v, done *Node, steps int) []*Node {
	g := x.Graph()
	b, k := x.Shape().Dimensions[0], d.restarts
	dataDim := x.Shape().Dimensions[1]
	// Every restart is compared with its own point: row i·K + r holds point i.
	xRows := Reshape(BroadcastToDims(InsertAxes(x, 1), b, k, dataDim), b*k, dataDim)
	var oneHot *Node
	if d.mixed {
		codes := make([][]float32, b*k)
		for row := range codes {
			codes[row] = make([]float32, k)
			codes[row][row%k] = 1
		}
		oneHot = Const(g, codes)
	}
	loss := func(z *Node) *Node {
		latent := z
		if d.mixed {
			latent = Concatenate([]*Node{z, oneHot}, 1)
		}
		recon := ReduceMean(Abs(Sub(xRows, d.m.Arch.Generator(ctx, d.m.Spec, latent))), 1)
		return Add(recon, MulScalar(ReduceMean(Square(z), 1), d.cfg.Lambda))
	}
	for i := range steps {
		grad := Gradient(ReduceAllSum(loss(z)), z)[0]
		m = Add(MulScalar(m, adamBeta1), MulScalar(grad, 1-adamBeta1))
		v = Add(MulScalar(v, adamBeta2), MulScalar(Square(grad), 1-adamBeta2))
		t := AddScalar(done, float64(i+1))
		mHat := Div(m, OneMinus(Pow(Scalar(g, dtypes.Float32, adamBeta1), t)))
		vHat := Div(v, OneMinus(Pow(Scalar(g, dtypes.Float32, adamBeta2), t)))
		z = Sub(z, MulScalar(Div(mHat, AddScalar(Sqrt(vHat), adamEpsilon)), d.cfg.LearningRate))
		if d.lo <= d.hi {
			z = ClipScalar(z, d.lo, d.hi)
		}
	}
	return []*Node{z, m, v, loss(z)}
}

var catch = panics.Catch

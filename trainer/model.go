package trainer

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/clustergan/clustergan/internal/panics"
	"github.com/clustergan/clustergan/layers"
	"github.com/clustergan/clustergan/losses"
	"github.com/clustergan/clustergan/objectives"
	"github.com/clustergan/clustergan/priors"
	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX's idiom for graph code.
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	_ "github.com/clustergan/clustergan/internal/dotgrad" // Efficient matmul gradients.
)

// Model bundles what defines a GAN of this framework: prior, networks and adversarial loss
// (objectives.Nets), with the context that holds their parameters and variables and the
// backend that runs them.
type Model struct {
	Ctx     *context.Context
	Backend backends.Backend
	objectives.Nets

	encodeExec, codeExec, generateExec *context.Exec
}

// NewModel builds a model for data of the given per-example shape from ctx's parameters
// (priors.ParamPrior, layers.ParamArchitecture, losses.ParamAdversarial and theirs).
func NewModel(backend backends.Backend, ctx *context.Context, dataShape []int) (*Model, error) {
	prior, err := priors.New(ctx)
	if err != nil {
		return nil, err
	}
	arch, err := layers.FromContext(ctx)
	if err != nil {
		return nil, err
	}
	loss, err := losses.New(ctx)
	if err != nil {
		return nil, err
	}
	return &Model{
		Ctx: ctx, Backend: backend,
		Nets: objectives.Nets{
			Prior: prior, Arch: arch, Adversarial: loss,
			Spec: layers.Spec{
				DataShape: append([]int(nil), dataShape...), LatentDim: prior.Dim(),
				NoiseDim: prior.NoiseDim(), NumClusters: prior.NumClusters(),
			},
		},
	}, nil
}

// DataDim is the number of features of one example.
func (m *Model) DataDim() int {
	d := 1
	for _, x := range m.Spec.DataShape {
		d *= x
	}
	return d
}

// Encoding is the encoder's output on a dataset.
type Encoding struct {
	N        int
	Noise    []float32 // N × NoiseDim: ẑ_n
	Logits   []float32 // N × NumClusters
	NoiseDim int
	K        int
}

// Argmax returns the cluster of each example by the largest logit.
func (e *Encoding) Argmax() []int {
	labels := make([]int, e.N)
	for i := range labels {
		row := e.Logits[i*e.K : (i+1)*e.K]
		best := 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		labels[i] = best
	}
	return labels
}

// Features returns the vectors the paper clusters with k-means: [ẑ_n, softmax(logits)], or only
// softmax(logits) when withNoise is false (the paper's choice when β_n = 0).
func (e *Encoding) Features(withNoise bool) (x []float32, dim int) {
	dim = e.K
	if withNoise {
		dim += e.NoiseDim
	}
	x = make([]float32, 0, e.N*dim)
	probs := make([]float32, e.K)
	for i := 0; i < e.N; i++ {
		if withNoise {
			x = append(x, e.Noise[i*e.NoiseDim:(i+1)*e.NoiseDim]...)
		}
		softmax(e.Logits[i*e.K:(i+1)*e.K], probs)
		x = append(x, probs...)
	}
	return x, dim
}

func softmax(logits, out []float32) {
	maxV := logits[0]
	for _, v := range logits {
		maxV = max(maxV, v)
	}
	var sum float64
	for j, v := range logits {
		e := math.Exp(float64(v - maxV))
		out[j] = float32(e)
		sum += e
	}
	for j := range out {
		out[j] = float32(float64(out[j]) / sum)
	}
}

// Encode runs the encoder over x (n × DataDim, row-major) in batches of batchSize.
func (m *Model) Encode(x []float32, batchSize int) (*Encoding, error) {
	fn := func(ctx *context.Context, x *Node) []*Node {
		noise, logits := m.Arch.Encoder(ctx, m.Spec, x)
		return []*Node{noise, logits}
	}
	return m.runEncoding("encode", &m.encodeExec, fn, m.Spec.NoiseDim, x, batchSize)
}

// Code runs InfoGAN's Q head (the critic's code logits, layers.CriticWithCode) over x in
// batches; the Encoding has logits only (NoiseDim 0).
func (m *Model) Code(x []float32, batchSize int) (*Encoding, error) {
	cwc, ok := m.Arch.(layers.CriticWithCode)
	if !ok {
		return nil, fmt.Errorf("code: architecture %T has no Q head (layers.CriticWithCode)", m.Arch)
	}
	fn := func(ctx *context.Context, x *Node) []*Node {
		_, logits := cwc.CriticAndCode(ctx, m.Spec, x)
		return []*Node{logits}
	}
	return m.runEncoding("code", &m.codeExec, fn, 0, x, batchSize)
}

// runEncoding executes fn over x in batches, compiling it once into *exec; fn returns
// [noise, logits] when noiseDim > 0, else [logits].
func (m *Model) runEncoding(what string, exec **context.Exec, fn func(*context.Context, *Node) []*Node,
	noiseDim int, x []float32, batchSize int) (enc *Encoding, err error) {
	dim := m.DataDim()
	if len(x)%dim != 0 {
		return nil, fmt.Errorf("%s: %d values is not a multiple of the data dimension %d", what, len(x), dim)
	}
	if m.Spec.NumClusters == 0 {
		return nil, fmt.Errorf("%s: the prior has no cluster part (parameter %q)", what, priors.ParamPrior)
	}
	if batchSize < 1 {
		return nil, fmt.Errorf("%s: batch size must be ≥ 1, got %d", what, batchSize)
	}
	err = catch(func() {
		if *exec == nil {
			*exec = context.MustNewExec(m.Backend, m.Ctx, fn)
		}
		n := len(x) / dim
		enc = &Encoding{N: n, NoiseDim: noiseDim, K: m.Spec.NumClusters}
		for start := 0; start < n; start += batchSize {
			end := min(n, start+batchSize)
			batch := tensors.FromFlatDataAndDimensions(x[start*dim:end*dim], end-start, dim)
			out := (*exec).MustExec(batch)
			if noiseDim > 0 {
				enc.Noise = append(enc.Noise, tensors.MustCopyFlatData[float32](out[0])...)
			}
			enc.Logits = append(enc.Logits, tensors.MustCopyFlatData[float32](out[len(out)-1])...)
			batch.MustFinalizeAll()
			for _, t := range out {
				t.MustFinalizeAll()
			}
		}
	})
	return enc, err
}

// Generate runs the generator on latent vectors z (n × LatentDim) and returns n × DataDim values.
func (m *Model) Generate(z []float32) (x []float32, err error) {
	latent := m.Spec.LatentDim
	if len(z)%latent != 0 || len(z) == 0 {
		return nil, fmt.Errorf("generate: %d values is not a positive multiple of the latent dimension %d", len(z), latent)
	}
	err = catch(func() {
		if m.generateExec == nil {
			m.generateExec = context.MustNewExec(m.Backend, m.Ctx, func(ctx *context.Context, z *Node) *Node {
				return m.Arch.Generator(ctx, m.Spec, z)
			})
		}
		zT := tensors.FromFlatDataAndDimensions(z, len(z)/latent, latent)
		out := m.generateExec.MustExec(zT)
		x = tensors.MustCopyFlatData[float32](out[0])
		zT.MustFinalizeAll()
		out[0].MustFinalizeAll()
	})
	return x, err
}

var catch = panics.Catch

// GridLatents returns latents for a sample grid of a split prior (Prior.Split): K rows (one
// per cluster) by cols columns, with the same noise down each column, drawn from the prior
// with seed. Rows are row-major in z, laid out as the prior's [z_n, one-hot].
func (m *Model) GridLatents(cols int, seed int64) ([]float32, error) {
	dn, k, ok := m.Prior.Split()
	if !ok {
		return nil, fmt.Errorf("sample grid: the prior (%T) has no cluster code in z (parameter %q)", m.Prior, priors.ParamPrior)
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	noise := make([]float32, cols*dn)
	m.Prior.SampleNoise(rng, noise)
	z := make([]float32, 0, k*cols*(dn+k))
	for r := 0; r < k; r++ {
		for c := 0; c < cols; c++ {
			z = append(z, noise[c*dn:(c+1)*dn]...)
			for j := 0; j < k; j++ {
				z = append(z, float32(b2i(j == r)))
			}
		}
	}
	return z, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

package layers

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/stretchr/testify/require"
)

// tfSame is TensorFlow's "SAME" rule written out again, independently of ConvOutputSize:
// out = ceil(in/s), pad_total = max((out-1)·s + k - in, 0), pad_before = pad_total/2
// (tensorflow/core/framework/kernel_shape_util.cc, GetWindowedOutputSizeVerbose).
func tfSame(in, k, s int) (out, before int) {
	out = (in + s - 1) / s
	total := (out-1)*s + k - in
	if total < 0 {
		total = 0
	}
	return out, total / 2
}

func tfGeometry(in, k, s int, padding Padding) (out, before int) {
	if padding == PaddingSame {
		return tfSame(in, k, s)
	}
	return (in-k)/s + 1, 0
}

// refConv is a direct loop convolution: x [b,h,w,c] NHWC, kernel [kh,kw,c,o].
func refConv(x []float64, b, h, w, c int, k []float64, kh, kw, o, s int, padding Padding) (out []float64, oh, ow int) {
	oh, top := tfGeometry(h, kh, s, padding)
	ow, left := tfGeometry(w, kw, s, padding)
	out = make([]float64, b*oh*ow*o)
	for n := range b {
		for y := range oh {
			for xx := range ow {
				for oc := range o {
					sum := 0.0
					for i := range kh {
						for j := range kw {
							iy, ix := y*s-top+i, xx*s-left+j
							if iy < 0 || iy >= h || ix < 0 || ix >= w {
								continue
							}
							for ic := range c {
								sum += x[((n*h+iy)*w+ix)*c+ic] * k[((i*kw+j)*c+ic)*o+oc]
							}
						}
					}
					out[((n*oh+y)*ow+xx)*o+oc] = sum
				}
			}
		}
	}
	return out, oh, ow
}

// refConvT is a direct loop transposed convolution: each input pixel of y [b,hi,wi,cin] spreads
// kernel [kh,kw,o,cin] over the output [b,h,w,o] at the positions the forward convolution of the
// output reads from.
func refConvT(y []float64, b, hi, wi, cin int, k []float64, kh, kw, o, s int, padding Padding, h, w int) []float64 {
	_, top := tfGeometry(h, kh, s, padding)
	_, left := tfGeometry(w, kw, s, padding)
	out := make([]float64, b*h*w*o)
	for n := range b {
		for iy := range hi {
			for ix := range wi {
				for i := range kh {
					for j := range kw {
						oy, ox := iy*s-top+i, ix*s-left+j
						if oy < 0 || oy >= h || ox < 0 || ox >= w {
							continue
						}
						for oc := range o {
							for ic := range cin {
								out[((n*h+oy)*w+ox)*o+oc] += y[((n*hi+iy)*wi+ix)*cin+ic] * k[((i*kw+j)*o+oc)*cin+ic]
							}
						}
					}
				}
			}
		}
	}
	return out
}

func TestConvOutputSize(t *testing.T) {
	// Hand-computed with TensorFlow's rule (see tfSame).
	for _, tc := range []struct {
		in, k, s     int
		padding      Padding
		out, padHead int
	}{
		{28, 4, 2, PaddingSame, 14, 1}, // MNIST critic, first conv: pad_total 2
		{14, 4, 2, PaddingSame, 7, 1},
		{7, 4, 2, PaddingSame, 4, 1}, // pad_total 3: 1 before, 2 after
		{5, 4, 2, PaddingSame, 3, 1}, // pad_total 3
		{6, 3, 2, PaddingSame, 3, 0}, // pad_total 1: all after
		{6, 1, 2, PaddingSame, 3, 0}, // pad_total 0 (the formula gives -1)
		{6, 4, 2, PaddingValid, 2, 0},
		{3, 4, 2, PaddingValid, 0, 0}, // too small
	} {
		out, before := ConvOutputSize(tc.in, tc.k, tc.s, tc.padding)
		require.Equal(t, []int{tc.out, tc.padHead}, []int{out, before}, "%+v", tc)
	}
	require.Equal(t, 14, ConvTransposeOutputSize(7, 4, 2, PaddingSame))
	require.Equal(t, 28, ConvTransposeOutputSize(14, 4, 2, PaddingSame))
	require.Equal(t, 8, ConvTransposeOutputSize(3, 4, 2, PaddingValid))
	require.Equal(t, 9, ConvTransposeOutputSize(3, 1, 3, PaddingValid))
	require.Panics(t, func() { ConvOutputSize(5, 3, 1, "same") })
}

type convCase struct {
	b, h, w, c, kh, kw, o, s int
	padding                  Padding
}

func (tc convCase) String() string {
	return fmt.Sprintf("x%dx%dx%dx%d_k%dx%dx%d_s%d_%s", tc.b, tc.h, tc.w, tc.c, tc.kh, tc.kw, tc.o, tc.s, tc.padding)
}

var convCases = []convCase{
	{2, 6, 6, 2, 4, 4, 3, 2, PaddingSame},  // the paper's 4×4 stride 2, symmetric padding
	{2, 5, 7, 2, 4, 4, 3, 2, PaddingSame},  // asymmetric padding (3 rows: 1 before, 2 after), non-square
	{2, 6, 5, 2, 3, 3, 2, 1, PaddingSame},  // stride 1
	{1, 5, 6, 2, 3, 2, 3, 2, PaddingSame},  // rectangular kernel
	{2, 6, 6, 2, 4, 4, 3, 2, PaddingValid}, // no padding
	{2, 7, 6, 1, 3, 3, 2, 3, PaddingValid}, // stride 3, leftover rows dropped
}

func TestConv2D(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range convCases {
		t.Run(tc.String(), func(t *testing.T) {
			x := randomFlat(rng, tc.b*tc.h*tc.w*tc.c)
			k := randomFlat(rng, tc.kh*tc.kw*tc.c*tc.o)
			want, oh, ow := refConv(x, tc.b, tc.h, tc.w, tc.c, k, tc.kh, tc.kw, tc.o, tc.s, tc.padding)
			r := randomFlat(rng, len(want)) // cotangent for the loss Σ conv(x,k)·r

			out := execGraph(t, func(in []*graph.Node) []*graph.Node {
				y := Conv2DWithKernel(in[0], in[1], tc.s, tc.padding)
				loss := graph.ReduceAllSum(graph.Mul(y, in[2]))
				grads := graph.Gradient(loss, in[0], in[1])
				return []*graph.Node{y, grads[0], grads[1]}
			}, tensorOf(x, tc.b, tc.h, tc.w, tc.c), tensorOf(k, tc.kh, tc.kw, tc.c, tc.o), tensorOf(r, tc.b, oh, ow, tc.o))

			t.Run("forward", func(t *testing.T) {
				require.Equal(t, []int{tc.b, oh, ow, tc.o}, out[0].Shape().Dimensions)
				requireClose(t, want, flatOf(out[0]), 1e-12)
			})
			// The loss is bilinear, so central differences of the loop implementation are exact
			// up to rounding.
			loss := func(x, k []float64) float64 {
				y, _, _ := refConv(x, tc.b, tc.h, tc.w, tc.c, k, tc.kh, tc.kw, tc.o, tc.s, tc.padding)
				return dotFlat(y, r)
			}
			t.Run("gradient", func(t *testing.T) {
				requireClose(t, finiteDiff(x, func(v []float64) float64 { return loss(v, k) }), flatOf(out[1]), 1e-8, "d/dx")
				requireClose(t, finiteDiff(k, func(v []float64) float64 { return loss(x, v) }), flatOf(out[2]), 1e-8, "d/dkernel")
			})
		})
	}
	t.Run("float32", func(t *testing.T) {
		tc := convCases[1]
		x := randomFlat(rng, tc.b*tc.h*tc.w*tc.c)
		k := randomFlat(rng, tc.kh*tc.kw*tc.c*tc.o)
		want, _, _ := refConv(x, tc.b, tc.h, tc.w, tc.c, k, tc.kh, tc.kw, tc.o, tc.s, tc.padding)
		out := execGraph(t, func(in []*graph.Node) []*graph.Node {
			return []*graph.Node{Conv2DWithKernel(in[0], in[1], tc.s, tc.padding)}
		}, tensors.FromFlatDataAndDimensions(toFloat32(x), tc.b, tc.h, tc.w, tc.c),
			tensors.FromFlatDataAndDimensions(toFloat32(k), tc.kh, tc.kw, tc.c, tc.o))
		got := tensors.MustCopyFlatData[float32](out[0])
		requireClose(t, want, toFloat64(got), 1e-5)
	})
}

func TestConvTranspose2D(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range convCases {
		t.Run(tc.String(), func(t *testing.T) {
			// The transposed conv maps the conv's output shape [b,hi,wi,o] back to
			// [b,H,W,c], where H = ConvTransposeOutputSize(hi): for strides that do not divide
			// h this differs from tc.h.
			hi, _ := tfGeometry(tc.h, tc.kh, tc.s, tc.padding)
			wi, _ := tfGeometry(tc.w, tc.kw, tc.s, tc.padding)
			h := ConvTransposeOutputSize(hi, tc.kh, tc.s, tc.padding)
			w := ConvTransposeOutputSize(wi, tc.kw, tc.s, tc.padding)
			y := randomFlat(rng, tc.b*hi*wi*tc.o)
			k := randomFlat(rng, tc.kh*tc.kw*tc.c*tc.o) // [kh,kw,c,o]: out channels c, in channels o
			x := randomFlat(rng, tc.b*h*w*tc.c)
			want := refConvT(y, tc.b, hi, wi, tc.o, k, tc.kh, tc.kw, tc.c, tc.s, tc.padding, h, w)

			out := execGraph(t, func(in []*graph.Node) []*graph.Node {
				up := ConvTranspose2DWithKernel(in[0], in[1], tc.s, tc.padding)
				down := Conv2DWithKernel(in[2], in[1], tc.s, tc.padding)
				loss := graph.ReduceAllSum(graph.Mul(up, in[2]))
				grads := graph.Gradient(loss, in[0], in[1])
				return []*graph.Node{up, down, loss, graph.ReduceAllSum(graph.Mul(down, in[0])), grads[0], grads[1]}
			}, tensorOf(y, tc.b, hi, wi, tc.o), tensorOf(k, tc.kh, tc.kw, tc.c, tc.o), tensorOf(x, tc.b, h, w, tc.c))

			t.Run("forward", func(t *testing.T) {
				require.Equal(t, []int{tc.b, h, w, tc.c}, out[0].Shape().Dimensions)
				requireClose(t, want, flatOf(out[0]), 1e-12)
			})
			t.Run("adjoint", func(t *testing.T) {
				// ⟨x, convT(y)⟩ = ⟨conv(x), y⟩ for every x, y: convT is exactly conv's transpose.
				upDot, downDot := flatOf(out[2])[0], flatOf(out[3])[0]
				require.InDelta(t, downDot, upDot, 1e-11*max(1, abs(downDot)))
			})
			t.Run("gradient", func(t *testing.T) {
				loss := func(y, k []float64) float64 {
					return dotFlat(refConvT(y, tc.b, hi, wi, tc.o, k, tc.kh, tc.kw, tc.c, tc.s, tc.padding, h, w), x)
				}
				requireClose(t, finiteDiff(y, func(v []float64) float64 { return loss(v, k) }), flatOf(out[4]), 1e-8, "d/dy")
				requireClose(t, finiteDiff(k, func(v []float64) float64 { return loss(y, v) }), flatOf(out[5]), 1e-8, "d/dkernel")
			})
		})
	}
}

// finiteDiff returns the central-difference gradient of f at v.
func finiteDiff(v []float64, f func([]float64) float64) []float64 {
	const eps = 1e-5
	grad := make([]float64, len(v))
	p := append([]float64(nil), v...)
	for i := range p {
		p[i] = v[i] + eps
		up := f(p)
		p[i] = v[i] - eps
		down := f(p)
		p[i] = v[i]
		grad[i] = (up - down) / (2 * eps)
	}
	return grad
}

func abs(x float64) float64 { return max(x, -x) }

func toFloat32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

func toFloat64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

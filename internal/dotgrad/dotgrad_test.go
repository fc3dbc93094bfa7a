package dotgrad

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/stretchr/testify/require"

	"github.com/clustergan/clustergan/backend"
)

// withStock runs fn with GoMLX's stock Dot/DotGeneral VJPs registered. VJPs are looked up when a
// gradient graph is built, so fn must build (not only run) its graphs.
func withStock(fn func()) {
	graph.VJPRegistration[graph.NodeTypeDot] = stockDotVJP
	graph.VJPRegistration[graph.NodeTypeDotGeneral] = stockDotGeneralVJP
	defer func() {
		graph.VJPRegistration[graph.NodeTypeDot] = dotEntry
		graph.VJPRegistration[graph.NodeTypeDotGeneral] = dotGeneralEntry
	}()
	fn()
}

func TestEnabled(t *testing.T) {
	require.True(t, Enabled())
	withStock(func() { require.False(t, Enabled()) })
	require.True(t, Enabled())
}

// dotCase is one DotGeneral configuration: C = DotGeneral(A, lhsC, lhsB, B, rhsC, rhsB), or
// graph.Dot(A, B) when dot is set.
type dotCase struct {
	name         string
	lhs, rhs     []int // operand dimensions
	lhsC, lhsB   []int
	rhsC, rhsB   []int
	dot          bool
	wantDotShape []int // output dimensions, to check the configuration means what its name says
}

var dotCases = []dotCase{
	{name: "matmul", lhs: []int{3, 4}, rhs: []int{4, 5}, lhsC: []int{1}, rhsC: []int{0}, wantDotShape: []int{3, 5}},
	{name: "batch", lhs: []int{2, 3, 4}, rhs: []int{2, 4, 5}, lhsC: []int{2}, lhsB: []int{0}, rhsC: []int{1}, rhsB: []int{0},
		wantDotShape: []int{2, 3, 5}},
	{name: "batch-not-first", lhs: []int{3, 2, 4}, rhs: []int{4, 2, 5}, lhsC: []int{2}, lhsB: []int{1}, rhsC: []int{0}, rhsB: []int{1},
		wantDotShape: []int{2, 3, 5}},
	{name: "two-contracting-swapped-order", lhs: []int{3, 4, 2}, rhs: []int{2, 4, 5}, lhsC: []int{1, 2}, rhsC: []int{1, 0},
		wantDotShape: []int{3, 5}},
	{name: "contract-first-axes", lhs: []int{4, 3}, rhs: []int{5, 4}, lhsC: []int{0}, rhsC: []int{1}, wantDotShape: []int{3, 5}},
	{name: "interleaved-cross-batch-contracting", lhs: []int{2, 3, 4, 5}, rhs: []int{3, 6, 4}, lhsC: []int{1}, lhsB: []int{2},
		rhsC: []int{0}, rhsB: []int{2}, wantDotShape: []int{4, 2, 5, 6}},
	{name: "two-batch-axes", lhs: []int{2, 3, 4, 2}, rhs: []int{3, 2, 4}, lhsC: []int{2}, lhsB: []int{1, 3},
		rhsC: []int{2}, rhsB: []int{0, 1}, wantDotShape: []int{3, 2, 2}},
	{name: "vector-dot", lhs: []int{4}, rhs: []int{4}, lhsC: []int{0}, rhsC: []int{0}, wantDotShape: []int{}},
	{name: "matrix-vector", lhs: []int{3, 4}, rhs: []int{4}, lhsC: []int{1}, rhsC: []int{0}, wantDotShape: []int{3}},
	{name: "outer-product", lhs: []int{3}, rhs: []int{5}, wantDotShape: []int{3, 5}},
	{name: "Dot/vector-vector", lhs: []int{4}, rhs: []int{4}, dot: true, wantDotShape: []int{}},
	{name: "Dot/matrix-vector", lhs: []int{3, 4}, rhs: []int{4}, dot: true, wantDotShape: []int{3}},
	{name: "Dot/matrix-matrix", lhs: []int{3, 4}, rhs: []int{4, 5}, dot: true, wantDotShape: []int{3, 5}},
}

func (c dotCase) build(a, b *graph.Node) *graph.Node {
	if c.dot {
		return graph.Dot(a, b)
	}
	return graph.DotGeneral(a, c.lhsC, c.lhsB, b, c.rhsC, c.rhsB)
}

// shrunk returns the case with every dimension capped at 2. GoMLX v0.26.0's pure-Go DotGeneral
// panics (index out of range) for integer dtypes once lhsCross·rhsCross exceeds 16 elements (its
// blocked kernel assumes blocks of at least 4), forward pass included; with dimensions ≤ 2 every
// product here stays below that.
func (c dotCase) shrunk() dotCase {
	capDims := func(dims []int) []int {
		out := make([]int, len(dims))
		for i, d := range dims {
			out[i] = min(d, 2)
		}
		return out
	}
	c.lhs, c.rhs, c.wantDotShape = capDims(c.lhs), capDims(c.rhs), capDims(c.wantDotShape)
	return c
}

func numElements(dims []int) int {
	n := 1
	for _, d := range dims {
		n *= d
	}
	return n
}

// randomTensor returns a tensor with entries N(0,1) (floats) or uniform in [-3, 3] (ints).
func randomTensor(rng *rand.Rand, dtype dtypes.DType, dims []int) *tensors.Tensor {
	n := numElements(dims)
	switch dtype {
	case dtypes.Float32:
		data := make([]float32, n)
		for i := range data {
			data[i] = float32(rng.NormFloat64())
		}
		return tensors.FromFlatDataAndDimensions(data, dims...)
	case dtypes.Float64:
		data := make([]float64, n)
		for i := range data {
			data[i] = rng.NormFloat64()
		}
		return tensors.FromFlatDataAndDimensions(data, dims...)
	case dtypes.Int64:
		data := make([]int64, n)
		for i := range data {
			data[i] = rng.Int64N(7) - 3
		}
		return tensors.FromFlatDataAndDimensions(data, dims...)
	}
	panic(fmt.Sprintf("randomTensor: unsupported dtype %s", dtype))
}

func flatFloat64(t *testing.T, x *tensors.Tensor) []float64 {
	switch x.DType() {
	case dtypes.Float64:
		return tensors.MustCopyFlatData[float64](x)
	case dtypes.Float32:
		f := tensors.MustCopyFlatData[float32](x)
		out := make([]float64, len(f))
		for i, v := range f {
			out[i] = float64(v)
		}
		return out
	case dtypes.Int64:
		f := tensors.MustCopyFlatData[int64](x)
		out := make([]float64, len(f))
		for i, v := range f {
			out[i] = float64(v)
		}
		return out
	}
	t.Fatalf("unsupported dtype %s", x.DType())
	return nil
}

func requireClose(t *testing.T, want, got []float64, tol float64, msgAndArgs ...any) {
	t.Helper()
	require.Len(t, got, len(want), msgAndArgs...)
	for i := range want {
		if math.Abs(want[i]-got[i]) > tol*(1+math.Abs(want[i])) {
			require.Failf(t, "values differ", "element %d: want %.12g, got %.12g (tol %g) %v", i, want[i], got[i], tol, msgAndArgs)
		}
	}
}

// TestVJPMatchesStock calls the registered and the stock VJP on the same DotGeneral/Dot node and
// adjoint v, for float32, float64 and int64 (the VJPs themselves are defined for any dtype).
func TestVJPMatchesStock(t *testing.T) {
	be := backend.ForTests()
	rng := rand.New(rand.NewPCG(1, 2))
	// Float tolerances: operands are N(0,1) and contractions have ≤ 8 terms, so values are
	// O(3) and a different summation order moves them by a few float32 ulps (≈ 1e-7 relative)
	// or float64 ulps (≈ 1e-16). Integer results must match exactly.
	tolerances := map[dtypes.DType]float64{dtypes.Float32: 1e-6, dtypes.Float64: 1e-13, dtypes.Int64: 0}
	for _, dtype := range []dtypes.DType{dtypes.Float32, dtypes.Float64, dtypes.Int64} {
		for _, c := range dotCases {
			if dtype.IsInt() {
				c = c.shrunk()
			}
			t.Run(fmt.Sprintf("%s/%s", dtype, c.name), func(t *testing.T) {
				a := randomTensor(rng, dtype, c.lhs)
				b := randomTensor(rng, dtype, c.rhs)
				v := randomTensor(rng, dtype, c.wantDotShape)
				outs := graph.MustExecOnceN(be, func(a, b, v *graph.Node) []*graph.Node {
					out := c.build(a, b)
					require.Equal(t, c.wantDotShape, out.Shape().Dimensions)
					vjps := []*graph.Node{v}
					scalar := shapes.Make(dtype)
					var ours, stock []*graph.Node
					if c.dot {
						require.Equal(t, graph.NodeTypeDot, out.Type())
						ours, stock = dotEntry(out, vjps, scalar), stockDotVJP(out, vjps, scalar)
					} else {
						require.Equal(t, graph.NodeTypeDotGeneral, out.Type())
						ours, stock = dotGeneralEntry(out, vjps, scalar), stockDotGeneralVJP(out, vjps, scalar)
					}
					require.Len(t, ours, 2)
					for i, input := range []*graph.Node{a, b} {
						require.True(t, ours[i].Shape().Equal(input.Shape()), "operand %d: VJP shape %s, operand shape %s",
							i, ours[i].Shape(), input.Shape())
					}
					return append(ours, stock...)
				}, a, b, v)
				for i, operand := range []string{"lhs", "rhs"} {
					requireClose(t, flatFloat64(t, outs[2+i]), flatFloat64(t, outs[i]), tolerances[dtype], operand)
				}
			})
		}
	}
}

// TestGradientFiniteDifferences checks graph.Gradient (which uses the registered VJPs) of
// f(A, B) = Σ C⊙W, C the product, against central finite differences in float64.
func TestGradientFiniteDifferences(t *testing.T) {
	be := backend.ForTests()
	rng := rand.New(rand.NewPCG(3, 4))
	for _, c := range dotCases {
		t.Run(c.name, func(t *testing.T) {
			a := randomTensor(rng, dtypes.Float64, c.lhs)
			b := randomTensor(rng, dtypes.Float64, c.rhs)
			w := randomTensor(rng, dtypes.Float64, c.wantDotShape)
			f := func(a, b, w *graph.Node) *graph.Node { return graph.ReduceAllSum(graph.Mul(c.build(a, b), w)) }
			grads := graph.MustExecOnceN(be, func(a, b, w *graph.Node) []*graph.Node {
				return graph.Gradient(f(a, b, w), a, b)
			}, a, b, w)
			fExec := graph.MustNewExec(be, f)
			const h = 1e-4
			// f is bilinear, so the central difference is exact up to rounding: |f| ≲ 100 gives
			// errors ≈ 100·1e-16/1e-4 = 1e-10.
			const tol = 1e-8
			for i, operand := range []*tensors.Tensor{a, b} {
				data := tensors.MustCopyFlatData[float64](operand)
				fd := make([]float64, len(data))
				for j := range data {
					eval := func(delta float64) float64 {
						perturbed := append([]float64(nil), data...)
						perturbed[j] += delta
						pt := tensors.FromFlatDataAndDimensions(perturbed, operand.Shape().Dimensions...)
						args := []any{a, b, w}
						args[i] = pt
						return tensors.ToScalar[float64](fExec.MustExec1(args...))
					}
					fd[j] = (eval(h) - eval(-h)) / (2 * h)
				}
				requireClose(t, fd, flatFloat64(t, grads[i]), tol, "operand", i)
			}
		})
	}
}

// secondOrderValue returns g(W) = ‖∇ₓ f(x)‖² for f(x) = Σ_b Σ_j tanh((x·W)_bj)·v_j, in plain Go:
// ∂f/∂x_bi = Σ_j W_ij v_j (1 − tanh²((x·W)_bj)).
func secondOrderValue(x, w, v []float64, batch, in, out int) float64 {
	var g float64
	for b := 0; b < batch; b++ {
		s := make([]float64, out) // v_j (1 − tanh²(u_bj))
		for j := 0; j < out; j++ {
			var u float64
			for k := 0; k < in; k++ {
				u += x[b*in+k] * w[k*out+j]
			}
			th := math.Tanh(u)
			s[j] = v[j] * (1 - th*th)
		}
		for i := 0; i < in; i++ {
			var d float64
			for j := 0; j < out; j++ {
				d += w[i*out+j] * s[j]
			}
			g += d * d
		}
	}
	return g
}

// TestSecondOrder checks ∂/∂W ‖∇ₓ f(x)‖² (a gradient of a gradient, as in WGAN-GP) against finite
// differences of a plain-Go evaluation, with x·W built by Dot and by DotGeneral, with both the
// registered and the stock VJPs.
func TestSecondOrder(t *testing.T) {
	be := backend.ForTests()
	rng := rand.New(rand.NewPCG(5, 6))
	const batch, in, out = 3, 4, 5
	x := randomTensor(rng, dtypes.Float64, []int{batch, in})
	w := randomTensor(rng, dtypes.Float64, []int{in, out})
	v := randomTensor(rng, dtypes.Float64, []int{out})
	xs, ws, vs := tensors.MustCopyFlatData[float64](x), tensors.MustCopyFlatData[float64](w), tensors.MustCopyFlatData[float64](v)

	// Central differences of a smooth function: truncation error ≈ h²·|g'''|/6 ≈ 1e-10 for
	// h = 1e-5 and O(1) derivatives, rounding ≈ 1e-16/1e-5 = 1e-11.
	const h, tol = 1e-5, 1e-7
	fd := make([]float64, len(ws))
	for j := range ws {
		wp := append([]float64(nil), ws...)
		wp[j] += h
		wm := append([]float64(nil), ws...)
		wm[j] -= h
		fd[j] = (secondOrderValue(xs, wp, vs, batch, in, out) - secondOrderValue(xs, wm, vs, batch, in, out)) / (2 * h)
	}

	matmuls := map[string]func(x, w *graph.Node) *graph.Node{
		"Dot":        graph.Dot,
		"DotGeneral": func(x, w *graph.Node) *graph.Node { return graph.DotGeneral(x, []int{1}, nil, w, []int{0}, nil) },
	}
	for name, matmul := range matmuls {
		run := func() (value float64, grad []float64) {
			outs := graph.MustExecOnceN(be, func(x, w, v *graph.Node) []*graph.Node {
				f := graph.ReduceAllSum(graph.Dot(graph.Tanh(matmul(x, w)), v))
				gradX := graph.Gradient(f, x)[0]
				g := graph.ReduceAllSum(graph.Square(gradX))
				return []*graph.Node{g, graph.Gradient(g, w)[0]}
			}, x, w, v)
			return tensors.ToScalar[float64](outs[0]), tensors.MustCopyFlatData[float64](outs[1])
		}
		t.Run(name+"/registered", func(t *testing.T) {
			value, grad := run()
			require.InDelta(t, secondOrderValue(xs, ws, vs, batch, in, out), value, 1e-12)
			requireClose(t, fd, grad, tol)
		})
		t.Run(name+"/stock", func(t *testing.T) {
			withStock(func() {
				_, grad := run()
				requireClose(t, fd, grad, tol)
			})
		})
	}
}

// BenchmarkMLPStep times one forward+backward pass of an MLP 784-512-256-1 (tanh) at batch 64,
// float32, with the stock and the registered matmul VJPs.
func BenchmarkMLPStep(b *testing.B) {
	be := backend.ForTests()
	rng := rand.New(rand.NewPCG(7, 8))
	const batch = 64
	sizes := []int{784, 512, 256, 1}
	x := randomTensor(rng, dtypes.Float32, []int{batch, sizes[0]})
	var weights []*tensors.Tensor
	for i := 0; i+1 < len(sizes); i++ {
		weights = append(weights, randomTensor(rng, dtypes.Float32, []int{sizes[i], sizes[i+1]}))
	}
	step := func(inputs []*graph.Node) []*graph.Node {
		h, ws := inputs[0], inputs[1:]
		for i, w := range ws {
			h = graph.MatMul(h, w)
			if i+1 < len(ws) {
				h = graph.Tanh(h)
			}
		}
		loss := graph.ReduceAllMean(h)
		return append([]*graph.Node{loss}, graph.Gradient(loss, ws...)...)
	}
	args := []any{x}
	for _, w := range weights {
		args = append(args, w)
	}
	bench := func(b *testing.B) {
		exec := graph.MustNewExec(be, step)
		exec.MustExec(args...) // Builds and compiles the graph with the VJPs registered now.
		b.ResetTimer()
		for b.Loop() {
			exec.MustExec(args...)
		}
	}
	b.Run("stock", func(b *testing.B) { withStock(func() { bench(b) }) })
	b.Run("dotgrad", bench)
}

package layers

import (
	"fmt"
	"math"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergan/clustergan/backend"
)

// shiftRef translates one h×w image by (dy, dx) with plain loops, zero-filling.
func shiftRef(img []float64, h, w, dy, dx int) []float64 {
	out := make([]float64, h*w)
	for r := range h {
		for c := range w {
			if sr, sc := r-dy, c-dx; sr >= 0 && sr < h && sc >= 0 && sc < w {
				out[r*w+c] = img[sr*w+sc]
			}
		}
	}
	return out
}

// TestRandomShift: with translations only, every output image is its input translated by some
// (dy, dx) with |dy|, |dx| ≤ maxShift (checked against plain loops), and over a large batch every
// one of the (2·maxShift+1)² offsets occurs.
func TestRandomShift(t *testing.T) {
	const batch, h, w, maxShift = 400, 5, 4, 1
	flat := make([]float64, batch*h*w)
	for i := range flat {
		flat[i] = float64(i%(h*w) + 1) // distinct non-zero pixels, so each offset is identifiable
	}
	ctx := context.New()
	require.NoError(t, ctx.SetRNGStateFromSeed(7))
	exec, err := context.NewExec(backend.ForTests(), ctx, func(ctx *context.Context, x *graph.Node) *graph.Node {
		return RandomAffine(ctx, x, Affine{MaxShift: maxShift})
	})
	require.NoError(t, err)
	out := exec.MustExec(tensors.FromFlatDataAndDimensions(flat, batch, h, w, 1))[0]
	got := tensors.MustCopyFlatData[float64](out)
	require.Equal(t, []int{batch, h, w, 1}, out.Shape().Dimensions)
	seen := map[[2]int]int{}
	for b := range batch {
		img, res := flat[b*h*w:(b+1)*h*w], got[b*h*w:(b+1)*h*w]
		match := false
		for dy := -maxShift; dy <= maxShift && !match; dy++ {
			for dx := -maxShift; dx <= maxShift && !match; dx++ {
				if assert.ObjectsAreEqual(shiftRef(img, h, w, dy, dx), res) {
					seen[[2]int{dy, dx}]++
					match = true
				}
			}
		}
		require.True(t, match, "image %d is no translation of its input by at most %d: %v", b, maxShift, res)
	}
	require.Len(t, seen, (2*maxShift+1)*(2*maxShift+1), "offsets drawn: %v", seen)
	for off, n := range seen {
		// Each of the 9 offsets has probability 1/9: 400/9 ≈ 44, std ≈ 6.3; 20 is ≈ 4 std below.
		require.Greater(t, n, 20, "offset %v drawn %d times of %d", off, n, batch)
	}
}

func TestRandomShiftArguments(t *testing.T) {
	ctx := context.New()
	require.PanicsWithValue(t, "layers.RandomAffine: needs images [batch, H, W(, C)], shift ≥ 0, rotation ≥ 0 and scale in [0, 1), got shape (Float64)[2 3] and {MaxShift:1 MaxRotation:0 MaxScale:0}", func() {
		_ = context.MustExecOnce(backend.ForTests(), ctx, func(ctx *context.Context, x *graph.Node) *graph.Node {
			return RandomAffine(ctx, x, Affine{MaxShift: 1})
		}, [][]float64{{1, 2, 3}, {4, 5, 6}})
	})
	// A zero Affine is the identity.
	x := [][][]float64{{{1, 2}, {3, 4}}}
	out := context.MustExecOnce(backend.ForTests(), ctx, func(ctx *context.Context, x *graph.Node) *graph.Node {
		return RandomAffine(ctx, x, Affine{})
	}, x)
	require.Equal(t, []float64{1, 2, 3, 4}, tensors.MustCopyFlatData[float64](out))
}

// TestRandomAffine: with rotation and scale (no shift), nearest-pixel sampling only copies input
// pixels or fills 0, the centre pixel of an odd-sized image maps to itself, pixels next to the
// centre come from within one pixel of where the bounds allow, and images are warped differently.
func TestRandomAffine(t *testing.T) {
	const batch, n = 50, 9 // 9×9 images, centre (4, 4)
	flat := make([]float64, batch*n*n)
	for i := range flat {
		flat[i] = float64(i%(n*n) + 1)
	}
	ctx := context.New()
	require.NoError(t, ctx.SetRNGStateFromSeed(5))
	a := Affine{MaxRotation: 20, MaxScale: 0.1}
	exec, err := context.NewExec(backend.ForTests(), ctx, func(ctx *context.Context, x *graph.Node) *graph.Node {
		return RandomAffine(ctx, x, a)
	})
	require.NoError(t, err)
	got := tensors.MustCopyFlatData[float64](exec.MustExec(tensors.FromFlatDataAndDimensions(flat, batch, n, n))[0])
	distinct := map[string]bool{}
	for b := range batch {
		img := got[b*n*n : (b+1)*n*n]
		distinct[fmt.Sprint(img)] = true
		require.Equal(t, float64(4*n+4+1), img[4*n+4], "image %d: the centre must map to itself", b)
		for r := range n {
			for c := range n {
				v := img[r*n+c]
				if v == 0 {
					continue
				}
				require.Equal(t, v, math.Round(v), "image %d (%d,%d)", b, r, c)
				sr, sc := (int(v)-1)/n, (int(v)-1)%n
				// |R(θ)/s·p − p| ≤ (|1/s − 1| + 2·sin(θ/2)/s)·|p|, plus ½ pixel of rounding each way.
				dist := math.Hypot(float64(r-4), float64(c-4))
				bound := (1/0.9-1+2*math.Sin(20*math.Pi/360)/0.9)*dist + 0.75
				require.LessOrEqual(t, math.Hypot(float64(sr-r), float64(sc-c)), bound, "image %d (%d,%d) ← (%d,%d)", b, r, c, sr, sc)
			}
		}
	}
	require.Greater(t, len(distinct), batch/2, "warps should differ between images")
}

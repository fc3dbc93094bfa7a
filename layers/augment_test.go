package layers

import (
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

// TestRandomShift: every output image is its input translated by some (dy, dx) with
// |dy|, |dx| ≤ maxShift (checked against plain loops), and over a large batch every one of the
// (2·maxShift+1)² offsets occurs.
func TestRandomShift(t *testing.T) {
	const batch, h, w, maxShift = 400, 5, 4, 1
	flat := make([]float64, batch*h*w)
	for i := range flat {
		flat[i] = float64(i%(h*w) + 1) // distinct non-zero pixels, so each offset is identifiable
	}
	ctx := context.New()
	require.NoError(t, ctx.SetRNGStateFromSeed(7))
	exec, err := context.NewExec(backend.ForTests(), ctx, func(ctx *context.Context, x *graph.Node) *graph.Node {
		return RandomShift(ctx, x, maxShift)
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
	require.PanicsWithValue(t, "layers.RandomShift: needs images [batch, H, W(, C)] and maxShift ≥ 0, got shape (Float64)[2 3] and maxShift 1", func() {
		_ = context.MustExecOnce(backend.ForTests(), ctx, func(ctx *context.Context, x *graph.Node) *graph.Node {
			return RandomShift(ctx, x, 1)
		}, [][]float64{{1, 2, 3}, {4, 5, 6}})
	})
	// maxShift 0 is the identity.
	x := [][][]float64{{{1, 2}, {3, 4}}}
	out := context.MustExecOnce(backend.ForTests(), ctx, func(ctx *context.Context, x *graph.Node) *graph.Node {
		return RandomShift(ctx, x, 0)
	}, x)
	require.Equal(t, []float64{1, 2, 3, 4}, tensors.MustCopyFlatData[float64](out))
}

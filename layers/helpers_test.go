package layers

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/clustergan/clustergan/backend"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/stretchr/testify/require"
)

// randomFlat returns n values uniform in [-1, 1).
func randomFlat(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = 2*rng.Float64() - 1
	}
	return v
}

func tensorOf(flat []float64, dims ...int) *tensors.Tensor {
	return tensors.FromFlatDataAndDimensions(append([]float64(nil), flat...), dims...)
}

func flatOf(t *tensors.Tensor) []float64 { return tensors.MustCopyFlatData[float64](t) }

func dotFlat(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// requireClose checks |got-want| ≤ tol·max(1, |want|) element-wise.
func requireClose(t *testing.T, want, got []float64, tol float64, msgAndArgs ...any) {
	t.Helper()
	require.Len(t, got, len(want), msgAndArgs...)
	for i := range want {
		if math.Abs(got[i]-want[i]) > tol*math.Max(1, math.Abs(want[i])) {
			require.InDeltaf(t, want[i], got[i], tol*math.Max(1, math.Abs(want[i])), "element %d: %v", i, msgAndArgs)
		}
	}
}

// execGraph runs fn once on the test backend.
func execGraph(t *testing.T, fn func(inputs []*graph.Node) []*graph.Node, inputs ...any) []*tensors.Tensor {
	t.Helper()
	exec, err := graph.NewExec(backend.ForTests(), fn)
	require.NoError(t, err)
	out, err := exec.Exec(inputs...)
	require.NoError(t, err)
	return out
}

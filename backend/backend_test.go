package backend

import (
	"bytes"
	"io"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/stretchr/testify/require"
)

func TestForTestsIsPureGo(t *testing.T) {
	b := ForTests()
	require.Equal(t, "SimpleGo (go)", b.Name())
	require.Same(t, b, ForTests()) // one per process
}

// New honours GOMLX_BACKEND and turns GoMLX's panics on bad configurations into errors that
// name the variable. (The XLA path is not exercised: tests never start XLA.)
func TestNewHonoursEnv(t *testing.T) {
	var out bytes.Buffer
	t.Setenv(EnvVar, GoConfig)
	b, err := New(&out)
	require.NoError(t, err)
	require.Equal(t, "SimpleGo (go)", b.Name())
	require.Empty(t, out.String(), "no fallback message when the backend is chosen explicitly")

	t.Setenv(EnvVar, "no-such-backend")
	_, err = New(&out)
	require.ErrorContains(t, err, `GOMLX_BACKEND="no-such-backend"`)

	t.Setenv(EnvVar, "go:parallelism=many")
	_, err = New(&out)
	require.ErrorContains(t, err, "parallelism")
}

func TestFirstLine(t *testing.T) {
	require.Equal(t, "a", firstLine("a\nb"))
	long := string(bytes.Repeat([]byte("x"), 500))
	require.Len(t, []rune(firstLine(long)), 161)
}

// With backend.GoDotBlock in force, products large enough for GoMLX's blocked kernel (more
// than 16 blocks of output), with sides that are not multiples of the block, batch axes and
// transposed operands, must equal a plain triple loop in float64.
func TestBlockedDotGeneralMatchesLoop(t *testing.T) {
	be := ForTests()
	require.Equal(t, 4, simplego.DotGeneralTargetBlockLog2Dim[dtypes.Float32]) // GoDotBlock = 2⁴
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct{ batch, m, k, n int }{{1, 70, 37, 90}, {3, 33, 129, 65}, {2, 200, 5, 41}} {
		a := make([]float32, c.batch*c.m*c.k)  // [batch, m, k]
		bt := make([]float32, c.batch*c.n*c.k) // [batch, n, k]: contracted on its last axis
		for i := range a {
			a[i] = float32(rng.NormFloat64())
		}
		for i := range bt {
			bt[i] = float32(rng.NormFloat64())
		}
		got := graph.MustExecOnce(be, func(x, y *graph.Node) *graph.Node {
			return graph.DotGeneral(x, []int{2}, []int{0}, y, []int{2}, []int{0})
		}, tensors.FromFlatDataAndDimensions(a, c.batch, c.m, c.k), tensors.FromFlatDataAndDimensions(bt, c.batch, c.n, c.k))
		require.Equal(t, []int{c.batch, c.m, c.n}, got.Shape().Dimensions)
		flat := got.Value().([][][]float32)
		for b := range c.batch {
			for i := range c.m {
				for j := range c.n {
					var want float64
					for l := range c.k {
						want += float64(a[(b*c.m+i)*c.k+l]) * float64(bt[(b*c.n+j)*c.k+l])
					}
					require.InDelta(t, want, float64(flat[b][i][j]), 1e-4*(1+math.Abs(want)), "case %+v at [%d,%d,%d]", c, b, i, j)
				}
			}
		}
	}
}

// CLUSTERGAN_GO_DOT_BLOCK sets the block side; a bad value is an error that names the variable,
// from New as from ForTests' setup.
func TestDotBlockEnv(t *testing.T) {
	defer func() { require.NoError(t, setDotBlock()) }() // back to GoDotBlock once the variable is unset
	t.Setenv(DotBlockEnvVar, "64")
	require.NoError(t, setDotBlock())
	require.Equal(t, 6, simplego.DotGeneralTargetBlockLog2Dim[dtypes.Float32])
	for _, bad := range []string{"48", "2", "256", "sixteen", "-16"} {
		t.Setenv(DotBlockEnvVar, bad)
		require.ErrorContains(t, setDotBlock(), DotBlockEnvVar+`="`+bad+`"`)
		t.Setenv(EnvVar, GoConfig)
		_, err := New(io.Discard)
		require.ErrorContains(t, err, "power of two")
	}
	t.Setenv(DotBlockEnvVar, "")
	require.NoError(t, setDotBlock())
	require.Equal(t, 4, simplego.DotGeneralTargetBlockLog2Dim[dtypes.Float32])
}

package layers

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/clustergan/clustergan/backend"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/stretchr/testify/require"
)

func TestBatchNorm(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, dims := range [][]int{{6, 3}, {2, 3, 2, 4}} { // dense features; NHWC channels
		features := dims[len(dims)-1]
		size := 1
		for _, d := range dims {
			size *= d
		}
		rows := size / features
		x := randomFlat(rng, size)
		for i := range x {
			x[i] = 3*x[i] + float64(i%features) // per-feature offset and spread
		}
		r := randomFlat(rng, size)

		ctx := context.New()
		exec, err := context.NewExec(backend.ForTests(), ctx, func(ctx *context.Context, in []*graph.Node) []*graph.Node {
			y := BatchNorm(ctx.In("bn"), in[0])
			sum := graph.ReduceAllSum(y)
			weighted := graph.ReduceAllSum(graph.Mul(y, in[1]))
			return []*graph.Node{y, graph.Gradient(sum, in[0])[0], weighted, graph.Gradient(weighted, in[0])[0]}
		})
		require.NoError(t, err)
		out, err := exec.Exec(tensorOf(x, dims...), tensorOf(r, dims...))
		require.NoError(t, err)
		y := flatOf(out[0])

		t.Run("statistics", func(t *testing.T) {
			for f := range features {
				var mean, meanX, varX, variance float64
				for row := range rows {
					mean += y[row*features+f] / float64(rows)
					meanX += x[row*features+f] / float64(rows)
				}
				for row := range rows {
					variance += (y[row*features+f] - mean) * (y[row*features+f] - mean) / float64(rows)
					varX += (x[row*features+f] - meanX) * (x[row*features+f] - meanX) / float64(rows)
				}
				require.InDelta(t, 0, mean, 1e-12, "feature %d", f)                                // β starts at 0
				require.InDelta(t, varX/(varX+BatchNormEpsilon), variance, 1e-12, "feature %d", f) // ≈ 1
			}
		})
		t.Run("gradient through batch statistics", func(t *testing.T) {
			// Σ BN(x) = rows·Σβ whatever x, so its gradient is exactly zero — only if the
			// gradient flows through the batch mean (with the mean under StopGradient it is
			// 1/σ per element).
			for i, g := range flatOf(out[1]) {
				require.InDelta(t, 0, g, 1e-12, "element %d", i)
			}
			// And against central differences of a plain-Go BN.
			loss := func(v []float64) float64 { return dotFlat(refBatchNorm(v, features), r) }
			requireClose(t, finiteDiff(x, loss), flatOf(out[3]), 1e-7)
		})
		t.Run("variables", func(t *testing.T) {
			require.Equal(t, 1, ctx.NumVariables())
			v := ctx.GetVariableByScopeAndName("/bn", "beta")
			require.NotNil(t, v)
			require.Equal(t, []int{features}, v.Shape().Dimensions)
		})
	}
}

// refBatchNorm normalises each feature (last axis) of v with biased batch statistics, β = 0.
func refBatchNorm(v []float64, features int) []float64 {
	rows := len(v) / features
	out := make([]float64, len(v))
	for f := range features {
		var mean, variance float64
		for r := range rows {
			mean += v[r*features+f]
		}
		mean /= float64(rows)
		for r := range rows {
			d := v[r*features+f] - mean
			variance += d * d
		}
		variance /= float64(rows)
		for r := range rows {
			out[r*features+f] = (v[r*features+f] - mean) / math.Sqrt(variance+BatchNormEpsilon)
		}
	}
	return out
}

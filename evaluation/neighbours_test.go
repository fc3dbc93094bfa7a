package evaluation

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bruteForceNN is the reference: float64 squared distances summed in index order, first minimum.
func bruteForceNN(ref, query []float32, dim int) []int {
	out := make([]int, len(query)/dim)
	for i := range out {
		best, bestDist := -1, math.Inf(1)
		for j := range len(ref) / dim {
			s := 0.0
			for d := range dim {
				diff := float64(query[i*dim+d]) - float64(ref[j*dim+d])
				s += diff * diff
			}
			if s < bestDist {
				best, bestDist = j, s
			}
		}
		out[i] = best
	}
	return out
}

func TestNearestNeighboursMatchBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	gauss := func(n int, offset, scale float64) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(offset + scale*rng.NormFloat64())
		}
		return x
	}

	t.Run("random", func(t *testing.T) {
		// More rows than one query chunk and one reference block, neither a multiple of them;
		// odd dim exercises the kernels' remainder loops.
		const dim = 37
		ref, query := uniformData(rng, 3001, dim), uniformData(rng, 517, dim)
		nn, err := NearestNeighbours(ref, query, dim)
		require.NoError(t, err)
		assert.Equal(t, bruteForceNN(ref, query, dim), nn)
	})

	t.Run("far from the origin", func(t *testing.T) {
		// Rows 100 + N(0, 0.01²): the norms are ~10⁶ times the distances, so the float32
		// expansion alone (Predict, treating refs as centroids) picks wrong neighbours; the
		// float64 re-check must not.
		const dim = 20
		ref, query := gauss(2000*dim, 100, 0.01), gauss(300*dim, 100, 0.01)
		want := bruteForceNN(ref, query, dim)
		nn, err := NearestNeighbours(ref, query, dim)
		require.NoError(t, err)
		assert.Equal(t, want, nn)
		approx, err := Predict(query, dim, ref)
		require.NoError(t, err)
		assert.NotEqual(t, want, approx, "the data should defeat the float32 expansion alone")
	})

	t.Run("near ties", func(t *testing.T) {
		// Each query q has two references q ± δ·u for a random unit u and δ within a few float32
		// ulps of each other's distance, among random decoys, plus an exact duplicate of an
		// earlier reference; which is nearer is decided by float64 rounding alone.
		const dim, nQueries = 64, 400
		var ref, query []float32
		for range 2000 {
			ref = append(ref, gauss(dim, 0, 1)...)
		}
		for range nQueries {
			q := gauss(dim, 0, 1)
			u := gauss(dim, 0, 1)
			delta := 0.1 + 0.1*rng.Float64()
			plus, minus := make([]float32, dim), make([]float32, dim)
			for d := range dim {
				plus[d] = q[d] + float32(delta)*u[d]
				minus[d] = q[d] - float32(delta*(1+1e-7*rng.NormFloat64()))*u[d]
			}
			query = append(query, q...)
			at := rng.IntN(len(ref)/dim + 1)
			ref = append(ref[:at*dim], append(append(plus, minus...), ref[at*dim:]...)...)
		}
		dup := rng.IntN(len(ref) / dim)
		ref = append(ref, ref[dup*dim:(dup+1)*dim]...)
		query = append(query, ref[dup*dim:(dup+1)*dim]...)

		want := bruteForceNN(ref, query, dim)
		nn, err := NearestNeighbours(ref, query, dim)
		require.NoError(t, err)
		assert.Equal(t, want, nn)
		assert.Equal(t, dup, nn[nQueries], "an exact duplicate goes to the lowest index")
	})

	t.Run("exact ties", func(t *testing.T) {
		// The 2⁶ corners of {0, 1}⁶ in random order are all at distance 6·0.25 from the centre:
		// the lowest index wins.
		const dim = 6
		order := rng.Perm(1 << dim)
		ref := make([]float32, 0, len(order)*dim)
		for _, c := range order {
			for d := range dim {
				ref = append(ref, float32(c>>d&1))
			}
		}
		centre := []float32{0.5, 0.5, 0.5, 0.5, 0.5, 0.5}
		nn, err := NearestNeighbours(ref, centre, dim)
		require.NoError(t, err)
		assert.Equal(t, []int{0}, nn)
	})
}

func TestNearestNeighbourLabels(t *testing.T) {
	// 1-D references 0, 10, 20 with labels 3, 1, 4: the queries 9, 14, 16 and −5 are nearest
	// to 10, 10 (4 < 6), 20 and 0.
	labels, err := NearestNeighbourLabels([]float32{0, 10, 20}, []int{3, 1, 4}, []float32{9, 14, 16, -5}, 1)
	require.NoError(t, err)
	assert.Equal(t, []int{1, 1, 4, 3}, labels)

	for _, c := range []struct {
		name      string
		ref       []float32
		refLabels []int
		query     []float32
		dim       int
		want      string
	}{
		{"dim", []float32{0}, []int{0}, []float32{0}, 0, "dim = 0"},
		{"label count", []float32{0, 1, 2, 3}, []int{0}, []float32{0, 1}, 2, "refLabels has 1 labels for 2 ref rows"},
		{"negative label", []float32{0, 1}, []int{0, -1}, []float32{0}, 1, "refLabels[1] = -1 is negative"},
		{"ragged ref", []float32{0, 1, 2}, []int{0}, []float32{0, 1}, 2, "len(ref) = 3 is not a multiple of dim = 2"},
		{"ragged query", []float32{0, 1}, []int{0}, []float32{0, 1, 2}, 2, "len(query) = 3 is not a multiple of dim = 2"},
		{"empty query", []float32{0}, []int{0}, nil, 1, "query is empty"},
		{"NaN", []float32{0, float32(math.NaN())}, []int{0, 1}, []float32{0}, 1, "ref[1] (row 1, column 0) is NaN"},
	} {
		_, err := NearestNeighbourLabels(c.ref, c.refLabels, c.query, c.dim)
		if assert.Error(t, err, c.name) {
			assert.Contains(t, err.Error(), c.want, c.name)
		}
	}
}

// BenchmarkNearestNeighbourMNISTSize labels 10000 queries by their nearest of 55000 references
// with 784 features, MNIST's generated-versus-training shape, on uniform random data (the float32
// pass costs the same for any data; the re-check is a handful of rows per query). The
// queries=1000 case is a tenth of the work, for quick comparisons. GFMA/s counts the
// query·reference multiply-adds (nQuery × 55000 × 784) per second.
//
// Measured with `go test -run '^$' -bench NearestNeighbourMNISTSize -benchtime 1x ./evaluation/`
// on the 2-core development machine (AMD EPYC, both goroutines) while other jobs shared the
// cores: queries=1000 8.1 s/op (5.3 GFMA/s), queries=10000 106 s/op (4.1 GFMA/s). The float32
// kernel alone runs at about 5.5 GFMA/s per core from L1.
func BenchmarkNearestNeighbourMNISTSize(b *testing.B) {
	const nRef, dim = 55000, 784
	rng := rand.New(rand.NewPCG(7, 8))
	ref := uniformData(rng, nRef, dim)
	refLabels := randomLabels(rng, nRef, 10)
	for _, nQuery := range []int{1000, 10000} {
		query := uniformData(rng, nQuery, dim)
		b.Run(fmt.Sprintf("queries=%d", nQuery), func(b *testing.B) {
			for range b.N {
				if _, err := NearestNeighbourLabels(ref, refLabels, query, dim); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(nQuery)*nRef*dim/b.Elapsed().Seconds()*float64(b.N)/1e9, "GFMA/s")
		})
	}
}

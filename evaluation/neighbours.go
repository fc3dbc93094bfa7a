package evaluation

import (
	"fmt"
	"math"
	"runtime"

	"github.com/clustergan/clustergan/internal/parallel"
)

// refBlockRows is the number of reference rows whose distances are computed at once: 128 rows of
// 784 float32 features (400 KB) stay in a core's L2 cache while every query pair of a chunk
// streams past them.
const refBlockRows = 128

// NearestNeighbours returns, for each row of query, the index of its nearest row of ref by squared
// Euclidean distance, ties going to the lowest index. Both are row-major with dim columns.
//
// Distances are first computed in float32 as ||q||² + ||r||² − 2q·r, which is fast but can
// misorder near-equal distances; every reference whose float32 distance lies within a rigorous
// error bound of the best is then re-checked as Σ(q_i − r_i)² in float64, so the result is that
// of a brute-force float64 search. Work is split over query chunks on runtime.NumCPU() goroutines.
// The bound grows with the row norms, so data far from the origin relative to their spread make
// many references candidates and the re-check slow; centre such data first.
func NearestNeighbours(ref, query []float32, dim int) ([]int, error) {
	if err := checkMatrix("ref", ref, dim); err != nil {
		return nil, fmt.Errorf("nearest neighbours: %w", err)
	}
	if err := checkMatrix("query", query, dim); err != nil {
		return nil, fmt.Errorf("nearest neighbours: %w", err)
	}
	nRef, nQuery := len(ref)/dim, len(query)/dim
	refNorms, queryNorms := sqNorms(ref, dim), sqNorms(query, dim)
	refLens := make([]float64, nRef)
	for j, n := range refNorms {
		refLens[j] = math.Sqrt(n)
	}
	// A float32 dot product of length dim errs by at most γ·Σ|a_i b_i| ≤ γ·||a||·||b||, with
	// γ ≈ dim·2⁻²⁴; the two norms err likewise, so the expanded distance errs by at most
	// γ·(||q|| + ||r||)². The factor 2 covers the float64 steps and the float64 reference sums.
	gamma := 2 * float64(dim+2) * 0x1p-24

	nearest := make([]int, nQuery)
	nChunks := (nQuery + chunkRows - 1) / chunkRows
	parallel.For(nChunks, runtime.NumCPU(), func(chunk int) {
		lo, hi := chunk*chunkRows, min((chunk+1)*chunkRows, nQuery)
		type candidate struct {
			ref   int
			lower float64
		}
		cands := make([][]candidate, hi-lo)
		upper := make([]float64, hi-lo) // smallest upper bound on a float64 distance so far
		for i := range upper {
			upper[i] = math.Inf(1)
		}
		dists := make([]float64, (hi-lo)*refBlockRows)
		for j0 := 0; j0 < nRef; j0 += refBlockRows {
			j1 := min(j0+refBlockRows, nRef)
			width := j1 - j0
			sqDists(query, dim, queryNorms, lo, hi, ref[j0*dim:j1*dim], refNorms[j0:j1], dists)
			for i := lo; i < hi; i++ {
				qLen := math.Sqrt(queryNorms[i])
				u, cs := upper[i-lo], cands[i-lo]
				for j, d := range dists[(i-lo)*width : (i-lo+1)*width] {
					s := qLen + refLens[j0+j]
					e := gamma * s * s
					if d-e > u {
						continue
					}
					if d+e < u {
						u = d + e
						kept := cs[:0]
						for _, c := range cs {
							if c.lower <= u {
								kept = append(kept, c)
							}
						}
						cs = kept
					}
					cs = append(cs, candidate{j0 + j, d - e})
				}
				upper[i-lo], cands[i-lo] = u, cs
			}
		}
		for i := lo; i < hi; i++ {
			q := query[i*dim : (i+1)*dim]
			best, bestDist := -1, math.Inf(1)
			for _, c := range cands[i-lo] { // in increasing ref order, so ties keep the lowest
				if d := sqDist64(q, ref[c.ref*dim:(c.ref+1)*dim]); d < bestDist {
					best, bestDist = c.ref, d
				}
			}
			nearest[i] = best
		}
	})
	return nearest, nil
}

// sqDist64 is Σ(a_i − b_i)² accumulated in float64 in index order.
func sqDist64(a, b []float32) float64 {
	b = b[:len(a)]
	s := 0.0
	for i, v := range a {
		d := float64(v) - float64(b[i])
		s += d * d
	}
	return s
}

// NearestNeighbourLabels returns, for each row of query, refLabels of its nearest row of ref (see
// NearestNeighbours): the class a generated sample looks like, with no classifier to train.
func NearestNeighbourLabels(ref []float32, refLabels []int, query []float32, dim int) ([]int, error) {
	if dim >= 1 && len(ref)%dim == 0 && len(refLabels) != len(ref)/dim {
		return nil, fmt.Errorf("nearest neighbour labels: refLabels has %d labels for %d ref rows", len(refLabels), len(ref)/dim)
	}
	for i, l := range refLabels {
		if l < 0 {
			return nil, fmt.Errorf("nearest neighbour labels: refLabels[%d] = %d is negative; class ids must be >= 0", i, l)
		}
	}
	nn, err := NearestNeighbours(ref, query, dim)
	if err != nil {
		return nil, fmt.Errorf("nearest neighbour labels: %w", err)
	}
	for i, j := range nn {
		nn[i] = refLabels[j]
	}
	return nn, nil
}

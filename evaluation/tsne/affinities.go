package tsne

import (
	"cmp"
	"container/heap"
	"math"
	"slices"

	"github.com/clustergan/clustergan/internal/parallel"
)

const (
	// entropyTol is the accepted |H(P_i) − log(perplexity)|, well below scikit-learn's 1e-5 so
	// that callers can rely on 1e-5.
	entropyTol = 1e-10
	// maxCalibrationSteps bounds the search for β_i; it only runs out when the target is
	// unreachable (ties among the nearest neighbours).
	maxCalibrationSteps = 200
)

// calibrate sets p[j] = exp(−β·d[j]) / Σ_k exp(−β·d[k]) with β chosen so that the entropy of p
// is log(perplexity), and returns β. d holds squared distances to the other points.
//
// The entropy decreases monotonically in β, from log(len(d)) at β = 0, so a bracketing search
// finds it; Newton steps (dH/dβ = −β·Var_p(d)) are taken when they stay inside the bracket, and
// bisection otherwise.
func calibrate(d []float64, perplexity float64, p []float64) float64 {
	target := math.Log(perplexity)
	// Shifting by the smallest distance leaves p unchanged and keeps exp from underflowing.
	dmin, mean := math.Inf(1), 0.0
	for _, v := range d {
		dmin = math.Min(dmin, v)
		mean += v
	}
	mean = mean/float64(len(d)) - dmin
	beta := 1.0
	if mean > 0 {
		beta = 1 / mean
	}
	lo, hi := 0.0, math.Inf(1)
	for range maxCalibrationSteps {
		var s, e1, e2 float64
		for j, v := range d {
			v -= dmin
			w := math.Exp(-beta * v)
			p[j] = w
			s += w
			e1 += v * w
			e2 += v * v * w
		}
		e1 /= s
		e2 /= s
		h := math.Log(s) + beta*e1
		diff := h - target
		if math.Abs(diff) < entropyTol {
			break
		}
		if diff > 0 {
			lo = beta // too flat: sharpen
		} else {
			hi = beta
		}
		next := math.NaN()
		if deriv := -beta * (e2 - e1*e1); deriv < 0 {
			next = beta - diff/deriv
		}
		if !(next > lo && next < hi) {
			switch {
			case math.IsInf(hi, 1):
				next = 2 * beta
			case lo == 0:
				next = beta / 2
			default:
				next = (lo + hi) / 2
			}
		}
		if next == beta {
			break // bracket collapsed to one float
		}
		beta = next
	}
	// p holds the weights of the last β tried; normalise.
	var s float64
	for _, w := range p {
		s += w
	}
	for j := range p {
		p[j] /= s
	}
	return beta
}

// sqDist is the squared Euclidean distance between rows i and j of x, in float64.
func sqDist(x []float32, dim, i, j int) float64 {
	a, b := x[i*dim:(i+1)*dim], x[j*dim:(j+1)*dim]
	var s float64
	for k := range a {
		t := float64(a[k]) - float64(b[k])
		s += t * t
	}
	return s
}

// exactP returns the dense, symmetric n×n joint probabilities P_ij = (P_{j|i} + P_{i|j}) / 2n,
// with a zero diagonal.
func exactP(x []float32, dim int, perplexity float64, workers int) []float64 {
	n := len(x) / dim
	p := make([]float64, n*n)
	parallelRows(n, workers, func(lo, hi int) {
		d := make([]float64, n-1)
		cond := make([]float64, n-1)
		for i := lo; i < hi; i++ {
			for j, k := 0, 0; j < n; j++ {
				if j != i {
					d[k] = sqDist(x, dim, i, j)
					k++
				}
			}
			calibrate(d, perplexity, cond)
			row := p[i*n : (i+1)*n]
			copy(row[:i], cond[:i])
			copy(row[i+1:], cond[i:])
		}
	})
	scale := 1 / (2 * float64(n))
	for i := range n {
		for j := i + 1; j < n; j++ {
			v := (p[i*n+j] + p[j*n+i]) * scale
			p[i*n+j], p[j*n+i] = v, v
		}
	}
	return p
}

// sparseP is a symmetric sparse matrix in compressed-row form: row i's entries are
// val[rowPtr[i]:rowPtr[i+1]] at columns col[...], in increasing column order.
type sparseP struct {
	rowPtr []int
	col    []int32
	val    []float64
}

// neighbourP returns P_ij = (P_{j|i} + P_{i|j}) / 2n where each conditional distribution is
// calibrated over the k nearest neighbours only (zero elsewhere), as Barnes–Hut-SNE.
func neighbourP(x []float32, dim int, perplexity float64, k, workers int) *sparseP {
	n := len(x) / dim
	nbr := make([]int32, n*k)
	cond := make([]float64, n*k)
	parallelRows(n, workers, func(lo, hi int) {
		h := &maxHeap{}
		d := make([]float64, k)
		for i := lo; i < hi; i++ {
			h.items = h.items[:0]
			for j := range n {
				if j == i {
					continue
				}
				c := candidate{sqDist(x, dim, i, j), int32(j)}
				if len(h.items) < k {
					heap.Push(h, c)
				} else if c.less(h.items[0]) {
					h.items[0] = c
					heap.Fix(h, 0)
				}
			}
			slices.SortFunc(h.items, func(a, b candidate) int {
				if a.less(b) {
					return -1
				}
				return 1
			})
			for r, c := range h.items {
				d[r] = c.d
				nbr[i*k+r] = c.j
			}
			calibrate(d, perplexity, cond[i*k:(i+1)*k])
		}
	})

	// Symmetrise: every conditional entry contributes to (i, j) and (j, i); sorting the triplets
	// by (row, column) and merging duplicates gives the CSR matrix.
	type triplet struct {
		i, j int32
		v    float64
	}
	ts := make([]triplet, 0, 2*n*k)
	scale := 1 / (2 * float64(n))
	for i := range n {
		for r := range k {
			j, v := nbr[i*k+r], cond[i*k+r]*scale
			ts = append(ts, triplet{int32(i), j, v}, triplet{j, int32(i), v})
		}
	}
	slices.SortFunc(ts, func(a, b triplet) int {
		if a.i != b.i {
			return cmp.Compare(a.i, b.i)
		}
		return cmp.Compare(a.j, b.j)
	})
	sp := &sparseP{rowPtr: make([]int, n+1)}
	for t := 0; t < len(ts); {
		u := t + 1
		v := ts[t].v
		// At most two triplets share (i, j), one from each point's list, and a+b == b+a, so the
		// unstable sort cannot change the sums.
		for ; u < len(ts) && ts[u].i == ts[t].i && ts[u].j == ts[t].j; u++ {
			v += ts[u].v
		}
		sp.col = append(sp.col, ts[t].j)
		sp.val = append(sp.val, v)
		sp.rowPtr[ts[t].i+1]++
		t = u
	}
	for i := range n {
		sp.rowPtr[i+1] += sp.rowPtr[i]
	}
	return sp
}

// candidate is a neighbour at squared distance d; ties are broken by index so the neighbour
// lists are deterministic.
type candidate struct {
	d float64
	j int32
}

func (a candidate) less(b candidate) bool { return a.d < b.d || (a.d == b.d && a.j < b.j) }

// maxHeap keeps the k best candidates with the worst on top.
type maxHeap struct{ items []candidate }

func (h *maxHeap) Len() int           { return len(h.items) }
func (h *maxHeap) Less(a, b int) bool { return h.items[b].less(h.items[a]) }
func (h *maxHeap) Swap(a, b int)      { h.items[a], h.items[b] = h.items[b], h.items[a] }
func (h *maxHeap) Push(v any)         { h.items = append(h.items, v.(candidate)) }
func (h *maxHeap) Pop() any {
	v := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return v
}

// parallelRows calls fn on disjoint row ranges covering [0, n) from up to workers goroutines.
// Ranges are small (about 8 per worker) so uneven rows balance; callers only write per-row
// results, which keeps the output independent of the scheduling.
func parallelRows(n, workers int, fn func(lo, hi int)) {
	parallel.Ranges(n, workers, max(1, n/(8*max(1, workers))), fn)
}

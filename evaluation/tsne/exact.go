package tsne

import "math"

// gradientFactor is the 4 of ∂KL/∂y_i = 4 Σ_j (p_ij − q_ij)(1 + ||y_i − y_j||²)⁻¹ (y_i − y_j)
// (van der Maaten & Hinton 2008, eq. 5).
const gradientFactor = 4

// exact is the O(n²) objective with the dense P.
type exact struct {
	n       int
	p       []float64 // n×n, symmetric, zero diagonal
	workers int
	// Scratch: per-row partial sums, reduced in row order for determinism, and repulsive forces.
	rowSum []float64
	rep    []float64
}

func newExact(x []float32, dim int, perplexity float64, workers int) *exact {
	n := len(x) / dim
	return &exact{n: n, p: exactP(x, dim, perplexity, workers), workers: workers, rowSum: make([]float64, n), rep: make([]float64, 2*n)}
}

// gradient uses ∂KL/∂y_i = 4 [Σ_j p_ij w_ij (y_i − y_j) − (1/Z) Σ_j w_ij² (y_i − y_j)] with
// w_ij = (1 + ||y_i − y_j||²)⁻¹, so one pass over the pairs gives both sums and Z's row part; the
// attractive sums wait in grad until Z is known.
func (e *exact) gradient(y, grad []float64, exaggeration float64) float64 {
	n := e.n
	rep := e.rep
	parallelRows(n, e.workers, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			xi, yi := y[2*i], y[2*i+1]
			prow := e.p[i*n : (i+1)*n]
			var ax, ay, rx, ry, z float64
			for j := range n {
				if j == i {
					continue
				}
				dx, dy := xi-y[2*j], yi-y[2*j+1]
				w := 1 / (1 + dx*dx + dy*dy)
				z += w
				pw := prow[j] * w
				ax += pw * dx
				ay += pw * dy
				w2 := w * w
				rx += w2 * dx
				ry += w2 * dy
			}
			grad[2*i], grad[2*i+1] = ax, ay
			rep[2*i], rep[2*i+1] = rx, ry
			e.rowSum[i] = z
		}
	})
	z := sumInOrder(e.rowSum)
	for k := range grad {
		grad[k] = gradientFactor * (exaggeration*grad[k] - rep[k]/z)
	}
	return z
}

// kl returns Σ_ij p_ij log(p_ij / q_ij) with q_ij = w_ij / Z; terms with p_ij = 0 are 0.
func (e *exact) kl(y []float64, z float64) float64 {
	n := e.n
	logZ := math.Log(z)
	parallelRows(n, e.workers, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			xi, yi := y[2*i], y[2*i+1]
			prow := e.p[i*n : (i+1)*n]
			var s float64
			for j, pij := range prow {
				if pij <= 0 || j == i {
					continue
				}
				dx, dy := xi-y[2*j], yi-y[2*j+1]
				// log(p/q) = log p + log(1 + d²) + log Z
				s += pij * (math.Log(pij) + math.Log1p(dx*dx+dy*dy) + logZ)
			}
			e.rowSum[i] = s
		}
	})
	return sumInOrder(e.rowSum)
}

// sumInOrder adds v from first to last, so parallel reductions do not depend on scheduling.
func sumInOrder(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s
}

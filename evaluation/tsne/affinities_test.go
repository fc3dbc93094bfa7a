package tsne

import (
	"math"
	"math/rand/v2"
	"testing"
)

// randomMatrix returns n×dim standard normal values times scale.
func randomMatrix(n, dim int, scale float64, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := make([]float32, n*dim)
	for i := range x {
		x[i] = float32(scale * rng.NormFloat64())
	}
	return x
}

func entropy(p []float64) float64 {
	var h float64
	for _, v := range p {
		if v > 0 {
			h -= v * math.Log(v)
		}
	}
	return h
}

// TestCalibrationEntropy checks the definition of the bandwidth search: every conditional row
// P_{·|i} sums to 1, has entropy log(perplexity), and is proportional to exp(−β_i d_ij).
func TestCalibrationEntropy(t *testing.T) {
	const n, dim = 60, 5
	for _, scale := range []float64{1e-3, 1, 1e3} {
		x := randomMatrix(n, dim, scale, 7)
		for _, perp := range []float64{1, 2, 5, 19.5} {
			d := make([]float64, n-1)
			p := make([]float64, n-1)
			for i := range n {
				for j, k := 0, 0; j < n; j++ {
					if j != i {
						d[k] = sqDist(x, dim, i, j)
						k++
					}
				}
				beta := calibrate(d, perp, p)
				var sum float64
				for _, v := range p {
					sum += v
				}
				if math.Abs(sum-1) > 1e-12 {
					t.Fatalf("scale %g perplexity %g row %d: sum of P = %v", scale, perp, i, sum)
				}
				// Perplexity 1 is reached only as β → ∞; the search stops at a large finite β.
				tol := 1e-8
				if perp == 1 {
					tol = 1e-5
				}
				if h := entropy(p); math.Abs(h-math.Log(perp)) > tol {
					t.Fatalf("scale %g perplexity %g row %d: entropy %.12f, want log(perplexity) = %.12f",
						scale, perp, i, h, math.Log(perp))
				}
				if perp == 1 {
					continue
				}
				// log(p_a/p_b) = β (d_b − d_a)
				a, b := 0, 1
				got := math.Log(p[a] / p[b])
				want := beta * (d[b] - d[a])
				if math.Abs(got-want) > 1e-8*math.Max(1, math.Abs(want)) {
					t.Fatalf("scale %g perplexity %g row %d: log(p0/p1) = %v, want β(d1−d0) = %v", scale, perp, i, got, want)
				}
			}
		}
	}
}

// binaryEntropy is the entropy of (a, 1−a).
func binaryEntropy(a float64) float64 { return -a*math.Log(a) - (1-a)*math.Log(1-a) }

// TestHandComputedP: three points on a line at 0, 1 and 3, so the squared distances are
// d01 = 1, d02 = 9, d12 = 4. Each point has two neighbours, and with perplexity
// exp(H(0.8, 0.2)) each row must give 0.8 to its nearer and 0.2 to its farther neighbour, with
// β_i = log(0.8/0.2) / (d_far − d_near): log 4 / 8, log 4 / 3 and log 4 / 5. Then
// P = (P_cond + P_condᵀ) / 6: P01 = (0.8+0.8)/6, P02 = (0.2+0.2)/6, P12 = (0.2+0.8)/6.
func TestHandComputedP(t *testing.T) {
	x := []float32{0, 1, 3}
	perp := math.Exp(binaryEntropy(0.8))
	wantBeta := []float64{math.Log(4) / 8, math.Log(4) / 3, math.Log(4) / 5}
	for i := range 3 {
		var d []float64
		for j := range 3 {
			if j != i {
				d = append(d, sqDist(x, 1, i, j))
			}
		}
		p := make([]float64, 2)
		if beta := calibrate(d, perp, p); math.Abs(beta-wantBeta[i]) > 1e-8 {
			t.Errorf("row %d: β = %v, want %v", i, beta, wantBeta[i])
		}
	}
	want := []float64{
		0, 1.6 / 6, 0.4 / 6,
		1.6 / 6, 0, 1.0 / 6,
		0.4 / 6, 1.0 / 6, 0,
	}
	got := exactP(x, 1, perp, 1)
	for k := range want {
		if math.Abs(got[k]-want[k]) > 1e-9 {
			t.Errorf("P[%d][%d] = %v, want %v", k/3, k%3, got[k], want[k])
		}
	}

	// Equilateral triangle (the unit vectors of R³, squared distances exactly 2): every
	// conditional row is (1/2, 1/2) whatever β, so P_ij = 1/6.
	tri := []float32{1, 0, 0, 0, 1, 0, 0, 0, 1}
	got = exactP(tri, 3, 2, 1)
	for k, v := range got {
		w := 1.0 / 6
		if k/3 == k%3 {
			w = 0
		}
		if math.Abs(v-w) > 1e-15 {
			t.Errorf("triangle P[%d][%d] = %v, want %v", k/3, k%3, v, w)
		}
	}
}

// TestNeighbourPMatchesExact: with k = n−1 neighbours the sparse P is the dense P; with fewer it
// is still symmetric and sums to 1.
func TestNeighbourPMatchesExact(t *testing.T) {
	const n, dim, perp = 31, 4, 10.0
	x := randomMatrix(n, dim, 1, 3)
	dense := exactP(x, dim, perp, 2)
	sp := neighbourP(x, dim, perp, n-1, 3)
	for i := range n {
		if got := sp.rowPtr[i+1] - sp.rowPtr[i]; got != n-1 {
			t.Fatalf("row %d has %d entries, want %d", i, got, n-1)
		}
		for e := sp.rowPtr[i]; e < sp.rowPtr[i+1]; e++ {
			j := int(sp.col[e])
			if math.Abs(sp.val[e]-dense[i*n+j]) > 1e-15 {
				t.Fatalf("P[%d][%d]: sparse %v, dense %v", i, j, sp.val[e], dense[i*n+j])
			}
		}
	}

	sp = neighbourP(x, dim, 3, 9, 2)
	m := map[[2]int32]float64{}
	var sum float64
	for i := range n {
		for e := sp.rowPtr[i]; e < sp.rowPtr[i+1]; e++ {
			m[[2]int32{int32(i), sp.col[e]}] = sp.val[e]
			sum += sp.val[e]
			if e > sp.rowPtr[i] && sp.col[e] <= sp.col[e-1] {
				t.Fatalf("row %d columns not increasing", i)
			}
		}
	}
	if math.Abs(sum-1) > 1e-12 {
		t.Errorf("sparse P sums to %v, want 1", sum)
	}
	for k, v := range m {
		if m[[2]int32{k[1], k[0]}] != v {
			t.Errorf("sparse P not symmetric at %v", k)
		}
	}
}

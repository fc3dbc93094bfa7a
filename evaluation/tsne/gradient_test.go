package tsne

import (
	"math"
	"math/rand/v2"
	"testing"
)

func randomEmbedding(n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 2))
	y := make([]float64, 2*n)
	for i := range y {
		y[i] = 2 * rng.NormFloat64()
	}
	return y
}

// TestExactGradientFiniteDifference checks gradient against central differences of kl, which
// is computed independently from the definition KL = Σ p log(p/q).
func TestExactGradientFiniteDifference(t *testing.T) {
	const n, dim = 9, 3
	x := randomMatrix(n, dim, 1, 11)
	obj := newExact(x, dim, 2, 2)
	y := randomEmbedding(n, 5)
	grad := make([]float64, 2*n)
	obj.gradient(y, grad, 1)
	scratch := make([]float64, 2*n)
	kl := func() float64 { return obj.kl(y, obj.gradient(y, scratch, 1)) }
	const h = 1e-5
	for k := range y {
		orig := y[k]
		y[k] = orig + h
		up := kl()
		y[k] = orig - h
		down := kl()
		y[k] = orig
		num := (up - down) / (2 * h)
		if math.Abs(num-grad[k]) > 1e-6*math.Max(1, math.Abs(num)) {
			t.Errorf("∂KL/∂y[%d]: analytic %v, numeric %v", k, grad[k], num)
		}
	}

	// Exaggeration multiplies only the attractive term: grad(α) − grad(1) = 4(α−1) Σ p w (yi−yj).
	g3 := make([]float64, 2*n)
	obj.gradient(y, g3, 3)
	for i := range n {
		var ax, ay float64
		for j := range n {
			if j == i {
				continue
			}
			dx, dy := y[2*i]-y[2*j], y[2*i+1]-y[2*j+1]
			pw := obj.p[i*n+j] / (1 + dx*dx + dy*dy)
			ax += pw * dx
			ay += pw * dy
		}
		if d := g3[2*i] - grad[2*i] - 8*ax; math.Abs(d) > 1e-12 {
			t.Errorf("row %d: exaggerated gradient x off by %v", i, d)
		}
		if d := g3[2*i+1] - grad[2*i+1] - 8*ay; math.Abs(d) > 1e-12 {
			t.Errorf("row %d: exaggerated gradient y off by %v", i, d)
		}
	}
}

// TestBarnesHutGradient: with all n−1 neighbours the Barnes–Hut P is the exact P, so at θ = 0
// (never summarise) the gradient, Z and KL must equal the exact ones, and at θ = 0.5 the
// gradient must stay close.
func TestBarnesHutGradient(t *testing.T) {
	const n, dim = 120, 4
	perp := float64(n-1) / 3
	x := randomMatrix(n, dim, 1, 13)
	ex := newExact(x, dim, perp, 2)
	y := randomEmbedding(n, 8)
	// A few coincident points exercise the shared leaves.
	copy(y[2*5:2*6], y[2*4:2*5])
	copy(y[2*6:2*7], y[2*4:2*5])
	want := make([]float64, 2*n)
	zWant := ex.gradient(y, want, 1)
	klWant := ex.kl(y, zWant)

	for _, tc := range []struct {
		theta, tol float64
	}{{0, 1e-12}, {0.5, 0.05}} {
		bh := newBarnesHut(x, dim, perp, tc.theta, 3)
		got := make([]float64, 2*n)
		z := bh.gradient(y, got, 1)
		if math.Abs(z-zWant) > tc.tol*zWant {
			t.Errorf("θ=%g: Z = %v, exact %v", tc.theta, z, zWant)
		}
		var diff, norm float64
		for k := range got {
			diff += (got[k] - want[k]) * (got[k] - want[k])
			norm += want[k] * want[k]
		}
		if rel := math.Sqrt(diff / norm); rel > tc.tol {
			t.Errorf("θ=%g: relative gradient error %v, want <= %v", tc.theta, rel, tc.tol)
		}
		if kl := bh.kl(y, z); math.Abs(kl-klWant) > tc.tol*klWant {
			t.Errorf("θ=%g: KL = %v, exact %v", tc.theta, kl, klWant)
		}
	}
}

// TestQuadTree checks the tree's invariants: every point is in exactly one leaf inside its cell,
// and every node's count and centre of mass are those of the points below it.
func TestQuadTree(t *testing.T) {
	const n = 500
	y := randomEmbedding(n, 21)
	for i := 0; i < 20; i++ { // duplicates
		copy(y[2*(n-1-i):2*(n-i)], y[2*i:2*i+2])
	}
	y[0], y[1] = y[2]+1e-300, y[3] // nearly coincident: hits the depth limit or splits deep
	var tr quadTree
	for range 2 { // a rebuild must reuse the slices correctly
		tr.build(y)
		seen := make([]int, n)
		var walk func(k int32) (cnt int32, sx, sy float64)
		walk = func(k int32) (int32, float64, float64) {
			nd := tr.nodes[k]
			var cnt int32
			var sx, sy float64
			if nd.child < 0 {
				for j := nd.first; j >= 0; j = tr.next[j] {
					seen[j]++
					px, py := y[2*j], y[2*j+1]
					if math.Abs(px-nd.cx) > nd.half || math.Abs(py-nd.cy) > nd.half {
						t.Fatalf("point %d at (%v, %v) outside its leaf %+v", j, px, py, nd)
					}
					cnt++
					sx += px
					sy += py
				}
			} else {
				for q := range int32(4) {
					c, x, y := walk(nd.child + q)
					cnt += c
					sx += x
					sy += y
				}
			}
			if cnt != nd.count {
				t.Fatalf("node %d: count %d, points below %d", k, nd.count, cnt)
			}
			if cnt > 0 && (math.Abs(sx/float64(cnt)-nd.mx) > 1e-9 || math.Abs(sy/float64(cnt)-nd.my) > 1e-9) {
				t.Fatalf("node %d: centre of mass (%v, %v), want (%v, %v)", k, nd.mx, nd.my, sx/float64(cnt), sy/float64(cnt))
			}
			return cnt, sx, sy
		}
		walk(0)
		for i, s := range seen {
			if s != 1 {
				t.Fatalf("point %d appears in %d leaves", i, s)
			}
		}
	}
}

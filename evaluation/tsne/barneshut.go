package tsne

import "math"

// maxTreeDepth stops subdividing quadtree cells: 2⁻⁴⁸ of the embedding's extent is below float64
// resolution, so deeper cells could not separate points anyway. Points that meet in such a cell
// (or coincide) share a leaf and interact exactly.
const maxTreeDepth = 48

// barnesHut is the objective with the sparse neighbour P and quadtree repulsion.
type barnesHut struct {
	n       int
	p       *sparseP
	theta2  float64 // Theta²
	workers int
	tree    quadTree
	rowSum  []float64
	rep     []float64
}

func newBarnesHut(x []float32, dim int, perplexity, theta float64, workers int) *barnesHut {
	n := len(x) / dim
	k := min(n-1, int(3*perplexity))
	return &barnesHut{
		n:       n,
		p:       neighbourP(x, dim, perplexity, k, workers),
		theta2:  theta * theta,
		workers: workers,
		rowSum:  make([]float64, n),
		rep:     make([]float64, 2*n),
	}
}

// gradient: the attractive part runs over P's non-zeros exactly, the repulsive part and Z come
// from the quadtree.
func (b *barnesHut) gradient(y, grad []float64, exaggeration float64) float64 {
	n := b.n
	b.tree.build(y)
	parallelRows(n, b.workers, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			xi, yi := y[2*i], y[2*i+1]
			var ax, ay float64
			for e := b.p.rowPtr[i]; e < b.p.rowPtr[i+1]; e++ {
				j := int(b.p.col[e])
				dx, dy := xi-y[2*j], yi-y[2*j+1]
				pw := b.p.val[e] / (1 + dx*dx + dy*dy)
				ax += pw * dx
				ay += pw * dy
			}
			grad[2*i], grad[2*i+1] = ax, ay
			var f repulsion
			b.tree.repel(0, int32(i), xi, yi, b.theta2, &f)
			b.rep[2*i], b.rep[2*i+1] = f.x, f.y
			b.rowSum[i] = f.z
		}
	})
	z := sumInOrder(b.rowSum)
	for k := range grad {
		grad[k] = gradientFactor * (exaggeration*grad[k] - b.rep[k]/z)
	}
	return z
}

// kl sums p_ij log(p_ij / q_ij) over P's non-zeros, as bhtsne's evaluateError.
func (b *barnesHut) kl(y []float64, z float64) float64 {
	logZ := math.Log(z)
	parallelRows(b.n, b.workers, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			var s float64
			for e := b.p.rowPtr[i]; e < b.p.rowPtr[i+1]; e++ {
				pij := b.p.val[e]
				if pij <= 0 {
					continue
				}
				j := int(b.p.col[e])
				dx, dy := y[2*i]-y[2*j], y[2*i+1]-y[2*j+1]
				s += pij * (math.Log(pij) + math.Log1p(dx*dx+dy*dy) + logZ)
			}
			b.rowSum[i] = s
		}
	})
	return sumInOrder(b.rowSum)
}

// quadTree is a point-region quadtree over the embedding. Nodes live in one slice, rebuilt in
// place every iteration; the points of a leaf form a linked list through next.
type quadTree struct {
	nodes []quadNode
	next  []int32
	y     []float64
}

type quadNode struct {
	cx, cy, half float64 // cell centre and half side length
	mx, my       float64 // sum of the positions, then (after build) centre of mass
	count        int32
	child        int32 // index of the first of 4 children, −1 for a leaf
	first        int32 // first point of a leaf, −1 if none
}

// build rebuilds the tree for the n×2 points y, sequentially (so the layout is deterministic).
func (t *quadTree) build(y []float64) {
	n := len(y) / 2
	t.y = y
	t.nodes = t.nodes[:0]
	if cap(t.next) < n {
		t.next = make([]int32, n)
	}
	t.next = t.next[:n]
	minX, maxX, minY, maxY := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for i := range n {
		minX, maxX = math.Min(minX, y[2*i]), math.Max(maxX, y[2*i])
		minY, maxY = math.Min(minY, y[2*i+1]), math.Max(maxY, y[2*i+1])
	}
	// Slightly enlarged so that every point is strictly inside the root.
	half := math.Max(maxX-minX, maxY-minY)/2*(1+1e-9) + 1e-300
	t.nodes = append(t.nodes, quadNode{cx: (minX + maxX) / 2, cy: (minY + maxY) / 2, half: half, child: -1, first: -1})
	for i := range n {
		t.insert(int32(i))
	}
	for k := range t.nodes {
		if c := t.nodes[k].count; c > 0 {
			t.nodes[k].mx /= float64(c)
			t.nodes[k].my /= float64(c)
		}
	}
}

// quadrant is the index (0..3) of the child of node nd that contains (x, y).
func (nd *quadNode) quadrant(x, y float64) int32 {
	var q int32
	if x >= nd.cx {
		q |= 1
	}
	if y >= nd.cy {
		q |= 2
	}
	return q
}

// insert adds point p, walking down from the root and splitting the leaf it lands in when that
// leaf holds a point at a different position.
func (t *quadTree) insert(p int32) {
	px, py := t.y[2*p], t.y[2*p+1]
	k := int32(0)
	for depth := 0; ; {
		nd := &t.nodes[k]
		if nd.child >= 0 {
			nd.count++
			nd.mx += px
			nd.my += py
			k = nd.child + nd.quadrant(px, py)
			depth++
			continue
		}
		q := nd.first
		if q < 0 || depth >= maxTreeDepth || (t.y[2*q] == px && t.y[2*q+1] == py) {
			t.next[p] = q
			nd.first = p
			nd.count++
			nd.mx += px
			nd.my += py
			return
		}
		// Split: the leaf's points all sit at q's position, so they move, with the leaf's count
		// and sums, to one child; the next pass adds p to k as an internal node.
		t.split(k)
		nd = &t.nodes[k]
		c := &t.nodes[nd.child+nd.quadrant(t.y[2*q], t.y[2*q+1])]
		c.first, c.count, c.mx, c.my = q, nd.count, nd.mx, nd.my
		nd.first = -1
	}
}

// split appends the four empty children of leaf k.
func (t *quadTree) split(k int32) {
	nd := t.nodes[k]
	h := nd.half / 2
	t.nodes[k].child = int32(len(t.nodes))
	for q := range 4 {
		cx, cy := nd.cx-h, nd.cy-h
		if q&1 != 0 {
			cx = nd.cx + h
		}
		if q&2 != 0 {
			cy = nd.cy + h
		}
		t.nodes = append(t.nodes, quadNode{cx: cx, cy: cy, half: h, child: -1, first: -1})
	}
}

// repulsion accumulates Σ_j w_ij² (y_i − y_j) in (x, y) and Σ_j w_ij in z.
type repulsion struct{ x, y, z float64 }

// repel adds the repulsion of the points under node k on point i at (xi, yi): exactly in
// leaves (skipping i itself), and through the cell's centre of mass when its side length is
// below θ times the distance to it.
func (t *quadTree) repel(k, i int32, xi, yi, theta2 float64, f *repulsion) {
	nd := &t.nodes[k]
	if nd.count == 0 {
		return
	}
	if nd.child < 0 {
		for j := nd.first; j >= 0; j = t.next[j] {
			if j == i {
				continue
			}
			dx, dy := xi-t.y[2*j], yi-t.y[2*j+1]
			w := 1 / (1 + dx*dx + dy*dy)
			f.z += w
			f.x += w * w * dx
			f.y += w * w * dy
		}
		return
	}
	dx, dy := xi-nd.mx, yi-nd.my
	d2 := dx*dx + dy*dy
	side := 2 * nd.half
	if side*side < theta2*d2 {
		w := 1 / (1 + d2)
		m := float64(nd.count) * w
		f.z += m
		f.x += m * w * dx
		f.y += m * w * dy
		return
	}
	for q := range int32(4) {
		t.repel(nd.child+q, i, xi, yi, theta2, f)
	}
}

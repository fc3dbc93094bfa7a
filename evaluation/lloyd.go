package evaluation

import (
	"math"
	"slices"

	"github.com/clustergan/clustergan/internal/parallel"
)

// run is the outcome of one restart, in centred coordinates.
type run struct {
	labels  []int32
	centers []float32
	inertia float64
	iter    int
}

// move records that a row changed cluster (from = -1 for rows entering their first cluster).
type move struct {
	row      int
	from, to int32
}

// lloydState is one restart's iterate: centres, assignment, running cluster sums and the Elkan
// bounds (upper[i] ≥ distance to its centre, lower[i*k+c] ≤ distance to centre c).
type lloydState struct {
	p       *problem
	k       int
	centers []float32
	cNorms  []float64
	labels  []int32
	sums    []float64 // k×dim sums of the member rows, updated incrementally by moves
	counts  []int
	upper   []float64
	lower   []float32 // nil when n×k is too large: then every iteration computes all distances
	half    []float64 // half[a*k+c] = d(centre a, centre c)/2
	s       []float64 // s[a] = min over c≠a of half[a*k+c]
	moves   [][]move  // per chunk, reused
}

// lloyd runs Lloyd iterations from the given centres, as scikit-learn's _kmeans_single_lloyd:
// each iteration assigns rows to the current centres and recomputes the centres; it stops when
// no label changed (strict convergence), when the summed squared centre shift is <= tol, or
// after maxIter iterations, and in the latter two cases reassigns the rows to the final centres.
func (p *problem) lloyd(centers []float32, maxIter int, tol float64) *run {
	k := len(centers) / p.dim
	st := &lloydState{
		p:       p,
		k:       k,
		centers: centers,
		labels:  make([]int32, p.n),
		sums:    make([]float64, k*p.dim),
		counts:  make([]int, k),
		upper:   make([]float64, p.n),
		moves:   make([][]move, p.nChunks),
	}
	if p.n*k <= maxBoundEntries && k > 1 && !p.noBounds {
		st.lower = make([]float32, p.n*k)
		st.half = make([]float64, k*k)
		st.s = make([]float64, k)
	}
	st.centersChanged()
	for i := range st.labels {
		st.labels[i] = -1
	}
	st.applyMoves(st.assignAll())

	newCenters := make([]float32, k*p.dim)
	shift := make([]float64, k)
	iter, strict := 0, false
	for iter < maxIter {
		iter++
		changed := 0
		if iter > 1 {
			moved := st.assign()
			st.applyMoves(moved)
			changed = len(moved)
		}
		relocated := st.relocateEmpty()
		changed += len(relocated)

		// Update step: centres are the means of their rows.
		totalShift := 0.0
		for c := range k {
			inv := 1 / float64(st.counts[c])
			sh := 0.0
			for d := range p.dim {
				v := float32(st.sums[c*p.dim+d] * inv)
				diff := float64(v) - float64(st.centers[c*p.dim+d])
				sh += diff * diff
				newCenters[c*p.dim+d] = v
			}
			shift[c] = math.Sqrt(sh)
			totalShift += sh
		}
		st.centers, newCenters = newCenters, st.centers
		st.moveBounds(shift, relocated)
		st.centersChanged()

		if iter > 1 && changed == 0 {
			strict = true
			break
		}
		if totalShift <= tol {
			break
		}
	}
	if !strict {
		st.applyMoves(st.assign())
	}
	return &run{labels: st.labels, centers: st.centers, inertia: st.inertia(), iter: iter}
}

// centersChanged refreshes the centre norms and centre-centre distances.
func (st *lloydState) centersChanged() {
	p, k := st.p, st.k
	st.cNorms = sqNorms(st.centers, p.dim)
	if st.lower == nil {
		return
	}
	for a := range k {
		st.s[a] = math.Inf(1)
	}
	for a := range k {
		st.half[a*k+a] = 0
		for c := a + 1; c < k; c++ {
			d2 := st.cNorms[a] + st.cNorms[c] - 2*float64(dot(st.centers[a*p.dim:(a+1)*p.dim], st.centers[c*p.dim:(c+1)*p.dim]))
			h := math.Sqrt(max(d2, 0)) / 2
			st.half[a*k+c], st.half[c*k+a] = h, h
			st.s[a] = min(st.s[a], h)
			st.s[c] = min(st.s[c], h)
		}
	}
}

// assignAll computes every row-centre distance and assigns each row to its nearest centre (ties
// to the lowest index), resetting the bounds to exact values. It returns the rows that moved.
func (st *lloydState) assignAll() []move {
	p, k := st.p, st.k
	parallel.For(p.nChunks, p.workers, func(chunk int) {
		lo, hi := p.chunk(chunk)
		d := make([]float64, (hi-lo)*k)
		sqDists(p.x, p.dim, p.norms, lo, hi, st.centers, st.cNorms, d)
		moved := st.moves[chunk][:0]
		for i := lo; i < hi; i++ {
			di := d[(i-lo)*k : (i-lo+1)*k]
			best := argmin(di)
			st.upper[i] = math.Sqrt(di[best])
			if st.lower != nil {
				for c, v := range di {
					st.lower[i*k+c] = float32(math.Sqrt(v))
				}
			}
			if int32(best) != st.labels[i] {
				moved = append(moved, move{row: i, from: st.labels[i], to: int32(best)})
				st.labels[i] = int32(best)
			}
		}
		st.moves[chunk] = moved
	})
	return st.collectMoves()
}

// assign reassigns rows to the current centres, skipping the distances that the bounds show
// cannot change the nearest centre (Elkan 2003, "Using the triangle inequality to accelerate
// k-means"). It returns the rows that moved.
func (st *lloydState) assign() []move {
	if st.lower == nil || st.k == 1 {
		return st.assignAll()
	}
	p, k := st.p, st.k
	parallel.For(p.nChunks, p.workers, func(chunk int) {
		lo, hi := p.chunk(chunk)
		moved := st.moves[chunk][:0]
		for i := lo; i < hi; i++ {
			a := int(st.labels[i])
			u := st.upper[i]
			if u <= st.s[a] {
				continue // every other centre is at least 2u from a, so farther than a.
			}
			x := p.row(i)
			lower := st.lower[i*k : (i+1)*k]
			dist := func(c int) float64 {
				d2 := p.norms[i] + st.cNorms[c] - 2*float64(dot(x, st.centers[c*p.dim:(c+1)*p.dim]))
				return math.Sqrt(max(d2, 0))
			}
			tight := false
			for c := range k {
				if c == a || u <= float64(lower[c]) || u <= st.half[a*k+c] {
					continue
				}
				if !tight {
					u = dist(a)
					lower[a] = float32(u)
					tight = true
					if u <= float64(lower[c]) || u <= st.half[a*k+c] {
						continue
					}
				}
				dc := dist(c)
				lower[c] = float32(dc)
				if dc < u {
					a, u = c, dc
				}
			}
			st.upper[i] = u
			if int32(a) != st.labels[i] {
				moved = append(moved, move{row: i, from: st.labels[i], to: int32(a)})
				st.labels[i] = int32(a)
			}
		}
		st.moves[chunk] = moved
	})
	return st.collectMoves()
}

// collectMoves concatenates the per-chunk moves in row order.
func (st *lloydState) collectMoves() []move {
	total := 0
	for _, m := range st.moves {
		total += len(m)
	}
	all := make([]move, 0, total)
	for _, m := range st.moves {
		all = append(all, m...)
	}
	return all
}

// applyMoves updates the cluster sums and counts for rows that changed cluster. Work is split by
// feature columns so that each sum sees the moves in row order whatever the number of workers.
func (st *lloydState) applyMoves(moved []move) {
	if len(moved) == 0 {
		return
	}
	p := st.p
	for _, m := range moved {
		if m.from >= 0 {
			st.counts[m.from]--
		}
		st.counts[m.to]++
	}
	nBlocks := (p.dim + colBlock - 1) / colBlock
	workers := p.workers
	if len(moved)*p.dim < 1<<16 {
		workers = 1 // not worth waking goroutines
	}
	parallel.For(nBlocks, workers, func(block int) {
		d0, d1 := block*colBlock, min((block+1)*colBlock, p.dim)
		for _, m := range moved {
			x := p.x[m.row*p.dim+d0 : m.row*p.dim+d1]
			if m.from >= 0 {
				from := st.sums[int(m.from)*p.dim+d0 : int(m.from)*p.dim+d1]
				for j, v := range x {
					from[j] -= float64(v)
				}
			}
			to := st.sums[int(m.to)*p.dim+d0 : int(m.to)*p.dim+d1]
			for j, v := range x {
				to[j] += float64(v)
			}
		}
	})
}

// sqDistToCenter is the exact squared distance from row i to centre c, accumulated in float64.
func (st *lloydState) sqDistToCenter(i, c int) float64 {
	p := st.p
	x, ctr := p.row(i), st.centers[c*p.dim:(c+1)*p.dim]
	ctr = ctr[:len(x)]
	s := 0.0
	for d, v := range x {
		diff := float64(v - ctr[d])
		s += diff * diff
	}
	return s
}

// relocateEmpty gives every empty cluster the row farthest from its current centre, taken from
// a cluster with more than one row, as scikit-learn's _relocate_empty_clusters. It returns the
// relocated rows.
func (st *lloydState) relocateEmpty() []int {
	p := st.p
	var empty []int
	for c, n := range st.counts {
		if n == 0 {
			empty = append(empty, c)
		}
	}
	if len(empty) == 0 {
		return nil
	}
	dist := make([]float64, p.n)
	parallel.For(p.nChunks, p.workers, func(chunk int) {
		lo, hi := p.chunk(chunk)
		for i := lo; i < hi; i++ {
			dist[i] = st.sqDistToCenter(i, int(st.labels[i]))
		}
	})
	order := make([]int, p.n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case dist[a] > dist[b]:
			return -1
		case dist[a] < dist[b]:
			return 1
		}
		return 0
	})
	var relocated []int
	next := 0
	for _, c := range empty {
		for st.counts[st.labels[order[next]]] < 2 {
			next++ // n >= k guarantees a cluster with two rows while one is empty.
		}
		i := order[next]
		next++
		from := int(st.labels[i])
		st.applyMoves([]move{{row: i, from: int32(from), to: int32(c)}})
		// The sums of an emptied cluster may hold rounding residue; make the new one exact.
		for d, v := range p.row(i) {
			st.sums[c*p.dim+d] = float64(v)
		}
		st.labels[i] = int32(c)
		relocated = append(relocated, i)
	}
	return relocated
}

// moveBounds shifts the bounds by how far each centre moved, so they stay valid without
// computing distances; relocated rows sit exactly on their new centre.
func (st *lloydState) moveBounds(shift []float64, relocated []int) {
	if st.lower == nil {
		return // assignAll recomputes everything.
	}
	p, k := st.p, st.k
	parallel.For(p.nChunks, p.workers, func(chunk int) {
		lo, hi := p.chunk(chunk)
		for i := lo; i < hi; i++ {
			st.upper[i] += shift[st.labels[i]]
			lower := st.lower[i*k : (i+1)*k]
			for c, sh := range shift {
				lower[c] = float32(max(float64(lower[c])-sh, 0))
			}
		}
	})
	for _, i := range relocated {
		st.upper[i] = 0
		clear(st.lower[i*k : (i+1)*k])
	}
}

// inertia is the exact sum of squared distances of the rows to their centres.
func (st *lloydState) inertia() float64 {
	p := st.p
	partial := make([]float64, p.nChunks)
	parallel.For(p.nChunks, p.workers, func(chunk int) {
		lo, hi := p.chunk(chunk)
		s := 0.0
		for i := lo; i < hi; i++ {
			s += st.sqDistToCenter(i, int(st.labels[i]))
		}
		partial[chunk] = s
	})
	total := 0.0
	for _, s := range partial {
		total += s
	}
	return total
}

package evaluation

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"

	"github.com/clustergan/clustergan/internal/parallel"
)

// Defaults of KMeansConfig, as scikit-learn's KMeans.
const (
	// DefaultKMeansNInit is the number of k-means++ restarts when KMeansConfig.NInit is 0.
	DefaultKMeansNInit = 10
	// DefaultKMeansMaxIter is the Lloyd iteration cap when KMeansConfig.MaxIter is 0.
	DefaultKMeansMaxIter = 300
	// DefaultKMeansTol is the relative tolerance when KMeansConfig.Tol is 0.
	DefaultKMeansTol = 1e-4
)

// KMeansConfig configures KMeans. Zero values of NInit, MaxIter, Tol and Workers select the
// defaults; negative values are errors.
type KMeansConfig struct {
	// K is the number of clusters, >= 1 and <= the number of rows.
	K int
	// NInit is the number of k-means++ restarts; the one with the lowest inertia is kept.
	// Default DefaultKMeansNInit.
	NInit int
	// MaxIter caps the Lloyd iterations of each restart. Default DefaultKMeansMaxIter.
	MaxIter int
	// Tol stops a restart when the summed squared centroid movement of one iteration is at most
	// Tol × (mean over features of the feature variance), as scikit-learn. Default DefaultKMeansTol.
	Tol float64
	// Seed makes the run reproducible: restart r draws from a PCG stream seeded with (Seed, r),
	// so a run with more restarts tries the same first ones.
	Seed int64
	// Workers is the number of goroutines; 0 means runtime.NumCPU(). Results do not depend on it.
	Workers int
}

// KMeansResult is the best restart of KMeans.
type KMeansResult struct {
	// Labels[i] in [0, K) is the cluster of row i: its nearest centroid.
	Labels []int
	// Centroids is K×dim, row-major.
	Centroids []float32
	// Inertia is the sum over rows of the squared distance to their centroid.
	Inertia float64
	// Iter is the number of Lloyd iterations the best restart ran.
	Iter int
}

// maxBoundEntries caps n×K for the Elkan lower bounds (4 bytes each); above it every iteration
// computes all distances.
const maxBoundEntries = 1 << 26

// KMeans clusters the n = len(x)/dim rows of the row-major matrix x into cfg.K clusters.
//
// It follows scikit-learn's KMeans(algorithm="lloyd"): greedy k-means++ seeding with
// 2+⌊ln K⌋ candidates per centre, Lloyd iterations until the labels stop changing, the centroid
// shift falls below the tolerance or MaxIter is reached, then a final assignment; empty clusters
// are re-seeded with the points farthest from their centroid. The assignment step skips distance
// computations that Elkan's triangle-inequality bounds prove useless, which changes the cost and,
// up to float rounding near ties, not the iterates. Data are centred internally (as scikit-learn does) so the
// ||x||² − 2x·c + ||c||² distances lose little precision in float32.
func KMeans(x []float32, dim int, cfg KMeansConfig) (*KMeansResult, error) {
	if err := checkMatrix("x", x, dim); err != nil {
		return nil, fmt.Errorf("k-means: %w", err)
	}
	n := len(x) / dim
	switch {
	case cfg.K < 1:
		return nil, fmt.Errorf("k-means: KMeansConfig.K = %d, must be >= 1", cfg.K)
	case n < cfg.K:
		return nil, fmt.Errorf("k-means: KMeansConfig.K = %d is more than the %d rows of x", cfg.K, n)
	case cfg.NInit < 0:
		return nil, fmt.Errorf("k-means: KMeansConfig.NInit = %d, must be >= 0 (0 means %d)", cfg.NInit, DefaultKMeansNInit)
	case cfg.MaxIter < 0:
		return nil, fmt.Errorf("k-means: KMeansConfig.MaxIter = %d, must be >= 0 (0 means %d)", cfg.MaxIter, DefaultKMeansMaxIter)
	case cfg.Tol < 0 || math.IsNaN(cfg.Tol) || math.IsInf(cfg.Tol, 0):
		return nil, fmt.Errorf("k-means: KMeansConfig.Tol = %g, must be finite and >= 0 (0 means %g)", cfg.Tol, DefaultKMeansTol)
	case cfg.Workers < 0:
		return nil, fmt.Errorf("k-means: KMeansConfig.Workers = %d, must be >= 0 (0 means runtime.NumCPU())", cfg.Workers)
	}
	if cfg.NInit == 0 {
		cfg.NInit = DefaultKMeansNInit
	}
	if cfg.MaxIter == 0 {
		cfg.MaxIter = DefaultKMeansMaxIter
	}
	if cfg.Tol == 0 {
		cfg.Tol = DefaultKMeansTol
	}
	if cfg.Workers == 0 {
		cfg.Workers = runtime.NumCPU()
	}

	return newProblem(x, dim, cfg.Workers).kmeans(cfg), nil
}

// kmeans runs the validated, defaulted configuration.
func (p *problem) kmeans(cfg KMeansConfig) *KMeansResult {
	n, dim := p.n, p.dim
	tol := cfg.Tol * p.meanVariance()
	var best *run
	for r := range cfg.NInit {
		rng := rand.New(rand.NewPCG(uint64(cfg.Seed), uint64(r)))
		cur := p.lloyd(p.kmeansPlusPlus(cfg.K, rng), cfg.MaxIter, tol)
		if best == nil || cur.inertia < best.inertia {
			best = cur
		}
	}

	res := &KMeansResult{
		Labels:    make([]int, n),
		Centroids: make([]float32, cfg.K*dim),
		Inertia:   best.inertia,
		Iter:      best.iter,
	}
	for i, l := range best.labels {
		res.Labels[i] = int(l)
	}
	for c := range cfg.K {
		for d := range dim {
			res.Centroids[c*dim+d] = float32(float64(best.centers[c*dim+d]) + p.mean[d])
		}
	}
	return res
}

// Predict assigns each row of x to its nearest centroid (K×dim, row-major); ties go to the lowest
// index.
func Predict(x []float32, dim int, centroids []float32) ([]int, error) {
	if err := checkMatrix("x", x, dim); err != nil {
		return nil, fmt.Errorf("k-means predict: %w", err)
	}
	if err := checkMatrix("centroids", centroids, dim); err != nil {
		return nil, fmt.Errorf("k-means predict: %w", err)
	}
	n, k := len(x)/dim, len(centroids)/dim
	xNorms, cNorms := sqNorms(x, dim), sqNorms(centroids, dim)
	labels := make([]int, n)
	nChunks := (n + chunkRows - 1) / chunkRows
	parallel.For(nChunks, runtime.NumCPU(), func(chunk int) {
		lo, hi := chunk*chunkRows, min((chunk+1)*chunkRows, n)
		dists := make([]float64, (hi-lo)*k)
		sqDists(x, dim, xNorms, lo, hi, centroids, cNorms, dists)
		for i := lo; i < hi; i++ {
			labels[i] = argmin(dists[(i-lo)*k : (i-lo+1)*k])
		}
	})
	return labels, nil
}

// checkMatrix validates a non-empty row-major matrix of finite values with dim columns.
func checkMatrix(name string, x []float32, dim int) error {
	if dim < 1 {
		return fmt.Errorf("dim = %d, must be >= 1", dim)
	}
	if len(x) == 0 {
		return fmt.Errorf("%s is empty", name)
	}
	if len(x)%dim != 0 {
		return fmt.Errorf("len(%s) = %d is not a multiple of dim = %d", name, len(x), dim)
	}
	for i, v := range x {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("%s[%d] (row %d, column %d) is %v; values must be finite", name, i, i/dim, i%dim, v)
		}
	}
	return nil
}

func argmin(xs []float64) int {
	best := 0
	for i, v := range xs {
		if v < xs[best] {
			best = i
		}
	}
	return best
}

// problem is the centred data shared by all restarts.
type problem struct {
	x       []float32 // centred copy, n×dim
	n, dim  int
	mean    []float64 // column means removed from x
	norms   []float64 // squared row norms of x
	workers int
	nChunks int
	// noBounds disables the Elkan bounds, for tests comparing against plain Lloyd.
	noBounds bool
}

func newProblem(x []float32, dim, workers int) *problem {
	n := len(x) / dim
	p := &problem{n: n, dim: dim, workers: workers, nChunks: (n + chunkRows - 1) / chunkRows}
	p.mean = make([]float64, dim)
	for i := range n {
		for d, v := range x[i*dim : (i+1)*dim] {
			p.mean[d] += float64(v)
		}
	}
	for d := range p.mean {
		p.mean[d] /= float64(n)
	}
	p.x = make([]float32, len(x))
	for i := range n {
		row := x[i*dim : (i+1)*dim]
		out := p.x[i*dim : (i+1)*dim]
		for d, v := range row {
			out[d] = float32(float64(v) - p.mean[d])
		}
	}
	p.norms = sqNorms(p.x, dim)
	return p
}

// meanVariance is the mean over features of the (population) feature variance.
func (p *problem) meanVariance() float64 {
	total := 0.0
	for i := range p.n {
		for _, v := range p.x[i*p.dim : (i+1)*p.dim] {
			total += float64(v) * float64(v)
		}
	}
	return total / float64(p.n) / float64(p.dim)
}

func (p *problem) row(i int) []float32 { return p.x[i*p.dim : (i+1)*p.dim] }

func (p *problem) chunk(c int) (lo, hi int) { return c * chunkRows, min((c+1)*chunkRows, p.n) }

// kmeansPlusPlus picks k initial centres with scikit-learn's greedy k-means++: the first centre is
// a uniformly random row; each next one is the best, by resulting potential (sum of squared
// distances to the nearest centre), of 2+⌊ln k⌋ rows sampled with probability proportional to
// their current squared distance.
func (p *problem) kmeansPlusPlus(k int, rng *rand.Rand) []float32 {
	n, dim := p.n, p.dim
	centers := make([]float32, k*dim)
	first := rng.IntN(n)
	copy(centers[:dim], p.row(first))

	closest := make([]float64, n)
	p.candidateDists([]int{first}, func(i int, d []float64) { closest[i] = d[0] })
	pot := 0.0
	for _, d := range closest {
		pot += d
	}

	trials := 2 + int(math.Log(float64(k)))
	cumsum := make([]float64, n)
	candidates := make([]int, trials)
	candClosest := make([]float64, trials*n) // candidate t's updated closest distances
	partial := make([]float64, p.nChunks*trials)
	for c := 1; c < k; c++ {
		acc := 0.0
		for i, d := range closest {
			acc += d
			cumsum[i] = acc
		}
		for t := range candidates {
			r := rng.Float64() * pot
			candidates[t] = min(sort.SearchFloat64s(cumsum, r), n-1)
		}
		clear(partial)
		p.candidateDists(candidates, func(i int, d []float64) {
			chunk := i / chunkRows
			for t := range trials {
				v := min(closest[i], d[t])
				candClosest[t*n+i] = v
				partial[chunk*trials+t] += v
			}
		})
		best, bestPot := 0, math.Inf(1)
		for t := range trials {
			s := 0.0
			for chunk := range p.nChunks {
				s += partial[chunk*trials+t]
			}
			if s < bestPot {
				best, bestPot = t, s
			}
		}
		copy(closest, candClosest[best*n:(best+1)*n])
		pot = bestPot
		copy(centers[c*dim:(c+1)*dim], p.row(candidates[best]))
	}
	return centers
}

// candidateDists computes the squared distances from every row to the given rows of x and calls
// visit(i, dists) for each row i, in parallel over chunks (visit must only touch row i's and its
// chunk's state).
func (p *problem) candidateDists(rows []int, visit func(i int, d []float64)) {
	k := len(rows)
	centers := make([]float32, k*p.dim)
	cNorms := make([]float64, k)
	for t, r := range rows {
		copy(centers[t*p.dim:], p.row(r))
		cNorms[t] = p.norms[r]
	}
	parallel.For(p.nChunks, p.workers, func(chunk int) {
		lo, hi := p.chunk(chunk)
		d := make([]float64, (hi-lo)*k)
		sqDists(p.x, p.dim, p.norms, lo, hi, centers, cNorms, d)
		for i := lo; i < hi; i++ {
			visit(i, d[(i-lo)*k:(i-lo+1)*k])
		}
	})
}

package evaluation

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// blobs draws perRow points around each centre with isotropic Gaussian noise of scale sigma,
// in a shuffled order, and returns them with their blob index.
func blobs(rng *rand.Rand, centres [][]float64, perBlob int, sigma float64) ([]float32, int, []int) {
	dim := len(centres[0])
	n := perBlob * len(centres)
	x := make([]float32, 0, n*dim)
	truth := make([]int, 0, n)
	for _, i := range rng.Perm(n) {
		b := i % len(centres)
		for _, c := range centres[b] {
			x = append(x, float32(c+sigma*rng.NormFloat64()))
		}
		truth = append(truth, b)
	}
	return x, dim, truth
}

// uniformData draws n×dim values in [0, 1).
func uniformData(rng *rand.Rand, n, dim int) []float32 {
	x := make([]float32, n*dim)
	for i := range x {
		x[i] = rng.Float32()
	}
	return x
}

// sse is the sum of squared distances of rows to their assigned centroid, in float64.
func sse(x []float32, dim int, labels []int, centroids []float32) float64 {
	s := 0.0
	for i, l := range labels {
		for d := range dim {
			diff := float64(x[i*dim+d]) - float64(centroids[l*dim+d])
			s += diff * diff
		}
	}
	return s
}

func TestKMeansRecoversBlobs(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	centres := [][]float64{
		{0, 0, 0, 0, 0},
		{10, 0, 0, 0, 0},
		{0, 10, 0, 0, 0},
		{0, 0, 10, 10, 0},
	}
	x, dim, truth := blobs(rng, centres, 150, 0.5)
	res, err := KMeans(x, dim, KMeansConfig{K: 4, Seed: 1})
	require.NoError(t, err)
	m, err := Evaluate(res.Labels, truth)
	require.NoError(t, err)
	assert.Equal(t, Metrics{ACC: 1, Purity: 1, NMI: 1, NMIGeometric: 1, ARI: 1}, m)

	// Each centroid is its blob's mean, within a few standard errors (0.5/sqrt(150) ≈ 0.04).
	ct, err := Contingency(res.Labels, truth)
	require.NoError(t, err)
	for r, c := range ct.HungarianMatch() {
		for d := range dim {
			assert.InDelta(t, centres[c][d], float64(res.Centroids[r*dim+d]), 0.2)
		}
	}
	assert.InDelta(t, sse(x, dim, res.Labels, res.Centroids), res.Inertia, 1e-6*res.Inertia)
	// Inertia ≈ n·dim·σ² = 600·5·0.25 = 750 for the true partition.
	assert.InDelta(t, 750, res.Inertia, 75)
	assert.GreaterOrEqual(t, res.Iter, 1)
}

func TestKMeansDeterminism(t *testing.T) {
	// More rows than one chunk, so that Workers=2 really splits the work.
	rng := rand.New(rand.NewPCG(9, 10))
	x := uniformData(rng, 1300, 17)
	cfg := KMeansConfig{K: 7, NInit: 3, Seed: 42, Workers: 1}
	one, err := KMeans(x, 17, cfg)
	require.NoError(t, err)
	cfg.Workers = 2
	two, err := KMeans(x, 17, cfg)
	require.NoError(t, err)
	assert.Equal(t, one, two, "Workers=1 and Workers=2 must give identical results")
	again, err := KMeans(x, 17, cfg)
	require.NoError(t, err)
	assert.Equal(t, two, again, "same seed, same result")

	cfg.Seed = 43
	other, err := KMeans(x, 17, cfg)
	require.NoError(t, err)
	assert.NotEqual(t, two.Centroids, other.Centroids, "the seed must matter")
}

func TestKMeansRestartsNeverWorse(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	x := uniformData(rng, 400, 6)
	for seed := range int64(5) {
		single, err := KMeans(x, 6, KMeansConfig{K: 9, NInit: 1, Seed: seed})
		require.NoError(t, err)
		multi, err := KMeans(x, 6, KMeansConfig{K: 9, NInit: 6, Seed: seed})
		require.NoError(t, err)
		// Restart 0 is the same in both runs, so the best of six cannot be worse.
		assert.LessOrEqual(t, multi.Inertia, single.Inertia, "seed %d", seed)
	}
}

func TestKMeansResultConsistency(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	const dim = 9
	x := uniformData(rng, 700, dim)
	res, err := KMeans(x, dim, KMeansConfig{K: 5, Seed: 3})
	require.NoError(t, err)
	require.Len(t, res.Labels, 700)
	require.Len(t, res.Centroids, 5*dim)
	counts := make([]int, 5)
	sums := make([]float64, 5*dim)
	for i, l := range res.Labels {
		require.True(t, l >= 0 && l < 5)
		counts[l]++
		for d := range dim {
			sums[l*dim+d] += float64(x[i*dim+d])
		}
	}
	// At a fixed point each centroid is the mean of its rows and each row is nearest its
	// centroid.
	for c := range 5 {
		require.Positive(t, counts[c])
		for d := range dim {
			assert.InDelta(t, sums[c*dim+d]/float64(counts[c]), float64(res.Centroids[c*dim+d]), 1e-4)
		}
	}
	pred, err := Predict(x, dim, res.Centroids)
	require.NoError(t, err)
	assert.Equal(t, res.Labels, pred)
	assert.InDelta(t, sse(x, dim, res.Labels, res.Centroids), res.Inertia, 1e-6*res.Inertia)
}

func TestKMeansElkanMatchesPlainLloyd(t *testing.T) {
	// The bounds only skip distance computations; iterates, labels and inertia are those of
	// plain Lloyd.
	rng := rand.New(rand.NewPCG(15, 16))
	x, dim, _ := blobs(rng, [][]float64{{0, 0, 0}, {3, 0, 0}, {0, 3, 0}, {0, 0, 3}, {3, 3, 3}}, 120, 1.5)
	cfg := KMeansConfig{K: 6, NInit: 4, MaxIter: 300, Tol: 1e-4, Seed: 5, Workers: 2}
	elkan := newProblem(x, dim, cfg.Workers).kmeans(cfg)
	plainProblem := newProblem(x, dim, cfg.Workers)
	plainProblem.noBounds = true
	plain := plainProblem.kmeans(cfg)
	assert.Equal(t, plain.Labels, elkan.Labels)
	assert.Equal(t, plain.Iter, elkan.Iter)
	assert.InDelta(t, plain.Inertia, elkan.Inertia, 1e-9*plain.Inertia)
	assert.InDeltaSlice(t, plain.Centroids, elkan.Centroids, 1e-6)
}

func TestKMeansEmptyClusterRelocation(t *testing.T) {
	// 1-D data 0,0,0,10,10,20 started from centres 0, 100, 200: the first assignment leaves
	// clusters 1 and 2 empty. Relocation by decreasing distance to the (only) centre 0 gives
	// cluster 1 the 20 and cluster 2 the first 10; centres become 2.5, 20, 10. Iteration 2 moves
	// the second 10 to cluster 2 (centres 0, 20, 10); iteration 3 changes nothing.
	x := []float32{0, 0, 0, 10, 10, 20}
	p := newProblem(x, 1, 1)
	mean := float32(p.mean[0])
	r := p.lloyd([]float32{0 - mean, 100 - mean, 200 - mean}, 300, 0)
	assert.Equal(t, []int32{0, 0, 0, 2, 2, 1}, r.labels)
	assert.Equal(t, 3, r.iter)
	assert.InDelta(t, 0, r.inertia, 1e-9)

	// Duplicate rows make k-means++ pick coinciding centres, so some cluster starts empty;
	// every cluster must still end up used and the inertia be zero.
	dup := []float32{1, 1, 1, 1, 5, 5, 5, 5}
	for seed := range int64(20) {
		res, err := KMeans(dup, 1, KMeansConfig{K: 3, NInit: 2, Seed: seed})
		require.NoError(t, err)
		counts := make([]int, 3)
		for _, l := range res.Labels {
			counts[l]++
		}
		for c, n := range counts {
			assert.Positive(t, n, "seed %d: cluster %d empty", seed, c)
		}
		assert.InDelta(t, 0, res.Inertia, 1e-9, "seed %d", seed)
	}
}

func TestKMeansEdgeCases(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	x := uniformData(rng, 50, 3)

	t.Run("K=1", func(t *testing.T) {
		res, err := KMeans(x, 3, KMeansConfig{K: 1})
		require.NoError(t, err)
		mean := make([]float64, 3)
		for i := range 50 {
			for d := range 3 {
				mean[d] += float64(x[i*3+d]) / 50
			}
		}
		for d := range 3 {
			assert.InDelta(t, mean[d], float64(res.Centroids[d]), 1e-6)
		}
		assert.Equal(t, make([]int, 50), res.Labels)
		assert.InDelta(t, sse(x, 3, res.Labels, res.Centroids), res.Inertia, 1e-9*res.Inertia)
	})
	t.Run("n=K", func(t *testing.T) {
		res, err := KMeans(x[:15], 3, KMeansConfig{K: 5})
		require.NoError(t, err)
		m, err := Evaluate(res.Labels, []int{0, 1, 2, 3, 4})
		require.NoError(t, err)
		assert.Equal(t, 1.0, m.ACC, "each row its own cluster")
		assert.InDelta(t, 0, res.Inertia, 1e-9)
	})
	t.Run("MaxIter=1", func(t *testing.T) {
		res, err := KMeans(x, 3, KMeansConfig{K: 4, MaxIter: 1})
		require.NoError(t, err)
		assert.Equal(t, 1, res.Iter)
		// The final assignment still pairs every row with its nearest centroid.
		pred, err := Predict(x, 3, res.Centroids)
		require.NoError(t, err)
		assert.Equal(t, res.Labels, pred)
	})
}

func TestKMeansErrors(t *testing.T) {
	x := []float32{0, 1, 2, 3, 4, 5}
	nan := []float32{0, 1, float32(math.NaN()), 3}
	inf := []float32{0, 1, 2, float32(math.Inf(-1))}
	for _, c := range []struct {
		name string
		x    []float32
		dim  int
		cfg  KMeansConfig
		want string
	}{
		{"K=0", x, 2, KMeansConfig{K: 0}, "KMeansConfig.K = 0"},
		{"n<K", x, 2, KMeansConfig{K: 4}, "KMeansConfig.K = 4 is more than the 3 rows"},
		{"dim mismatch", x, 4, KMeansConfig{K: 1}, "len(x) = 6 is not a multiple of dim = 4"},
		{"dim=0", x, 0, KMeansConfig{K: 1}, "dim = 0"},
		{"empty", nil, 2, KMeansConfig{K: 1}, "x is empty"},
		{"NaN", nan, 2, KMeansConfig{K: 1}, "x[2] (row 1, column 0) is NaN"},
		{"Inf", inf, 2, KMeansConfig{K: 1}, "x[3] (row 1, column 1) is -Inf"},
		{"NInit<0", x, 2, KMeansConfig{K: 1, NInit: -1}, "KMeansConfig.NInit = -1"},
		{"MaxIter<0", x, 2, KMeansConfig{K: 1, MaxIter: -2}, "KMeansConfig.MaxIter = -2"},
		{"Tol<0", x, 2, KMeansConfig{K: 1, Tol: -1}, "KMeansConfig.Tol = -1"},
		{"Tol NaN", x, 2, KMeansConfig{K: 1, Tol: math.NaN()}, "KMeansConfig.Tol = NaN"},
		{"Workers<0", x, 2, KMeansConfig{K: 1, Workers: -1}, "KMeansConfig.Workers = -1"},
	} {
		_, err := KMeans(c.x, c.dim, c.cfg)
		if assert.Error(t, err, c.name) {
			assert.Contains(t, err.Error(), c.want, c.name)
		}
	}

	_, err := Predict(x, 2, []float32{1, 2, 3})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "len(centroids) = 3 is not a multiple of dim = 2")
	_, err = Predict(nan, 2, []float32{1, 2})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "x[2] (row 1, column 0) is NaN")
	_, err = Predict(x, 2, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "centroids is empty")
}

func TestPredict(t *testing.T) {
	// Hand-checked: centroids (0,0) and (10,10); (4,4) is nearer the first, (6,6) the second,
	// and the tie (5,5) goes to the lowest index.
	labels, err := Predict([]float32{4, 4, 6, 6, 5, 5, -1, 0}, 2, []float32{0, 0, 10, 10})
	require.NoError(t, err)
	assert.Equal(t, []int{0, 1, 0, 0}, labels)
}

func TestKMeansMNISTTestQuality(t *testing.T) {
	// Guards raw-pixel k-means against scikit-learn's KMeans(n_clusters=10, n_init=10) on the
	// MNIST test set: Hungarian ACC ≈ 0.55, NMI ≈ 0.50, ARI ≈ 0.38 (the ClusterGAN reference
	// notes; BenchmarkKMeansMNISTTest reports the same run). With -short a single restart is
	// run: Hungarian ACC and ARI then depend on which local optimum it lands in (0.52–0.64 and
	// 0.37–0.45 over the ten restarts of seed 0, NMI 0.50–0.54), so only the inertia and NMI
	// are held to the reference.
	x, dim, labels := loadMNISTTest(t)
	cfg := KMeansConfig{K: 10, NInit: 10, Seed: 0}
	if testing.Short() {
		cfg.NInit = 1
	}
	res, err := KMeans(x, dim, cfg)
	require.NoError(t, err)
	m, err := Evaluate(res.Labels, labels)
	require.NoError(t, err)
	t.Logf("n_init %d: inertia %.0f, %d iterations, %s", cfg.NInit, res.Inertia, res.Iter, m)
	assert.Less(t, res.Inertia, 3.95e5)
	assert.InDelta(t, 0.50, m.NMI, 0.03)
	if !testing.Short() {
		assert.InDelta(t, 0.55, m.ACC, 0.03)
		assert.InDelta(t, 0.38, m.ARI, 0.03)
	}
}

package tsne

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// blobs returns k Gaussian blobs of per points each in dim dimensions, unit variance, centred
// at sep·e_c (pairwise centre distance sep·√2), and their labels.
func blobs(k, per, dim int, sep float64, seed uint64) ([]float32, []int) {
	rng := rand.New(rand.NewPCG(seed, 3))
	x := make([]float32, 0, k*per*dim)
	labels := make([]int, 0, k*per)
	for i := range k * per {
		c := i % k // interleaved, so rows of a cluster are not contiguous
		for d := range dim {
			v := rng.NormFloat64()
			if d == c {
				v += sep
			}
			x = append(x, float32(v))
		}
		labels = append(labels, c)
	}
	return x, labels
}

// checkSeparated asserts that the 2-D embedding keeps the clusters apart: ≥ 99% of points have a
// nearest neighbour with their label, and every pair of centroids is more than 3× the mean
// distance of a point to its own centroid apart.
func checkSeparated(t *testing.T, y []float64, labels []int, k int) {
	t.Helper()
	n := len(labels)
	agree := 0
	for i := range n {
		best, bestD := -1, math.Inf(1)
		for j := range n {
			if j == i {
				continue
			}
			dx, dy := y[2*i]-y[2*j], y[2*i+1]-y[2*j+1]
			if d := dx*dx + dy*dy; d < bestD {
				best, bestD = j, d
			}
		}
		if labels[best] == labels[i] {
			agree++
		}
	}
	if frac := float64(agree) / float64(n); frac < 0.99 {
		t.Errorf("nearest neighbour shares the label for %.3f of points, want >= 0.99", frac)
	}
	cent := make([]float64, 2*k)
	cnt := make([]float64, k)
	for i, l := range labels {
		cent[2*l] += y[2*i]
		cent[2*l+1] += y[2*i+1]
		cnt[l]++
	}
	for c := range k {
		cent[2*c] /= cnt[c]
		cent[2*c+1] /= cnt[c]
	}
	var spread float64
	for i, l := range labels {
		spread += math.Hypot(y[2*i]-cent[2*l], y[2*i+1]-cent[2*l+1])
	}
	spread /= float64(n)
	for a := range k {
		for b := a + 1; b < k; b++ {
			if d := math.Hypot(cent[2*a]-cent[2*b], cent[2*a+1]-cent[2*b+1]); d <= 3*spread {
				t.Errorf("centroids %d and %d are %.3g apart, want > 3 × mean spread %.3g = %.3g", a, b, d, spread, 3*spread)
			}
		}
	}
}

// checkKLDecreases asserts that KL never rises by more than 0.5% between checkpoints after early
// exaggeration, and ends below where it started.
func checkKLDecreases(t *testing.T, hist []float64, iterations int) {
	t.Helper()
	if want := iterations / KLEvery; len(hist) != want {
		t.Fatalf("len(KLHistory) = %d, want %d", len(hist), want)
	}
	start := ExaggerationIterations/KLEvery - 1 // the checkpoint at the end of exaggeration
	for k := start + 1; k < len(hist); k++ {
		if hist[k] > hist[k-1]*(1+5e-3) {
			t.Errorf("KL rose from %.5f to %.5f at iteration %d: %v", hist[k-1], hist[k], (k+1)*KLEvery, hist)
		}
	}
	if last := hist[len(hist)-1]; !(last < hist[0]) {
		t.Errorf("final KL %.5f is not below the first %.5f", last, hist[0])
	}
}

// The blob tests run 4 well-separated Gaussian blobs in 10-D, 50 points each, through both
// methods with the default settings.
func TestEmbedBlobs(t *testing.T) {
	const k, per, dim = 4, 50, 10
	x, labels := blobs(k, per, dim, 10, 1)
	results := map[string]*Result{}
	for _, tc := range []struct {
		name  string
		theta float64
	}{{"exact", 0}, {"barnes-hut", DefaultTheta}} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Embed(x, dim, Config{Seed: 1, Theta: tc.theta})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Y) != 2*k*per {
				t.Fatalf("len(Y) = %d, want %d", len(res.Y), 2*k*per)
			}
			checkSeparated(t, res.Y, labels, k)
			checkKLDecreases(t, res.KLHistory, DefaultIterations)
			if res.KL != res.KLHistory[len(res.KLHistory)-1] {
				t.Errorf("KL = %v, last KLHistory %v", res.KL, res.KLHistory[len(res.KLHistory)-1])
			}
			t.Logf("KL %.4f, history %.4f", res.KL, res.KLHistory)
			results[tc.name] = res
		})
	}

	// Barnes–Hut reaches nearly the same optimum: its embedding scored with the exact objective,
	// and its own KL estimate, are within 5% of the exact method's KL.
	ex, bh := results["exact"], results["barnes-hut"]
	if ex == nil || bh == nil {
		return
	}
	obj := newExact(x, dim, DefaultPerplexity, 2)
	klOfBH := obj.kl(bh.Y, obj.gradient(bh.Y, make([]float64, len(bh.Y)), 1))
	for name, v := range map[string]float64{"exact KL of the Barnes–Hut embedding": klOfBH, "Barnes–Hut KL": bh.KL} {
		if math.Abs(v-ex.KL) > 0.05*ex.KL {
			t.Errorf("%s = %.4f, exact method's KL %.4f: more than 5%% apart", name, v, ex.KL)
		}
	}
	t.Logf("exact KL %.4f, Barnes–Hut KL %.4f, exact KL of the Barnes–Hut embedding %.4f", ex.KL, bh.KL, klOfBH)
}

// TestEmbedDeterministic: the same seed gives bit-identical results for any number of workers,
// another seed a different embedding.
func TestEmbedDeterministic(t *testing.T) {
	x, _ := blobs(3, 20, 5, 6, 2)
	for _, theta := range []float64{0, DefaultTheta} {
		cfg := Config{Perplexity: 10, Iterations: 300, Seed: 42, Theta: theta, Workers: 1}
		a, err := Embed(x, 5, cfg)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Workers = 3
		b, err := Embed(x, 5, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(a.Y, b.Y) || !slices.Equal(a.KLHistory, b.KLHistory) || a.KL != b.KL {
			t.Errorf("θ=%g: Workers 1 and 3 differ", theta)
		}
		cfg.Seed = 43
		c, err := Embed(x, 5, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if slices.Equal(a.Y, c.Y) {
			t.Errorf("θ=%g: seeds 42 and 43 give the same embedding", theta)
		}
	}
}

// TestEmbedIterations: a run shorter than early exaggeration, and one that does not end on a
// checkpoint, still report the KL of the final embedding.
func TestEmbedIterations(t *testing.T) {
	x, _ := blobs(2, 10, 3, 5, 4)
	for _, iters := range []int{1, 120} {
		res, err := Embed(x, 3, Config{Perplexity: 5, Iterations: iters, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.KLHistory) != iters/KLEvery {
			t.Errorf("Iterations %d: len(KLHistory) = %d, want %d", iters, len(res.KLHistory), iters/KLEvery)
		}
		obj := newExact(x, 3, 5, 1)
		want := obj.kl(res.Y, obj.gradient(res.Y, make([]float64, len(res.Y)), 1))
		if res.KL != want || math.IsNaN(res.KL) {
			t.Errorf("Iterations %d: KL = %v, want %v", iters, res.KL, want)
		}
	}
}

// TestEmbedDuplicates: identical rows are legal input; they must not produce NaN.
func TestEmbedDuplicates(t *testing.T) {
	x := make([]float32, 40*2)
	for i := 20; i < 40; i++ {
		x[2*i] = 1
	}
	for _, theta := range []float64{0, DefaultTheta} {
		res, err := Embed(x, 2, Config{Perplexity: 5, Iterations: 300, Theta: theta})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range append(res.Y, res.KL) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("θ=%g: non-finite output %v", theta, v)
			}
		}
	}
}

func TestEmbedErrors(t *testing.T) {
	ok := make([]float32, 20*2)
	for i := range ok {
		ok[i] = float32(i)
	}
	nan := slices.Clone(ok)
	nan[7] = float32(math.NaN())
	for _, tc := range []struct {
		name string
		x    []float32
		dim  int
		cfg  Config
		want string
	}{
		{"dim zero", ok, 0, Config{}, "dim = 0"},
		{"dim mismatch", ok, 3, Config{}, "not a multiple of dim = 3"},
		{"one row", []float32{1, 2}, 2, Config{}, "need at least 2"},
		{"NaN", nan, 2, Config{Perplexity: 3}, "x[7] (row 3, column 1) is NaN"},
		{"default perplexity too large", ok, 2, Config{}, "Config.Perplexity = 30 is too large for 20 rows"},
		{"perplexity too large", ok, 2, Config{Perplexity: 6.5}, "<= (n-1)/3"},
		{"perplexity below 1", ok, 2, Config{Perplexity: 0.5}, "Config.Perplexity = 0.5, must be >= 1"},
		{"perplexity NaN", ok, 2, Config{Perplexity: math.NaN()}, "Config.Perplexity = NaN"},
		{"iterations", ok, 2, Config{Perplexity: 3, Iterations: -1}, "Config.Iterations = -1"},
		{"learning rate", ok, 2, Config{Perplexity: 3, LearningRate: -1}, "Config.LearningRate = -1"},
		{"exaggeration", ok, 2, Config{Perplexity: 3, EarlyExaggeration: 0.5}, "Config.EarlyExaggeration = 0.5"},
		{"theta", ok, 2, Config{Perplexity: 3, Theta: -0.1}, "Config.Theta = -0.1"},
		{"theta inf", ok, 2, Config{Perplexity: 3, Theta: math.Inf(1)}, "Config.Theta = +Inf"},
		{"workers", ok, 2, Config{Perplexity: 3, Workers: -2}, "Config.Workers = -2"},
	} {
		_, err := Embed(tc.x, tc.dim, tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "t-SNE: ") {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	if _, err := Embed(ok, 2, Config{Perplexity: 19.0 / 3, Iterations: 1}); err != nil {
		t.Errorf("perplexity exactly (n-1)/3: %v", err)
	}
}

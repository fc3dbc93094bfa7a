package evaluation

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// labelsFromCounts expands a clusters × classes count matrix into pred/truth label slices.
func labelsFromCounts(counts [][]int) (pred, truth []int) {
	for r, row := range counts {
		for c, n := range row {
			for range n {
				pred = append(pred, r)
				truth = append(truth, c)
			}
		}
	}
	return pred, truth
}

// iirCounts is the 17-point example of Manning, Raghavan & Schütze, "Introduction to Information
// Retrieval" (2008), §16.3, Figure 16.4: rows are the three clusters, columns the classes
// x, o, ⋄. Cluster sizes 6, 6, 5; class sizes 8, 5, 4.
var iirCounts = [][]int{
	{5, 1, 0},
	{1, 4, 1},
	{2, 0, 3},
}

func TestReferenceValues(t *testing.T) {
	const tol = 1e-12

	t.Run("IIR 16.3", func(t *testing.T) {
		pred, truth := labelsFromCounts(iirCounts)
		// Purity = (5+4+3)/17 ≈ 0.71 (IIR §16.3).
		p, err := Purity(pred, truth)
		require.NoError(t, err)
		assert.InDelta(t, 12.0/17, p, tol)
		// The diagonal is also the best one-to-one matching: 12/17.
		acc, err := HungarianACC(pred, truth)
		require.NoError(t, err)
		assert.InDelta(t, 12.0/17, acc, tol)
		// IIR gives NMI ≈ 0.36 with arithmetic normalisation. By hand (natural log):
		// I = Σ n_ij/n·ln(n·n_ij/(a_i·b_j)) = 0.391937, H(clusters) = 1.095078,
		// H(classes) = 1.055102, so NMI = 0.391937/((1.095078+1.055102)/2) = 0.364562;
		// geometric 0.364625, min 0.371468, max 0.357908.
		for norm, want := range map[Normalization]float64{
			Arithmetic: 0.36456177185718985, Geometric: 0.36462479619424293,
			Min: 0.37146812574591803, Max: 0.35790753710758766,
		} {
			nmi, err := NMI(pred, truth, norm)
			require.NoError(t, err)
			assert.InDelta(t, want, nmi, 1e-12, "normalization %s", norm)
		}
		// IIR's pair counts: TP=20, FP=20, FN=24, TN=72 (RI = 0.68). Adjusted:
		// expected index = 40·44/136 = 220/17, max index = (40+44)/2 = 42,
		// ARI = (20 − 220/17)/(42 − 220/17) = 120/494 = 60/247.
		ari, err := ARI(pred, truth)
		require.NoError(t, err)
		assert.InDelta(t, 60.0/247, ari, tol)
	})

	t.Run("scikit-learn ARI docs", func(t *testing.T) {
		// Examples from the adjusted_rand_score docstring.
		cases := []struct {
			truth, pred []int
			want        float64
		}{
			{[]int{0, 0, 1, 1}, []int{0, 0, 1, 1}, 1},
			{[]int{0, 0, 1, 1}, []int{1, 1, 0, 0}, 1},
			// Documented as 0.57...: unordered pairs tp=1, fp=0, fn=1, tn=4;
			// ARI = 2(1·4 − 0)/((1+1)(1+4) + (1+0)(0+4)) = 8/14 = 4/7. Older scikit-learn
			// printed 0.5714285714285715 (its comb-based formula rounds differently), hence 1e-15 below.
			{[]int{0, 0, 1, 1}, []int{0, 0, 1, 2}, 4.0 / 7},
			{[]int{0, 0, 1, 2}, []int{0, 0, 1, 1}, 4.0 / 7},
			// No pair agrees beyond chance: tp=0, fp=0, fn=6 → ARI = 0.
			{[]int{0, 0, 0, 0}, []int{0, 1, 2, 3}, 0},
			// "ARI may take negative values for especially discordant labelings": −0.5.
			{[]int{0, 0, 1, 1}, []int{0, 1, 0, 1}, -0.5},
		}
		for _, c := range cases {
			got, err := ARI(c.pred, c.truth)
			require.NoError(t, err)
			assert.InDelta(t, c.want, got, tol, "truth %v pred %v", c.truth, c.pred)
		}
		got, err := ARI([]int{0, 0, 1, 2}, []int{0, 0, 1, 1})
		require.NoError(t, err)
		assert.InDelta(t, 0.5714285714285715, got, 1e-15)
	})

	t.Run("scikit-learn user guide", func(t *testing.T) {
		// labels_true = [0,0,0,1,1,1], labels_pred = [0,0,1,1,2,2] from the clustering user
		// guide (ARI 0.24..., NMI 0.51...). By hand: contingency {2,0},{1,1},{0,2};
		// I = (2/6)ln2 + (2/6)ln2 = (2/3)ln2, H(true) = ln2, H(pred) = ln3, so
		// arithmetic NMI = (2/3)ln2/((ln2+ln3)/2), geometric (2/3)ln2/sqrt(ln2·ln3),
		// min 2/3, max (2/3)ln2/ln3. ARI: Σ C(n_ij,2) = 2, Σ C(a_i,2) = 3, Σ C(b_j,2) = 6,
		// C(6,2) = 15: (2 − 18/15)/(4.5 − 18/15) = 8/33.
		truth := []int{0, 0, 0, 1, 1, 1}
		pred := []int{0, 0, 1, 1, 2, 2}
		ln2, ln3 := math.Ln2, math.Log(3)
		mi := 2.0 / 3 * ln2
		for norm, want := range map[Normalization]float64{
			Arithmetic: mi / ((ln2 + ln3) / 2), Geometric: mi / math.Sqrt(ln2*ln3),
			Min: 2.0 / 3, Max: mi / ln3,
		} {
			got, err := NMI(pred, truth, norm)
			require.NoError(t, err)
			assert.InDelta(t, want, got, tol, "normalization %s", norm)
		}
		got, err := NMI(pred, truth, Arithmetic)
		require.NoError(t, err)
		assert.InDelta(t, 0.5158037429793889, got, tol)
		ari, err := ARI(pred, truth)
		require.NoError(t, err)
		assert.InDelta(t, 8.0/33, ari, tol)
		// Three clusters, two classes: the third cluster is unmatched, so the best one-to-one
		// matching gets 2+2 of 6, while purity gets 2+1+2.
		acc, err := HungarianACC(pred, truth)
		require.NoError(t, err)
		assert.InDelta(t, 4.0/6, acc, tol)
		p, err := Purity(pred, truth)
		require.NoError(t, err)
		assert.InDelta(t, 5.0/6, p, tol)
	})

	t.Run("scikit-learn NMI docs", func(t *testing.T) {
		// normalized_mutual_info_score docstring examples.
		for _, c := range []struct {
			truth, pred []int
			want        float64
		}{
			{[]int{0, 0, 1, 1}, []int{0, 0, 1, 1}, 1},
			{[]int{0, 0, 1, 1}, []int{1, 1, 0, 0}, 1},
			{[]int{0, 0, 0, 0}, []int{0, 1, 2, 3}, 0}, // One labeling carries no information.
		} {
			for _, norm := range []Normalization{Arithmetic, Geometric, Min, Max} {
				got, err := NMI(c.pred, c.truth, norm)
				require.NoError(t, err)
				assert.InDelta(t, c.want, got, tol, "truth %v pred %v %s", c.truth, c.pred, norm)
			}
		}
	})
}

func TestDegenerateCases(t *testing.T) {
	t.Run("both one cluster", func(t *testing.T) {
		// scikit-learn: identical trivial partitions are a perfect match for NMI and ARI.
		pred, truth := []int{3, 3, 3}, []int{7, 7, 7}
		m, err := Evaluate(pred, truth)
		require.NoError(t, err)
		assert.Equal(t, Metrics{ACC: 1, Purity: 1, NMI: 1, NMIGeometric: 1, ARI: 1}, m)
	})
	t.Run("one cluster against several classes", func(t *testing.T) {
		pred, truth := []int{0, 0, 0, 0}, []int{0, 0, 1, 2}
		m, err := Evaluate(pred, truth)
		require.NoError(t, err)
		// Fewer clusters than classes: classes 1 and 2 are unmatched.
		assert.InDelta(t, 0.5, m.ACC, 1e-15)
		assert.InDelta(t, 0.5, m.Purity, 1e-15)
		assert.Equal(t, 0.0, m.NMI)
		assert.Equal(t, 0.0, m.ARI)
		for _, norm := range []Normalization{Geometric, Min, Max} {
			nmi, err := NMI(pred, truth, norm)
			require.NoError(t, err)
			assert.Equal(t, 0.0, nmi, "%s", norm)
		}
	})
	t.Run("singletons on both sides", func(t *testing.T) {
		// Every pair disagrees on both sides, so every pair agrees: ARI = 1 (scikit-learn).
		m, err := Evaluate([]int{0, 1, 2}, []int{5, 4, 3})
		require.NoError(t, err)
		assert.Equal(t, Metrics{ACC: 1, Purity: 1, NMI: 1, NMIGeometric: 1, ARI: 1}, m)
	})
	t.Run("single sample", func(t *testing.T) {
		m, err := Evaluate([]int{4}, []int{9})
		require.NoError(t, err)
		assert.Equal(t, Metrics{ACC: 1, Purity: 1, NMI: 1, NMIGeometric: 1, ARI: 1}, m)
	})
}

func TestErrors(t *testing.T) {
	bad := []struct {
		name        string
		pred, truth []int
		want        string
	}{
		{"length mismatch", []int{0, 1}, []int{0}, "pred has 2 labels but truth has 1"},
		{"empty", nil, nil, "empty"},
		{"negative pred", []int{0, -1}, []int{0, 0}, "pred[1] = -1"},
		{"negative truth", []int{0, 0}, []int{-2, 0}, "truth[0] = -2"},
	}
	fns := map[string]func(pred, truth []int) error{
		"Contingency":  func(p, tr []int) error { _, err := Contingency(p, tr); return err },
		"Purity":       func(p, tr []int) error { _, err := Purity(p, tr); return err },
		"HungarianACC": func(p, tr []int) error { _, err := HungarianACC(p, tr); return err },
		"NMI":          func(p, tr []int) error { _, err := NMI(p, tr, Arithmetic); return err },
		"ARI":          func(p, tr []int) error { _, err := ARI(p, tr); return err },
		"Evaluate":     func(p, tr []int) error { _, err := Evaluate(p, tr); return err },
	}
	for fname, fn := range fns {
		for _, c := range bad {
			err := fn(c.pred, c.truth)
			if assert.Error(t, err, "%s %s", fname, c.name) {
				assert.Contains(t, err.Error(), c.want, "%s %s", fname, c.name)
			}
		}
	}
	_, err := NMI([]int{0}, []int{0}, Normalization(7))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "unknown normalization")
}

// randomLabels draws n labels in [0, k).
func randomLabels(rng *rand.Rand, n, k int) []int {
	l := make([]int, n)
	for i := range l {
		l[i] = rng.IntN(k)
	}
	return l
}

func TestInvariants(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 50 {
		n := 1 + rng.IntN(60)
		pred := randomLabels(rng, n, 1+rng.IntN(7))
		truth := randomLabels(rng, n, 1+rng.IntN(7))
		m, err := Evaluate(pred, truth)
		require.NoError(t, err)

		// Renaming clusters (to sparse, permuted ids) changes nothing.
		perm := rng.Perm(10)
		renamed := make([]int, n)
		for i, p := range pred {
			renamed[i] = 100 + 3*perm[p]
		}
		m2, err := Evaluate(renamed, truth)
		require.NoError(t, err)
		assert.InDeltaMapValues(t, metricsMap(m), metricsMap(m2), 1e-12, "trial %d", trial)

		// NMI and ARI are symmetric; Hungarian ACC too (a matching is a matching).
		sw, err := Evaluate(truth, pred)
		require.NoError(t, err)
		assert.InDelta(t, m.NMI, sw.NMI, 1e-12)
		assert.InDelta(t, m.ARI, sw.ARI, 1e-12)
		assert.InDelta(t, m.ACC, sw.ACC, 1e-12)
		for _, norm := range []Normalization{Geometric, Min, Max} {
			a, err := NMI(pred, truth, norm)
			require.NoError(t, err)
			b, err := NMI(truth, pred, norm)
			require.NoError(t, err)
			assert.InDelta(t, a, b, 1e-12)
		}

		// Orderings that hold for any labelings.
		assert.LessOrEqual(t, m.ACC, m.Purity+1e-15)
		assert.GreaterOrEqual(t, m.NMI, 0.0)
		assert.LessOrEqual(t, m.NMI, 1+1e-12)
		assert.LessOrEqual(t, m.ARI, 1+1e-12)

		// A perfect clustering scores 1 everywhere, whatever the ids.
		perfect, err := Evaluate(renamedCopy(truth, perm), truth)
		require.NoError(t, err)
		assert.InDeltaMapValues(t, map[string]float64{"acc": 1, "purity": 1, "nmi": 1, "ari": 1},
			metricsMap(perfect), 1e-12, "trial %d", trial)
	}
}

func renamedCopy(labels []int, perm []int) []int {
	out := make([]int, len(labels))
	for i, l := range labels {
		out[i] = perm[l]
	}
	return out
}

func metricsMap(m Metrics) map[string]float64 {
	return map[string]float64{"acc": m.ACC, "purity": m.Purity, "nmi": m.NMI, "ari": m.ARI}
}

func TestEvaluateMatchesFunctions(t *testing.T) {
	pred, truth := labelsFromCounts(iirCounts)
	m, err := Evaluate(pred, truth)
	require.NoError(t, err)
	acc, _ := HungarianACC(pred, truth)
	pur, _ := Purity(pred, truth)
	nmi, _ := NMI(pred, truth, Arithmetic)
	nmiGeo, _ := NMI(pred, truth, Geometric)
	ari, _ := ARI(pred, truth)
	assert.Equal(t, Metrics{ACC: acc, Purity: pur, NMI: nmi, NMIGeometric: nmiGeo, ARI: ari}, m)
	assert.NotEqual(t, nmi, nmiGeo, "the two normalisations differ on this table")

	js, err := json.Marshal(Metrics{ACC: 0.5, Purity: 0.75, NMI: 0.25, NMIGeometric: 0.3, ARI: 0.125})
	require.NoError(t, err)
	assert.JSONEq(t, `{"hungarian_acc":0.5,"purity":0.75,"nmi":0.25,"nmi_geometric":0.3,"ari":0.125}`, string(js))
	assert.Equal(t, "ACC(hungarian)=0.5000 purity=0.7500 NMI=0.2500 NMI(geometric)=0.3000 ARI=0.1250",
		Metrics{ACC: 0.5, Purity: 0.75, NMI: 0.25, NMIGeometric: 0.3, ARI: 0.125}.String())
}

func TestContingency(t *testing.T) {
	// Cluster ids 9 and 2, class ids 5, 1, 3: rows and columns come out sorted.
	pred := []int{9, 9, 2, 2, 2, 9}
	truth := []int{5, 1, 1, 3, 1, 5}
	ct, err := Contingency(pred, truth)
	require.NoError(t, err)
	assert.Equal(t, []int{2, 9}, ct.Clusters)
	assert.Equal(t, []int{1, 3, 5}, ct.Classes)
	assert.Equal(t, [][]int{{2, 1, 0}, {1, 0, 2}}, ct.Counts)
	assert.Equal(t, []int{3, 3}, ct.ClusterSizes)
	assert.Equal(t, []int{3, 1, 2}, ct.ClassSizes)
	assert.Equal(t, 6, ct.N)
	want := strings.Join([]string{
		"cluster\\class 1 3 5 total",
		"            2 2 1 0     3",
		"            9 1 0 2     3",
		"        total 3 1 2     6",
		"",
	}, "\n")
	assert.Equal(t, want, ct.String())
	// Cluster 2 ↔ class 1 (2) and cluster 9 ↔ class 5 (2).
	assert.Equal(t, []int{0, 2}, ct.HungarianMatch())
}

package evaluation

import (
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestClusterClasses(t *testing.T) {
	// Cluster 0 holds truth {4, 4, 9} → 4; cluster 1 {1, 3} is a tie → the lower label 1;
	// cluster 2 {6, 6} → 6; nothing is assigned to cluster 3 → −1.
	classes, err := ClusterClasses([]int{0, 0, 0, 1, 1, 2, 2}, []int{4, 4, 9, 3, 1, 6, 6}, 4)
	require.NoError(t, err)
	assert.Equal(t, []int{4, 1, 6, -1}, classes)
}

func TestGenerationAgreementHandComputed(t *testing.T) {
	// cluster 0: NN labels {7, 7, 7, 1}, class 7: majority 7, purity 3/4, agreement 3/4.
	// cluster 1: NN labels {2, 3, 3},    class 2: majority 3, purity 2/3, agreement 1/3.
	// cluster 2: no samples,             class 5: all fractions 0.
	// cluster 3: NN labels {4, 4},       class −1 (no real example): purity 1, agreement 0.
	// cluster 4: NN labels {5, 2},       class 5: tie → majority 2, purity 1/2, agreement 1/2.
	// N = 4+3+2+2 = 11; Purity = (3+2+0+2+1)/11 = 8/11; Agreement = (3+1+0+0+1)/11 = 5/11.
	clusters := []int{0, 1, 0, 3, 1, 0, 4, 1, 0, 3, 4}
	labels := []int{7, 2, 7, 4, 3, 1, 5, 3, 7, 4, 2}
	g, err := GenerationAgreement(clusters, labels, []int{7, 2, 5, -1, 5}, 5)
	require.NoError(t, err)
	assert.Equal(t, 11, g.N)
	assert.InDelta(t, 8.0/11, g.Purity, 1e-15)
	assert.InDelta(t, 5.0/11, g.Agreement, 1e-15)
	assert.Equal(t, []ClusterAgreement{
		{Cluster: 0, Class: 7, Count: 4, MajorityLabel: 7, Purity: 3.0 / 4, Agreement: 3.0 / 4},
		{Cluster: 1, Class: 2, Count: 3, MajorityLabel: 3, Purity: 2.0 / 3, Agreement: 1.0 / 3},
		{Cluster: 2, Class: 5, Count: 0, MajorityLabel: -1},
		{Cluster: 3, Class: -1, Count: 2, MajorityLabel: 4, Purity: 1},
		{Cluster: 4, Class: 5, Count: 2, MajorityLabel: 2, Purity: 1.0 / 2, Agreement: 1.0 / 2},
	}, g.Clusters)
	assert.Equal(t, "gen purity=0.7273 gen agreement=0.4545 (n=11, k=5)", g.String())

	js, err := json.Marshal(GenAgreement{N: 2, Purity: 1, Agreement: 0.5, Clusters: []ClusterAgreement{
		{Cluster: 0, Class: 3, Count: 2, MajorityLabel: 3, Purity: 1, Agreement: 0.5}}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"n":2,"purity":1,"agreement":0.5,"clusters":[{"cluster":0,"class":3,"count":2,`+
		`"majority_label":3,"purity":1,"agreement":0.5}]}`, string(js))
}

func TestGenerationAgreementInvariants(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 50 {
		n, k := 1+rng.IntN(80), 1+rng.IntN(8)
		clusters := randomLabels(rng, n, k)
		labels := randomLabels(rng, n, 1+rng.IntN(6))
		classes := make([]int, k)
		for c := range classes {
			classes[c] = rng.IntN(7) - 1
		}
		g, err := GenerationAgreement(clusters, labels, classes, k)
		require.NoError(t, err)

		// Purity is the package's Purity of (cluster, NN label); agreement never exceeds it.
		p, err := Purity(clusters, labels)
		require.NoError(t, err)
		assert.InDelta(t, p, g.Purity, 1e-12, "trial %d", trial)
		assert.LessOrEqual(t, g.Agreement, g.Purity, "trial %d", trial)
		total, pure := 0, 0.0
		for _, ca := range g.Clusters {
			total += ca.Count
			pure += ca.Purity * float64(ca.Count)
			assert.LessOrEqual(t, ca.Agreement, ca.Purity)
		}
		assert.Equal(t, n, total)
		assert.InDelta(t, g.Purity, pure/float64(n), 1e-12)

		// Each cluster holding its majority NN label: agreement equals purity.
		majority, err := ClusterClasses(clusters, labels, k)
		require.NoError(t, err)
		gm, err := GenerationAgreement(clusters, labels, majority, k)
		require.NoError(t, err)
		assert.Equal(t, gm.Purity, gm.Agreement, "trial %d", trial)

		// Renaming clusters (and their classes with them) changes nothing but the order.
		perm := rng.Perm(k)
		renamed := renamedCopy(clusters, perm)
		renamedClasses := make([]int, k)
		for c, class := range classes {
			renamedClasses[perm[c]] = class
		}
		gp, err := GenerationAgreement(renamed, labels, renamedClasses, k)
		require.NoError(t, err)
		assert.Equal(t, g.Purity, gp.Purity, "trial %d", trial)
		assert.Equal(t, g.Agreement, gp.Agreement, "trial %d", trial)
		for c, ca := range g.Clusters {
			ca.Cluster = perm[c]
			assert.Equal(t, ca, gp.Clusters[perm[c]])
		}
	}
}

func TestGenerationAgreementErrors(t *testing.T) {
	for _, c := range []struct {
		name                    string
		clusters, labels, class []int
		k                       int
		want                    string
	}{
		{"k", []int{0}, []int{0}, nil, 0, "k = 0, must be >= 1"},
		{"lengths", []int{0, 1}, []int{0}, []int{0, 0}, 2, "genClusters has 2 entries but genNNLabels has 1"},
		{"empty", nil, nil, []int{0}, 1, "empty"},
		{"cluster too big", []int{0, 2}, []int{0, 0}, []int{0, 0}, 2, "genClusters[1] = 2 is outside [0, k = 2)"},
		{"negative cluster", []int{-1}, []int{0}, []int{0}, 1, "genClusters[0] = -1 is outside"},
		{"negative label", []int{0, 0}, []int{1, -3}, []int{0}, 1, "genNNLabels[1] = -3 is negative"},
		{"class length", []int{0}, []int{0}, []int{0, 1}, 1, "clusterClass has 2 entries, want k = 1"},
		{"bad class", []int{0}, []int{0}, []int{-2}, 1, "clusterClass[0] = -2"},
	} {
		_, err := GenerationAgreement(c.clusters, c.labels, c.class, c.k)
		if assert.Error(t, err, c.name) {
			assert.Contains(t, err.Error(), c.want, c.name)
		}
	}
	for _, c := range []struct {
		name            string
		assigned, truth []int
		k               int
		want            string
	}{
		{"k", []int{0}, []int{0}, -1, "k = -1"},
		{"lengths", []int{0}, []int{0, 0}, 1, "assigned has 1 entries but truth has 2"},
		{"out of range", []int{0, 3}, []int{0, 0}, 3, "assigned[1] = 3 is outside [0, k = 3)"},
		{"negative truth", []int{0}, []int{-1}, 1, "truth[0] = -1 is negative"},
	} {
		_, err := ClusterClasses(c.assigned, c.truth, c.k)
		if assert.Error(t, err, c.name) {
			assert.Contains(t, err.Error(), c.want, c.name)
		}
	}
}

package evaluation

import (
	"fmt"
	"slices"
)

// GenAgreement scores cluster-conditional generation: samples drawn from cluster k of the prior
// should look like the class that cluster k holds on real data. What a sample "looks like" is the
// label of its nearest real example (NearestNeighbourLabels).
type GenAgreement struct {
	// N is the number of generated samples.
	N int `json:"n"`
	// Purity is Σ_k max_c count(k, c) / N over nearest-neighbour labels c: how class-pure each
	// cluster's samples are, whatever class that is. It needs no encoder.
	Purity float64 `json:"purity"`
	// Agreement is the fraction of samples whose nearest-neighbour label is the class their
	// cluster holds on real data. It is at most Purity, with equality when every cluster's class
	// is its majority nearest-neighbour label.
	Agreement float64 `json:"agreement"`
	// Clusters has one entry per cluster id 0..k−1, for reports next to sample grids.
	Clusters []ClusterAgreement `json:"clusters"`
}

// ClusterAgreement is one cluster's share of a GenAgreement. The fractions are 0 for a cluster
// with no samples.
type ClusterAgreement struct {
	// Cluster is the cluster id.
	Cluster int `json:"cluster"`
	// Class is the class the cluster holds on real data, −1 if none.
	Class int `json:"class"`
	// Count is the number of generated samples of the cluster.
	Count int `json:"count"`
	// MajorityLabel is the most common nearest-neighbour label (ties: the lowest), −1 if Count is 0.
	MajorityLabel int `json:"majority_label"`
	// Purity is the fraction of the cluster's samples with label MajorityLabel.
	Purity float64 `json:"purity"`
	// Agreement is the fraction of the cluster's samples with label Class.
	Agreement float64 `json:"agreement"`
}

// String formats the totals on one line for logs.
func (g GenAgreement) String() string {
	return fmt.Sprintf("gen purity=%.4f gen agreement=%.4f (n=%d, k=%d)", g.Purity, g.Agreement, g.N, len(g.Clusters))
}

// checkClusterIDs validates labelings of the same non-zero length, with assigned in [0, k) and
// non-negative labels; the names are used in the errors.
func checkClusterIDs(assignedName string, assigned []int, labelsName string, labels []int, k int) error {
	if k < 1 {
		return fmt.Errorf("k = %d, must be >= 1", k)
	}
	if len(assigned) != len(labels) {
		return fmt.Errorf("%s has %d entries but %s has %d", assignedName, len(assigned), labelsName, len(labels))
	}
	if len(assigned) == 0 {
		return fmt.Errorf("%s and %s are empty", assignedName, labelsName)
	}
	for i, a := range assigned {
		if a < 0 || a >= k {
			return fmt.Errorf("%s[%d] = %d is outside [0, k = %d)", assignedName, i, a, k)
		}
		if labels[i] < 0 {
			return fmt.Errorf("%s[%d] = %d is negative; class ids must be >= 0", labelsName, i, labels[i])
		}
	}
	return nil
}

// clusterRows maps cluster id 0..k−1 to its row of t, or −1 when the cluster has no samples.
func clusterRows(t *ContingencyTable, k int) []int {
	rows := slices.Repeat([]int{-1}, k)
	for r, c := range t.Clusters {
		rows[c] = r
	}
	return rows
}

// majority returns the column of the largest count, the first on ties (the lowest class id).
func majority(counts []int) int {
	best := 0
	for c, n := range counts {
		if n > counts[best] {
			best = c
		}
	}
	return best
}

// ClusterClasses returns the class each of the k clusters holds: the majority truth label of the
// examples assigned to it (ties: the lowest label), or −1 for a cluster with no examples. With
// assigned the encoder's clusters of real images, this is the clusterClass of GenerationAgreement.
func ClusterClasses(assigned, truth []int, k int) ([]int, error) {
	if err := checkClusterIDs("assigned", assigned, "truth", truth, k); err != nil {
		return nil, fmt.Errorf("cluster classes: %w", err)
	}
	t, err := Contingency(assigned, truth)
	if err != nil {
		return nil, fmt.Errorf("cluster classes: %w", err)
	}
	classes := make([]int, k)
	for c, r := range clusterRows(t, k) {
		classes[c] = -1
		if r >= 0 {
			classes[c] = t.Classes[majority(t.Counts[r])]
		}
	}
	return classes, nil
}

// GenerationAgreement scores generated samples: genClusters[i] in [0, k) is the prior cluster
// sample i was drawn from, genNNLabels[i] its nearest-neighbour label, and clusterClass[k] the
// class cluster k holds on real data (ClusterClasses), −1 if none, in which case its samples
// count as disagreeing.
func GenerationAgreement(genClusters, genNNLabels, clusterClass []int, k int) (GenAgreement, error) {
	if err := checkClusterIDs("genClusters", genClusters, "genNNLabels", genNNLabels, k); err != nil {
		return GenAgreement{}, fmt.Errorf("generation agreement: %w", err)
	}
	if len(clusterClass) != k {
		return GenAgreement{}, fmt.Errorf("generation agreement: clusterClass has %d entries, want k = %d", len(clusterClass), k)
	}
	for c, class := range clusterClass {
		if class < -1 {
			return GenAgreement{}, fmt.Errorf("generation agreement: clusterClass[%d] = %d; must be a class id >= 0 or -1 for none", c, class)
		}
	}
	t, err := Contingency(genClusters, genNNLabels)
	if err != nil {
		return GenAgreement{}, fmt.Errorf("generation agreement: %w", err)
	}
	g := GenAgreement{N: t.N, Clusters: make([]ClusterAgreement, k)}
	pure, agree := 0, 0
	for c, r := range clusterRows(t, k) {
		ca := ClusterAgreement{Cluster: c, Class: clusterClass[c], MajorityLabel: -1}
		if r >= 0 {
			counts := t.Counts[r]
			ca.Count = t.ClusterSizes[r]
			m := majority(counts)
			ca.MajorityLabel = t.Classes[m]
			ca.Purity = float64(counts[m]) / float64(ca.Count)
			pure += counts[m]
			if col, ok := slices.BinarySearch(t.Classes, ca.Class); ok {
				ca.Agreement = float64(counts[col]) / float64(ca.Count)
				agree += counts[col]
			}
		}
		g.Clusters[c] = ca
	}
	g.Purity = float64(pure) / float64(g.N)
	g.Agreement = float64(agree) / float64(g.N)
	return g, nil
}

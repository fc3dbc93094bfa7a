package evaluation

import (
	"fmt"
	"math"
	"math/big"
)

// Purity is the fraction of samples whose class is the majority class of their cluster: each
// cluster takes its majority label, and several clusters may take the same label. This is the
// "ACC" of the ClusterGAN paper. It is 1 for a perfect clustering but also for one cluster per
// sample, so report it next to HungarianACC.
func Purity(pred, truth []int) (float64, error) {
	t, err := Contingency(pred, truth)
	if err != nil {
		return 0, fmt.Errorf("purity: %w", err)
	}
	return t.Purity(), nil
}

// Purity of the table; see the package-level Purity.
func (t *ContingencyTable) Purity() float64 {
	correct := 0
	for _, row := range t.Counts {
		correct += maxInt(row)
	}
	return float64(correct) / float64(t.N)
}

// HungarianACC is the accuracy under the best one-to-one matching of clusters to classes
// (scipy.optimize.linear_sum_assignment on the contingency table). With more clusters than
// classes the unmatched clusters count as wrong; with fewer, the unmatched classes do.
func HungarianACC(pred, truth []int) (float64, error) {
	t, err := Contingency(pred, truth)
	if err != nil {
		return 0, fmt.Errorf("hungarian ACC: %w", err)
	}
	return t.HungarianACC(), nil
}

// HungarianACC of the table; see the package-level HungarianACC.
func (t *ContingencyTable) HungarianACC() float64 {
	correct := 0
	for r, c := range t.HungarianMatch() {
		if c >= 0 {
			correct += t.Counts[r][c]
		}
	}
	return float64(correct) / float64(t.N)
}

// Normalization selects how NMI divides the mutual information by the two entropies.
type Normalization int

const (
	// Arithmetic divides by (H(U)+H(V))/2: scikit-learn's default since 0.22.
	Arithmetic Normalization = iota
	// Geometric divides by sqrt(H(U)·H(V)): scikit-learn's default before 0.22.
	Geometric
	// Min divides by min(H(U), H(V)).
	Min
	// Max divides by max(H(U), H(V)).
	Max
)

// String returns the scikit-learn average_method name.
func (n Normalization) String() string {
	switch n {
	case Arithmetic:
		return "arithmetic"
	case Geometric:
		return "geometric"
	case Min:
		return "min"
	case Max:
		return "max"
	}
	return fmt.Sprintf("Normalization(%d)", int(n))
}

// NMI is the normalized mutual information between pred and truth, in nats, normalised by norm.
// As in scikit-learn, it is 1 when both labelings put everything in one cluster (both entropies
// are zero: a perfect match), and 0 whenever the mutual information is zero.
func NMI(pred, truth []int, norm Normalization) (float64, error) {
	if norm < Arithmetic || norm > Max {
		return 0, fmt.Errorf("NMI: unknown normalization %v; use Arithmetic, Geometric, Min or Max", norm)
	}
	t, err := Contingency(pred, truth)
	if err != nil {
		return 0, fmt.Errorf("NMI: %w", err)
	}
	return t.NMI(norm), nil
}

// MutualInformation of the table in nats.
func (t *ContingencyTable) MutualInformation() float64 {
	n := float64(t.N)
	mi := 0.0
	for r, row := range t.Counts {
		a := float64(t.ClusterSizes[r])
		for c, count := range row {
			if count == 0 {
				continue
			}
			nij := float64(count)
			// n·nij and a·b are exact integers in float64, so independent labelings give
			// exactly log(1) = 0 per cell.
			mi += nij / n * math.Log(n*nij/(a*float64(t.ClassSizes[c])))
		}
	}
	return max(mi, 0) // Rounding can make it slightly negative; it is never below 0.
}

// entropy in nats of the distribution given by sizes summing to n.
func entropy(sizes []int, n int) float64 {
	h := 0.0
	for _, s := range sizes {
		if s > 0 {
			p := float64(s) / float64(n)
			h -= p * math.Log(p)
		}
	}
	return max(h, 0)
}

// NMI of the table; see the package-level NMI. An unknown norm is treated as Arithmetic.
func (t *ContingencyTable) NMI(norm Normalization) float64 {
	if len(t.Clusters) == 1 && len(t.Classes) == 1 {
		return 1
	}
	mi := t.MutualInformation()
	if mi == 0 {
		return 0
	}
	hu, hv := entropy(t.ClusterSizes, t.N), entropy(t.ClassSizes, t.N)
	var d float64
	switch norm {
	case Geometric:
		d = math.Sqrt(hu * hv)
	case Min:
		d = math.Min(hu, hv)
	case Max:
		d = math.Max(hu, hv)
	default:
		d = (hu + hv) / 2
	}
	return mi / d
}

// ARI is the Hubert & Arabie adjusted Rand index: the Rand index corrected for chance, 1 for
// identical partitions, about 0 for independent ones, and possibly negative. As in scikit-learn it
// is 1 whenever the two labelings agree on every pair (including both being a single cluster, or
// both one sample per cluster).
func ARI(pred, truth []int) (float64, error) {
	t, err := Contingency(pred, truth)
	if err != nil {
		return 0, fmt.Errorf("ARI: %w", err)
	}
	return t.ARI(), nil
}

// ARI of the table; see the package-level ARI.
//
// It follows scikit-learn's pair_confusion_matrix formulation: with ordered pair counts
// tp (same cluster, same class), fp (same cluster, different class), fn and tn,
// ARI = 2(tp·tn − fn·fp) / ((tp+fn)(fn+tn) + (tp+fp)(fp+tn)).
// The products exceed int64 for n ≳ 55k, so they are computed exactly with math/big.
func (t *ContingencyTable) ARI() float64 {
	n := int64(t.N)
	var sumSquares, sameCluster, sameClass int64
	for _, row := range t.Counts {
		for _, count := range row {
			sumSquares += int64(count) * int64(count)
		}
	}
	for _, s := range t.ClusterSizes {
		sameCluster += int64(s) * int64(s)
	}
	for _, s := range t.ClassSizes {
		sameClass += int64(s) * int64(s)
	}
	tp := sumSquares - n
	fp := sameCluster - sumSquares
	fn := sameClass - sumSquares
	tn := n*n - fp - fn - sumSquares
	if fn == 0 && fp == 0 {
		return 1
	}
	b := func(x int64) *big.Int { return big.NewInt(x) }
	mul := func(x, y *big.Int) *big.Int { return new(big.Int).Mul(x, y) }
	num := new(big.Int).Sub(mul(b(tp), b(tn)), mul(b(fn), b(fp)))
	den := new(big.Int).Add(mul(b(tp+fn), b(fn+tn)), mul(b(tp+fp), b(fp+tn)))
	numF, _ := new(big.Float).SetInt(num).Float64()
	denF, _ := new(big.Float).SetInt(den).Float64()
	return 2 * numF / denF
}

// Metrics are the scores every method is reported with.
type Metrics struct {
	// ACC is the Hungarian (one-to-one matching) accuracy.
	ACC float64 `json:"hungarian_acc"`
	// Purity is the majority-label accuracy, the ClusterGAN paper's "ACC".
	Purity float64 `json:"purity"`
	// NMI uses arithmetic normalisation (scikit-learn ≥ 0.22).
	NMI float64 `json:"nmi"`
	// NMIGeometric uses geometric normalisation, scikit-learn's default before 0.22, which the
	// ClusterGAN paper's code most likely used.
	NMIGeometric float64 `json:"nmi_geometric"`
	// ARI is the adjusted Rand index.
	ARI float64 `json:"ari"`
}

// String formats the metrics on one line for logs.
func (m Metrics) String() string {
	return fmt.Sprintf("ACC(hungarian)=%.4f purity=%.4f NMI=%.4f NMI(geometric)=%.4f ARI=%.4f", m.ACC, m.Purity, m.NMI, m.NMIGeometric, m.ARI)
}

// Evaluate computes all Metrics of pred against truth from one contingency table.
func Evaluate(pred, truth []int) (Metrics, error) {
	t, err := Contingency(pred, truth)
	if err != nil {
		return Metrics{}, fmt.Errorf("evaluate: %w", err)
	}
	return t.Metrics(), nil
}

// Metrics computes all scores of the table.
func (t *ContingencyTable) Metrics() Metrics {
	return Metrics{ACC: t.HungarianACC(), Purity: t.Purity(), NMI: t.NMI(Arithmetic), NMIGeometric: t.NMI(Geometric), ARI: t.ARI()}
}

func maxInt(xs []int) int {
	m := 0
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}

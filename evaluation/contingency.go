package evaluation

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ContingencyTable counts how many samples of each class fall in each cluster.
type ContingencyTable struct {
	// Clusters are the distinct predicted cluster ids, sorted; row r of Counts is Clusters[r].
	Clusters []int
	// Classes are the distinct ground-truth class ids, sorted; column c of Counts is Classes[c].
	Classes []int
	// Counts[r][c] is the number of samples in cluster Clusters[r] with class Classes[c].
	Counts [][]int
	// ClusterSizes[r] and ClassSizes[c] are the row and column sums of Counts.
	ClusterSizes, ClassSizes []int
	// N is the number of samples.
	N int
}

// checkLabels validates a pair of labelings: same non-zero length, no negative ids.
func checkLabels(pred, truth []int) error {
	if len(pred) != len(truth) {
		return fmt.Errorf("evaluation: pred has %d labels but truth has %d", len(pred), len(truth))
	}
	if len(pred) == 0 {
		return fmt.Errorf("evaluation: pred and truth are empty")
	}
	for i, p := range pred {
		if p < 0 {
			return fmt.Errorf("evaluation: pred[%d] = %d is negative; cluster ids must be >= 0", i, p)
		}
		if truth[i] < 0 {
			return fmt.Errorf("evaluation: truth[%d] = %d is negative; class ids must be >= 0", i, truth[i])
		}
	}
	return nil
}

// distinct returns the sorted distinct values of labels and a map from value to its index.
func distinct(labels []int) ([]int, map[int]int) {
	index := make(map[int]int)
	for _, l := range labels {
		index[l] = 0
	}
	values := make([]int, 0, len(index))
	for v := range index {
		values = append(values, v)
	}
	slices.Sort(values)
	for i, v := range values {
		index[v] = i
	}
	return values, index
}

// Contingency builds the clusters × classes contingency table of pred against truth.
func Contingency(pred, truth []int) (*ContingencyTable, error) {
	if err := checkLabels(pred, truth); err != nil {
		return nil, err
	}
	t := &ContingencyTable{N: len(pred)}
	var rowOf, colOf map[int]int
	t.Clusters, rowOf = distinct(pred)
	t.Classes, colOf = distinct(truth)
	t.Counts = make([][]int, len(t.Clusters))
	for r := range t.Counts {
		t.Counts[r] = make([]int, len(t.Classes))
	}
	t.ClusterSizes = make([]int, len(t.Clusters))
	t.ClassSizes = make([]int, len(t.Classes))
	for i, p := range pred {
		r, c := rowOf[p], colOf[truth[i]]
		t.Counts[r][c]++
		t.ClusterSizes[r]++
		t.ClassSizes[c]++
	}
	return t, nil
}

// String renders the table as a confusion matrix: one row per cluster, one column per class,
// with the cluster sizes in the last column.
func (t *ContingencyTable) String() string {
	header := []string{"cluster\\class"}
	for _, c := range t.Classes {
		header = append(header, strconv.Itoa(c))
	}
	header = append(header, "total")
	rows := [][]string{header}
	for r, k := range t.Clusters {
		row := []string{strconv.Itoa(k)}
		for _, n := range t.Counts[r] {
			row = append(row, strconv.Itoa(n))
		}
		rows = append(rows, append(row, strconv.Itoa(t.ClusterSizes[r])))
	}
	footer := []string{"total"}
	for _, n := range t.ClassSizes {
		footer = append(footer, strconv.Itoa(n))
	}
	rows = append(rows, append(footer, strconv.Itoa(t.N)))

	widths := make([]int, len(header))
	for _, row := range rows {
		for j, cell := range row {
			widths[j] = max(widths[j], len(cell))
		}
	}
	var sb strings.Builder
	for _, row := range rows {
		for j, cell := range row {
			if j > 0 {
				sb.WriteByte(' ')
			}
			fmt.Fprintf(&sb, "%*s", widths[j], cell)
		}
		sb.WriteByte('\n')
	}
	return sb.String()
}

// HungarianMatch returns, for each row (cluster) of the table, the column (class) index it is
// matched to by the maximum-weight one-to-one matching, or -1 when the cluster is left unmatched
// (more clusters than classes).
func (t *ContingencyTable) HungarianMatch() []int {
	rows, cols := len(t.Clusters), len(t.Classes)
	size := max(rows, cols)
	maxCount := 0
	for _, row := range t.Counts {
		for _, n := range row {
			maxCount = max(maxCount, n)
		}
	}
	// Maximising matched counts is minimising maxCount-count; padding cells cost maxCount,
	// i.e. they match nothing.
	cost := make([][]int64, size)
	for r := range cost {
		cost[r] = make([]int64, size)
		for c := range cost[r] {
			n := 0
			if r < rows && c < cols {
				n = t.Counts[r][c]
			}
			cost[r][c] = int64(maxCount - n)
		}
	}
	assign := minCostAssignment(cost)
	match := make([]int, rows)
	for r := range match {
		match[r] = -1
		if assign[r] < cols {
			match[r] = assign[r]
		}
	}
	return match
}

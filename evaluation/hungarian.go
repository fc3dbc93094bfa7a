package evaluation

import "math"

// minCostAssignment solves the square linear assignment problem: it returns assign with
// assign[row] = column such that every column is used once and the total cost is minimal.
//
// It is the O(n³) Hungarian (Kuhn–Munkres) algorithm in its shortest-augmenting-path form with
// row and column potentials: rows are added one at a time and each addition runs a Dijkstra-like
// search over reduced costs. Integer costs keep the potentials exact.
func minCostAssignment(cost [][]int64) []int {
	n := len(cost)
	if n == 0 {
		return nil
	}
	const inf = math.MaxInt64 / 4
	// 1-based arrays; column 0 is a virtual column that holds the row being inserted.
	u := make([]int64, n+1)    // row potentials
	v := make([]int64, n+1)    // column potentials
	owner := make([]int, n+1)  // owner[j]: row assigned to column j (0 = none)
	way := make([]int, n+1)    // way[j]: previous column on the augmenting path to j
	minv := make([]int64, n+1) // minv[j]: smallest reduced cost reaching column j
	used := make([]bool, n+1)
	for i := 1; i <= n; i++ {
		owner[0] = i
		j0 := 0
		for j := range minv {
			minv[j] = inf
			used[j] = false
		}
		for {
			used[j0] = true
			i0 := owner[j0]
			delta := int64(inf)
			j1 := 0
			for j := 1; j <= n; j++ {
				if used[j] {
					continue
				}
				cur := cost[i0-1][j-1] - u[i0] - v[j]
				if cur < minv[j] {
					minv[j] = cur
					way[j] = j0
				}
				if minv[j] < delta {
					delta = minv[j]
					j1 = j
				}
			}
			for j := 0; j <= n; j++ {
				if used[j] {
					u[owner[j]] += delta
					v[j] -= delta
				} else {
					minv[j] -= delta
				}
			}
			j0 = j1
			if owner[j0] == 0 {
				break
			}
		}
		// Flip the augmenting path.
		for j0 != 0 {
			j1 := way[j0]
			owner[j0] = owner[j1]
			j0 = j1
		}
	}
	assign := make([]int, n)
	for j := 1; j <= n; j++ {
		assign[owner[j]-1] = j - 1
	}
	return assign
}

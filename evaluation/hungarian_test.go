package evaluation

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// permutations calls visit with every permutation of 0..n-1.
func permutations(n int, visit func([]int)) {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	var rec func(k int)
	rec = func(k int) {
		if k == n {
			visit(p)
			return
		}
		for i := k; i < n; i++ {
			p[k], p[i] = p[i], p[k]
			rec(k + 1)
			p[k], p[i] = p[i], p[k]
		}
	}
	rec(0)
}

func TestMinCostAssignmentBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 300 {
		n := 1 + rng.IntN(7)
		cost := make([][]int64, n)
		for i := range cost {
			cost[i] = make([]int64, n)
			for j := range cost[i] {
				cost[i][j] = int64(rng.IntN(41) - 20) // negative costs and ties included
			}
		}
		assign := minCostAssignment(cost)
		require.Len(t, assign, n)
		seen := make([]bool, n)
		got := int64(0)
		for i, j := range assign {
			require.False(t, seen[j], "trial %d: column %d used twice", trial, j)
			seen[j] = true
			got += cost[i][j]
		}
		best := int64(1 << 62)
		permutations(n, func(p []int) {
			s := int64(0)
			for i, j := range p {
				s += cost[i][j]
			}
			best = min(best, s)
		})
		assert.Equal(t, best, got, "trial %d: cost %v", trial, cost)
	}
}

// bruteForceMatch is the largest total count of a one-to-one matching of rows to columns of a
// rectangular matrix, trying every injection of the smaller side into the larger.
func bruteForceMatch(counts [][]int) int {
	rows, cols := len(counts), len(counts[0])
	size := max(rows, cols)
	best := 0
	permutations(size, func(p []int) {
		s := 0
		for r := range rows {
			if p[r] < cols {
				s += counts[r][p[r]]
			}
		}
		best = max(best, s)
	})
	return best
}

func TestHungarianACCBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range 200 {
		// Rectangular on purpose: more clusters than classes and the other way round.
		rows, cols := 1+rng.IntN(6), 1+rng.IntN(6)
		counts := make([][]int, rows)
		for r := range counts {
			counts[r] = make([]int, cols)
			for c := range counts[r] {
				counts[r][c] = rng.IntN(10)
			}
		}
		// Every cluster and class needs a member to appear in the table.
		for r := range rows {
			counts[r][rng.IntN(cols)]++
		}
		for c := range cols {
			counts[rng.IntN(rows)][c]++
		}
		pred, truth := labelsFromCounts(counts)
		acc, err := HungarianACC(pred, truth)
		require.NoError(t, err)
		assert.InDelta(t, float64(bruteForceMatch(counts))/float64(len(pred)), acc, 1e-12,
			"trial %d: counts %v", trial, counts)

		ct, err := Contingency(pred, truth)
		require.NoError(t, err)
		match := ct.HungarianMatch()
		used := map[int]bool{}
		matched := 0
		for _, c := range match {
			if c >= 0 {
				assert.False(t, used[c], "class matched twice")
				used[c] = true
				matched++
			}
		}
		assert.Equal(t, min(rows, cols), matched, "every row or every column is matched")
	}
}

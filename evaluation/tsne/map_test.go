package tsne

import (
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMap(t *testing.T) {
	const k, per, dim = 3, 50, 5
	x, labels := blobs(k, per, dim, 12, 1)
	xy, sub, err := Map(x, dim, labels, 1000, 1)
	require.NoError(t, err)
	require.Equal(t, labels, sub, "no subsampling below maxPoints")
	require.Len(t, xy, 2*len(labels))

	// The blobs stay apart: every point's nearest neighbour in the map has its label, and the
	// blob centroids lie further apart than 3× the mean distance of a point to its centroid.
	for i := range sub {
		best, bestD := -1, math.Inf(1)
		for j := range sub {
			if d := math.Hypot(xy[2*i]-xy[2*j], xy[2*i+1]-xy[2*j+1]); j != i && d < bestD {
				best, bestD = j, d
			}
		}
		require.Equal(t, sub[i], sub[best], "nearest neighbour of point %d", i)
	}
	cent := make([][2]float64, k)
	for i, l := range sub {
		cent[l][0] += xy[2*i] / per
		cent[l][1] += xy[2*i+1] / per
	}
	var spread float64
	for i, l := range sub {
		spread += math.Hypot(xy[2*i]-cent[l][0], xy[2*i+1]-cent[l][1]) / float64(len(sub))
	}
	for a := range k {
		for b := a + 1; b < k; b++ {
			d := math.Hypot(cent[a][0]-cent[b][0], cent[a][1]-cent[b][1])
			assert.Greater(t, d, 3*spread, "blobs %d and %d", a, b)
		}
	}

	// Subsampled: 60 of 150 rows, 20 per label, the same rows for the same seed.
	xy2, sub2, err := Map(x, dim, labels, 60, 2)
	require.NoError(t, err)
	require.Len(t, xy2, 120)
	for c := range k {
		assert.Equal(t, 20, count(sub2, c), "label %d", c)
	}
	again, _, err := Map(x, dim, labels, 60, 2)
	require.NoError(t, err)
	assert.Equal(t, xy2, again, "deterministic for a seed")
}

func count(labels []int, l int) int {
	n := 0
	for _, v := range labels {
		if v == l {
			n++
		}
	}
	return n
}

func TestStratifiedSample(t *testing.T) {
	// 60/30/10 rows of labels 0/1/2, 10 kept: shares 6, 3, 1.
	var labels []int
	for i := range 100 {
		labels = append(labels, []int{0, 1, 2}[min(i/60+i/90, 2)])
	}
	require.Equal(t, []int{60, 30, 10}, []int{count(labels, 0), count(labels, 1), count(labels, 2)})
	picked := stratifiedSample(labels, 10, 1)
	require.Len(t, picked, 10)
	assert.True(t, slices.IsSorted(picked))
	got := make([]int, len(picked))
	for i, p := range picked {
		got[i] = labels[p]
	}
	assert.Equal(t, []int{6, 3, 1}, []int{count(got, 0), count(got, 1), count(got, 2)})
	assert.Equal(t, picked, stratifiedSample(labels, 10, 1))
	assert.NotEqual(t, picked, stratifiedSample(labels, 10, 2))

	// Counts 5/3/2 keep 2.5/1.5/1.0 of 5: floors 2, 1, 1 and the one left over goes to the
	// largest remainder, a tie of 0.5 broken towards the smaller label: 3, 1, 1.
	labels = []int{0, 0, 0, 0, 0, 1, 1, 1, 2, 2}
	picked = stratifiedSample(labels, 5, 3)
	got = got[:0]
	for _, p := range picked {
		got = append(got, labels[p])
	}
	assert.Equal(t, []int{3, 1, 1}, []int{count(got, 0), count(got, 1), count(got, 2)})
	// Everything fits: all rows, in order.
	assert.Equal(t, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, stratifiedSample(labels, 10, 3))
}

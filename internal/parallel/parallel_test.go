package parallel

import (
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

// Every index is visited exactly once, whatever the worker count and chunk size.
func TestRangesCoverOnce(t *testing.T) {
	for _, n := range []int{0, 1, 2, 7, 100} {
		for _, workers := range []int{0, 1, 2, 5} {
			for _, chunk := range []int{0, 1, 3, 200} {
				counts := make([]atomic.Int32, n)
				Ranges(n, workers, chunk, func(lo, hi int) {
					require.True(t, lo < hi && hi <= n)
					if workers > 1 && chunk > 0 {
						require.LessOrEqual(t, hi-lo, chunk)
					}
					for i := lo; i < hi; i++ {
						counts[i].Add(1)
					}
				})
				for i := range counts {
					require.EqualValues(t, 1, counts[i].Load(), "n=%d workers=%d chunk=%d i=%d", n, workers, chunk, i)
				}
			}
		}
	}
	var sum atomic.Int64
	For(10, 3, func(i int) { sum.Add(int64(i)) })
	require.EqualValues(t, 45, sum.Load())
}

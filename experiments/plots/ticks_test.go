package plots

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNiceAxis(t *testing.T) {
	// Expected values worked by hand: the step is the smallest 1/2/5·10^k ≥ span/maxIntervals
	// whose multiples enclosing the data span at most maxIntervals intervals.
	cases := []struct {
		name           string
		lo, hi         float64
		maxIntervals   int
		wantLo, wantHi float64
		wantStep       float64
		wantTicks      int
	}{
		{"accuracy", 0, 0.93, 5, 0, 1, 0.2, 6},               // 0.93/5 = 0.186 → 0.2
		{"steps", 0, 1000, 5, 0, 1000, 200, 6},               // 200 exactly
		{"offset steps", 1, 1001, 6, 0, 1200, 200, 7},        // 1000/6 = 167 → 200; 1001 needs a 6th interval
		{"misaligned", 1, 1001, 5, 0, 1500, 500, 4},          // 200 would need 6 intervals: next step 500
		{"negative", -2.3, 0.7, 7, -2.5, 1, 0.5, 8},          // 3/7 = 0.43 → 0.5: [-2.5, 1] is 7 intervals
		{"small", 0.0012, 0.0047, 5, 0.001, 0.005, 0.001, 5}, // 0.0007 → 0.001
		{"fine", 0.12, 0.135, 3, 0.12, 0.135, 0.005, 4},      // 0.015/3 = 0.005 despite float residues
		{"constant", 3, 3, 5, 2.6, 3.4, 0.2, 5},              // widened to [2.7, 3.3]: 0.6/5 = 0.12 → 0.2
		{"constant zero", 0, 0, 4, -1, 1, 0.5, 5},            // widened to [-1, 1]: 2/4 = 0.5
		{"constant negative", -50, -50, 5, -55, -45, 5, 3},   // [-55, -45]: step 2 needs [-56, -44], 6 intervals
		{"straddling", 0.95, 1.25, 2, 0.5, 1.5, 0.5, 3},      // 0.2 needs [0.8, 1.4], 3 intervals
		{"at least two", 0.95, 1.25, 1, 0.5, 1.5, 0.5, 3},    // one interval is raised to two
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := niceAxis(c.lo, c.hi, c.maxIntervals)
			require.NoError(t, err)
			assert.InDelta(t, c.wantStep, a.Step, 1e-12)
			assert.InDelta(t, c.wantLo, a.Lo, 1e-9)
			assert.InDelta(t, c.wantHi, a.Hi, 1e-9)
			require.Len(t, a.Ticks, c.wantTicks)
			for i, tick := range a.Ticks {
				assert.InDelta(t, c.wantLo+float64(i)*c.wantStep, tick, 1e-9, "tick %d", i)
			}
			// The axis must contain the data, constant or not.
			assert.LessOrEqual(t, a.Lo, c.lo)
			assert.GreaterOrEqual(t, a.Hi, c.hi)
		})
	}
}

func TestNiceAxisInvariants(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		scale := math.Pow(10, float64(rng.IntN(21)-10))
		lo := (rng.Float64()*2 - 1) * scale
		hi := lo + rng.Float64()*scale*float64(rng.IntN(3)) // a third of the ranges are constant
		maxIntervals := 2 + rng.IntN(9)
		a, err := niceAxis(lo, hi, maxIntervals)
		require.NoError(t, err)
		require.LessOrEqual(t, a.Lo, lo)
		require.GreaterOrEqual(t, a.Hi, hi)
		require.GreaterOrEqual(t, len(a.Ticks), 2)
		require.LessOrEqual(t, len(a.Ticks)-1, maxIntervals, "[%g, %g]", lo, hi)
		mant := a.Step / math.Pow(10, float64(exponent(a.Step)))
		require.True(t, slices.ContainsFunc([]float64{1, 2, 5}, func(m float64) bool { return math.Abs(m-mant) < 1e-9 }),
			"step %g of [%g, %g] is not 1, 2 or 5 times a power of ten", a.Step, lo, hi)
		labels := tickLabels(a)
		require.Len(t, labels, len(a.Ticks))
		for i := 1; i < len(labels); i++ {
			require.NotEqual(t, labels[i-1], labels[i], "neighbouring ticks of [%g, %g] share a label", lo, hi)
		}
	}
}

func TestNiceAxisErrors(t *testing.T) {
	for _, c := range []struct{ lo, hi float64 }{
		{math.NaN(), 1}, {0, math.Inf(1)}, {2, 1}, {-math.MaxFloat64, math.MaxFloat64},
	} {
		_, err := niceAxis(c.lo, c.hi, 5)
		assert.Error(t, err, "[%g, %g]", c.lo, c.hi)
	}
}

func TestNiceAxisUnresolvableRange(t *testing.T) {
	// 1e17 and its float64 successor are 16 apart; at that magnitude k and k+1 are the same
	// float64, so the tick loop must not count on them differing.
	lo := 1e17
	hi := math.Nextafter(lo, math.Inf(1))
	a, err := niceAxis(lo, hi, 5)
	require.NoError(t, err)
	assert.LessOrEqual(t, len(a.Ticks), maxTicks)
	assert.LessOrEqual(t, a.Lo, lo)
	assert.GreaterOrEqual(t, a.Hi, hi)
}

func TestTickLabels(t *testing.T) {
	cases := []struct {
		name         string
		lo, hi       float64
		maxIntervals int
		want         []string
	}{
		{"decimals", 0, 0.93, 5, []string{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}},
		{"integers", 0, 1000, 5, []string{"0", "200", "400", "600", "800", "1000"}},
		{"negative", -1, 1, 4, []string{"-1.0", "-0.5", "0.0", "0.5", "1.0"}},
		{"tiny", 0, 4.3e-5, 5, []string{"0", "1e-5", "2e-5", "3e-5", "4e-5", "5e-5"}},
		{"huge", 0, 2.5e6, 5, []string{"0", "5e5", "1e6", "1.5e6", "2e6", "2.5e6"}},
		{"fine steps", 0.12, 0.135, 3, []string{"0.120", "0.125", "0.130", "0.135"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := niceAxis(c.lo, c.hi, c.maxIntervals)
			require.NoError(t, err)
			assert.Equal(t, c.want, tickLabels(a))
		})
	}
}

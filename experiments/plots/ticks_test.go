package plots

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNiceAxis(t *testing.T) {
	// Expected values worked by hand from Heckbert's rule: step = 1/2/5·10^k rounded up from
	// span/target, ends at the multiples of step enclosing the data.
	cases := []struct {
		name           string
		lo, hi         float64
		target         int
		wantLo, wantHi float64
		wantStep       float64
		wantTicks      int
	}{
		{"accuracy", 0, 0.93, 5, 0, 1, 0.2, 6},        // 0.93/5 = 0.186 → 0.2
		{"steps", 0, 1000, 5, 0, 1000, 200, 6},        // 200 exactly
		{"offset steps", 1, 1001, 5, 0, 1200, 200, 7}, // 1000/5 = 200; 1001 needs one more step
		{"negative", -2.3, 0.7, 6, -2.5, 1, 0.5, 8},   // 3/6 = 0.5
		{"small", 0.0012, 0.0047, 5, 0.001, 0.005, 0.001, 5},
		{"constant", 3, 3, 5, 2.6, 3.4, 0.2, 5},            // widened to [2.7, 3.3]: 0.6/5 = 0.12 → 0.2
		{"constant zero", 0, 0, 4, -1, 1, 0.5, 5},          // widened to [-1, 1]: 2/4 = 0.5
		{"constant negative", -50, -50, 5, -56, -44, 2, 7}, // [-55, -45]: 10/5 = 2
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := niceAxis(c.lo, c.hi, c.target)
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

func TestNiceAxisErrors(t *testing.T) {
	for _, c := range []struct{ lo, hi float64 }{
		{math.NaN(), 1}, {0, math.Inf(1)}, {2, 1}, {-math.MaxFloat64, math.MaxFloat64},
	} {
		_, err := niceAxis(c.lo, c.hi, 5)
		assert.Error(t, err, "[%g, %g]", c.lo, c.hi)
	}
}

func TestNiceAxisUnresolvableRange(t *testing.T) {
	// 1e17 and its float64 successor are 16 apart, but a 1e16-wide neighbourhood would need
	// billions of ticks at step 2: the axis falls back to labelling the two ends.
	lo := 1e17
	hi := math.Nextafter(lo, math.Inf(1))
	a, err := niceAxis(lo, hi, 5)
	require.NoError(t, err)
	assert.LessOrEqual(t, len(a.Ticks), maxTicks+1)
	assert.LessOrEqual(t, a.Lo, lo)
	assert.GreaterOrEqual(t, a.Hi, hi)
}

func TestTickLabels(t *testing.T) {
	cases := []struct {
		name   string
		lo, hi float64
		target int
		want   []string
	}{
		{"decimals", 0, 0.93, 5, []string{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}},
		{"integers", 0, 1000, 5, []string{"0", "200", "400", "600", "800", "1000"}},
		{"negative", -1, 1, 4, []string{"-1.0", "-0.5", "0.0", "0.5", "1.0"}},
		{"tiny", 0, 4.3e-5, 5, []string{"0", "1e-5", "2e-5", "3e-5", "4e-5", "5e-5"}},
		{"huge", 0, 2.5e6, 5, []string{"0", "5.0e5", "1.0e6", "1.5e6", "2.0e6", "2.5e6"}},
		{"fine steps", 0.12, 0.135, 3, []string{"0.120", "0.125", "0.130", "0.135"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := niceAxis(c.lo, c.hi, c.target)
			require.NoError(t, err)
			assert.Equal(t, c.want, tickLabels(a))
		})
	}
}

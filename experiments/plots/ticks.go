package plots

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// maxTicks bounds the tick loop, so that a range too narrow to resolve in float64 cannot spin.
const maxTicks = 50

// axis is one axis of a chart: its drawn range [Lo, Hi] and the labelled tick values inside it.
type axis struct {
	Lo, Hi float64
	Step   float64
	Ticks  []float64
}

// niceAxis returns an axis covering [lo, hi] whose ends and ticks are multiples of a "nice" step
// (1, 2 or 5 times a power of ten) giving about target intervals: the loose labelling of
// P. S. Heckbert, "Nice numbers for graph labels", Graphics Gems (1990). A constant range (lo == hi)
// is widened by 10% of |lo| on each side (±1 around zero) so a flat curve sits mid-chart.
func niceAxis(lo, hi float64, target int) (axis, error) {
	if math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) || lo > hi {
		return axis{}, fmt.Errorf("invalid data range [%g, %g]", lo, hi)
	}
	target = max(target, 1)
	if lo == hi {
		half := math.Abs(lo) * 0.1
		if half == 0 {
			half = 1
		}
		lo, hi = lo-half, hi+half
	}
	span := hi - lo
	if math.IsInf(span, 0) {
		return axis{}, fmt.Errorf("data range [%g, %g] is too wide to plot", lo, hi)
	}
	step := niceStep(span / float64(target))
	first, last := math.Floor(lo/step), math.Ceil(hi/step)
	if last-first > maxTicks || first == last {
		// The range is below float64 resolution at this magnitude: label its ends only.
		return axis{Lo: lo, Hi: hi, Step: span, Ticks: []float64{lo, hi}}, nil
	}
	a := axis{Lo: first * step, Hi: last * step, Step: step}
	for k := first; k <= last; k++ {
		a.Ticks = append(a.Ticks, k*step)
	}
	return a, nil
}

// niceStep rounds raw up to the nearest 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	switch frac := raw / mag; {
	case frac <= 1:
		return mag
	case frac <= 2:
		return 2 * mag
	case frac <= 5:
		return 5 * mag
	default:
		return 10 * mag
	}
}

// tickLabels formats the ticks of a with one shared precision: fixed-point with just enough
// decimals to tell neighbouring ticks apart, or scientific notation ("2.5e-5") when the largest
// tick is ≥ 1e6 or < 1e-3 in magnitude.
func tickLabels(a axis) []string {
	maxAbs := 0.0
	for _, t := range a.Ticks {
		maxAbs = max(maxAbs, math.Abs(t))
	}
	labels := make([]string, len(a.Ticks))
	scientific := maxAbs >= 1e6 || maxAbs < 1e-3
	// Steps are d·10^k, so -k decimals resolve them exactly; the rounding absorbs the error of Log10.
	stepExp := int(math.Floor(math.Log10(a.Step) + 1e-9))
	for i, t := range a.Ticks {
		if math.Abs(t) < a.Step*1e-9 {
			t = 0 // avoid "-0.0" and 1e-17 residues
		}
		switch {
		case t == 0 && scientific:
			labels[i] = "0"
			continue
		case !scientific:
			labels[i] = strconv.FormatFloat(t, 'f', max(0, -stepExp), 64)
			continue
		}
		digits := max(0, int(math.Floor(math.Log10(maxAbs)+1e-9))-stepExp)
		labels[i] = compactExp(strconv.FormatFloat(t, 'e', digits, 64))
	}
	return labels
}

// compactExp shortens Go's "2.5e-05" / "1e+06" to "2.5e-5" / "1e6", which matters with a
// 6-pixel-wide font.
func compactExp(s string) string {
	mant, exp, ok := strings.Cut(s, "e")
	if !ok {
		return s
	}
	n, err := strconv.Atoi(exp)
	if err != nil {
		return s
	}
	return mant + "e" + strconv.Itoa(n)
}

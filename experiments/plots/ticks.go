package plots

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

const (
	// maxTicks bounds the number of ticks an axis may get.
	maxTicks = 50
	// rel is the relative tolerance for floating-point residues in tick arithmetic.
	rel = 1e-9
)

// axis is one axis of a chart: its drawn range [Lo, Hi] and the labelled tick values inside it.
type axis struct {
	Lo, Hi float64
	Step   float64
	Ticks  []float64
}

// niceAxis returns an axis covering [lo, hi] with at most maxIntervals intervals, whose ends and
// ticks are multiples of the smallest "nice" step (1, 2 or 5 times a power of ten) that allows it:
// the loose labelling of P. S. Heckbert, "Nice numbers for graph labels", Graphics Gems (1990),
// with the step tightened so the axis wastes little room. A constant range (lo == hi) is widened
// by 10% of |lo| on each side (±1 around zero) so a flat curve sits mid-chart.
func niceAxis(lo, hi float64, maxIntervals int) (axis, error) {
	if math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) || lo > hi {
		return axis{}, fmt.Errorf("invalid data range [%g, %g]", lo, hi)
	}
	// Two intervals always suffice once step ≥ span; one cannot hold a range straddling zero.
	maxIntervals = min(max(maxIntervals, 2), maxTicks-1)
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
	// Near the limit of float64 resolution the multiples of a step stop being distinct (at 2e16,
	// k+1 == k): then label the data's ends only.
	endsOnly := axis{Lo: lo, Hi: hi, Step: span, Ticks: []float64{lo, hi}}
	// span/maxIntervals is a lower bound on the step; a misaligned range may need the next one or
	// two. Each try at least doubles the step and step ≥ span always fits, so the bound is slack.
	for step, try := niceStep(span/float64(maxIntervals)), 0; try < 64; step, try = niceStep(step*1.01), try+1 {
		// The tolerance keeps residues (0.12/0.005 = 23.999999999999996) from adding a step.
		first, last := math.Floor(lo/step+rel), math.Ceil(hi/step-rel)
		if !(last-first >= 1) {
			return endsOnly, nil
		}
		if last-first > float64(maxIntervals) {
			continue
		}
		n := int(last - first)
		a := axis{Step: step, Ticks: make([]float64, n+1)}
		for i := range a.Ticks {
			a.Ticks[i] = (first + float64(i)) * step
			if i > 0 && a.Ticks[i] <= a.Ticks[i-1] {
				return endsOnly, nil
			}
		}
		// min/max absorb the same residues, so the axis always contains the data.
		a.Lo, a.Hi = min(a.Ticks[0], lo), max(a.Ticks[n], hi)
		return a, nil
	}
	return endsOnly, nil
}

// niceStep rounds raw up to the nearest 1, 2 or 5 times a power of ten, ignoring relative excesses
// below rel (0.015/3 is 0.005000000000000004 in float64 and should give 0.005).
func niceStep(raw float64) float64 {
	mag := math.Pow(10, math.Floor(math.Log10(raw)+rel))
	switch frac := raw / mag; {
	case frac <= 1+rel:
		return mag
	case frac <= 2+rel:
		return 2 * mag
	case frac <= 5+rel:
		return 5 * mag
	default:
		return 10 * mag
	}
}

// tickLabels formats the ticks of a with just enough precision to tell neighbours apart:
// fixed-point with one shared number of decimals, or scientific notation ("2.5e-5", trailing
// zeros dropped) when the largest tick is ≥ 1e6 or < 1e-3 in magnitude.
func tickLabels(a axis) []string {
	maxAbs := 0.0
	for _, t := range a.Ticks {
		maxAbs = max(maxAbs, math.Abs(t))
	}
	labels := make([]string, len(a.Ticks))
	scientific := maxAbs >= 1e6 || maxAbs < 1e-3
	// Steps are d·10^k, so -k decimals resolve them; rel absorbs the error of Log10.
	stepExp := exponent(a.Step)
	for i, t := range a.Ticks {
		switch {
		case math.Abs(t) < a.Step*rel:
			labels[i] = "0" // also avoids "-0.0" and 1e-17 residues
			if !scientific {
				labels[i] = strconv.FormatFloat(0, 'f', max(0, -stepExp), 64)
			}
		case scientific:
			labels[i] = compactExp(strconv.FormatFloat(t, 'e', max(0, exponent(t)-stepExp), 64))
		default:
			labels[i] = strconv.FormatFloat(t, 'f', max(0, -stepExp), 64)
		}
	}
	return labels
}

// exponent returns the decimal exponent of |v| (v ≠ 0): 2 for 350, -3 for 0.0012.
func exponent(v float64) int { return int(math.Floor(math.Log10(math.Abs(v)) + rel)) }

// compactExp shortens Go's "2.50e-05" / "1e+06" to "2.5e-5" / "1e6", which matters with a
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
	if strings.Contains(mant, ".") {
		mant = strings.TrimRight(strings.TrimRight(mant, "0"), ".")
	}
	return mant + "e" + strconv.Itoa(n)
}

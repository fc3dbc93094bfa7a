package params

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Range is the set of values a parameter allows.
type Range interface {
	// Check returns nil when v, a value of the parameter's type, is allowed, and otherwise an
	// error saying what is ("must be ≥ 1").
	Check(v any) error
	// String describes the allowed values: "≥ 1", "in [0, 1)", "one of: conv, mlp".
	String() string
}

// Bound is a Range of numbers (int or float64 parameters) with an optional lower and upper
// bound, each inclusive or not.
type Bound struct {
	lo, hi             float64
	hasLo, hasHi       bool
	loOpen, hiOpen     bool
	finite             bool
	loString, hiString string
}

// AtLeast allows v ≥ lo.
func AtLeast(lo float64) Bound { return Bound{lo: lo, hasLo: true} }

// Above allows v > lo.
func Above(lo float64) Bound { return Bound{lo: lo, hasLo: true, loOpen: true} }

// Interval allows lo ≤ v < hi, "in [lo, hi)".
func Interval(lo, hi float64) Bound {
	return Bound{lo: lo, hi: hi, hasLo: true, hasHi: true, hiOpen: true}
}

// Finite allows every finite number.
func Finite() Bound { return Bound{finite: true} }

// Finite also rejects ±Inf (NaN never passes a bound).
func (b Bound) Finite() Bound { b.finite = true; return b }

// String implements Range.
func (b Bound) String() string {
	var s string
	switch {
	case b.hasLo && b.hasHi:
		open, close := "[", "]"
		if b.loOpen {
			open = "("
		}
		if b.hiOpen {
			close = ")"
		}
		s = fmt.Sprintf("in %s%s, %s%s", open, number(b.lo), number(b.hi), close)
	case b.hasLo && b.loOpen:
		s = "> " + number(b.lo)
	case b.hasLo:
		s = "≥ " + number(b.lo)
	case b.hasHi && b.hiOpen:
		s = "< " + number(b.hi)
	case b.hasHi:
		s = "≤ " + number(b.hi)
	case b.finite:
		return "finite"
	default:
		return "any number"
	}
	if b.finite {
		s = "finite and " + s
	}
	return s
}

// Check implements Range.
func (b Bound) Check(v any) error {
	var x float64
	switch v := v.(type) {
	case int:
		x = float64(v)
	case float64:
		x = v
	default:
		return fmt.Errorf("must be a number, got %T", v)
	}
	ok := !math.IsNaN(x) && !(b.finite && math.IsInf(x, 0))
	if b.hasLo {
		ok = ok && (x > b.lo || (!b.loOpen && x == b.lo))
	}
	if b.hasHi {
		ok = ok && (x < b.hi || (!b.hiOpen && x == b.hi))
	}
	if !ok {
		return errors.New("must be " + b.String())
	}
	return nil
}

func number(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// Each applies r to every element of a list parameter.
func Each(r Range) Range { return each{r} }

type each struct{ r Range }

func (e each) String() string { return "each " + e.r.String() }

func (e each) Check(v any) error {
	var elems []any
	switch v := v.(type) {
	case []int:
		for _, x := range v {
			elems = append(elems, x)
		}
	case []float64:
		for _, x := range v {
			elems = append(elems, x)
		}
	case []string:
		for _, x := range v {
			elems = append(elems, x)
		}
	default:
		return fmt.Errorf("must be a list, got %T", v)
	}
	for _, x := range elems {
		if e.r.Check(x) != nil {
			return errors.New("every element must be " + e.r.String())
		}
	}
	return nil
}

// OneOf allows the given strings.
func OneOf(values ...string) Range { return oneOf{func() []string { return values }} }

// OneOfFunc allows the strings values returns when a value is checked: the names of a
// registry, which fill up as packages initialise.
func OneOfFunc(values func() []string) Range { return oneOf{values} }

type oneOf struct{ values func() []string }

func (o oneOf) String() string { return "one of: " + strings.Join(o.values(), ", ") }

func (o oneOf) Check(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("must be a string, got %T", v)
	}
	for _, w := range o.values() {
		if s == w {
			return nil
		}
	}
	return errors.New("must be " + o.String())
}

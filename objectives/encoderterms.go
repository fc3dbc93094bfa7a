package objectives

import (
	"fmt"
	"sort"

	"github.com/clustergan/clustergan/internal/params"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// EncoderTerm is a loss term on real data that any objective with an encoder may add by giving
// its weight parameter a value > 0 (ClusterGAN's departures from the paper: E then learns from
// real data as well as from G(z)). Each registers itself in its own file.
type EncoderTerm struct {
	// Name is how the term is logged.
	Name string
	// Param is the context parameter holding the term's weight (0 = off), declared with
	// package params as a float64 whose range excludes negative values.
	Param string
	// Symbol names the term in recipe names: "ClusterGAN + β_x".
	Symbol string
	// Rank orders the terms in a phase (lower first). It fixes the order in which the terms draw
	// random numbers, so a run repeats exactly.
	Rank int
	// NeedsGenerator: the term also runs G (only objectives with a generator can add it).
	NeedsGenerator bool
	// Loss builds the unweighted term.
	Loss func(b *Batch) *graph.Node
	// Check, if set, reports settings or nets the term cannot work with, naming the parameter.
	Check func(ctx *context.Context, nets *Nets) error
}

var encoderTerms []EncoderTerm

// RegisterEncoderTerm adds a real-data term; it panics on an empty or repeated name or param,
// or a weight parameter that is not declared (params.Declare) as a float64 with a range that
// excludes negative values.
func RegisterEncoderTerm(t EncoderTerm) {
	if t.Name == "" || t.Param == "" || t.Loss == nil {
		panic("objectives: RegisterEncoderTerm needs a name, a weight parameter and a loss")
	}
	for _, u := range encoderTerms {
		if u.Name == t.Name || u.Param == t.Param {
			panic(fmt.Sprintf("objectives: encoder term %q (parameter %q) registered twice", t.Name, t.Param))
		}
	}
	if p, ok := params.Lookup(t.Param); !ok || p.Type() != "float64" || p.Check("", -1.0) == nil {
		panic(fmt.Sprintf("objectives: encoder term %q: its weight parameter %q must be declared (params.Declare) as a float64 whose range excludes negative values",
			t.Name, t.Param))
	}
	encoderTerms = append(encoderTerms, t)
	sort.SliceStable(encoderTerms, func(i, j int) bool { return encoderTerms[i].Rank < encoderTerms[j].Rank })
}

// EncoderTerms returns the registered real-data terms, in Rank order.
func EncoderTerms() []EncoderTerm { return append([]EncoderTerm(nil), encoderTerms...) }

// encoderTermParams are the weight parameters of the registered encoder terms (only those that
// need no generator when hasGenerator is false).
func encoderTermParams(hasGenerator bool) []string {
	var params []string
	for _, t := range encoderTerms {
		if hasGenerator || !t.NeedsGenerator {
			params = append(params, t.Param)
		}
	}
	return params
}

// activeEncoderTerms returns the encoder terms whose weight in ctx is > 0, leaving out those
// that need a generator when the objective has none (its Params leave out their weights, so a
// run says when it ignores one).
func activeEncoderTerms(ctx *context.Context, nets *Nets, hasGenerator bool) ([]Term, error) {
	var terms []Term
	for _, t := range encoderTerms {
		if t.NeedsGenerator && !hasGenerator {
			continue
		}
		w, err := termWeight(ctx, t)
		if err != nil {
			return nil, err
		}
		if w == 0 {
			continue
		}
		if t.Check != nil {
			if err := t.Check(ctx, nets); err != nil {
				return nil, err
			}
		}
		terms = append(terms, Term{Name: t.Name, Weight: w, Loss: t.Loss})
	}
	return terms, nil
}

// termWeight reads the weight of t from ctx, checked against its declared range (terms are
// declared by other packages, so the weight is read through every declared parameter).
func termWeight(ctx *context.Context, t EncoderTerm) (float64, error) {
	r := params.Declared().Reader(ctx)
	w := r.Float(t.Param)
	return w, r.Err()
}

// recipeSuffix is " + β_x + β_mi" for the encoder terms ctx switches on.
func recipeSuffix(ctx *context.Context) string {
	s := ""
	for _, t := range encoderTerms {
		if w, _ := termWeight(ctx, t); w > 0 {
			s += " + " + t.Symbol
		}
	}
	return s
}

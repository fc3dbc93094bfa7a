// Package dotgrad replaces GoMLX's gradients (VJPs) of Dot and DotGeneral with ones built from
// DotGeneral contractions. Import it for its side effect:
//
//	import _ "github.com/clustergan/clustergan/internal/dotgrad"
//
// GoMLX v0.26.0's stock VJPs materialise a broadcast outer product (InsertAxes → Mul →
// ReduceSum): for C = A·B with A [m,k] and B [k,n] they build an [m,k,n] tensor to get dA. On the
// pure-Go backend that dominates training time. The replacements compute, for C = A·B,
// dA = dC·Bᵀ and dB = Aᵀ·dC, generalised to batch and several contracting axes, with one
// final Transpose back to the operand's axis order. They give the same gradients (up to float
// summation order) and, being built from differentiable ops, support higher-order gradients
// (needed by the WGAN-GP gradient penalty).
//
// The registration is process-wide (graph.VJPRegistration is a global map) and happens in init,
// before any graph of the importing program is built.
package dotgrad

import (
	"fmt"
	"reflect"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// Stock VJPs, kept so tests and benchmarks can compare against (and swap back to) them.
var (
	stockDotVJP        graph.VJP
	stockDotGeneralVJP graph.VJP
)

func init() {
	stockDotVJP = graph.VJPRegistration[graph.NodeTypeDot]
	stockDotGeneralVJP = graph.VJPRegistration[graph.NodeTypeDotGeneral]
	graph.VJPRegistration[graph.NodeTypeDot] = dotEntry
	graph.VJPRegistration[graph.NodeTypeDotGeneral] = dotGeneralEntry
}

// Enabled reports whether the DotGeneral-based VJPs are the ones currently registered in
// graph.VJPRegistration. Packages that import dotgrad for its side effect can assert it in tests.
func Enabled() bool {
	// Func values are not comparable; top-level functions have distinct code pointers.
	same := func(a, b graph.VJP) bool { return reflect.ValueOf(a).Pointer() == reflect.ValueOf(b).Pointer() }
	return same(graph.VJPRegistration[graph.NodeTypeDot], dotEntry) &&
		same(graph.VJPRegistration[graph.NodeTypeDotGeneral], dotGeneralEntry)
}

// dotEntry and dotGeneralEntry adapt the single-output VJPs to graph.VJP.
func dotEntry(node *graph.Node, vjpOutputs []*graph.Node, _ shapes.Shape) []*graph.Node {
	return dotVJP(node, vjpOutputs[0])
}

func dotGeneralEntry(node *graph.Node, vjpOutputs []*graph.Node, _ shapes.Shape) []*graph.Node {
	return dotGeneralVJP(node, vjpOutputs[0])
}

// dotVJP is the VJP of graph.Dot (vector·vector, matrix·vector, matrix·matrix).
func dotVJP(node, v *graph.Node) []*graph.Node {
	lhs, rhs := node.Inputs()[0], node.Inputs()[1]
	switch {
	case lhs.Rank() == 1 && rhs.Rank() == 1: // c = Σ_j a_j b_j; v is a scalar.
		return []*graph.Node{graph.Mul(v, rhs), graph.Mul(v, lhs)}
	case lhs.Rank() == 2 && rhs.Rank() == 1: // c_i = Σ_j A_ij b_j
		return []*graph.Node{
			graph.DotGeneral(v, nil, nil, rhs, nil, nil),           // dA_ij = v_i b_j
			graph.DotGeneral(v, []int{0}, nil, lhs, []int{0}, nil), // db_j = Σ_i v_i A_ij
		}
	case lhs.Rank() == 2 && rhs.Rank() == 2: // C_ik = Σ_j A_ij B_jk
		return []*graph.Node{
			graph.DotGeneral(v, []int{1}, nil, rhs, []int{1}, nil), // dA = V·Bᵀ
			graph.DotGeneral(lhs, []int{0}, nil, v, []int{0}, nil), // dB = Aᵀ·V
		}
	}
	panic(fmt.Sprintf("dotgrad: Dot with operand shapes %s and %s has no gradient", lhs.Shape(), rhs.Shape()))
}

// dotGeneralAxes are the parameters of a DotGeneral node.
type dotGeneralAxes struct {
	lhsContracting, lhsBatch, rhsContracting, rhsBatch []int
}

// dotGeneralVJP is the VJP of graph.DotGeneral. The output of DotGeneral has axes
// [batch..., lhsCross..., rhsCross...] (cross = neither batch nor contracting, in axis order).
func dotGeneralVJP(node, v *graph.Node) []*graph.Node {
	lhs, rhs := node.Inputs()[0], node.Inputs()[1]
	p := readDotGeneralAxes(node)
	lhsCross := crossAxes(lhs.Rank(), p.lhsContracting, p.lhsBatch)
	rhsCross := crossAxes(rhs.Rank(), p.rhsContracting, p.rhsBatch)
	numBatch := len(p.lhsBatch)
	vBatch := axisRange(0, numBatch)
	vLHSCross := axisRange(numBatch, len(lhsCross))
	vRHSCross := axisRange(numBatch+len(lhsCross), len(rhsCross))
	return []*graph.Node{
		operandVJP(v, vBatch, vRHSCross, rhs, p.rhsBatch, rhsCross, p.rhsContracting, lhs.Rank(), p.lhsBatch, lhsCross, p.lhsContracting),
		operandVJP(v, vBatch, vLHSCross, lhs, p.lhsBatch, lhsCross, p.lhsContracting, rhs.Rank(), p.rhsBatch, rhsCross, p.rhsContracting),
	}
}

// operandVJP returns the gradient with respect to "this" operand of a DotGeneral: contract v's
// axes that came from the other operand's cross axes (vOtherCross) with those axes of the other
// operand, keeping the batch axes aligned. The product has axes
// [batch..., thisCross..., otherContracting (in the other operand's axis order)...], and is then
// transposed to this operand's axis order; the other operand's contracting axis
// otherContracting[i] pairs with thisContracting[i].
func operandVJP(v *graph.Node, vBatch, vOtherCross []int,
	other *graph.Node, otherBatch, otherCross, otherContracting []int,
	thisRank int, thisBatch, thisCross, thisContracting []int) *graph.Node {
	grad := graph.DotGeneral(v, vOtherCross, vBatch, other, otherCross, otherBatch)

	// source[axis of this operand] = axis of grad holding it.
	source := make([]int, thisRank)
	for i, axis := range thisBatch {
		source[axis] = i
	}
	for i, axis := range thisCross {
		source[axis] = len(thisBatch) + i
	}
	// The other operand's remaining (contracting) axes appear in increasing axis order.
	pos := len(thisBatch) + len(thisCross)
	for otherAxis := 0; otherAxis < other.Rank(); otherAxis++ {
		for i, c := range otherContracting {
			if c == otherAxis {
				source[thisContracting[i]] = pos
				pos++
			}
		}
	}
	for i, s := range source {
		if s != i {
			return graph.TransposeAllAxes(grad, source...)
		}
	}
	return grad
}

func crossAxes(rank int, contracting, batch []int) []int {
	used := make([]bool, rank)
	for _, axis := range contracting {
		used[axis] = true
	}
	for _, axis := range batch {
		used[axis] = true
	}
	var cross []int
	for axis, u := range used {
		if !u {
			cross = append(cross, axis)
		}
	}
	return cross
}

func axisRange(start, n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = start + i
	}
	return s
}

// readDotGeneralAxes reads the contracting and batch axes of a DotGeneral node. GoMLX v0.26.0
// keeps them in unexported fields of the node's inputs (*graph.nodeInputsDotGeneral) with no
// accessor, so they are read (never written) with reflection; a GoMLX upgrade that renames them
// fails here with a message rather than computing wrong gradients.
func readDotGeneralAxes(node *graph.Node) dotGeneralAxes {
	fail := func(what string) {
		panic(fmt.Sprintf("dotgrad: cannot read the axes of DotGeneral node %s (%s): the GoMLX internals "+
			"changed; update internal/dotgrad or remove its import", node, what))
	}
	nv := reflect.ValueOf(node).Elem()
	inputs := nv.FieldByName("inputs")
	if !inputs.IsValid() || inputs.Kind() != reflect.Interface || inputs.IsNil() {
		fail("no inputs field")
	}
	params := inputs.Elem()
	if params.Kind() != reflect.Pointer || params.Elem().Kind() != reflect.Struct {
		fail("inputs is not a pointer to a struct")
	}
	params = params.Elem()
	field := func(name string) []int {
		f := params.FieldByName(name)
		if !f.IsValid() || f.Kind() != reflect.Slice || f.Type().Elem().Kind() != reflect.Int {
			fail("no []int field " + name)
		}
		axes := make([]int, f.Len())
		for i := range axes {
			axes[i] = int(f.Index(i).Int())
		}
		return axes
	}
	p := dotGeneralAxes{
		lhsContracting: field("lhsContractingAxes"),
		lhsBatch:       field("lhsBatchAxes"),
		rhsContracting: field("rhsContractingAxes"),
		rhsBatch:       field("rhsBatchAxes"),
	}
	lhs, rhs := node.Inputs()[0], node.Inputs()[1]
	if len(p.lhsContracting) != len(p.rhsContracting) || len(p.lhsBatch) != len(p.rhsBatch) ||
		len(p.lhsBatch)+len(crossAxes(lhs.Rank(), p.lhsContracting, p.lhsBatch))+
			len(crossAxes(rhs.Rank(), p.rhsContracting, p.rhsBatch)) != node.Rank() {
		fail(fmt.Sprintf("inconsistent axes %+v", p))
	}
	return p
}

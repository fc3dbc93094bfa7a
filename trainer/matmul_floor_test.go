package trainer

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/clustergan/clustergan/backend"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/stretchr/testify/require"
)

// matmul is one matrix product of an iteration's graph: operand shapes and DotGeneral's axes.
type matmul struct {
	LHS             []int `json:"lhs"`
	RHS             []int `json:"rhs"`
	LHSContracting  []int `json:"lhs_contracting"`
	LHSBatch        []int `json:"lhs_batch"`
	RHSContracting  []int `json:"rhs_contracting"`
	RHSBatch        []int `json:"rhs_batch"`
	OutputElements  int   `json:"output_elements"`
	ContractingSize int   `json:"contracting_size"`
}

// flops is 2·|output|·|contracted|: one multiply and one add per term.
func (m matmul) flops() float64 { return 2 * float64(m.OutputElements) * float64(m.ContractingSize) }

var dotGeneralAxes = regexp.MustCompile(`lhsContractingAxes=\[([0-9 ]*)\], lhsBatchAxes=\[([0-9 ]*)\], rhs=\[#\d+\], rhsContractingAxes=\[([0-9 ]*)\], rhsBatchAxes=\[([0-9 ]*)\]`)

func parseAxes(s string) []int {
	axes := []int{}
	for _, f := range strings.Fields(s) {
		a, err := strconv.Atoi(f)
		if err != nil {
			panic(fmt.Sprintf("parseAxes(%q): %v", s, err))
		}
		axes = append(axes, a)
	}
	return axes
}

// matmulsOf lists the matrix products (Dot and DotGeneral nodes) that the roots depend on, in
// the order first reached. Products nothing uses (e.g. the gradient of a frozen operand, built by
// a VJP that returns both) are left out: the pure-Go backend does not run them either.
func matmulsOf(roots []*graph.Node) ([]matmul, error) {
	var out []matmul
	seen := map[*graph.Node]bool{}
	var visit func(n *graph.Node) error
	visit = func(n *graph.Node) error {
		if seen[n] {
			return nil
		}
		seen[n] = true
		for _, in := range n.Inputs() {
			if err := visit(in); err != nil {
				return err
			}
		}
		m, ok, err := matmulOf(n)
		if ok {
			out = append(out, m)
		}
		return err
	}
	for _, r := range roots {
		if err := visit(r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// matmulOf describes n if it is a Dot or DotGeneral.
func matmulOf(n *graph.Node) (m matmul, ok bool, err error) {
	switch n.Type() {
	case graph.NodeTypeDot:
		if n.Inputs()[0].Rank() != 2 || n.Inputs()[1].Rank() != 2 {
			return m, false, fmt.Errorf("Dot of ranks %d, %d not handled: %s", n.Inputs()[0].Rank(), n.Inputs()[1].Rank(), n)
		}
		m = matmul{LHSContracting: []int{1}, LHSBatch: []int{}, RHSContracting: []int{0}, RHSBatch: []int{}}
	case graph.NodeTypeDotGeneral:
		parts := dotGeneralAxes.FindStringSubmatch(n.String())
		if parts == nil {
			return m, false, fmt.Errorf("cannot read the axes of %s", n)
		}
		m = matmul{LHSContracting: parseAxes(parts[1]), LHSBatch: parseAxes(parts[2]),
			RHSContracting: parseAxes(parts[3]), RHSBatch: parseAxes(parts[4])}
	default:
		return m, false, nil
	}
	m.LHS, m.RHS = n.Inputs()[0].Shape().Dimensions, n.Inputs()[1].Shape().Dimensions
	m.OutputElements = n.Shape().Size()
	m.ContractingSize = 1
	for _, a := range m.LHSContracting {
		m.ContractingSize *= m.LHS[a]
	}
	return m, true, nil
}

// BenchmarkIterationMatmuls times only the matrix products of one training iteration: every Dot
// and DotGeneral of the iteration's graph (forward and backward), rebuilt with the same shapes and
// axes in a graph of their own, on random operands, with nothing else. On a backend whose
// products cost what they cost here, no change outside the matrix kernel can make the iteration
// faster than this. It reports the products' GFLOP/s; with CLUSTERGAN_MATMULS_JSON=dir (an absolute
// path: go test runs in the package's folder) it also writes dir/<case>.json, the list that benchmarks/pytorch/matmuls.py times in PyTorch
// (`make bench-matmuls` runs both):
//
//	go test -run '^$' -bench IterationMatmuls -benchtime 20x ./trainer/
func BenchmarkIterationMatmuls(b *testing.B) {
	x := tinyData(1000, 784)
	for _, c := range iterationCases {
		if strings.HasPrefix(c.name, "conv-paper") {
			continue // its products alone take seconds; the MLP cases are the ones compared
		}
		b.Run(c.name, func(b *testing.B) {
			be := backend.ForTests()
			tr := newBenchTrainer(b, be, c.params, x)
			if _, err := tr.Phases(); err != nil {
				b.Fatal(err)
			}
			// Build the iteration's graph, noting the products that its results (the losses and
			// the variables it updates) depend on.
			var mms []matmul
			var listErr error
			listExec := context.MustNewExec(be, tr.Model.Ctx, func(ctx *context.Context, trainX *graph.Node) []*graph.Node {
				outs := tr.buildIteration(ctx, trainX)
				roots := append([]*graph.Node{}, outs...)
				for v := range ctx.IterVariables() {
					if v.ChangedInGraph(trainX.Graph()) {
						roots = append(roots, v.ValueGraph(trainX.Graph()))
					}
				}
				mms, listErr = matmulsOf(roots)
				return outs
			})
			dim := tr.Model.DataDim()
			trainData := tensors.FromFlatDataAndDimensions(x, len(x)/dim, dim)
			for _, t := range listExec.MustExec(trainData) {
				t.MustFinalizeAll()
			}
			if listErr != nil {
				b.Fatal(listErr)
			}
			if dir := os.Getenv("CLUSTERGAN_MATMULS_JSON"); dir != "" {
				data, err := json.MarshalIndent(mms, "", " ")
				if err == nil {
					err = os.WriteFile(fmt.Sprintf("%s/%s.json", dir, c.name), data, 0o644)
				}
				if err != nil {
					b.Fatalf("CLUSTERGAN_MATMULS_JSON=%q: %v", dir, err)
				}
			}
			var flops float64
			for _, m := range mms {
				flops += m.flops()
			}
			exec, inputs := matmulsExec(be, mms)
			for _, t := range exec.MustExec(inputs...) { // compiles
				t.MustFinalizeAll()
			}
			b.ResetTimer()
			for range b.N {
				for _, t := range exec.MustExec(inputs...) {
					t.MustFinalizeAll()
				}
			}
			b.ReportMetric(float64(len(mms)), "products")
			b.ReportMetric(flops/1e9, "GFLOP/iter")
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// matmulsExec returns an executable computing the products mms from its inputs, and random
// inputs for it.
func matmulsExec(be backends.Backend, mms []matmul) (*graph.Exec, []any) {
	rng := rand.New(rand.NewPCG(1, 1))
	random := func(dims []int) *tensors.Tensor {
		size := 1
		for _, d := range dims {
			size *= d
		}
		data := make([]float32, size)
		for i := range data {
			data[i] = float32(rng.NormFloat64())
		}
		return tensors.FromFlatDataAndDimensions(data, dims...)
	}
	var inputs []any
	for _, m := range mms {
		inputs = append(inputs, random(m.LHS), random(m.RHS))
	}
	exec := graph.MustNewExec(be, func(operands []*graph.Node) []*graph.Node {
		outs := make([]*graph.Node, len(mms))
		for i, m := range mms {
			outs[i] = graph.DotGeneral(operands[2*i], m.LHSContracting, m.LHSBatch, operands[2*i+1], m.RHSContracting, m.RHSBatch)
		}
		return outs
	})
	return exec, inputs
}

// matmulsOf finds the products the roots depend on, with operand shapes, axes and FLOPs, and
// leaves out a product nothing uses.
func TestMatmulsOf(t *testing.T) {
	var found []matmul
	exec := graph.MustNewExec(backend.ForTests(), func(x, w, v *graph.Node) *graph.Node {
		y := graph.DotGeneral(x, []int{2}, []int{0}, w, []int{2}, []int{0}) // [2,3,4]·[2,5,4] → [2,3,5]
		z := graph.Dot(graph.Reshape(y, 6, 5), v)                           // [6,5]·[5,7]
		graph.Dot(v, graph.Transpose(v, 0, 1))                              // unused
		out := graph.ReduceAllSum(z)
		var err error
		found, err = matmulsOf([]*graph.Node{out})
		if err != nil {
			panic(err)
		}
		return out
	})
	zeros := func(dims ...int) *tensors.Tensor { return tensors.FromShape(shapes.Make(dtypes.Float32, dims...)) }
	exec.MustExec(zeros(2, 3, 4), zeros(2, 5, 4), zeros(5, 7))
	require.Len(t, found, 2)
	require.Equal(t, matmul{LHS: []int{2, 3, 4}, RHS: []int{2, 5, 4}, LHSContracting: []int{2}, LHSBatch: []int{0},
		RHSContracting: []int{2}, RHSBatch: []int{0}, OutputElements: 30, ContractingSize: 4}, found[0])
	require.Equal(t, 2.0*30*4, found[0].flops())
	require.Equal(t, []int{6, 5}, found[1].LHS)
	require.Equal(t, []int{5, 7}, found[1].RHS)
	require.Equal(t, 5, found[1].ContractingSize)
	require.Equal(t, 2.0*42*5, found[1].flops())
}

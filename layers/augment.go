package layers

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// RandomShift translates each image of x [batch, H, W, C] (or [batch, H, W]) by its own random
// offset (dy, dx), each uniform in [−maxShift, maxShift], drawn from ctx's RNG; pixels shifted in
// from outside the image are 0. maxShift = 0 returns x. It is built from Gather and a mask (the
// pure-Go backend has no Pad), and gradients are not needed through it: it augments data.
func RandomShift(ctx *context.Context, x *Node, maxShift int) *Node {
	if maxShift == 0 {
		return x
	}
	dims := x.Shape().Dimensions
	if maxShift < 0 || x.Rank() < 3 || x.Rank() > 4 {
		panic(fmt.Sprintf("layers.RandomShift: needs images [batch, H, W(, C)] and maxShift ≥ 0, got shape %s and maxShift %d",
			x.Shape(), maxShift))
	}
	g := x.Graph()
	batch, h, w := dims[0], dims[1], dims[2]
	ch := 1
	if x.Rank() == 4 {
		ch = dims[3]
	}
	span := int32(2*maxShift + 1)
	offsets := AddScalar(ctx.RandomIntN(g, span, shapes.Make(dtypes.Int32, batch, 2)), -maxShift)
	dy := Reshape(Slice(offsets, AxisRange(), AxisElem(0)), batch, 1, 1)
	dx := Reshape(Slice(offsets, AxisRange(), AxisElem(1)), batch, 1, 1)
	// Output pixel (r, c) of image b reads input pixel (r − dy_b, c − dx_b) when that is inside.
	rows := BroadcastToDims(Sub(Iota(g, shapes.Make(dtypes.Int32, 1, h, 1), 1), dy), batch, h, w)
	cols := BroadcastToDims(Sub(Iota(g, shapes.Make(dtypes.Int32, 1, 1, w), 2), dx), batch, h, w)
	within := func(v *Node, n int) *Node {
		return LogicalAnd(GreaterOrEqual(v, ScalarZero(g, dtypes.Int32)), LessThan(v, Scalar(g, dtypes.Int32, n)))
	}
	inside := LogicalAnd(within(rows, h), within(cols, w))
	src := Add(MulScalar(ClipScalar(rows, 0, float64(h-1)), float64(w)), ClipScalar(cols, 0, float64(w-1)))
	b := BroadcastToDims(Iota(g, shapes.Make(dtypes.Int32, batch, 1, 1), 0), batch, h, w)
	idx := Stack([]*Node{b, src}, -1) // [batch, h, w, 2]
	flat := Reshape(x, batch, h*w, ch)
	shifted := Gather(flat, idx) // [batch, h, w, ch]
	shifted = Where(BroadcastToDims(InsertAxes(inside, -1), batch, h, w, ch), shifted, ZerosLike(shifted))
	return Reshape(shifted, dims...)
}

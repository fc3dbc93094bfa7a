package layers

import (
	"fmt"
	"math"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Affine bounds a random affine warp of images: each image gets its own translation (dy, dx),
// each uniform in {−MaxShift..MaxShift} pixels, rotation uniform in ±MaxRotation degrees and
// scale uniform in 1 ± MaxScale, about the image centre.
type Affine struct {
	MaxShift    int
	MaxRotation float64 // degrees
	MaxScale    float64 // fraction
}

// RandomAffine warps each image of x [batch, H, W, C] (or [batch, H, W]) by its own random
// affine map within a, drawn from ctx's RNG, with nearest-pixel sampling; pixels mapped from
// outside the image are 0. A zero Affine returns x. It is built from Gather and a mask (the
// pure-Go backend has no Pad), and gradients are not needed through it: it augments data.
func RandomAffine(ctx *context.Context, x *Node, a Affine) *Node {
	if a == (Affine{}) {
		return x
	}
	dims := x.Shape().Dimensions
	if a.MaxShift < 0 || !(a.MaxRotation >= 0) || !(a.MaxScale >= 0 && a.MaxScale < 1) || x.Rank() < 3 || x.Rank() > 4 {
		panic(fmt.Sprintf("layers.RandomAffine: needs images [batch, H, W(, C)], shift ≥ 0, rotation ≥ 0 and scale in [0, 1), got shape %s and %+v",
			x.Shape(), a))
	}
	g := x.Graph()
	batch, h, w := dims[0], dims[1], dims[2]
	ch := 1
	if x.Rank() == 4 {
		ch = dims[3]
	}
	perImage := func(n *Node) *Node { return Reshape(n, batch, 1, 1) }
	// shifts draws each image's translation (dy, dx), [batch, 1, 1] Int32 each.
	shifts := func() (dy, dx *Node) {
		offsets := AddScalar(ctx.RandomIntN(g, int32(2*a.MaxShift+1), shapes.Make(dtypes.Int32, batch, 2)), -a.MaxShift)
		return perImage(Slice(offsets, AxisRange(), AxisElem(0))), perImage(Slice(offsets, AxisRange(), AxisElem(1)))
	}
	var rows, cols *Node // source pixel of each output pixel, [batch, h, w] Int32
	if a.MaxRotation == 0 && a.MaxScale == 0 {
		// Integer translations only: exact, no rounding.
		dy, dx := shifts()
		rows = BroadcastToDims(Sub(Iota(g, shapes.Make(dtypes.Int32, 1, h, 1), 1), dy), batch, h, w)
		cols = BroadcastToDims(Sub(Iota(g, shapes.Make(dtypes.Int32, 1, 1, w), 2), dx), batch, h, w)
	} else {
		// Output pixel (r, c), centred at (cy, cx), reads the input at
		// (1/s)·R(θ)·(r − cy, c − cx) + (cy, cx) − (dy, dx), rounded to the nearest pixel.
		uniform := func(halfWidth float64) *Node { // U(−halfWidth, halfWidth) per image
			return perImage(MulScalar(AddScalar(ctx.RandomUniform(g, shapes.Make(dtypes.Float32, batch)), -0.5), 2*halfWidth))
		}
		theta := uniform(a.MaxRotation * math.Pi / 180)
		invScale := Inverse(AddScalar(uniform(a.MaxScale), 1))
		dy, dx := shifts()
		dy, dx = ConvertDType(dy, dtypes.Float32), ConvertDType(dx, dtypes.Float32)
		cy, cx := float64(h-1)/2, float64(w-1)/2
		v := AddScalar(Iota(g, shapes.Make(dtypes.Float32, 1, h, 1), 1), -cy)
		u := AddScalar(Iota(g, shapes.Make(dtypes.Float32, 1, 1, w), 2), -cx)
		cos, sin := Mul(Cos(theta), invScale), Mul(Sin(theta), invScale)
		srcV := Sub(Add(Mul(cos, v), Mul(sin, u)), dy)
		srcU := Sub(Sub(Mul(cos, u), Mul(sin, v)), dx)
		rows = ConvertDType(Round(AddScalar(BroadcastToDims(srcV, batch, h, w), cy)), dtypes.Int32)
		cols = ConvertDType(Round(AddScalar(BroadcastToDims(srcU, batch, h, w), cx)), dtypes.Int32)
	}
	within := func(v *Node, n int) *Node {
		return LogicalAnd(GreaterOrEqual(v, ScalarZero(g, dtypes.Int32)), LessThan(v, Scalar(g, dtypes.Int32, n)))
	}
	inside := LogicalAnd(within(rows, h), within(cols, w))
	src := Add(MulScalar(ClipScalar(rows, 0, float64(h-1)), float64(w)), ClipScalar(cols, 0, float64(w-1)))
	b := BroadcastToDims(Iota(g, shapes.Make(dtypes.Int32, batch, 1, 1), 0), batch, h, w)
	idx := Stack([]*Node{b, src}, -1) // [batch, h, w, 2]
	flat := Reshape(x, batch, h*w, ch)
	warped := Gather(flat, idx) // [batch, h, w, ch]
	warped = Where(BroadcastToDims(InsertAxes(inside, -1), batch, h, w, ch), warped, ZerosLike(warped))
	return Reshape(warped, dims...)
}

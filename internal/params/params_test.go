package params

import (
	"math"
	"testing"

	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/stretchr/testify/require"
)

func TestRanges(t *testing.T) {
	for _, tc := range []struct {
		r    Range
		desc string
		ok   []any
		bad  []any
		why  string
	}{
		{AtLeast(1), "≥ 1", []any{1, 7, 1.0, 2.5}, []any{0, -3, 0.5, math.NaN()}, "must be ≥ 1"},
		{AtLeast(0), "≥ 0", []any{0, 0.0, math.Inf(1)}, []any{-1, -1e-9}, "must be ≥ 0"},
		{Above(0), "> 0", []any{1e-300, 3}, []any{0, 0.0, -2.0, math.NaN()}, "must be > 0"},
		{Interval(0, 1), "in [0, 1)", []any{0.0, 0.5, 0.999}, []any{1.0, -0.1, 1.5}, "must be in [0, 1)"},
		{Above(0).Finite(), "finite and > 0", []any{0.01}, []any{math.Inf(1), 0.0}, "must be finite and > 0"},
		{AtLeast(0).Finite(), "finite and ≥ 0", []any{0.0}, []any{math.Inf(1), math.Inf(-1)}, "must be finite and ≥ 0"},
		{AtLeast(1e-8), "≥ 1e-08", []any{1e-8}, []any{0.0}, "must be ≥ 1e-08"},
		{Finite(), "finite", []any{-1e300, 0, 7.5}, []any{math.Inf(-1), math.NaN()}, "must be finite"},
		{Each(AtLeast(1)), "each ≥ 1", []any{[]int{}, []int{256, 256}}, []any{[]int{256, 0}, []int{-1}}, "every element must be ≥ 1"},
		{OneOf("mlp", "conv"), "one of: mlp, conv", []any{"mlp", "conv"}, []any{"mpl", ""}, "must be one of: mlp, conv"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			require.Equal(t, tc.desc, tc.r.String())
			for _, v := range tc.ok {
				require.NoError(t, tc.r.Check(v), "%v", v)
			}
			for _, v := range tc.bad {
				require.EqualError(t, tc.r.Check(v), tc.why, "%v", v)
			}
		})
	}
	t.Run("wrong kind", func(t *testing.T) {
		require.Error(t, AtLeast(0).Check("1"))
		require.Error(t, OneOf("a").Check(1))
		require.Error(t, Each(AtLeast(0)).Check(1))
	})
	t.Run("registry names are read when checked", func(t *testing.T) {
		var names []string
		r := OneOfFunc(func() []string { return names })
		names = []string{"a", "b"}
		require.Equal(t, "one of: a, b", r.String())
		require.NoError(t, r.Check("b"))
		require.EqualError(t, r.Check("c"), "must be one of: a, b")
	})
}

func TestParamCheck(t *testing.T) {
	steps := Param{Name: "steps", Default: 10, Range: AtLeast(1), Doc: "steps"}
	require.NoError(t, steps.Check("", 10))
	require.EqualError(t, steps.Check("", 0), `parameter "steps": must be ≥ 1, got 0`)
	hidden := Param{Name: "hidden", Default: []int{2}, Range: Each(AtLeast(1)), Doc: "widths", Scopes: []string{"/generator", "/encoder"}}
	require.EqualError(t, hidden.Check("/encoder", []int{3, 0}), `parameter "hidden" (scope "/encoder"): every element must be ≥ 1, got [3 0]`)
	kind := Param{Name: "kind", Default: "a", Range: OneOf("a", "b"), Doc: "kind"}
	require.EqualError(t, kind.Check("/", "c"), `parameter "kind": must be one of: a, b, got "c"`)
	require.NoError(t, Param{Name: "free", Default: 1.0, Doc: "free"}.Check("", -1e9))

	require.Equal(t, "int", steps.Type())
	require.Equal(t, "[]int", hidden.Type())
	require.Equal(t, "≥ 1", steps.RangeString())
	require.Equal(t, "", Param{Default: true}.RangeString())
}

func TestCheckScope(t *testing.T) {
	hidden := Param{Name: "mlp_hidden", Default: []int{}, Doc: "widths", Scopes: []string{"/generator", "/critic", "/encoder"}}
	for _, s := range []string{"", "/", "/generator", "/encoder"} {
		require.NoError(t, hidden.CheckScope(s), s)
	}
	require.EqualError(t, hidden.CheckScope("/generatr"),
		`parameter "mlp_hidden" cannot be set in scope "/generatr"; did you mean "/generator"? (its scopes: /generator, /critic, /encoder)`)
	require.EqualError(t, hidden.CheckScope("/optimizer"),
		`parameter "mlp_hidden" cannot be set in scope "/optimizer" (its scopes: /generator, /critic, /encoder)`)
	require.EqualError(t, hidden.CheckScope("/generator/fc1"),
		`parameter "mlp_hidden" cannot be set in scope "/generator/fc1" (its scopes: /generator, /critic, /encoder)`)
	steps := Param{Name: "train_steps", Default: 1, Doc: "steps"}
	require.EqualError(t, steps.CheckScope("/generator"), `parameter "train_steps" takes no scope, got "/generator/train_steps"`)
}

func TestMergeAndDeclare(t *testing.T) {
	a := Table{{Name: "test_a", Default: 1, Doc: "a"}, {Name: "test_b", Default: 2.0, Doc: "b"}}
	b := Table{{Name: "test_c", Default: "x", Doc: "c"}}
	require.Equal(t, []string{"test_a", "test_b", "test_c"}, Merge(a, b).Names())
	require.PanicsWithValue(t, `params: parameter "test_a" declared twice (by an undeclared table and an undeclared table)`,
		func() { Merge(a, Table{{Name: "test_a", Default: 3, Doc: "again"}}) })

	da := Declare("first", a)
	require.Equal(t, "first", da[0].Owner)
	p, ok := Lookup("test_b")
	require.True(t, ok)
	require.Equal(t, "first", p.Owner)
	require.Equal(t, 2.0, p.Default)
	_, ok = Lookup("test_c")
	require.False(t, ok)
	require.PanicsWithValue(t, `params: parameter "test_a" declared twice (by first and second)`,
		func() { Declare("second", Table{{Name: "test_a", Default: 1, Doc: "dup"}}) })
	require.PanicsWithValue(t, `params: parameter "test_d" declared twice (by third and third)`,
		func() {
			Declare("third", Table{{Name: "test_d", Default: 1, Doc: "d"}, {Name: "test_d", Default: 1, Doc: "d"}})
		})
	_, ok = Lookup("test_d")
	require.False(t, ok, "a table that fails is not declared")
	require.Equal(t, []string{"test_a", "test_b"}, Declared().Names())

	for _, bad := range []Param{
		{Name: "", Default: 1, Doc: "x"},
		{Name: "a/b", Default: 1, Doc: "x"},
		{Name: "a b", Default: 1, Doc: "x"},
		{Name: "test_e", Default: int32(1), Doc: "x"},
		{Name: "test_e", Default: 1},
		{Name: "test_e", Default: 1, Doc: "two\nlines"},
		{Name: "test_e", Default: 1, Doc: "x", Scopes: []string{"generator"}},
		{Name: "test_e", Default: 1, Doc: "x", Scopes: []string{"/"}},
	} {
		require.Panics(t, func() { Declare("bad", Table{bad}) }, "%+v", bad)
	}
}

func TestContexts(t *testing.T) {
	table := Table{
		{Name: "steps", Default: 10, Range: AtLeast(1), Doc: "steps"},
		{Name: "rate", Default: 0.5, Range: Interval(0, 1), Doc: "rate"},
		{Name: "hidden", Default: []int{4, 4}, Range: Each(AtLeast(1)), Doc: "widths", Scopes: []string{"/encoder"}},
		{Name: "on", Default: false, Doc: "switch"},
		{Name: "kind", Default: "a", Range: OneOf("a", "b"), Doc: "kind"},
	}
	ctx := table.NewContext()
	v, _ := ctx.GetParam("hidden")
	require.Equal(t, []int{4, 4}, v)
	v.([]int)[0] = 9
	require.Equal(t, []int{4, 4}, table[2].Default, "the default is not shared with a context")
	require.Equal(t, map[string]any{"steps": 10, "rate": 0.5, "hidden": []int{4, 4}, "on": false, "kind": "a"}, table.Defaults())
	require.PanicsWithValue(t, `params: the default of a parameter declared by an undeclared table is not allowed: parameter "x": must be > 0, got 0`,
		func() { Table{{Name: "x", Default: 0, Range: Above(0), Doc: "x"}}.NewContext() })

	t.Run("reader", func(t *testing.T) {
		ctx := table.NewContext()
		ctx.SetParam("steps", 3)
		ctx.In("encoder").SetParam("hidden", []int{8})
		r := table.Reader(ctx)
		require.Equal(t, 3, r.Int("steps"))
		require.Equal(t, 0.5, r.Float("rate"))
		require.Equal(t, []int{4, 4}, r.Ints("hidden"))
		require.False(t, r.Bool("on"))
		require.Equal(t, "a", r.String("kind"))
		require.NoError(t, r.Err())
		require.Equal(t, []int{8}, table.Reader(ctx.In("encoder")).Ints("hidden"))

		// Unset parameters read their defaults.
		r = table.Reader(context.New())
		require.Equal(t, 10, r.Int("steps"))
		require.Equal(t, []int{4, 4}, r.Ints("hidden"))

		// The first value out of range is kept, naming the parameter and the scope read.
		ctx.SetParam("steps", 0)
		ctx.SetParam("rate", 2.0)
		r = table.Reader(ctx)
		require.Equal(t, 0, r.Int("steps"))
		require.Equal(t, 2.0, r.Float("rate"))
		require.EqualError(t, r.Err(), `parameter "steps": must be ≥ 1, got 0`)
		ctx.In("encoder").SetParam("hidden", []int{0})
		r = table.Reader(ctx.In("encoder"))
		r.Ints("hidden")
		require.EqualError(t, r.Err(), `parameter "hidden" (scope "/encoder"): every element must be ≥ 1, got [0]`)

		// Reading an undeclared name, or with another type, is a programming error.
		require.PanicsWithValue(t, `params: parameter "nope" is not declared in the table read`, func() { table.Reader(ctx).Int("nope") })
		require.PanicsWithValue(t, `params: parameter "rate" is declared as float64, read as int`, func() { table.Reader(ctx).Int("rate") })
	})

	t.Run("check context", func(t *testing.T) {
		ctx := table.NewContext()
		require.NoError(t, table.CheckContext(ctx))
		ctx.SetParam("rate", 0) // an int where a float64 is declared reads as a float64
		ctx.In("encoder").SetParam("hidden", []int{2})
		ctx.SetParam("unknown_to_the_table", 1)
		require.NoError(t, table.CheckContext(ctx))

		ctx.SetParam("rate", 1)
		ctx.SetParam("steps", 0)
		require.EqualError(t, table.CheckContext(ctx), `parameter "steps": must be ≥ 1, got 0`, "in the table's order")
		ctx.SetParam("steps", 1)
		require.EqualError(t, table.CheckContext(ctx), `parameter "rate": must be in [0, 1), got 1`)
		ctx.SetParam("rate", "high")
		require.EqualError(t, table.CheckContext(ctx), `parameter "rate": holds "high" of type string, want float64`)
		ctx.SetParam("rate", 0.1)
		ctx.In("generator").SetParam("hidden", []int{2})
		require.EqualError(t, table.CheckContext(ctx), `parameter "hidden" cannot be set in scope "/generator" (its scopes: /encoder)`)
		ctx = table.NewContext()
		ctx.In("encoder").SetParam("steps", 2)
		require.EqualError(t, table.CheckContext(ctx), `parameter "steps" takes no scope, got "/encoder/steps"`)
	})
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		like any
		text string
		want any
	}{
		{0, "12", 12},
		{0, "1_000", 1000},
		{0, "-3", -3},
		{0.0, "1e-08", 1e-8},
		{0.0, "2", 2.0},
		{false, "true", true},
		{"", "wgan-gp", "wgan-gp"},
		{"", "", ""},
		{[]int{}, "16,32", []int{16, 32}},
		{[]int{}, "", []int{}},
		{[]float64{}, "0.5,1", []float64{0.5, 1}},
		{[]string{}, "a,b", []string{"a", "b"}},
		{[]string{}, "", []string{}},
	} {
		got, err := Parse(tc.like, tc.text)
		require.NoError(t, err, "%T %q", tc.like, tc.text)
		require.Equal(t, tc.want, got, "%T %q", tc.like, tc.text)
		if tc.text != "1_000" {
			require.Equal(t, tc.text, Format(got), "Format writes what Parse reads")
		}
	}
	for _, tc := range []struct {
		like any
		text string
		want string
	}{
		{0, "abc", `"abc" is not an int`},
		{0, "1.5", `"1.5" is not an int`},
		{0, "", `"" is not an int`},
		{0.0, "fast", `"fast" is not a number`},
		{false, "yes", `"yes" is not true or false`},
		{[]int{}, "16,x", `"16,x" is not a comma-separated list of ints`},
		{[]float64{}, "1,,2", `"1,,2" is not a comma-separated list of numbers`},
	} {
		_, err := Parse(tc.like, tc.text)
		require.EqualError(t, err, tc.want)
	}
	_, err := Parse(int32(1), "1")
	require.ErrorIs(t, err, ErrUnsupported)
}

// TestDistance checks the edit distance on pairs counted by hand.
func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "abc", 0},
		{"", "abc", 3},                    // three insertions
		{"train_stesp", "train_steps", 1}, // one swap of "ps" (Levenshtein: 2)
		{"batch_sizes", "batch_size", 1},  // one deletion
		{"kitten", "sitting", 3},          // k→s, e→i, +g
		{"flaw", "lawn", 2},               // −f, +n
		{"ca", "abc", 3},                  // optimal string alignment: no edit after a swap
		{"/generatr", "/generator", 1},    // one insertion
		{"σ", "s", 1},                     // runes, not bytes
	} {
		require.Equal(t, tc.want, Distance(tc.a, tc.b), "%q %q", tc.a, tc.b)
		require.Equal(t, tc.want, Distance(tc.b, tc.a), "%q %q", tc.b, tc.a)
	}
}

func TestSuggest(t *testing.T) {
	names := []string{"batch_size", "beta_c", "beta_n", "seed", "train_steps"}
	for _, tc := range []struct{ name, want string }{
		{"train_stesp", "train_steps"},
		{"trian_steps", "train_steps"},
		{"batch_sizes", "batch_size"},
		{"beta_m", "beta_c"}, // a tie goes to the first candidate
		{"sed", "seed"},
		{"steps", ""},    // 6 edits
		{"bta", ""},      // 3 characters allow 1 edit
		{"learning", ""}, // nothing close
		{"s", ""},        // never as many edits as characters
	} {
		got, ok := Suggest(tc.name, names)
		require.Equal(t, tc.want, got, tc.name)
		require.Equal(t, tc.want != "", ok, tc.name)
	}
}

func TestMarkdownCellEscapes(t *testing.T) {
	require.Equal(t, `a \| b`, mdCell("a | b"))
	require.Equal(t, "(empty)", Show([]int{}))
	require.Equal(t, `""`, Show(""))
	require.Equal(t, "1,2", Show([]int{1, 2}))
}

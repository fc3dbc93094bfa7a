package params

import (
	"fmt"
	"reflect"
	"sort"

	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Reader reads parameters of one table from a context, each from the context's scope up to
// the root (GoMLX's lookup) or its default when nothing sets it, and keeps the first value
// that is outside its range.
type Reader struct {
	ctx   *context.Context
	table Table
	err   error
}

// Reader returns a Reader of t's parameters in ctx.
func (t Table) Reader(ctx *context.Context) *Reader { return &Reader{ctx: ctx, table: t} }

// Err is the first value read that is outside its parameter's range, naming the parameter
// (and the scope read, below the root); nil if there was none.
func (r *Reader) Err() error { return r.err }

// Int reads an int parameter.
func (r *Reader) Int(name string) int { return read[int](r, name) }

// Float reads a float64 parameter.
func (r *Reader) Float(name string) float64 { return read[float64](r, name) }

// Bool reads a bool parameter.
func (r *Reader) Bool(name string) bool { return read[bool](r, name) }

// String reads a string parameter.
func (r *Reader) String(name string) string { return read[string](r, name) }

// Ints reads an []int parameter.
func (r *Reader) Ints(name string) []int { return read[[]int](r, name) }

// read returns the value of name in r's context, checked against its range. Reading a name the
// table does not declare, or with another type, is a programming error: it panics.
func read[T any](r *Reader, name string) T {
	p, ok := r.table.Lookup(name)
	if !ok {
		panic(fmt.Sprintf("params: parameter %q is not declared in the table read", name))
	}
	def, ok := clone(p.Default).(T)
	if !ok {
		var t T
		panic(fmt.Sprintf("params: parameter %q is declared as %s, read as %T", name, p.Type(), t))
	}
	v := context.GetParamOr(r.ctx, name, def)
	if r.err == nil {
		r.err = p.Check(r.ctx.Scope(), v)
	}
	return v
}

// CheckContext checks every value of ctx, in the root and in scopes, of a parameter t
// declares: a scoped value must be in one of the parameter's Scopes, and every value must have
// the parameter's type and be in its range. It returns the first problem, in t's order.
func (t Table) CheckContext(ctx *context.Context) error {
	type entry struct {
		index int
		scope string
		value any
	}
	var entries []entry
	ctx.EnumerateParams(func(scope, key string, value any) {
		for i, p := range t {
			if p.Name == key {
				entries = append(entries, entry{i, scope, value})
				return
			}
		}
	})
	sort.Slice(entries, func(i, j int) bool {
		a, b := entries[i], entries[j]
		if a.index != b.index {
			return a.index < b.index
		}
		return a.scope < b.scope
	})
	for _, e := range entries {
		p := t[e.index]
		if err := p.CheckScope(e.scope); err != nil {
			return err
		}
		v, err := convert(e.value, p.Default)
		if err != nil {
			return fmt.Errorf("parameter %q%s: %w", p.Name, inScope(e.scope), err)
		}
		if err := p.Check(e.scope, v); err != nil {
			return err
		}
	}
	return nil
}

// convert gives v the type of like as GoMLX's GetParamOr does (an int set for a float64
// parameter reads as a float64).
func convert(v, like any) (any, error) {
	want := reflect.TypeOf(like)
	rv := reflect.ValueOf(v)
	if v == nil || !rv.CanConvert(want) {
		return nil, fmt.Errorf("holds %s of type %T, want %s", quote(v), v, want)
	}
	return rv.Convert(want).Interface(), nil
}

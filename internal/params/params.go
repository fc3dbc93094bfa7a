// Package params declares clustergan's hyper-parameters, which are GoMLX context parameters.
//
// Each package lists its parameters in one Table: for each, its name, default (whose Go type
// is the parameter's type), a one-line meaning, the values it allows and the scopes it may
// also be set in. The package keeps a ParamX/DefaultX const pair per parameter and reads them
// through one typed config function, with a Reader that checks every value against its Range
// and names the parameter in errors:
//
//	var Params = params.Declare("trainer", params.Table{
//		{Name: ParamSteps, Default: DefaultSteps, Range: params.AtLeast(1), Doc: "generator iterations of a training run"},
//	})
//
//	func ConfigFromContext(ctx *context.Context) (Config, error) {
//		r := Params.Reader(ctx)
//		c := Config{Steps: r.Int(ParamSteps)}
//		return c, r.Err()
//	}
//
// Declare registers the table, so that settings parsers (rundir.ApplySettings), the programs'
// -params listing and docs/parameters.md know every parameter's type, range, meaning and
// scopes; a name declared twice panics.
package params

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Param declares one hyper-parameter.
type Param struct {
	// Name is the context parameter's key ("train_steps"): settings files and run directories
	// use it, so it never changes.
	Name string
	// Default is the value when nothing sets it; its Go type (int, float64, bool, string, []int,
	// []float64 or []string) is the parameter's type.
	Default any
	// Doc is the parameter's meaning in one line, without its type, default or range (shown
	// beside it).
	Doc string
	// Range is what values are allowed; nil allows every value of the type.
	Range Range
	// Scopes lists the absolute scopes ("/generator") in which the parameter may also be set,
	// overriding the root value for the code that reads it there; nil: the root only.
	Scopes []string
	// Owner is the package that declared the parameter (set by Declare).
	Owner string
}

// Type is the parameter's Go type: "int", "float64", "bool", "string", "[]int", ...
func (p Param) Type() string { return fmt.Sprintf("%T", p.Default) }

// RangeString describes the allowed values, "" when every value of the type is.
func (p Param) RangeString() string {
	if p.Range == nil {
		return ""
	}
	return p.Range.String()
}

// Check reports, naming the parameter, a value (of its type) that is outside its range. scope
// is where the value was read or set ("" or "/" for the root).
func (p Param) Check(scope string, v any) error {
	if p.Range == nil {
		return nil
	}
	if err := p.Range.Check(v); err != nil {
		return fmt.Errorf("parameter %q%s: %w, got %s", p.Name, inScope(scope), err, quote(v))
	}
	return nil
}

// CheckScope reports a scope the parameter may not be set in. "" and "/" (the root) are always
// allowed.
func (p Param) CheckScope(scope string) error {
	if scope == "" || scope == context.RootScope || slices.Contains(p.Scopes, scope) {
		return nil
	}
	if len(p.Scopes) == 0 {
		return fmt.Errorf("parameter %q takes no scope, got %q", p.Name, scope+context.ScopeSeparator+p.Name)
	}
	hint := ""
	if s, ok := Suggest(scope, p.Scopes); ok {
		hint = fmt.Sprintf("; did you mean %q?", s)
	}
	return fmt.Errorf("parameter %q cannot be set in scope %q%s (its scopes: %s)", p.Name, scope, hint, strings.Join(p.Scopes, ", "))
}

// inScope is ` (scope "/encoder")` for a value read or set below the root, "" otherwise.
func inScope(scope string) string {
	if scope == "" || scope == context.RootScope {
		return ""
	}
	return fmt.Sprintf(" (scope %q)", scope)
}

// quote formats a value for an error message: strings quoted, lists in brackets.
func quote(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("%q", v)
	case []string:
		return fmt.Sprintf("%q", v)
	default:
		return fmt.Sprint(v)
	}
}

// Table is one package's parameters, in the order they are documented.
type Table []Param

// Lookup returns the parameter of t named name.
func (t Table) Lookup(name string) (Param, bool) {
	for _, p := range t {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

// Names returns the names of t's parameters, sorted.
func (t Table) Names() []string {
	names := make([]string, len(t))
	for i, p := range t {
		names[i] = p.Name
	}
	slices.Sort(names)
	return names
}

// Defaults returns every parameter of t with its default (lists copied), as a map for
// context.SetParams.
func (t Table) Defaults() map[string]any {
	m := make(map[string]any, len(t))
	for _, p := range t {
		m[p.Name] = clone(p.Default)
	}
	return m
}

// NewContext returns an unchecked context declaring every parameter of t with its default.
// It panics if a default is outside its parameter's range (a declaration error).
func (t Table) NewContext() *context.Context {
	ctx := context.New().Checked(false)
	for _, p := range t {
		if err := p.Check("", p.Default); err != nil {
			panic(fmt.Sprintf("params: the default of a parameter declared by %s is not allowed: %v", ownerName(p), err))
		}
		ctx.SetParam(p.Name, clone(p.Default))
	}
	return ctx
}

// Merge concatenates tables; it panics if a name appears twice (one knob silently driving two
// things).
func Merge(tables ...Table) Table {
	var all Table
	for _, t := range tables {
		for _, p := range t {
			if q, dup := all.Lookup(p.Name); dup {
				panic(fmt.Sprintf("params: parameter %q declared twice (by %s and %s)", p.Name, ownerName(q), ownerName(p)))
			}
			all = append(all, p)
		}
	}
	return all
}

func ownerName(p Param) string {
	if p.Owner == "" {
		return "an undeclared table"
	}
	return p.Owner
}

var (
	mu       sync.RWMutex
	declared Table
)

// Declare registers the parameters of package owner and returns them with Owner set. It
// panics on a declaration error: an empty name or one with a scope separator, a default of an
// unsupported type, a scope that is not absolute, or a name already declared (by this table
// or another).
func Declare(owner string, t Table) Table {
	out := make(Table, len(t))
	for i, p := range t {
		p.Owner = owner
		if err := validate(p); err != nil {
			panic(fmt.Sprintf("params: %s: %v", owner, err))
		}
		out[i] = p
	}
	mu.Lock()
	defer mu.Unlock()
	declared = Merge(declared, out)
	return out
}

// validate checks one declaration.
func validate(p Param) error {
	if p.Name == "" || strings.Contains(p.Name, context.ScopeSeparator) || strings.ContainsAny(p.Name, "=; \t\n") {
		return fmt.Errorf("bad parameter name %q", p.Name)
	}
	if _, err := Parse(p.Default, ""); err != nil && errorsIsUnsupported(err) {
		return fmt.Errorf("parameter %q: %v", p.Name, err)
	}
	if strings.TrimSpace(p.Doc) == "" || strings.Contains(p.Doc, "\n") {
		return fmt.Errorf("parameter %q: Doc must be one non-empty line", p.Name)
	}
	for _, s := range p.Scopes {
		if !strings.HasPrefix(s, context.ScopeSeparator) || s == context.RootScope || strings.HasSuffix(s, context.ScopeSeparator) {
			return fmt.Errorf("parameter %q: scope %q must be absolute, as \"/generator\"", p.Name, s)
		}
	}
	return nil
}

// Lookup returns the declared parameter named name.
func Lookup(name string) (Param, bool) {
	mu.RLock()
	defer mu.RUnlock()
	return declared.Lookup(name)
}

// Declared returns every declared parameter, in declaration order (package by package).
func Declared() Table {
	mu.RLock()
	defer mu.RUnlock()
	return slices.Clone(declared)
}

// clone copies list values, so that a default is never shared with a context.
func clone(v any) any {
	switch v := v.(type) {
	case []int:
		return slices.Clone(v)
	case []float64:
		return slices.Clone(v)
	case []string:
		return slices.Clone(v)
	}
	return v
}

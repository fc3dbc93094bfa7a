// Package sweeps runs a grid of runner runs (a sweep) and aggregates run directories into
// mean ± std tables over seeds, best-of-seeds by validation purity, and heatmaps.
//
// A sweep is data: a grid of parameter values (see ParseGrid), expanded into points, each run as
// an ordinary runner run directory named from its settings under one sweep directory. Runs are
// resumable (finished points are skipped, unfinished ones continue from their checkpoints) and
// shardable (Shard), so that many machines can share one sweep directory.
package sweeps

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// maxRange bounds the length of one a..b range, so that a typo (seed=1..100000) fails instead
// of planning a sweep that never ends.
const maxRange = 10000

// maxDirName bounds a point's directory name (file systems allow 255 bytes).
const maxDirName = 200

// Setting is one parameter value of a point, in runner.ApplySettings syntax ("scope/name" for a
// scoped parameter).
type Setting struct {
	Name, Value string
}

// Axis is one dimension of the grid: a single parameter with its values, or a zip group whose
// parameters take their i-th values together.
type Axis struct {
	Names  []string
	Values [][]string // Values[j] holds the values of Names[j]; all of the same length
}

// Len is the number of values along the axis.
func (a Axis) Len() int { return len(a.Values[0]) }

// Grid is the product of its axes, the last axis varying fastest.
type Grid struct {
	Source string // where the grid came from, for error messages
	Axes   []Axis
}

// Point is one element of a grid.
type Point struct {
	Index    int // position in the grid's expansion (Grid.Points), used for sharding
	Settings []Setting
}

// ReadGrid parses spec: the grid text itself, or "file:PATH" for a grid file.
func ReadGrid(spec string) (*Grid, error) {
	if path, ok := strings.CutPrefix(spec, "file:"); ok {
		text, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("sweep grid: %w", err)
		}
		return ParseGrid(string(text), path)
	}
	return ParseGrid(spec, "-grid")
}

var rangeRE = regexp.MustCompile(`^(-?\d+)\.\.(-?\d+)$`)

// ParseGrid parses a grid from text; source names it in errors. The syntax:
//
//	# a comment line
//	beta_n=0,10; beta_c=0,1,10     items separated by ";" or new lines: a product
//	seed=1..5                      an integer range, both ends included (1,2,3,4,5)
//	seed=1..3,7                    ranges and single values mix
//	mlp_hidden=[256,256],[64]      brackets hold a value that contains commas
//	zip(lr=1e-3,1e-4; steps=10,20) zipped: lr=1e-3 with steps=10, then lr=1e-4 with steps=20
//	generator/lr=1e-3,1e-4         a scoped parameter
//
// Axes combine as nested loops in the order written, the last one innermost. A zip group must
// be on one line and its lists must have equal lengths. A parameter may appear only once, and
// no two points may be equal (Grid.Points checks). Values
// are strings: their names and types are checked when the points are applied to a context.
func ParseGrid(text, source string) (*Grid, error) {
	g := &Grid{Source: source}
	seen := map[string]string{} // parameter name → the item that set it
	for lineNum, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		where := fmt.Sprintf("%s:%d", source, lineNum+1)
		items, err := splitTopLevel(line, ';')
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		for _, item := range items {
			item = strings.TrimSpace(item)
			if item == "" {
				continue
			}
			axis, err := parseAxis(item)
			if err != nil {
				return nil, fmt.Errorf("%s: item %q: %w", where, item, err)
			}
			for _, name := range axis.Names {
				if prev, dup := seen[name]; dup {
					return nil, fmt.Errorf("%s: item %q: parameter %q already set by item %q", where, item, name, prev)
				}
				seen[name] = item
			}
			g.Axes = append(g.Axes, axis)
		}
	}
	if len(g.Axes) == 0 {
		return nil, fmt.Errorf("%s: the grid has no parameters (want e.g. \"beta_c=1,10; seed=1..3\")", source)
	}
	return g, nil
}

func parseAxis(item string) (Axis, error) {
	if inner, ok := strings.CutPrefix(item, "zip("); ok {
		inner, ok = strings.CutSuffix(inner, ")")
		if !ok {
			return Axis{}, fmt.Errorf("zip group does not end with \")\"")
		}
		parts, err := splitTopLevel(inner, ';')
		if err != nil {
			return Axis{}, err
		}
		var axis Axis
		for _, part := range parts {
			if part = strings.TrimSpace(part); part == "" {
				continue
			}
			if strings.HasPrefix(part, "zip(") {
				return Axis{}, fmt.Errorf("zip groups do not nest")
			}
			sub, err := parseAxis(part)
			if err != nil {
				return Axis{}, fmt.Errorf("%q: %w", part, err)
			}
			if len(axis.Names) > 0 && sub.Len() != axis.Len() {
				return Axis{}, fmt.Errorf("zip lists differ in length: %s has %d values, %s has %d",
					axis.Names[0], axis.Len(), sub.Names[0], sub.Len())
			}
			for _, name := range axis.Names {
				if name == sub.Names[0] {
					return Axis{}, fmt.Errorf("parameter %q appears twice", name)
				}
			}
			axis.Names = append(axis.Names, sub.Names[0])
			axis.Values = append(axis.Values, sub.Values[0])
		}
		if len(axis.Names) == 0 {
			return Axis{}, fmt.Errorf("empty zip group")
		}
		return axis, nil
	}
	name, rhs, ok := strings.Cut(item, "=")
	if !ok {
		return Axis{}, fmt.Errorf("want name=value,value,...")
	}
	name = strings.TrimSpace(name)
	if !validName(name) {
		return Axis{}, fmt.Errorf("bad parameter name %q (letters, digits, _ . - and scope separators /)", name)
	}
	raw, err := splitTopLevel(rhs, ',')
	if err != nil {
		return Axis{}, err
	}
	var values []string
	for _, v := range raw {
		v = strings.TrimSpace(v)
		switch {
		case v == "" || v == "[]":
			return Axis{}, fmt.Errorf("parameter %q: empty value", name)
		case strings.HasPrefix(v, "["):
			if !strings.HasSuffix(v, "]") {
				return Axis{}, fmt.Errorf("parameter %q: value %q: unclosed \"[\"", name, v)
			}
			values = append(values, strings.TrimSpace(v[1:len(v)-1]))
		case rangeRE.MatchString(v):
			m := rangeRE.FindStringSubmatch(v)
			lo, err1 := strconv.Atoi(m[1])
			hi, err2 := strconv.Atoi(m[2])
			if err1 != nil || err2 != nil || lo > hi || hi-lo >= maxRange {
				return Axis{}, fmt.Errorf("parameter %q: range %q must be a..b with a ≤ b and at most %d values", name, v, maxRange)
			}
			for i := lo; i <= hi; i++ {
				values = append(values, strconv.Itoa(i))
			}
		default:
			values = append(values, v)
		}
	}
	return Axis{Names: []string{name}, Values: [][]string{values}}, nil
}

func validName(name string) bool {
	if name == "" || strings.HasPrefix(name, "-") {
		return false
	}
	for _, r := range name {
		ok := r == '_' || r == '.' || r == '-' || r == '/' ||
			(r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
		if !ok {
			return false
		}
	}
	return true
}

// splitTopLevel splits s at sep outside parentheses and brackets.
func splitTopLevel(s string, sep rune) ([]string, error) {
	var parts []string
	paren, bracket, start := 0, 0, 0
	for i, r := range s {
		switch r {
		case '(':
			paren++
		case ')':
			paren--
		case '[':
			bracket++
		case ']':
			bracket--
		case sep:
			if paren == 0 && bracket == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
		if paren < 0 || bracket < 0 {
			return nil, fmt.Errorf("unbalanced %q in %q", r, s)
		}
	}
	if paren != 0 || bracket != 0 {
		return nil, fmt.Errorf("unclosed \"(\" or \"[\" in %q", s)
	}
	return append(parts, s[start:]), nil
}

// Size is the number of points.
func (g *Grid) Size() int {
	n := 1
	for _, a := range g.Axes {
		n *= a.Len()
	}
	return n
}

// Points expands the grid, in a fixed order: axes as nested loops in the order written, the
// last innermost. It fails if two points would get the same directory name.
func (g *Grid) Points() ([]Point, error) {
	n := g.Size()
	points := make([]Point, n)
	names := map[string]int{}
	for i := range points {
		// Mixed-radix decomposition of i, the last axis the least significant digit.
		rest := i
		pos := make([]int, len(g.Axes))
		for a := len(g.Axes) - 1; a >= 0; a-- {
			pos[a] = rest % g.Axes[a].Len()
			rest /= g.Axes[a].Len()
		}
		p := Point{Index: i}
		for a, axis := range g.Axes {
			for j, name := range axis.Names {
				p.Settings = append(p.Settings, Setting{Name: name, Value: axis.Values[j][pos[a]]})
			}
		}
		dir := p.DirName()
		if prev, dup := names[dir]; dup {
			return nil, fmt.Errorf("%s: points %d (%s) and %d (%s) map to the same directory name %q",
				g.Source, prev, points[prev].Text(), i, p.Text(), dir)
		}
		names[dir] = i
		points[i] = p
	}
	return points, nil
}

// Text is the point's settings in runner.ApplySettings syntax: "beta_n=10;seed=2".
func (p Point) Text() string {
	parts := make([]string, len(p.Settings))
	for i, s := range p.Settings {
		parts[i] = s.Name + "=" + s.Value
	}
	return strings.Join(parts, ";")
}

// DirName is the point's run directory name: its settings joined by ",", e.g.
// "beta_n=10,beta_c=1,seed=2". Scope separators become ".", and characters other than letters,
// digits and "._+-" inside values become "_", so the name is safe on every file system. Names
// longer than maxDirName are cut (Grid.Points rejects collisions).
func (p Point) DirName() string {
	parts := make([]string, len(p.Settings))
	for i, s := range p.Settings {
		parts[i] = sanitize(strings.ReplaceAll(s.Name, "/", ".")) + "=" + sanitize(s.Value)
	}
	name := strings.Join(parts, ",")
	if len(name) > maxDirName {
		name = name[:maxDirName]
	}
	return name
}

func sanitize(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '.' || r == '_' || r == '+' || r == '-',
			r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// Shard selects the points with Index mod Count == Index: running shards 0..Count-1 (on any
// machines, in any order) runs every point exactly once. The assignment depends only on the
// grid, so every shard must be started with the same grid.
type Shard struct {
	Index, Count int
}

// ParseShard parses "i/n" with 0 ≤ i < n; "" is the whole sweep (0/1); "auto" reads the
// shard from a scheduler's environment (ShardFromEnv).
func ParseShard(s string) (Shard, error) {
	if s == "" {
		return Shard{0, 1}, nil
	}
	if s == "auto" {
		return autoShard()
	}
	is, ns, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(is))
	n, err2 := strconv.Atoi(strings.TrimSpace(ns))
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("-shard: %q must be i/n with 0 ≤ i < n (e.g. 0/4), or auto", s)
	}
	return Shard{i, n}, nil
}

// Includes reports whether the point with the given index belongs to the shard.
func (s Shard) Includes(index int) bool {
	if s.Count <= 1 {
		return true
	}
	return index%s.Count == s.Index
}

// String is "i/n".
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, max(s.Count, 1)) }

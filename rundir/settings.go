package rundir

import (
	"fmt"
	"github.com/clustergan/clustergan/internal/atomicfile"
	"os"
	"sort"
	"strings"

	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/ui/commandline"
)

// ApplySettings sets context parameters from text in GoMLX's -set syntax: "name=value" items
// separated by ";" or new lines, "scope/name=value" for a scoped value, "#" starts a comment
// line. Unknown names are rejected (every parameter must be declared in the defaults first).
// source names the text (a preset file, "-set") in errors. It returns the paths that were set.
func ApplySettings(ctx *context.Context, text, source string) ([]string, error) {
	var set []string
	for lineNum, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		for _, item := range strings.Split(line, ";") {
			item = strings.TrimSpace(item)
			if item == "" {
				continue
			}
			if strings.HasPrefix(item, "file:") {
				path := strings.TrimPrefix(item, "file:")
				contents, err := os.ReadFile(path)
				if err != nil {
					return set, fmt.Errorf("%s: settings file: %w", source, err)
				}
				more, err := ApplySettings(ctx, string(contents), path)
				set = append(set, more...)
				if err != nil {
					return set, err
				}
				continue
			}
			if path, ok := setEmptyList(ctx, item); ok {
				set = append(set, path)
				continue
			}
			more, err := commandline.ParseContextSettings(ctx, item)
			set = append(set, more...)
			if err != nil {
				where := source
				if strings.Contains(text, "\n") {
					where = fmt.Sprintf("%s:%d", source, lineNum+1)
				}
				return set, fmt.Errorf("%s: %q: %w (known parameters: %s)", where, item, err,
					strings.Join(ParamNames(ctx), ", "))
			}
		}
	}
	return set, nil
}

// setEmptyList sets a list parameter to the empty list for "name=" (or "/scope/name="), which
// GoMLX's parser rejects but FormatSettings writes for an empty list. It reports whether item was
// such a setting; anything else is left to the parser, which also names unknown parameters.
func setEmptyList(ctx *context.Context, item string) (string, bool) {
	path, value, ok := strings.Cut(item, "=")
	path = strings.TrimSpace(path)
	if !ok || strings.TrimSpace(value) != "" {
		return "", false
	}
	scope, name := context.SplitScope(path)
	def, found := ctx.GetParam(name)
	if !found || strings.Contains(name, context.ScopeSeparator) {
		return "", false
	}
	var empty any
	switch def.(type) {
	case []int:
		empty = []int{}
	case []float64:
		empty = []float64{}
	case []string:
		empty = []string{}
	default:
		return "", false
	}
	if scope != "" {
		ctx = ctx.InAbsPath(scope)
	}
	ctx.SetParam(name, empty)
	return path, true
}

// ParamNames lists the parameters declared in ctx's root scope, sorted.
func ParamNames(ctx *context.Context) []string {
	var names []string
	ctx.EnumerateParams(func(scope, key string, _ any) {
		if scope == context.RootScope {
			names = append(names, key)
		}
	})
	sort.Strings(names)
	return names
}

// FormatSettings writes every parameter of ctx in the syntax ApplySettings reads, one per line,
// sorted, so that a run directory's settings.txt reproduces the run.
func FormatSettings(ctx *context.Context) string {
	var lines []string
	ctx.EnumerateParams(func(scope, key string, value any) {
		path := key
		if scope != context.RootScope {
			path = context.JoinScope(scope, key)
		}
		lines = append(lines, path+"="+formatValue(value))
	})
	sort.Strings(lines)
	return strings.Join(lines, "\n") + "\n"
}

func formatValue(value any) string {
	switch v := value.(type) {
	case []string:
		return strings.Join(v, ",")
	case []int:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = fmt.Sprint(x)
		}
		return strings.Join(parts, ",")
	case []float64:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = fmt.Sprint(x)
		}
		return strings.Join(parts, ",")
	default:
		return fmt.Sprint(v)
	}
}

// WriteSettings writes every parameter of ctx to path (FormatSettings) atomically.
func WriteSettings(path string, ctx *context.Context) error {
	return atomicfile.WriteBytes(path, []byte(FormatSettings(ctx)))
}

// ReadSettings applies the settings file at path to ctx.
func ReadSettings(ctx *context.Context, path string) error {
	text, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	_, err = ApplySettings(ctx, string(text), path)
	return err
}

// SettingsMap reads settings text, one "path=value" per line as FormatSettings writes it, into
// a map from path to value text ("#" comment lines and blank lines skipped).
func SettingsMap(text string) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok {
			m[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return m
}

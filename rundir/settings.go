package rundir

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/clustergan/clustergan/internal/atomicfile"
	"github.com/clustergan/clustergan/internal/params"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/ui/commandline"
)

// ApplySettings sets context parameters from text in GoMLX's -set syntax: "name=value" items
// separated by ";" or new lines, "/scope/name=value" for a scoped value, "name=" for an empty
// list, "file:PATH" for the settings in a file, "#" starts a comment line. Every name must be
// declared in ctx's root (by the defaults); a parameter declared with package params may be set
// only in the scopes it declares. source names the text (a preset file, "-set") in errors,
// which are one line: an unknown name with the closest declared one, or the parameter with the
// value given and the type it needs. It returns the paths that were set.
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
			path, err := applySetting(ctx, item)
			if err != nil {
				where := source
				if strings.Contains(text, "\n") {
					where = fmt.Sprintf("%s:%d", source, lineNum+1)
				}
				return set, fmt.Errorf("%s: %w", where, err)
			}
			set = append(set, path)
		}
	}
	return set, nil
}

// applySetting sets one "name=value" or "/scope/name=value" item and returns its path.
func applySetting(ctx *context.Context, item string) (string, error) {
	path, text, ok := strings.Cut(item, "=")
	if !ok || strings.Contains(text, "=") {
		return "", fmt.Errorf("%q: want name=value or /scope/name=value", item)
	}
	path, text = strings.TrimSpace(path), strings.TrimSpace(text)
	scope, name := context.SplitScope(path)
	if strings.Contains(name, context.ScopeSeparator) {
		return "", fmt.Errorf("%q: a scope starts with %q, as in \"/generator/mlp_hidden\"", path, context.ScopeSeparator)
	}
	def, found := ctx.GetParam(name)
	if !found {
		if s, ok := params.Suggest(name, ParamNames(ctx)); ok {
			return "", fmt.Errorf("unknown parameter %q; did you mean %q?", name, s)
		}
		return "", fmt.Errorf("unknown parameter %q", name)
	}
	if p, declared := params.Lookup(name); declared {
		if err := p.CheckScope(scope); err != nil {
			return "", err
		}
	}
	value, err := params.Parse(def, text)
	if errors.Is(err, params.ErrUnsupported) { // a type only GoMLX's parser knows
		set, err := commandline.ParseContextSettings(ctx, path+"="+text)
		if err != nil {
			return "", fmt.Errorf("parameter %q: %w", name, err)
		}
		return set[0], nil
	}
	if err != nil {
		return "", fmt.Errorf("parameter %q: %w", name, err)
	}
	if scope != "" {
		ctx = ctx.InAbsPath(scope)
	}
	ctx.SetParam(name, value)
	return path, nil
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

func formatValue(value any) string { return params.Format(value) }

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

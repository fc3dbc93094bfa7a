package params

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/gomlx/gomlx/pkg/ml/context"
)

// WriteText writes every declared parameter, by the package that declares it (in the packages'
// alphabetical order), after intro: its name, type, default, its value in ctx where that differs
// (after a preset and -set), the values it allows and its meaning; for a parameter with scopes,
// the scopes it accepts and the values ctx sets in them. Programs print it for -params.
func WriteText(w io.Writer, ctx *context.Context, intro string) error {
	rows := paramRows(ctx)
	var nameW, typeW, defW, valW int
	for _, r := range rows {
		nameW = max(nameW, len([]rune(r.p.Name)))
		typeW = max(typeW, len(r.p.Type()))
		defW = max(defW, len([]rune(r.def)))
		valW = max(valW, len([]rune(r.value)))
	}
	b := bufio.NewWriter(w)
	fmt.Fprintln(b, wrap(intro, 100, ""))
	owner := ""
	for _, r := range rows {
		if r.p.Owner != owner {
			owner = r.p.Owner
			fmt.Fprintf(b, "\n%s\n", owner)
		}
		now := ""
		if r.value != "" {
			now = "now " + r.value
		}
		line := fmt.Sprintf("  %s  %s  default %s  %s  %s", pad(r.p.Name, nameW), pad(r.p.Type(), typeW), pad(r.def, defW),
			pad(now, valW+4), r.p.RangeString())
		fmt.Fprintln(b, strings.TrimRight(line, " "))
		fmt.Fprintln(b, wrap(r.p.Doc, 100, "      "))
		if len(r.p.Scopes) > 0 {
			s := "scopes: " + strings.Join(r.p.Scopes, ", ")
			if len(r.scoped) > 0 {
				s += "; set: " + strings.Join(r.scoped, "; ")
			}
			fmt.Fprintln(b, wrap(s, 100, "      "))
		}
	}
	return b.Flush()
}

// WriteMarkdown writes the list WriteText writes for the defaults as Markdown tables, one per
// package, after the Markdown header.
func WriteMarkdown(w io.Writer, header string) error {
	b := bufio.NewWriter(w)
	fmt.Fprint(b, header)
	owner := ""
	for _, r := range paramRows(nil) {
		if r.p.Owner != owner {
			owner = r.p.Owner
			fmt.Fprintf(b, "\n## %s\n\n| parameter | type | default | allowed | meaning |\n|---|---|---|---|---|\n", owner)
		}
		doc := r.p.Doc
		if len(r.p.Scopes) > 0 {
			doc += ". Scopes: `" + strings.Join(r.p.Scopes, "`, `") + "`"
		}
		def := "`" + r.def + "`"
		if r.def == "(empty)" {
			def = r.def
		}
		allowed := r.p.RangeString()
		if allowed == "" {
			allowed = "any " + r.p.Type()
		}
		fmt.Fprintf(b, "| `%s` | %s | %s | %s | %s |\n", r.p.Name, mdCell(r.p.Type()), mdCell(def), mdCell(allowed), mdCell(doc))
	}
	return b.Flush()
}

// paramRow is one parameter with its default and, for ctx, its value where it differs and the
// values set in scopes ("/encoder/mlp_hidden=128").
type paramRow struct {
	p          Param
	def, value string
	scoped     []string
}

func paramRows(ctx *context.Context) []paramRow {
	scoped := map[string][]string{}
	if ctx != nil {
		ctx.EnumerateParams(func(scope, key string, value any) {
			if scope != context.RootScope {
				scoped[key] = append(scoped[key], context.JoinScope(scope, key)+"="+Format(value))
			}
		})
	}
	declared := Declared()
	sort.SliceStable(declared, func(i, j int) bool { return declared[i].Owner < declared[j].Owner })
	var rows []paramRow
	for _, p := range declared {
		r := paramRow{p: p, def: Show(p.Default), scoped: scoped[p.Name]}
		sort.Strings(r.scoped)
		if ctx != nil {
			if v, ok := ctx.InAbsPath(context.RootScope).GetParam(p.Name); ok && Show(v) != r.def {
				r.value = Show(v)
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// Show is a value in settings syntax, "(empty)" for an empty list.
func Show(v any) string {
	s := Format(v)
	if s == "" {
		switch v.(type) {
		case []int, []float64, []string:
			return "(empty)"
		}
		return `""`
	}
	return s
}

func pad(s string, width int) string {
	return s + strings.Repeat(" ", max(0, width-len([]rune(s))))
}

// wrap breaks text into lines of at most width runes (longer words stay whole), each starting
// with indent.
func wrap(text string, width int, indent string) string {
	var lines []string
	line := indent
	for _, word := range strings.Fields(text) {
		if line != indent && len([]rune(line))+1+len([]rune(word)) > width {
			lines = append(lines, line)
			line = indent
		}
		if line != indent {
			line += " "
		}
		line += word
	}
	return strings.Join(append(lines, line), "\n")
}

// mdCell escapes a Markdown table cell.
func mdCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

package plots

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// maxLineBytes bounds one metrics.jsonl record; real records are a few hundred bytes.
const maxLineBytes = 16 << 20

// record is the part of a train or eval line of metrics.jsonl that the curves use. Losses and
// Metrics stay raw until the event says which one is needed.
type record struct {
	Method  string          `json:"method"`
	Event   string          `json:"event"`
	Step    *int            `json:"step"`
	Losses  json.RawMessage `json:"losses"`
	Metrics json.RawMessage `json:"metrics"`
}

// curves holds one method's values: name → step → value.
type curves map[string]map[int]float64

func (c curves) add(step int, values map[string]*float64) {
	for name, v := range values {
		if v == nil {
			continue // null: nothing recorded for this name at this step
		}
		if c[name] == nil {
			c[name] = map[int]float64{}
		}
		c[name][step] = *v
	}
}

// series returns one Series per name, sorted by name, with points sorted by step.
func (c curves) series() []Series {
	var out []Series
	for _, name := range slices.Sorted(maps.Keys(c)) {
		s := Series{Name: name}
		for _, step := range slices.Sorted(maps.Keys(c[name])) {
			s.X = append(s.X, float64(step))
			s.Y = append(s.Y, c[name][step])
		}
		out = append(out, s)
	}
	return out
}

// CurvesFromMetrics reads a run's metrics.jsonl and writes, into outDir (created if needed), for
// each method with "train" records <method>_losses.png (one curve per loss name, x = step) and,
// for each method with "eval" records, <method>_validation.png (one curve per metric). Other
// events are ignored. Methods come in order of first appearance and the written paths are
// returned in that order; a file without train or eval records yields no charts and no error.
//
// When a step is logged more than once (a run resumed from a checkpoint repeats the steps after
// it), the last record wins. Null values are skipped. Characters of a method name outside
// [A-Za-z0-9_-] become '_' in the file names, and a method whose safe name is already taken gets
// a "_2", "_3", ... suffix. A malformed line fails with "path:line: ...".
func CurvesFromMetrics(metricsPath, outDir string) ([]string, error) {
	m, err := readMetrics(metricsPath)
	if err != nil {
		return nil, err
	}
	if len(m.order) == 0 {
		return nil, nil
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, fmt.Errorf("plots: %w", err)
	}

	var written []string
	used := map[string]bool{} // file stems taken, so distinct methods never share a file
	for _, method := range m.order {
		stem := safeName(method)
		for k := 2; used[stem]; k++ {
			stem = fmt.Sprintf("%s_%d", safeName(method), k)
		}
		used[stem] = true
		charts := []struct {
			suffix, title, yLabel string
			data                  curves
		}{
			{"_losses.png", method + ": training losses", "loss", m.losses[method]},
			{"_validation.png", method + ": validation metrics", "metric", m.evals[method]},
		}
		for _, c := range charts {
			series := c.data.series()
			if len(series) == 0 {
				continue
			}
			path := filepath.Join(outDir, stem+c.suffix)
			if err := LineChart(path, c.title, "step", c.yLabel, series); err != nil {
				return written, err
			}
			written = append(written, path)
		}
	}
	return written, nil
}

// runMetrics is the content of a metrics.jsonl that the curves use.
type runMetrics struct {
	order         []string          // methods with train or eval records, by first appearance
	losses, evals map[string]curves // by method
}

func readMetrics(metricsPath string) (*runMetrics, error) {
	f, err := os.Open(metricsPath)
	if err != nil {
		return nil, fmt.Errorf("plots: %w", err)
	}
	defer f.Close()

	m := &runMetrics{losses: map[string]curves{}, evals: map[string]curves{}}
	seen := map[string]bool{}
	scanner := bufio.NewScanner(f)
	scanner.Buffer(make([]byte, 0, 64<<10), maxLineBytes)
	for lineNo := 1; scanner.Scan(); lineNo++ {
		line := scanner.Bytes()
		if len(strings.TrimSpace(string(line))) == 0 {
			continue
		}
		where := fmt.Sprintf("%s:%d", metricsPath, lineNo)
		// Only train and eval records are decoded in full, so other events may use these field
		// names with other types.
		var head struct {
			Event string `json:"event"`
		}
		if err := json.Unmarshal(line, &head); err != nil {
			return nil, fmt.Errorf("plots: %s: %w", where, err)
		}
		if head.Event != "train" && head.Event != "eval" {
			continue
		}
		var r record
		if err := json.Unmarshal(line, &r); err != nil {
			return nil, fmt.Errorf("plots: %s: %w", where, err)
		}
		var field string
		var into map[string]curves
		var raw json.RawMessage
		switch r.Event {
		case "train":
			field, into, raw = "losses", m.losses, r.Losses
		case "eval":
			field, into, raw = "metrics", m.evals, r.Metrics
		default:
			continue
		}
		if r.Method == "" {
			return nil, fmt.Errorf("plots: %s: %q record without a \"method\"", where, r.Event)
		}
		if r.Step == nil {
			return nil, fmt.Errorf("plots: %s: %q record without a \"step\"", where, r.Event)
		}
		if len(raw) == 0 || string(raw) == "null" {
			return nil, fmt.Errorf("plots: %s: %q record without %q", where, r.Event, field)
		}
		var values map[string]*float64
		if err := json.Unmarshal(raw, &values); err != nil {
			return nil, fmt.Errorf("plots: %s: %q must map names to numbers: %w", where, field, err)
		}
		if !seen[r.Method] {
			seen[r.Method] = true
			m.order = append(m.order, r.Method)
		}
		if into[r.Method] == nil {
			into[r.Method] = curves{}
		}
		into[r.Method].add(*r.Step, values)
	}
	if err := scanner.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			err = fmt.Errorf("a line is longer than %d bytes", maxLineBytes)
		}
		return nil, fmt.Errorf("plots: reading %s: %w", metricsPath, err)
	}
	return m, nil
}

// safeName replaces every character outside [A-Za-z0-9_-] by '_', so a method name cannot
// escape the output directory or trip up shells.
func safeName(s string) string {
	if s == "" {
		return "_"
	}
	var b strings.Builder
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

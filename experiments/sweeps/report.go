package sweeps

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/clustergan/clustergan/evaluation"
	"github.com/clustergan/clustergan/experiments/plots"
	"github.com/clustergan/clustergan/experiments/runner"
)

// RunResult is one run directory as the aggregator reads it.
type RunResult struct {
	Dir      string
	Settings map[string]string // settings.txt, plus "dataset" and "split" from results.json
	Seed     string
	Rows     []runner.ReportRow
	// Validation maps a method (the row name up to its first space) to the validation score of
	// the model it reported (NaN when it has none); see validationScores.
	Validation map[string]float64
}

// Stat is the mean and sample standard deviation (n−1 denominator) over seeds; Std is NaN
// below two seeds.
type Stat struct {
	Mean, Std float64
}

// RowStats aggregates one result row (e.g. "clustergan (argmax)") of one parameter point.
type RowStats struct {
	Row                   string
	N                     int      // runs (seeds) with this row
	Seeds                 []string // their seeds, in run order
	ACC, Purity, NMI, ARI Stat
	// Best is the run with the highest validation score (ties: the first seed), with its test
	// metrics; nil when no run of the point has a validation score for this row's method.
	Best *Best
}

// Best is the best-of-seeds selection.
type Best struct {
	Seed            string
	Dir             string
	ValidationScore float64
	Metrics         evaluation.Metrics
}

// Group is one parameter point: runs whose settings differ only in the seed.
type Group struct {
	Params map[string]string // the varying parameters' values (see Aggregate.Varying)
	Label  string            // "beta_c=1, beta_n=10"
	Runs   []*RunResult
	Rows   []RowStats
}

// Aggregate is the report over a set of run directories.
type Aggregate struct {
	Varying []string // parameters (and dataset/split) that differ between groups, sorted; never the seed
	Groups  []*Group // sorted by the varying parameters (numerically where both values are numbers)
	Rows    []string // result row names, in order of first appearance
	// NoValidation lists the methods without a validation score in any run: they have no
	// best-of-seeds.
	NoValidation []string
}

// ReadRun reads a run directory: results.json, settings.txt and metrics.jsonl (optional).
func ReadRun(dir string) (*RunResult, error) {
	data, err := os.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		return nil, err
	}
	var report runner.Report
	if err := json.Unmarshal(data, &report); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "results.json"), err)
	}
	settings, err := os.ReadFile(filepath.Join(dir, "settings.txt"))
	if err != nil {
		return nil, fmt.Errorf("run directory %s: %w", dir, err)
	}
	r := &RunResult{Dir: dir, Settings: parseSettings(string(settings)), Rows: report.Rows}
	r.Seed = r.Settings[runner.ParamSeed]
	if r.Seed == "" {
		r.Seed = strconv.FormatInt(report.Seed, 10)
	}
	delete(r.Settings, runner.ParamSeed)
	r.Settings["dataset"], r.Settings["split"] = report.Dataset, report.Split
	if r.Validation, err = validationScores(dir, report.Rows); err != nil {
		return nil, err
	}
	return r, nil
}

// methodOf is the method that produced a row: "clustergan (argmax)" → "clustergan".
func methodOf(row string) string {
	m, _, _ := strings.Cut(row, " ")
	return m
}

// validationScores finds, per method, the validation score of the model the run reported: the
// "eval" record (metrics.jsonl, written by the trainer) at the row's Extra "selected_step"; the
// last such record when a resumed run repeated the step; the best "eval" score when the row
// names no step. Methods without "eval" records (k-means on pixels) get NaN.
func validationScores(dir string, rows []runner.ReportRow) (map[string]float64, error) {
	type eval struct {
		Method string   `json:"method"`
		Event  string   `json:"event"`
		Step   int      `json:"step"`
		Score  *float64 `json:"score"`
	}
	atStep := map[string]map[int]float64{}
	best := map[string]float64{}
	f, err := os.Open(filepath.Join(dir, "metrics.jsonl"))
	if err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			var e eval
			// A line cut by a kill is skipped: it is always the last and never a selected step.
			if json.Unmarshal(sc.Bytes(), &e) != nil || e.Event != "eval" || e.Score == nil {
				continue
			}
			if atStep[e.Method] == nil {
				atStep[e.Method] = map[int]float64{}
			}
			atStep[e.Method][e.Step] = *e.Score
			if b, ok := best[e.Method]; !ok || *e.Score > b {
				best[e.Method] = *e.Score
			}
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "metrics.jsonl"), err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	scores := map[string]float64{}
	for _, row := range rows {
		m := methodOf(row.Method)
		score, ok := math.NaN(), false
		if step, isNum := row.Extra["selected_step"].(float64); isNum && step > 0 {
			score, ok = atStep[m][int(step)]
		}
		if !ok {
			if b, has := best[m]; has {
				score = b
			} else {
				score = math.NaN()
			}
		}
		scores[m] = score
	}
	return scores, nil
}

// AggregateDir reads every run directory under root (any directory holding a results.json, at
// any depth, so a parent of several sweeps or shards works) and aggregates them.
func AggregateDir(root string) (*Aggregate, error) {
	var runs []*RunResult
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || d.Name() != "results.json" {
			return nil
		}
		r, err := ReadRun(filepath.Dir(path))
		if err != nil {
			return err
		}
		runs = append(runs, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(runs) == 0 {
		return nil, fmt.Errorf("%s: no run directories (no results.json)", root)
	}
	return AggregateRuns(runs), nil
}

// AggregateRuns groups runs by their settings without the seed and computes, per group and
// result row, mean ± std of the test metrics over seeds and the best-of-seeds by validation
// score.
func AggregateRuns(runs []*RunResult) *Aggregate {
	agg := &Aggregate{}
	// Parameters whose value is not the same in every run (missing counts as a value).
	keys := map[string]bool{}
	for _, r := range runs {
		for k := range r.Settings {
			keys[k] = true
		}
	}
	for k := range keys {
		first, firstOK := runs[0].Settings[k]
		for _, r := range runs[1:] {
			if v, ok := r.Settings[k]; ok != firstOK || v != first {
				agg.Varying = append(agg.Varying, k)
				break
			}
		}
	}
	sort.Strings(agg.Varying)

	byKey := map[string]*Group{}
	for _, r := range runs {
		params := map[string]string{}
		var parts []string
		for _, k := range agg.Varying {
			params[k] = r.Settings[k]
			parts = append(parts, k+"="+r.Settings[k])
		}
		label := strings.Join(parts, ", ")
		g := byKey[label]
		if g == nil {
			g = &Group{Params: params, Label: label}
			byKey[label] = g
			agg.Groups = append(agg.Groups, g)
		}
		g.Runs = append(g.Runs, r)
	}
	sort.SliceStable(agg.Groups, func(i, j int) bool {
		for _, k := range agg.Varying {
			if c := compareValues(agg.Groups[i].Params[k], agg.Groups[j].Params[k]); c != 0 {
				return c < 0
			}
		}
		return false
	})

	seenRow := map[string]bool{}
	hasValidation := map[string]bool{}
	methods := map[string]bool{}
	for _, r := range runs {
		for _, row := range r.Rows {
			if !seenRow[row.Method] {
				seenRow[row.Method] = true
				agg.Rows = append(agg.Rows, row.Method)
			}
			m := methodOf(row.Method)
			methods[m] = true
			if !math.IsNaN(r.Validation[m]) {
				hasValidation[m] = true
			}
		}
	}
	for m := range methods {
		if !hasValidation[m] {
			agg.NoValidation = append(agg.NoValidation, m)
		}
	}
	sort.Strings(agg.NoValidation)

	for _, g := range agg.Groups {
		sort.SliceStable(g.Runs, func(i, j int) bool { return compareValues(g.Runs[i].Seed, g.Runs[j].Seed) < 0 })
		for _, name := range agg.Rows {
			st := RowStats{Row: name}
			var acc, pur, nmi, ari []float64
			for _, r := range g.Runs {
				for _, row := range r.Rows {
					if row.Method != name {
						continue
					}
					st.N++
					st.Seeds = append(st.Seeds, r.Seed)
					m := row.Metrics
					acc, pur, nmi, ari = append(acc, m.ACC), append(pur, m.Purity), append(nmi, m.NMI), append(ari, m.ARI)
					if v := r.Validation[methodOf(name)]; !math.IsNaN(v) && (st.Best == nil || v > st.Best.ValidationScore) {
						st.Best = &Best{Seed: r.Seed, Dir: r.Dir, ValidationScore: v, Metrics: m}
					}
				}
			}
			if st.N == 0 {
				continue
			}
			st.ACC, st.Purity, st.NMI, st.ARI = stat(acc), stat(pur), stat(nmi), stat(ari)
			g.Rows = append(g.Rows, st)
		}
	}
	return agg
}

func stat(xs []float64) Stat {
	n := float64(len(xs))
	var sum float64
	for _, x := range xs {
		sum += x
	}
	mean := sum / n
	if len(xs) < 2 {
		return Stat{Mean: mean, Std: math.NaN()}
	}
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	return Stat{Mean: mean, Std: math.Sqrt(ss / (n - 1))}
}

// compareValues orders numbers numerically and anything else as strings, numbers first.
func compareValues(a, b string) int {
	fa, errA := strconv.ParseFloat(a, 64)
	fb, errB := strconv.ParseFloat(b, 64)
	switch {
	case errA == nil && errB == nil:
		switch {
		case fa < fb:
			return -1
		case fa > fb:
			return 1
		}
		return strings.Compare(a, b)
	case errA == nil:
		return -1
	case errB == nil:
		return 1
	}
	return strings.Compare(a, b)
}

func fmtStat(s Stat) string {
	if math.IsNaN(s.Std) {
		return fmt.Sprintf("%.4f", s.Mean)
	}
	return fmt.Sprintf("%.4f ± %.4f", s.Mean, s.Std)
}

// Markdown writes one table per result row: the varying parameters, n seeds, mean ± std of the
// test metrics, and beside them the best-of-seeds selected by validation purity.
func (a *Aggregate) Markdown() string {
	var b strings.Builder
	b.WriteString("# Sweep report\n\n")
	fmt.Fprintf(&b, "%d runs in %d parameter points. Test metrics: mean ± sample std over seeds (n−1). "+
		"Best of seeds: the run with the highest validation purity (the paper's model selection), "+
		"shown beside the mean, not instead of it.\n", a.numRuns(), len(a.Groups))
	for _, row := range a.Rows {
		fmt.Fprintf(&b, "\n## %s\n\n", row)
		header := append(append([]string{}, a.Varying...), "n", "ACC", "purity", "NMI", "ARI",
			"best: seed", "val. purity", "ACC", "purity", "NMI", "ARI")
		b.WriteString("| " + strings.Join(header, " | ") + " |\n")
		b.WriteString(strings.Repeat("|---", len(header)) + "|\n")
		for _, g := range a.Groups {
			for _, st := range g.Rows {
				if st.Row != row {
					continue
				}
				cells := make([]string, 0, len(header))
				for _, k := range a.Varying {
					cells = append(cells, g.Params[k])
				}
				cells = append(cells, strconv.Itoa(st.N), fmtStat(st.ACC), fmtStat(st.Purity), fmtStat(st.NMI), fmtStat(st.ARI))
				if st.Best != nil {
					m := st.Best.Metrics
					cells = append(cells, st.Best.Seed, fmt.Sprintf("%.4f", st.Best.ValidationScore),
						fmt.Sprintf("%.4f", m.ACC), fmt.Sprintf("%.4f", m.Purity), fmt.Sprintf("%.4f", m.NMI), fmt.Sprintf("%.4f", m.ARI))
				} else {
					cells = append(cells, "—", "—", "—", "—", "—", "—")
				}
				b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
			}
		}
		if m := methodOf(row); contains(a.NoValidation, m) {
			fmt.Fprintf(&b, "\n%s has no validation score (it selects no model), so there is no best of seeds.\n", m)
		}
	}
	return b.String()
}

func (a *Aggregate) numRuns() int {
	n := 0
	for _, g := range a.Groups {
		n += len(g.Runs)
	}
	return n
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// WriteCSV writes one line per parameter point and result row; std and best-of-seeds cells
// are empty where undefined.
func (a *Aggregate) WriteCSV(path string) error {
	var b strings.Builder
	w := csv.NewWriter(&b)
	header := append(append([]string{}, a.Varying...), "row", "n", "seeds",
		"acc_mean", "acc_std", "purity_mean", "purity_std", "nmi_mean", "nmi_std", "ari_mean", "ari_std",
		"best_seed", "best_val_purity", "best_acc", "best_purity", "best_nmi", "best_ari")
	if err := w.Write(header); err != nil {
		return err
	}
	num := func(v float64) string {
		if math.IsNaN(v) {
			return ""
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	for _, g := range a.Groups {
		for _, st := range g.Rows {
			rec := make([]string, 0, len(header))
			for _, k := range a.Varying {
				rec = append(rec, g.Params[k])
			}
			rec = append(rec, st.Row, strconv.Itoa(st.N), strings.Join(st.Seeds, " "))
			for _, s := range []Stat{st.ACC, st.Purity, st.NMI, st.ARI} {
				rec = append(rec, num(s.Mean), num(s.Std))
			}
			if st.Best != nil {
				m := st.Best.Metrics
				rec = append(rec, st.Best.Seed, num(st.Best.ValidationScore), num(m.ACC), num(m.Purity), num(m.NMI), num(m.ARI))
			} else {
				rec = append(rec, "", "", "", "", "", "")
			}
			if err := w.Write(rec); err != nil {
				return err
			}
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return writeFileAtomic(path, []byte(b.String()))
}

// Heatmaps writes, per result row, a PNG of mean test purity over the parameters x (columns)
// and y (rows) into dir, and returns the paths. Where other parameters vary too, one heatmap is
// drawn per combination of their values. It fails when x or y is not a varying parameter.
func (a *Aggregate) Heatmaps(dir, x, y string) ([]string, error) {
	if !contains(a.Varying, x) || !contains(a.Varying, y) || x == y {
		return nil, fmt.Errorf("heatmap over %s × %s: both must be distinct parameters that vary in the sweep (varying: %s)",
			y, x, strings.Join(a.Varying, ", "))
	}
	var xs, ys []string
	type slice struct {
		label  string
		groups []*Group
	}
	var panels []*slice
	byLabel := map[string]*slice{}
	for _, g := range a.Groups {
		if !contains(xs, g.Params[x]) {
			xs = append(xs, g.Params[x])
		}
		if !contains(ys, g.Params[y]) {
			ys = append(ys, g.Params[y])
		}
		var parts []string
		for _, k := range a.Varying {
			if k != x && k != y {
				parts = append(parts, k+"="+g.Params[k])
			}
		}
		label := strings.Join(parts, ", ")
		s := byLabel[label]
		if s == nil {
			s = &slice{label: label}
			byLabel[label] = s
			panels = append(panels, s)
		}
		s.groups = append(s.groups, g)
	}
	sortValues := func(v []string) { sort.Slice(v, func(i, j int) bool { return compareValues(v[i], v[j]) < 0 }) }
	sortValues(xs)
	sortValues(ys)
	var paths []string
	for _, row := range a.Rows {
		for _, s := range panels {
			values := make([][]float64, len(ys))
			for i := range values {
				values[i] = make([]float64, len(xs))
				for j := range values[i] {
					values[i][j] = math.NaN()
				}
			}
			filled := false
			for _, g := range s.groups {
				for _, st := range g.Rows {
					if st.Row == row {
						values[indexOf(ys, g.Params[y])][indexOf(xs, g.Params[x])] = st.Purity.Mean
						filled = true
					}
				}
			}
			if !filled {
				continue
			}
			name := "heatmap_" + slug(row)
			title := row + ": mean test purity"
			if s.label != "" {
				name += "_" + slug(s.label)
				title += " (" + s.label + ")"
			}
			path := filepath.Join(dir, name+".png")
			if err := plots.Heatmap(path, title, x, y, xs, ys, values); err != nil {
				return paths, err
			}
			paths = append(paths, path)
		}
	}
	return paths, nil
}

// slug makes a file name part: sanitize, with runs of "_" collapsed and trimmed.
func slug(s string) string {
	s = sanitize(s)
	for strings.Contains(s, "__") {
		s = strings.ReplaceAll(s, "__", "_")
	}
	return strings.Trim(s, "_")
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// WriteReport aggregates the run directories under root and writes report.md, report.csv and
// the heatmaps over x × y into outDir. An empty x or y skips the heatmaps; x and y that do not
// vary are reported in the Markdown rather than failing the report.
func WriteReport(root, outDir, x, y string) (*Aggregate, []string, error) {
	agg, err := AggregateDir(root)
	if err != nil {
		return nil, nil, err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, nil, err
	}
	md := agg.Markdown()
	var files []string
	if x != "" && y != "" {
		paths, err := agg.Heatmaps(outDir, x, y)
		if err != nil {
			md += "\nNo heatmaps: " + err.Error() + "\n"
		}
		for _, p := range paths {
			md += fmt.Sprintf("\n![%s](%s)\n", filepath.Base(p), filepath.Base(p))
		}
		files = append(files, paths...)
	}
	mdPath, csvPath := filepath.Join(outDir, "report.md"), filepath.Join(outDir, "report.csv")
	if err := writeFileAtomic(mdPath, []byte(md)); err != nil {
		return agg, files, err
	}
	if err := agg.WriteCSV(csvPath); err != nil {
		return agg, files, err
	}
	return agg, append([]string{mdPath, csvPath}, files...), nil
}

// writeFileAtomic writes data next to path and renames it into place.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

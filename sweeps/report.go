package sweeps

import (
	"encoding/csv"
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
	"github.com/clustergan/clustergan/internal/atomicfile"
	"github.com/clustergan/clustergan/methods"
	"github.com/clustergan/clustergan/plots"
	"github.com/clustergan/clustergan/rundir"
)

// RunResult is one run directory as the aggregator reads it.
type RunResult struct {
	Dir      string
	Settings map[string]string // settings.txt, plus "dataset" and "split" from results.json
	Seed     string
	Rows     []rundir.ResultRow
	// Selected maps a method to the validation score of the model it reported (NaN when it has
	// none, as k-means on raw features); see selectedScores.
	Selected map[string]float64
	// Final maps a method to its last evaluation: the final weights' validation purity and,
	// when the run tracked the reported split (track_eval_split), their test metrics.
	Final map[string]FinalEval
}

// FinalEval is the last evaluation of a training method: the official protocol evaluates each
// run's final weights and picks among runs by their validation purity.
type FinalEval struct {
	Step       int
	Validation float64
	// Tracked: the evaluation also scored the reported split: Metrics (k-means row) and
	// ArgmaxPurity hold those numbers.
	Tracked      bool
	Metrics      evaluation.Metrics
	ArgmaxPurity float64
}

// Stat is the mean and sample standard deviation (n−1 denominator) over seeds; Std is NaN
// below two seeds, Mean NaN without values.
type Stat struct {
	Mean, Std float64
}

// Kind names a result row independently of its recipe: "<method>: <inference>", so that the
// rows of points with different recipes line up ("clustergan: k-means on E(x)").
func Kind(r rundir.ResultRow) string {
	if r.Inference == "" {
		return r.Method
	}
	return r.Method + ": " + r.Inference
}

// RowStats aggregates one kind of result row over the seeds of one parameter point.
type RowStats struct {
	Kind   string
	Recipe string   // the rows' recipe ("ClusterGAN + β_x"); several joined by " / " if they differ
	N      int      // runs (seeds) with this row
	Seeds  []string // their seeds, in seed order
	// Test metrics of the reported models.
	ACC, Purity, NMI, NMIGeometric, ARI Stat
	// Generation is the cluster-conditional generation agreement (NaN mean when not measured).
	Generation Stat
	// TrainSeconds is the mean training time.
	TrainSeconds Stat
	// Best is the run whose reported model has the highest validation score (ties: the first
	// seed), with its test metrics; nil when no run of the point has a validation score.
	Best *Best
	// FinalPurity is the test purity of the final weights over the seeds that tracked it (the
	// k-means and argmax rows of encoder methods); BestFinal the run whose final weights have
	// the best validation purity: the official code's "best of N runs".
	FinalPurity Stat
	BestFinal   *Best
}

// Best is a best-of-seeds selection.
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
}

// Ignored marks, in Line.Params, a varying parameter that the row's method does not read.
const Ignored = "—"

// Table is one row kind over the sweep: a line per value of the varying parameters that the
// kind's method reads. A recipe parameter of other methods that this one ignores (k-means on
// pixels ignores β_n) shows as Ignored, and the points that differ only in such parameters
// share one line with one run per seed, so that a baseline repeated at every point of a β sweep
// counts its seeds once.
type Table struct {
	Kind    string
	Method  string   // the method whose rows these are
	Ignored []string // varying parameters the kind's method does not read
	Lines   []Line   // in the order of the groups
	// Notes: seeds whose runs disagree between points that differ only in ignored parameters
	// (the first is reported); such a method depends on them after all, or is not deterministic.
	Notes []string
}

// Line is one row of a Table.
type Line struct {
	Params map[string]string // varying parameter → value, Ignored where the method does not read it
	Label  string            // "beta_c=1, beta_n=—"
	Stats  RowStats
}

// Aggregate is the report over a set of run directories.
type Aggregate struct {
	Varying []string // parameters (and dataset/split) that differ between groups, sorted; never the seed
	Groups  []*Group // sorted by the varying parameters (numerically where both values are numbers)
	Kinds   []string // row kinds, in order of first appearance
	Tables  []*Table // one per kind, in the order of Kinds
}

// Table returns the table of a row kind, or nil.
func (a *Aggregate) Table(kind string) *Table {
	for _, t := range a.Tables {
		if t.Kind == kind {
			return t
		}
	}
	return nil
}

// Line returns the line of the table whose label is label, or nil.
func (t *Table) Line(label string) *Line {
	for i := range t.Lines {
		if t.Lines[i].Label == label {
			return &t.Lines[i]
		}
	}
	return nil
}

// ReadRun reads a run directory: results.json, settings.txt and metrics.jsonl (optional).
func ReadRun(dir string) (*RunResult, error) {
	results, err := rundir.ReadResults(dir)
	if err != nil {
		return nil, err
	}
	settings, err := os.ReadFile(filepath.Join(dir, rundir.SettingsFile))
	if err != nil {
		return nil, fmt.Errorf("run directory %s: %w", dir, err)
	}
	r := &RunResult{Dir: dir, Settings: rundir.SettingsMap(string(settings)), Rows: results.Rows}
	r.Seed = r.Settings[methods.ParamSeed]
	if r.Seed == "" {
		r.Seed = strconv.FormatInt(results.Seed, 10)
	}
	delete(r.Settings, methods.ParamSeed)
	r.Settings["dataset"], r.Settings["split"] = results.Dataset, results.Split
	m, err := rundir.ReadMetrics(filepath.Join(dir, rundir.MetricsFile))
	if errors.Is(err, os.ErrNotExist) {
		m, err = &rundir.Metrics{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, rundir.MetricsFile), err)
	}
	r.Selected, r.Final = selectedScores(m, results.Rows), finalEvals(m)
	return r, nil
}

// selectedScores finds, per method, the validation score of the model the run reported: the
// evaluation record at the row's Extra "selected_step" (the last such record when a resumed run
// repeated the step), else the best evaluation score. Methods without evaluations get NaN.
func selectedScores(m *rundir.Metrics, rows []rundir.ResultRow) map[string]float64 {
	scores := map[string]float64{}
	for _, row := range rows {
		evals := m.EvalOf(row.Method)
		score := math.NaN()
		if step, ok := row.Extra["selected_step"].(float64); ok && step > 0 {
			for _, e := range evals {
				if e.Step == int(step) {
					score = e.Score
				}
			}
		}
		if math.IsNaN(score) {
			for _, e := range evals {
				if math.IsNaN(score) || e.Score > score {
					score = e.Score
				}
			}
		}
		scores[row.Method] = score
	}
	return scores
}

// finalEvals returns each method's last evaluation (the largest step; the last record of it).
func finalEvals(m *rundir.Metrics) map[string]FinalEval {
	out := map[string]FinalEval{}
	for _, e := range m.Eval {
		if f, ok := out[e.Method]; ok && e.Step < f.Step {
			continue
		}
		f := FinalEval{Step: e.Step, Validation: e.Score}
		if p, ok := e.Metrics[methods.EvalPurity]; ok {
			f.Tracked = true
			f.Metrics = evaluation.Metrics{Purity: p, ACC: e.Metrics[methods.EvalACC], NMI: e.Metrics[methods.EvalNMI], ARI: e.Metrics[methods.EvalARI]}
			f.ArgmaxPurity = e.Metrics[methods.EvalArgmaxPurity]
		}
		out[e.Method] = f
	}
	return out
}

// AggregateDir reads every run directory under root (any directory holding a results.json, at
// any depth, so a parent of several sweeps or shards works), keeps those whose settings match
// every where (name → value text), and aggregates them. A results.json that cannot be read is
// reported and skipped, not fatal: one torn file must not hide a whole sweep.
func AggregateDir(root string, where map[string]string) (*Aggregate, []error, error) {
	var runs []*RunResult
	var skipped []error
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || d.Name() != rundir.ResultsFile {
			return nil
		}
		r, err := ReadRun(filepath.Dir(path))
		if err != nil {
			skipped = append(skipped, err)
			return nil
		}
		for k, v := range where {
			if r.Settings[k] != v && !(k == methods.ParamSeed && r.Seed == v) {
				return nil
			}
		}
		runs = append(runs, r)
		return nil
	})
	if err != nil {
		return nil, skipped, err
	}
	if len(runs) == 0 {
		return nil, skipped, fmt.Errorf("%s: no run directories (no readable results.json matching the selection)", root)
	}
	return AggregateRuns(runs), skipped, nil
}

// AggregateRuns groups runs by their settings without the seed and computes, per group and
// row kind, mean ± std over seeds and the best-of-seeds selections.
func AggregateRuns(runs []*RunResult) *Aggregate {
	agg := &Aggregate{}
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
	seenKind := map[string]bool{}
	kindMethod := map[string]string{}
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
		for _, row := range r.Rows {
			if k := Kind(row); !seenKind[k] {
				seenKind[k] = true
				agg.Kinds = append(agg.Kinds, k)
				kindMethod[k] = row.Method
			}
		}
	}
	sort.SliceStable(agg.Groups, func(i, j int) bool {
		for _, k := range agg.Varying {
			if c := compareValues(agg.Groups[i].Params[k], agg.Groups[j].Params[k]); c != 0 {
				return c < 0
			}
		}
		return false
	})
	for _, g := range agg.Groups {
		sort.SliceStable(g.Runs, func(i, j int) bool { return compareValues(g.Runs[i].Seed, g.Runs[j].Seed) < 0 })
	}
	recipe := recipeParams()
	for _, kind := range agg.Kinds {
		method := kindMethod[kind]
		agg.Tables = append(agg.Tables, agg.table(kind, method, ignoredParams(method, agg.Varying, recipe)))
	}
	return agg
}

// recipeParams returns the parameters some registered method reads.
func recipeParams() map[string]bool {
	recipe := map[string]bool{}
	for _, name := range methods.Names() {
		m, _ := methods.Get(name) // registered: Names lists them
		for _, p := range m.Params() {
			recipe[p] = true
		}
	}
	return recipe
}

// ignoredParams returns the varying parameters that are recipe parameters (of some registered
// method) but not of method. A method that is not registered (a run of another version) is
// taken to read them all.
func ignoredParams(method string, varying []string, recipe map[string]bool) []string {
	m, err := methods.Get(method)
	if err != nil {
		return nil
	}
	var out []string
	for _, p := range varying {
		if recipe[p] && !contains(m.Params(), p) {
			out = append(out, p)
		}
	}
	return out
}

// table aggregates one row kind: the groups merged over the ignored parameters, one run per
// seed in each line.
func (a *Aggregate) table(kind, method string, ignored []string) *Table {
	t := &Table{Kind: kind, Method: method, Ignored: ignored}
	type acc struct {
		line  Line
		runs  []*RunResult
		seeds map[string]*RunResult
	}
	var lines []*acc
	byLabel := map[string]*acc{}
	for _, g := range a.Groups {
		params := map[string]string{}
		var parts []string
		for _, k := range a.Varying {
			v := g.Params[k]
			if contains(ignored, k) {
				v = Ignored
			}
			params[k] = v
			parts = append(parts, k+"="+v)
		}
		label := strings.Join(parts, ", ")
		l := byLabel[label]
		if l == nil {
			l = &acc{line: Line{Params: params, Label: label}, seeds: map[string]*RunResult{}}
			byLabel[label] = l
			lines = append(lines, l)
		}
		for _, r := range g.Runs {
			row, ok := r.row(kind)
			if !ok {
				continue
			}
			if first, dup := l.seeds[r.Seed]; dup {
				if firstRow, _ := first.row(kind); firstRow.Metrics != row.Metrics {
					t.Notes = append(t.Notes, fmt.Sprintf("seed %s: %s and %s differ only in %s, which %s does not read, "+
						"yet their results differ; the first is reported", r.Seed, first.Dir, r.Dir, strings.Join(ignored, ", "), row.Method))
				}
				continue
			}
			l.seeds[r.Seed] = r
			l.runs = append(l.runs, r)
		}
	}
	for _, l := range lines {
		sort.SliceStable(l.runs, func(i, j int) bool { return compareValues(l.runs[i].Seed, l.runs[j].Seed) < 0 })
		if st, ok := rowStats(l.runs, kind); ok {
			l.line.Stats = st
			t.Lines = append(t.Lines, l.line)
		}
	}
	return t
}

// row returns the run's result row of a kind.
func (r *RunResult) row(kind string) (rundir.ResultRow, bool) {
	for _, row := range r.Rows {
		if Kind(row) == kind {
			return row, true
		}
	}
	return rundir.ResultRow{}, false
}

// rowStats aggregates the rows of one kind over a point's runs.
func rowStats(runs []*RunResult, kind string) (RowStats, bool) {
	st := RowStats{Kind: kind}
	var acc, pur, nmi, nmiG, ari, gen, secs, final []float64
	var recipes []string
	for _, r := range runs {
		for _, row := range r.Rows {
			if Kind(row) != kind {
				continue
			}
			st.N++
			st.Seeds = append(st.Seeds, r.Seed)
			if !contains(recipes, row.Recipe) {
				recipes = append(recipes, row.Recipe)
			}
			m := row.Metrics
			acc, pur, nmi, nmiG, ari = append(acc, m.ACC), append(pur, m.Purity), append(nmi, m.NMI), append(nmiG, m.NMIGeometric), append(ari, m.ARI)
			secs = append(secs, row.TrainSeconds)
			if row.Generation != nil {
				gen = append(gen, row.Generation.Agreement)
			}
			if v := r.Selected[row.Method]; !math.IsNaN(v) && (st.Best == nil || v > st.Best.ValidationScore) {
				st.Best = &Best{Seed: r.Seed, Dir: r.Dir, ValidationScore: v, Metrics: m}
			}
			if f, ok := r.Final[row.Method]; ok && f.Tracked {
				p, fm := f.Metrics.Purity, f.Metrics
				switch {
				case strings.HasPrefix(row.Inference, "argmax"):
					p, fm = f.ArgmaxPurity, evaluation.Metrics{Purity: f.ArgmaxPurity, ACC: math.NaN(), NMI: math.NaN(), ARI: math.NaN()}
				case !strings.HasPrefix(row.Inference, "k-means on"):
					continue // the final evaluation scores the encoder's rows only
				}
				final = append(final, p)
				if st.BestFinal == nil || f.Validation > st.BestFinal.ValidationScore {
					st.BestFinal = &Best{Seed: r.Seed, Dir: r.Dir, ValidationScore: f.Validation, Metrics: fm}
				}
			}
		}
	}
	if st.N == 0 {
		return st, false
	}
	st.Recipe = strings.Join(recipes, " / ")
	st.ACC, st.Purity, st.NMI, st.NMIGeometric, st.ARI = stat(acc), stat(pur), stat(nmi), stat(nmiG), stat(ari)
	st.Generation, st.TrainSeconds, st.FinalPurity = stat(gen), stat(secs), stat(final)
	return st, true
}

func stat(xs []float64) Stat {
	if len(xs) == 0 {
		return Stat{Mean: math.NaN(), Std: math.NaN()}
	}
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
	switch {
	case math.IsNaN(s.Mean):
		return "—"
	case math.IsNaN(s.Std):
		return fmt.Sprintf("%.3f", s.Mean)
	}
	return fmt.Sprintf("%.3f ± %.3f", s.Mean, s.Std)
}

func fmtNum(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	return fmt.Sprintf("%.3f", v)
}

// Markdown writes one table per row kind: the varying parameters, the recipe, n seeds, mean ±
// std of the reported models' test metrics and generation agreement, the best seed by
// validation beside them, then the final weights' test purity and the best run by the final
// weights' validation purity (the official protocol).
func (a *Aggregate) Markdown() string {
	var b strings.Builder
	b.WriteString("# Sweep report\n\n")
	fmt.Fprintf(&b, "%d runs in %d parameter points. Test metrics: mean ± sample std over seeds (n−1) of the model each run "+
		"reported (its model_selection). *Best seed*: the run whose reported model has the highest validation purity, "+
		"shown beside the mean, not instead of it. *Final weights*: test purity of each run's last evaluation, and the "+
		"run whose final weights have the best validation purity (the official code's protocol), where the runs "+
		"tracked the test split. NMI: arithmetic; NMI-g: geometric. Gen.: cluster-conditional generation agreement.\n",
		a.numRuns(), len(a.Groups))
	for _, t := range a.Tables {
		fmt.Fprintf(&b, "\n## %s\n\n", t.Kind)
		if len(t.Ignored) > 0 {
			fmt.Fprintf(&b, "%s does not read %s (%s): the points that differ only there share a line, one run per seed.\n\n",
				t.Method, strings.Join(t.Ignored, ", "), Ignored)
		}
		header := append(append([]string{}, a.Varying...), "recipe", "n", "ACC", "purity", "NMI", "NMI-g", "ARI", "gen.",
			"train s", "best seed", "val.", "purity", "NMI", "ARI", "final purity", "best final", "val.", "purity")
		b.WriteString("| " + strings.Join(header, " | ") + " |\n")
		b.WriteString(strings.Repeat("|---", len(header)) + "|\n")
		for _, l := range t.Lines {
			st := l.Stats
			var cells []string
			for _, k := range a.Varying {
				cells = append(cells, l.Params[k])
			}
			cells = append(cells, st.Recipe, strconv.Itoa(st.N), fmtStat(st.ACC), fmtStat(st.Purity), fmtStat(st.NMI),
				fmtStat(st.NMIGeometric), fmtStat(st.ARI), fmtStat(st.Generation), fmt.Sprintf("%.0f", st.TrainSeconds.Mean))
			if st.Best != nil {
				m := st.Best.Metrics
				cells = append(cells, st.Best.Seed, fmtNum(st.Best.ValidationScore), fmtNum(m.Purity), fmtNum(m.NMI), fmtNum(m.ARI))
			} else {
				cells = append(cells, "—", "—", "—", "—", "—")
			}
			cells = append(cells, fmtStat(st.FinalPurity))
			if st.BestFinal != nil {
				cells = append(cells, st.BestFinal.Seed, fmtNum(st.BestFinal.ValidationScore), fmtNum(st.BestFinal.Metrics.Purity))
			} else {
				cells = append(cells, "—", "—", "—")
			}
			b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
		}
		for _, n := range t.Notes {
			b.WriteString("\nNote: " + n + "\n")
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

// WriteCSV writes one line per line of each Table (row kind); cells are empty where undefined.
func (a *Aggregate) WriteCSV(path string) error {
	var b strings.Builder
	w := csv.NewWriter(&b)
	header := append(append([]string{}, a.Varying...), "kind", "recipe", "n", "seeds",
		"acc_mean", "acc_std", "purity_mean", "purity_std", "nmi_mean", "nmi_std", "nmi_geometric_mean", "nmi_geometric_std",
		"ari_mean", "ari_std", "generation_mean", "generation_std", "train_seconds_mean",
		"best_seed", "best_val_purity", "best_acc", "best_purity", "best_nmi", "best_ari",
		"final_purity_mean", "final_purity_std", "best_final_seed", "best_final_val_purity", "best_final_purity")
	if err := w.Write(header); err != nil {
		return err
	}
	num := func(v float64) string {
		if math.IsNaN(v) {
			return ""
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	for _, t := range a.Tables {
		for _, l := range t.Lines {
			st := l.Stats
			var rec []string
			for _, k := range a.Varying {
				rec = append(rec, l.Params[k])
			}
			rec = append(rec, st.Kind, st.Recipe, strconv.Itoa(st.N), strings.Join(st.Seeds, " "))
			for _, s := range []Stat{st.ACC, st.Purity, st.NMI, st.NMIGeometric, st.ARI, st.Generation} {
				rec = append(rec, num(s.Mean), num(s.Std))
			}
			rec = append(rec, num(st.TrainSeconds.Mean))
			if st.Best != nil {
				m := st.Best.Metrics
				rec = append(rec, st.Best.Seed, num(st.Best.ValidationScore), num(m.ACC), num(m.Purity), num(m.NMI), num(m.ARI))
			} else {
				rec = append(rec, "", "", "", "", "", "")
			}
			rec = append(rec, num(st.FinalPurity.Mean), num(st.FinalPurity.Std))
			if st.BestFinal != nil {
				rec = append(rec, st.BestFinal.Seed, num(st.BestFinal.ValidationScore), num(st.BestFinal.Metrics.Purity))
			} else {
				rec = append(rec, "", "", "")
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
	return atomicfile.WriteBytes(path, []byte(b.String()))
}

// Heatmaps draws, per row kind, mean ± std test purity over the parameters x (columns) and y
// (rows) into dir (PNG and SVG), and returns the paths. Where other parameters vary too, one
// heatmap is drawn per combination of their values; a kind whose method ignores x or y gets
// none. It fails when x or y is not a varying parameter.
func (a *Aggregate) Heatmaps(dir, x, y string) ([]string, error) {
	if !contains(a.Varying, x) || !contains(a.Varying, y) || x == y {
		return nil, fmt.Errorf("heatmap over %s × %s: both must be distinct parameters that vary in the sweep (varying: %s)",
			y, x, strings.Join(a.Varying, ", "))
	}
	sortValues := func(v []string) { sort.Slice(v, func(i, j int) bool { return compareValues(v[i], v[j]) < 0 }) }
	var paths []string
	for _, t := range a.Tables {
		if contains(t.Ignored, x) || contains(t.Ignored, y) {
			continue
		}
		var xs, ys, labels []string
		panels := map[string][]*Line{}
		for i := range t.Lines {
			l := &t.Lines[i]
			if !contains(xs, l.Params[x]) {
				xs = append(xs, l.Params[x])
			}
			if !contains(ys, l.Params[y]) {
				ys = append(ys, l.Params[y])
			}
			var parts []string
			for _, k := range a.Varying {
				if k != x && k != y {
					parts = append(parts, k+"="+l.Params[k])
				}
			}
			label := strings.Join(parts, ", ")
			if _, ok := panels[label]; !ok {
				labels = append(labels, label)
			}
			panels[label] = append(panels[label], l)
		}
		sortValues(xs)
		sortValues(ys)
		for _, label := range labels {
			values, std := nanGrid(len(ys), len(xs)), nanGrid(len(ys), len(xs))
			for _, l := range panels[label] {
				i, j := indexOf(ys, l.Params[y]), indexOf(xs, l.Params[x])
				values[i][j], std[i][j] = l.Stats.Purity.Mean, l.Stats.Purity.Std
			}
			name := "heatmap_" + slug(t.Kind)
			title := t.Kind + ": test purity, mean ± std over seeds"
			if label != "" {
				name += "_" + slug(label)
				title += " (" + label + ")"
			}
			base := filepath.Join(dir, name)
			h := plots.Heatmap{Title: title, XLabel: greek(x), YLabel: greek(y), ValueLabel: "test purity",
				XTicks: xs, YTicks: ys, Values: values, Std: std}
			if err := h.Write(base); err != nil {
				return paths, err
			}
			paths = append(paths, base+".png", base+".svg")
		}
	}
	return paths, nil
}

// nanGrid is a rows × cols grid of NaN (cells without data).
func nanGrid(rows, cols int) [][]float64 {
	g := make([][]float64, rows)
	for i := range g {
		g[i] = make([]float64, cols)
		for j := range g[i] {
			g[i][j] = math.NaN()
		}
	}
	return g
}

// greek writes the loss weights' parameter names as the paper does: beta_n → β_n.
func greek(param string) string {
	if rest, ok := strings.CutPrefix(param, "beta_"); ok {
		return "β_" + rest
	}
	if param == "prior_sigma" {
		return "σ"
	}
	return param
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

// WriteReport aggregates the run directories under root that match where and writes
// report.md, report.csv and the heatmaps over x × y into outDir. An empty x or y skips the
// heatmaps; x and y that do not vary are reported in the Markdown rather than failing the
// report, and so are run directories that could not be read.
func WriteReport(root, outDir, x, y string, where map[string]string) (*Aggregate, []string, error) {
	agg, skipped, err := AggregateDir(root, where)
	if err != nil {
		return nil, nil, err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, nil, err
	}
	md := agg.Markdown()
	for _, e := range skipped {
		md += "\nSkipped (unreadable): " + e.Error() + "\n"
	}
	var files []string
	if x != "" && y != "" {
		paths, err := agg.Heatmaps(outDir, x, y)
		if err != nil {
			md += "\nNo heatmaps: " + err.Error() + "\n"
		}
		for _, p := range paths {
			if strings.HasSuffix(p, ".png") {
				md += fmt.Sprintf("\n![%s](%s)\n", filepath.Base(p), filepath.Base(p))
			}
		}
		files = append(files, paths...)
	}
	mdPath, csvPath := filepath.Join(outDir, "report.md"), filepath.Join(outDir, "report.csv")
	if err := atomicfile.WriteBytes(mdPath, []byte(md)); err != nil {
		return agg, files, err
	}
	if err := agg.WriteCSV(csvPath); err != nil {
		return agg, files, err
	}
	return agg, append([]string{mdPath, csvPath}, files...), nil
}

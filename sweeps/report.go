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
	Rows   []RowStats
}

// Aggregate is the report over a set of run directories.
type Aggregate struct {
	Varying []string // parameters (and dataset/split) that differ between groups, sorted; never the seed
	Groups  []*Group // sorted by the varying parameters (numerically where both values are numbers)
	Kinds   []string // row kinds, in order of first appearance
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
		for _, kind := range agg.Kinds {
			if st, ok := rowStats(g.Runs, kind); ok {
				g.Rows = append(g.Rows, st)
			}
		}
	}
	return agg
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
	for _, kind := range a.Kinds {
		fmt.Fprintf(&b, "\n## %s\n\n", kind)
		header := append(append([]string{}, a.Varying...), "recipe", "n", "ACC", "purity", "NMI", "NMI-g", "ARI", "gen.",
			"train s", "best seed", "val.", "purity", "NMI", "ARI", "final purity", "best final", "val.", "purity")
		b.WriteString("| " + strings.Join(header, " | ") + " |\n")
		b.WriteString(strings.Repeat("|---", len(header)) + "|\n")
		for _, g := range a.Groups {
			for _, st := range g.Rows {
				if st.Kind != kind {
					continue
				}
				var cells []string
				for _, k := range a.Varying {
					cells = append(cells, g.Params[k])
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

// WriteCSV writes one line per parameter point and row kind; cells are empty where undefined.
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
	for _, g := range a.Groups {
		for _, st := range g.Rows {
			var rec []string
			for _, k := range a.Varying {
				rec = append(rec, g.Params[k])
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
// heatmap is drawn per combination of their values. It fails when x or y is not a varying
// parameter.
func (a *Aggregate) Heatmaps(dir, x, y string) ([]string, error) {
	if !contains(a.Varying, x) || !contains(a.Varying, y) || x == y {
		return nil, fmt.Errorf("heatmap over %s × %s: both must be distinct parameters that vary in the sweep (varying: %s)",
			y, x, strings.Join(a.Varying, ", "))
	}
	var xs, ys []string
	type panel struct {
		label  string
		groups []*Group
	}
	var panels []*panel
	byLabel := map[string]*panel{}
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
		p := byLabel[label]
		if p == nil {
			p = &panel{label: label}
			byLabel[label] = p
			panels = append(panels, p)
		}
		p.groups = append(p.groups, g)
	}
	sortValues := func(v []string) { sort.Slice(v, func(i, j int) bool { return compareValues(v[i], v[j]) < 0 }) }
	sortValues(xs)
	sortValues(ys)
	var paths []string
	for _, kind := range a.Kinds {
		for _, p := range panels {
			values, std := nanGrid(len(ys), len(xs)), nanGrid(len(ys), len(xs))
			filled := false
			for _, g := range p.groups {
				for _, st := range g.Rows {
					if st.Kind == kind {
						i, j := indexOf(ys, g.Params[y]), indexOf(xs, g.Params[x])
						values[i][j], std[i][j] = st.Purity.Mean, st.Purity.Std
						filled = true
					}
				}
			}
			if !filled {
				continue
			}
			name := "heatmap_" + slug(kind)
			title := kind + ": test purity, mean ± std over seeds"
			if p.label != "" {
				name += "_" + slug(p.label)
				title += " (" + p.label + ")"
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

package runner

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/clustergan/clustergan/internal/atomicfile"
	"github.com/clustergan/clustergan/methods"
	"github.com/clustergan/clustergan/plots"
	"github.com/clustergan/clustergan/rundir"
)

// Files WriteCurves writes.
const (
	LossesSuffix     = "_losses"     // <run>/<method>_losses.png/.svg
	ValidationSuffix = "_validation" // <run>/<method>_validation.png/.svg
	TimeToAccuracy   = "time_to_accuracy"
)

// WriteCurves draws method's curves from runDir's metrics.jsonl into outDir (the run directory
// itself, for the runner): <method>_losses (every loss term, log scale when all are positive)
// and <method>_validation (the evaluation metrics, the kept model marked), and, when the
// evaluations also scored the reported split (track_eval_split), <method>/time_to_accuracy.csv
// and .png: purity against wall-clock minutes. kept is the reported iteration (0: not marked);
// split names the reported split in legends; a published purity, when the method's row ran the
// published recipe, is drawn as a reference line. A method without records gets no curves.
func WriteCurves(runDir, outDir, method string, kept int, split string, published *rundir.Published) error {
	m, err := rundir.ReadMetrics(filepath.Join(runDir, rundir.MetricsFile))
	if err != nil {
		return err
	}
	if train := m.TrainOf(method); len(train) > 0 {
		curves := map[string]map[int]float64{}
		for _, r := range train {
			for name, v := range r.Losses {
				if curves[name] == nil {
					curves[name] = map[int]float64{}
				}
				curves[name][r.Step] = v // a resumed run repeats steps: the last record wins
			}
		}
		series := toSeries(curves)
		chart := plots.LineChart{Title: method + ": training losses (unweighted terms, weighted totals)",
			XLabel: "iteration", YLabel: "loss", Series: series, LogY: allPositive(series)}
		if err := chart.Write(filepath.Join(outDir, method+LossesSuffix)); err != nil {
			return err
		}
	}
	evals := m.EvalOf(method)
	if len(evals) == 0 {
		return nil
	}
	curves := map[string]map[int]float64{}
	byStep := map[int]rundir.EvalRecord{}
	for _, r := range evals {
		byStep[r.Step] = r
		for name, v := range r.Metrics {
			if curves[name] == nil {
				curves[name] = map[int]float64{}
			}
			curves[name][r.Step] = v
		}
	}
	series := toSeries(curves)
	for i := range series {
		series[i].Name = metricLabel(series[i].Name, split)
	}
	chart := plots.LineChart{Title: method + ": metrics at each evaluation", XLabel: "iteration", YLabel: "metric", Series: series}
	if r, ok := byStep[kept]; ok && kept > 0 {
		chart.Marks = []plots.Mark{{X: float64(kept), Y: r.Score, Label: fmt.Sprintf("kept model (iteration %d)", kept)}}
	}
	if p, ok := publishedPurity(published); ok {
		chart.RefLines = []plots.RefLine{{Y: p, Label: fmt.Sprintf("published purity %.2f (%s)", p, published.Source)}}
	}
	if err := chart.Write(filepath.Join(outDir, method+ValidationSuffix)); err != nil {
		return err
	}
	return writeTimeToAccuracy(filepath.Join(outDir, method), evals, split)
}

func publishedPurity(p *rundir.Published) (float64, bool) {
	if p == nil {
		return 0, false
	}
	v, ok := p.Values["purity"]
	return v, ok
}

// Redraw draws the curves of every method of the run directory runDir into outDir with this
// program's code (WriteCurves: the kept models and, for rows that ran a published recipe, the
// published purity as their results.json records them).
func Redraw(runDir, outDir string) error {
	results, err := rundir.ReadResults(runDir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	done := map[string]bool{}
	for _, row := range results.Rows {
		if done[row.Method] {
			continue
		}
		done[row.Method] = true
		kept := 0
		if v, ok := row.Extra["selected_step"].(float64); ok {
			kept = int(v)
		}
		if err := WriteCurves(runDir, outDir, row.Method, kept, results.Split, row.Published); err != nil {
			return fmt.Errorf("%s: %w", row.Method, err)
		}
	}
	return nil
}

// timeColumns are the CSV columns of time_to_accuracy.csv after step, elapsed_s and train_s.
var timeColumns = []string{"val_purity", methods.EvalPurity, methods.EvalACC, methods.EvalNMI, methods.EvalARI, methods.EvalArgmaxPurity}

func writeTimeToAccuracy(dir string, evals []rundir.EvalRecord, split string) error {
	if _, tracked := evals[0].Metrics[methods.EvalPurity]; !tracked {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("step,elapsed_s,train_s," + strings.Join(timeColumns, ",") + "\n")
	series := []plots.Series{{Name: split + ", k-means"}, {Name: split + ", argmax"}, {Name: "validation, k-means"}}
	for _, r := range evals {
		fields := []string{strconv.Itoa(r.Step), fmt.Sprintf("%.1f", r.ElapsedSeconds), fmt.Sprintf("%.1f", r.TrainSeconds)}
		for _, col := range timeColumns {
			if v, ok := r.Metrics[col]; ok {
				fields = append(fields, strconv.FormatFloat(v, 'f', 4, 64))
			} else {
				fields = append(fields, "")
			}
		}
		b.WriteString(strings.Join(fields, ",") + "\n")
		for i, key := range []string{methods.EvalPurity, methods.EvalArgmaxPurity, "val_purity"} {
			series[i].X = append(series[i].X, r.ElapsedSeconds/60)
			series[i].Y = append(series[i].Y, r.Metrics[key])
		}
	}
	if err := atomicfile.WriteBytes(filepath.Join(dir, TimeToAccuracy+".csv"), []byte(b.String())); err != nil {
		return err
	}
	return plots.LineChart{Title: "purity against time", XLabel: "wall-clock minutes since training began", YLabel: "purity",
		Series: series}.Write(filepath.Join(dir, TimeToAccuracy))
}

// metricLabel names an evaluation metric for a legend, with its split and way of clustering:
// "val_purity" → "validation purity, k-means", "eval_argmax_purity" → "test purity, argmax".
func metricLabel(key, split string) string {
	where, rest := "", key
	if r, ok := strings.CutPrefix(key, "val_"); ok {
		where, rest = "validation", r
	} else if r, ok := strings.CutPrefix(key, "eval_"); ok {
		where, rest = split, r
	} else {
		return key
	}
	how := "k-means"
	if r, ok := strings.CutPrefix(rest, "argmax_"); ok {
		how, rest = "argmax", r
	}
	name := map[string]string{"purity": "purity", "acc": "ACC", "nmi": "NMI", "ari": "ARI"}[rest]
	if name == "" {
		return key
	}
	return where + " " + name + ", " + how
}

// toSeries returns one series per name, sorted by name, with points sorted by step.
func toSeries(curves map[string]map[int]float64) []plots.Series {
	var out []plots.Series
	for _, name := range slices.Sorted(maps.Keys(curves)) {
		s := plots.Series{Name: name}
		for _, step := range slices.Sorted(maps.Keys(curves[name])) {
			s.X = append(s.X, float64(step))
			s.Y = append(s.Y, curves[name][step])
		}
		out = append(out, s)
	}
	return out
}

func allPositive(series []plots.Series) bool {
	for _, s := range series {
		for _, y := range s.Y {
			if !(y > 0) {
				return false
			}
		}
	}
	return true
}

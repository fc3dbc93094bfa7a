package runner

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/clustergan/clustergan/experiments/plots"
	"github.com/clustergan/clustergan/internal/atomicfile"
)

// ParamTrackEvalSplit makes the encoder methods also score the reported split (-split, test by
// default) at every validation evaluation (bool, default false), and write
// time_to_accuracy.csv/.png in the method's directory: the metrics against wall-clock seconds.
// Selection still uses validation only; the tracked numbers are never used to pick a model.
const ParamTrackEvalSplit = "track_eval_split"

// Keys of the tracked metrics in the "eval" records of metrics.jsonl.
const (
	evalPurity       = "eval_purity"
	evalACC          = "eval_acc"
	evalNMI          = "eval_nmi"
	evalARI          = "eval_ari"
	evalArgmaxPurity = "eval_argmax_purity"
)

// addEvalMetrics adds the reported split's metrics (rows as encoderMethod.cluster returns them:
// k-means, then argmax) to an evaluation's metrics.
func addEvalMetrics(metrics map[string]float64, rows []Row) {
	metrics[evalPurity] = rows[0].Metrics.Purity
	metrics[evalACC] = rows[0].Metrics.ACC
	metrics[evalNMI] = rows[0].Metrics.NMI
	metrics[evalARI] = rows[0].Metrics.ARI
	metrics[evalArgmaxPurity] = rows[1].Metrics.Purity
}

// accuracyCurve collects the trainer's evaluation records for a time-to-accuracy curve.
type accuracyCurve struct {
	points []curvePoint
}

type curvePoint struct {
	step              int
	elapsed, training float64 // seconds: wall clock, and wall clock less evaluations
	metrics           map[string]float64
}

// recorder wraps a run's log: it passes every record on and keeps the evaluation records.
func (c *accuracyCurve) recorder(log func(map[string]any) error) func(map[string]any) error {
	return func(rec map[string]any) error {
		if rec["event"] == "eval" {
			p := curvePoint{}
			p.step, _ = rec["step"].(int)
			p.elapsed, _ = rec["elapsed_s"].(float64)
			p.training, _ = rec["train_s"].(float64)
			p.metrics, _ = rec["metrics"].(map[string]float64)
			c.points = append(c.points, p)
		}
		if log == nil {
			return nil
		}
		return log(rec)
	}
}

// curveColumns are the CSV columns after step, elapsed_s and train_s.
var curveColumns = []string{"val_purity", evalPurity, evalACC, evalNMI, evalARI, evalArgmaxPurity}

// write writes time_to_accuracy.csv and time_to_accuracy.png into dir: the reported split's
// purity (k-means on E(x), argmax) and validation purity against wall-clock minutes since
// training began, evaluations included.
func (c *accuracyCurve) write(dir, method string) error {
	if len(c.points) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("step,elapsed_s,train_s," + strings.Join(curveColumns, ",") + "\n")
	series := []plots.Series{{Name: "k-means on E(x)"}, {Name: "argmax"}, {Name: "validation"}}
	for _, p := range c.points {
		fields := []string{strconv.Itoa(p.step), fmt.Sprintf("%.1f", p.elapsed), fmt.Sprintf("%.1f", p.training)}
		for _, col := range curveColumns {
			v, ok := p.metrics[col]
			if !ok {
				fields = append(fields, "")
				continue
			}
			fields = append(fields, strconv.FormatFloat(v, 'f', 4, 64))
		}
		b.WriteString(strings.Join(fields, ",") + "\n")
		minutes := p.elapsed / 60
		for i, key := range []string{evalPurity, evalArgmaxPurity, "val_purity"} {
			series[i].X = append(series[i].X, minutes)
			series[i].Y = append(series[i].Y, p.metrics[key])
		}
	}
	if err := atomicfile.WriteBytes(filepath.Join(dir, "time_to_accuracy.csv"), []byte(b.String())); err != nil {
		return err
	}
	return plots.LineChart(filepath.Join(dir, "time_to_accuracy.png"), method+": purity vs time",
		"wall-clock minutes", "purity", series)
}

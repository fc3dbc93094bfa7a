package runner

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestTimeToAccuracyCurve: with track_eval_split the clustergan method scores the reported split
// at every evaluation (100, 200, 300 on the synthetic mixture) and writes a CSV whose times grow
// and whose last tracked purity is the final result's (the last evaluation is also the best one
// on this easy mixture, or at least a valid purity in [1/K, 1]).
func TestTimeToAccuracyCurve(t *testing.T) {
	cfg := ganTestConfig(t, "clustergan")
	_, err := ApplySettings(cfg.Ctx, "track_eval_split=true; latent_map_points=0", "test")
	require.NoError(t, err)
	report, err := Run(cfg)
	require.NoError(t, err)
	dir := filepath.Join(report.Dir, "clustergan")
	require.FileExists(t, filepath.Join(dir, "time_to_accuracy.png"))
	f, err := os.Open(filepath.Join(dir, "time_to_accuracy.csv"))
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"step", "elapsed_s", "train_s", "val_purity", "eval_purity", "eval_acc", "eval_nmi", "eval_ari", "eval_argmax_purity"}, rows[0])
	require.Len(t, rows, 4, "one row per evaluation: iterations 100, 200, 300")
	prevElapsed := -1.0
	for i, row := range rows[1:] {
		require.Equal(t, strconv.Itoa(100*(i+1)), row[0])
		elapsed, err := strconv.ParseFloat(row[1], 64)
		require.NoError(t, err)
		training, err := strconv.ParseFloat(row[2], 64)
		require.NoError(t, err)
		require.GreaterOrEqual(t, elapsed, prevElapsed, "elapsed time must not go back")
		require.LessOrEqual(t, training, elapsed+0.1, "training time excludes evaluations, so it cannot exceed wall time")
		prevElapsed = elapsed
		for _, cell := range row[3:] {
			v, err := strconv.ParseFloat(cell, 64)
			require.NoError(t, err)
			require.True(t, v >= 0 && v <= 1, "metric %q out of [0, 1]", cell)
		}
		purity, _ := strconv.ParseFloat(row[4], 64)
		require.GreaterOrEqual(t, purity, 0.2, "purity is at least 1/K for K = 5")
	}
	// The best checkpoint is used for the final result; its row in the curve has the same
	// test purity (same weights, same k-means seed).
	best := report.Rows[0].Extra["selected_step"].(int)
	found := false
	for _, row := range rows[1:] {
		if row[0] == strconv.Itoa(best) {
			found = true
			require.Equal(t, strconv.FormatFloat(report.Rows[0].Metrics.Purity, 'f', 4, 64), row[4])
		}
	}
	require.True(t, found, "selected step %d has no row in the curve", best)
}

// TestCurveRecorder: the recorder keeps evaluation records and passes every record on.
func TestCurveRecorder(t *testing.T) {
	curve := &accuracyCurve{}
	var passed []map[string]any
	log := curve.recorder(func(r map[string]any) error { passed = append(passed, r); return nil })
	require.NoError(t, log(map[string]any{"event": "train", "step": 1}))
	require.NoError(t, log(map[string]any{"event": "eval", "step": 2, "elapsed_s": 1.5, "train_s": 1.0,
		"metrics": map[string]float64{"val_purity": 0.5, evalPurity: 0.6}}))
	require.Len(t, passed, 2, "the recorder passes every record on")
	require.Len(t, curve.points, 1, "only evaluations are kept")
	require.Equal(t, curvePoint{step: 2, elapsed: 1.5, training: 1.0, metrics: map[string]float64{"val_purity": 0.5, evalPurity: 0.6}}, curve.points[0])
}

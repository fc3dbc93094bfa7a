package sweeps

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/clustergan/clustergan/evaluation"
	"github.com/clustergan/clustergan/rundir"
	"github.com/stretchr/testify/require"
)

// Row kinds ("<method>: <inference>") of the hand-made runs.
const (
	rowKM     = "clustergan: k-means on E(x)"
	rowArgmax = "clustergan: argmax of E(x)"
)

// writeRun makes a run directory by hand: settings.txt, results.json with the given rows, and
// metrics.jsonl.
func writeRun(t *testing.T, dir, settings string, rows []rundir.ResultRow, metrics string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "settings.txt"), []byte(settings), 0o644))
	data, err := json.Marshal(rundir.Results{Dir: dir, Dataset: "mnist", Split: "test", Rows: rows})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "results.json"), data, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "metrics.jsonl"), []byte(metrics), 0o644))
}

// row builds a result row of the given kind ("<method>: <inference>", or a method alone).
func row(kind string, acc, purity, nmi, ari float64, selected int) rundir.ResultRow {
	method, inference, _ := strings.Cut(kind, ": ")
	r := rundir.ResultRow{Name: kind, Method: method, Recipe: "R-" + method, Inference: inference,
		Metrics: evaluation.Metrics{ACC: acc, Purity: purity, NMI: nmi, ARI: ari}}
	if selected > 0 {
		r.Extra = map[string]any{"selected_step": selected, "steps": 300}
	}
	return r
}

func evalLine(step int, score float64) string {
	data, _ := json.Marshal(map[string]any{"method": "clustergan", "event": "eval", "step": step, "score": score})
	return string(data) + "\n"
}

// trackedEvalLine is an evaluation that also scored the reported split (track_eval_split).
func trackedEvalLine(step int, score, testPurity, testArgmax float64) string {
	data, _ := json.Marshal(map[string]any{"method": "clustergan", "event": "eval", "step": step, "score": score,
		"metrics": map[string]float64{"val_purity": score, "eval_purity": testPurity, "eval_acc": 0.1, "eval_nmi": 0.2,
			"eval_ari": 0.3, "eval_argmax_purity": testArgmax}})
	return string(data) + "\n"
}

// handMadeSweep writes 7 runs in 4 points (β_n, β_c): (10, 1) with seeds 1–3, (10, 10) with
// seeds 1–2, (10, 2) and (0, 10) with one seed each.
func handMadeSweep(t *testing.T) string {
	root := t.TempDir()
	settings := func(bn, bc, seed string) string {
		return "adversarial_loss=vanilla\nbeta_c=" + bc + "\nbeta_n=" + bn + "\nseed=" + seed + "\n"
	}
	// (10, 1). Validation: seed 1 selected step 200 (0.80); seed 2 selected step 100 (0.62, although
	// step 200 scored 0.90: the selected model counts, not the best score logged); seed 3 was
	// resumed and evaluated step 300 twice (0.70, then 0.75: the last counts), and its log ends
	// in a line cut by a kill. Best of seeds: seed 1.
	writeRun(t, filepath.Join(root, "s", "beta_n=10,beta_c=1,seed=1"), settings("10", "1", "1"), []rundir.ResultRow{
		row(rowKM, 0.4, 0.5, 0.2, 0.1, 200), row(rowArgmax, 0.3, 0.3, 0.3, 0.3, 200), row("kmeans", 0.5, 0.6, 0.5, 0.4, 0),
	}, evalLine(100, 0.55)+evalLine(200, 0.80)+trackedEvalLine(300, 0.60, 0.45, 0.35))
	writeRun(t, filepath.Join(root, "s", "beta_n=10,beta_c=1,seed=2"), settings("10", "1", "2"), []rundir.ResultRow{
		row(rowKM, 0.4, 0.6, 0.4, 0.2, 100), row(rowArgmax, 0.5, 0.5, 0.5, 0.5, 100), row("kmeans", 0.5, 0.6, 0.5, 0.4, 0),
	}, evalLine(100, 0.62)+evalLine(200, 0.90)+trackedEvalLine(300, 0.70, 0.65, 0.55))
	writeRun(t, filepath.Join(root, "s", "beta_n=10,beta_c=1,seed=3"), settings("10", "1", "3"), []rundir.ResultRow{
		row(rowKM, 0.4, 0.7, 0.9, 0.3, 300), row(rowArgmax, 0.4, 0.4, 0.4, 0.4, 300), row("kmeans", 0.5, 0.6, 0.5, 0.4, 0),
	}, evalLine(300, 0.70)+evalLine(300, 0.75)+`{"method":"clustergan","event":"eval","sco`)
	// (10, 10): seeds 1 and 2. k-means (which reads neither β) repeats seed 2 of (10, 1) exactly;
	// its seed 1 disagrees with (10, 1)'s, which the report must say.
	writeRun(t, filepath.Join(root, "s", "beta_n=10,beta_c=10,seed=1"), settings("10", "10", "1"), []rundir.ResultRow{
		row(rowKM, 0.1, 0.3, 0.1, 0.1, 10), row("kmeans", 0.5, 0.3, 0.5, 0.4, 0),
	}, evalLine(10, 0.4))
	writeRun(t, filepath.Join(root, "s", "beta_n=10,beta_c=10,seed=2"), settings("10", "10", "2"), []rundir.ResultRow{
		row(rowKM, 0.1, 0.5, 0.1, 0.1, 10), row("kmeans", 0.5, 0.6, 0.5, 0.4, 0),
	}, evalLine(10, 0.3))
	// Single seeds, in another directory (a second shard's output, say).
	writeRun(t, filepath.Join(root, "t", "beta_n=10,beta_c=2,seed=1"), settings("10", "2", "1"),
		[]rundir.ResultRow{row(rowKM, 0.2, 0.2, 0.2, 0.2, 0)}, "")
	writeRun(t, filepath.Join(root, "t", "beta_n=0,beta_c=10,seed=4"), settings("0", "10", "4"),
		[]rundir.ResultRow{row(rowKM, 0.9, 0.9, 0.9, 0.9, 0)}, "")
	return root
}

// findRow returns the stats of a row kind at the line with the given label.
func findRow(t *testing.T, agg *Aggregate, kind, label string) RowStats {
	t.Helper()
	tab := agg.Table(kind)
	require.NotNil(t, tab, "no table %q", kind)
	l := tab.Line(label)
	require.NotNil(t, l, "table %q has no line %q", kind, label)
	return l.Stats
}

// Line labels of the hand-made sweep.
const (
	at10and1  = "beta_c=1, beta_n=10"
	at10and2  = "beta_c=2, beta_n=10"
	at10and10 = "beta_c=10, beta_n=10"
	anyBeta   = "beta_c=—, beta_n=—"
)

func TestAggregateHandMadeRuns(t *testing.T) {
	agg, skipped, err := AggregateDir(handMadeSweep(t), nil)
	require.NoError(t, err)
	require.Empty(t, skipped)
	require.Equal(t, []string{"beta_c", "beta_n"}, agg.Varying, "seed and constant settings are not varying")
	var labels []string
	for _, g := range agg.Groups {
		labels = append(labels, g.Label)
	}
	// Numeric order: β_c = 2 before 10.
	require.Equal(t, []string{"beta_c=1, beta_n=10", "beta_c=2, beta_n=10", "beta_c=10, beta_n=0", "beta_c=10, beta_n=10"}, labels)
	require.Equal(t, []string{rowKM, rowArgmax, "kmeans"}, agg.Kinds)

	km := findRow(t, agg, rowKM, at10and1)
	require.Equal(t, 3, km.N)
	require.Equal(t, []string{"1", "2", "3"}, km.Seeds)
	// ACC 0.4, 0.4, 0.4: mean 0.4, std 0.
	require.InDelta(t, 0.4, km.ACC.Mean, 1e-12)
	require.InDelta(t, 0, km.ACC.Std, 1e-12)
	// Purity 0.5, 0.6, 0.7: mean 0.6; sample std √((0.1² + 0 + 0.1²)/2) = 0.1.
	require.InDelta(t, 0.6, km.Purity.Mean, 1e-12)
	require.InDelta(t, 0.1, km.Purity.Std, 1e-12)
	// NMI 0.2, 0.4, 0.9: mean 0.5; deviations −0.3, −0.1, 0.4: √(0.26/2) = √0.13 ≈ 0.360555.
	require.InDelta(t, 0.5, km.NMI.Mean, 1e-12)
	require.InDelta(t, math.Sqrt(0.13), km.NMI.Std, 1e-12)
	// ARI 0.1, 0.2, 0.3: mean 0.2, std 0.1.
	require.InDelta(t, 0.2, km.ARI.Mean, 1e-12)
	require.InDelta(t, 0.1, km.ARI.Std, 1e-12)
	// Best of seeds by validation: 0.80 (seed 1) > 0.75 (seed 3) > 0.62 (seed 2); its test purity
	// 0.5 is the lowest of the three, which the mean beside it shows.
	require.NotNil(t, km.Best)
	require.Equal(t, "1", km.Best.Seed)
	require.InDelta(t, 0.80, km.Best.ValidationScore, 1e-12)
	require.Equal(t, 0.5, km.Best.Metrics.Purity)
	// The argmax row shares the model selection of its method.
	arg := findRow(t, agg, rowArgmax, at10and1)
	require.Equal(t, "1", arg.Best.Seed)
	require.Equal(t, 0.3, arg.Best.Metrics.Purity)
	// Purity 0.3, 0.5, 0.4: mean 0.4, std 0.1.
	require.InDelta(t, 0.4, arg.Purity.Mean, 1e-12)
	require.InDelta(t, 0.1, arg.Purity.Std, 1e-12)
	require.Nil(t, findRow(t, agg, "kmeans", anyBeta).Best, "k-means has no validation score")
	require.Equal(t, "R-clustergan", km.Recipe)

	// Final weights (official protocol), where tracked: seeds 1 and 2 evaluated step 300 with the
	// test split; seed 3's last evaluation did not track it. Test purity 0.45, 0.65: mean 0.55,
	// std √(2·0.1²) = 0.141421; best final by validation: seed 2 (0.70 > 0.60), test purity 0.65.
	require.InDelta(t, 0.55, km.FinalPurity.Mean, 1e-12)
	require.InDelta(t, math.Sqrt(0.02), km.FinalPurity.Std, 1e-12)
	require.Equal(t, "2", km.BestFinal.Seed)
	require.InDelta(t, 0.65, km.BestFinal.Metrics.Purity, 1e-12)
	// The argmax row's final purity is eval_argmax_purity: 0.35, 0.55.
	require.InDelta(t, 0.45, arg.FinalPurity.Mean, 1e-12)
	require.InDelta(t, 0.55, arg.BestFinal.Metrics.Purity, 1e-12)
	require.True(t, math.IsNaN(findRow(t, agg, "kmeans", anyBeta).FinalPurity.Mean))

	// (10, 10): purity 0.3, 0.5: mean 0.4, std √(2·0.1²/1) = 0.141421; best: seed 1 (0.4 > 0.3).
	km = findRow(t, agg, rowKM, at10and10)
	require.Equal(t, 2, km.N)
	require.InDelta(t, 0.4, km.Purity.Mean, 1e-12)
	require.InDelta(t, math.Sqrt(0.02), km.Purity.Std, 1e-12)
	require.Equal(t, "1", km.Best.Seed)
	// One seed: no std; a run without eval records or selected step has no validation score.
	single := findRow(t, agg, rowKM, at10and2)
	require.Equal(t, 1, single.N)
	require.True(t, math.IsNaN(single.Purity.Std))
	require.Nil(t, single.Best)
	require.Nil(t, agg.Table(rowArgmax).Line(at10and2), "rows absent from a point are not reported for it")

	// k-means reads neither β: one line over all points, one run per seed (seeds 1–3 of (10, 1);
	// (10, 10)'s seeds 1 and 2 are not counted again), and a note for seed 1, whose two runs differ.
	kmTable := agg.Table("kmeans")
	require.Equal(t, []string{"beta_c", "beta_n"}, kmTable.Ignored)
	require.Equal(t, "kmeans", kmTable.Method)
	require.Len(t, kmTable.Lines, 1)
	kmeans := kmTable.Lines[0].Stats
	require.Equal(t, []string{"1", "2", "3"}, kmeans.Seeds)
	require.InDelta(t, 0.6, kmeans.Purity.Mean, 1e-12)
	require.InDelta(t, 0, kmeans.Purity.Std, 1e-12)
	require.Len(t, kmTable.Notes, 1)
	require.Contains(t, kmTable.Notes[0], "seed 1: ")
	require.Contains(t, kmTable.Notes[0], "beta_n=10,beta_c=10,seed=1")
	require.Empty(t, agg.Table(rowKM).Ignored, "clustergan reads both β")
}

func TestWriteReport(t *testing.T) {
	root := handMadeSweep(t)
	out := t.TempDir()
	_, files, err := WriteReport(root, out, "beta_c", "beta_n", nil)
	require.NoError(t, err)
	md, err := os.ReadFile(filepath.Join(out, "report.md"))
	require.NoError(t, err)
	for _, want := range []string{
		"7 runs in 4 parameter points",
		"## " + rowKM,
		"| beta_c | beta_n | recipe | n | ACC | purity | NMI | NMI-g | ARI | gen. | train s | best seed | val. | purity | NMI | ARI | final purity | best final | val. | purity |",
		"| 1 | 10 | R-clustergan | 3 | 0.400 ± 0.000 | 0.600 ± 0.100 | 0.500 ± 0.361 | 0.000 ± 0.000 | 0.200 ± 0.100 | — | 0 | 1 | 0.800 | 0.500 | 0.200 | 0.100 | 0.550 ± 0.141 | 2 | 0.700 | 0.650 |",
		"| 2 | 10 | R-clustergan | 1 | 0.200 | 0.200 | 0.200 | 0.000 | 0.200 | — | 0 | — | — | — | — | — | — | — | — | — |",
		"![heatmap_clustergan_k-means_on_E_x.png](heatmap_clustergan_k-means_on_E_x.png)",
		"kmeans does not read beta_c, beta_n (—): the points that differ only there share a line, one run per seed.",
		"| — | — | R-kmeans | 3 | 0.500 ± 0.000 | 0.600 ± 0.000 |",
		"\nNote: seed 1: ",
	} {
		require.Contains(t, string(md), want)
	}

	f, err := os.Open(filepath.Join(out, "report.csv"))
	require.NoError(t, err)
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"beta_c", "beta_n", "kind", "recipe", "n", "seeds", "acc_mean", "acc_std", "purity_mean", "purity_std"}, records[0][:10])
	// k-means on E(x) at 4 points, argmax at 1, k-means on pixels on one line for all.
	require.Len(t, records, 1+6)
	first := records[1]
	require.Equal(t, []string{"1", "10", rowKM, "R-clustergan", "3", "1 2 3"}, first[:6])
	column := func(rec []string, name string) string {
		for i, h := range records[0] {
			if h == name {
				return rec[i]
			}
		}
		t.Fatalf("no column %s", name)
		return ""
	}
	for name, w := range map[string]float64{"acc_mean": 0.4, "acc_std": 0, "purity_mean": 0.6, "purity_std": 0.1,
		"nmi_mean": 0.5, "nmi_std": math.Sqrt(0.13), "ari_mean": 0.2, "ari_std": 0.1, "best_seed": 1, "best_val_purity": 0.8,
		"best_purity": 0.5, "final_purity_mean": 0.55, "final_purity_std": math.Sqrt(0.02), "best_final_seed": 2, "best_final_purity": 0.65} {
		v, err := strconv.ParseFloat(column(first, name), 64)
		require.NoError(t, err, "column %s", name)
		require.InDelta(t, w, v, 1e-12, "column %s", name)
	}
	single := records[2] // (2, 10): one seed, no std, no best
	require.Equal(t, []string{"2", "10", rowKM}, single[:3])
	require.Equal(t, "", column(single, "purity_std"))
	require.Equal(t, "", column(single, "best_seed"))

	// One heatmap per row kind that reads both β (not k-means on pixels): β_n rows × β_c columns.
	var pngs int
	for _, p := range files {
		if strings.HasSuffix(p, ".png") {
			pngs++
			require.FileExists(t, p)
		}
	}
	require.Equal(t, 2, pngs)

	// Heatmap axes must vary; the report is still written, saying why there is no heatmap.
	_, _, err = WriteReport(root, out, "beta_c", "seed", nil)
	require.NoError(t, err)
	md, err = os.ReadFile(filepath.Join(out, "report.md"))
	require.NoError(t, err)
	require.Contains(t, string(md), "No heatmaps: heatmap over seed × beta_c")

	_, _, err = AggregateDir(t.TempDir(), nil)
	require.ErrorContains(t, err, "no run directories")
}

// TestReportSelectionAndTornResults: -where keeps the matching runs, and a results.json that
// cannot be read is reported, not fatal.
func TestReportSelectionAndTornResults(t *testing.T) {
	root := handMadeSweep(t)
	agg, _, err := AggregateDir(root, map[string]string{"beta_n": "10", "beta_c": "1"})
	require.NoError(t, err)
	require.Len(t, agg.Groups, 1)
	require.Len(t, agg.Groups[0].Runs, 3)
	agg, _, err = AggregateDir(root, map[string]string{"seed": "4"})
	require.NoError(t, err)
	require.Len(t, agg.Groups, 1)

	torn := filepath.Join(root, "t", "beta_n=10,beta_c=2,seed=1", "results.json")
	require.NoError(t, os.WriteFile(torn, []byte(`{"rows": [`), 0o644))
	agg, skipped, err := AggregateDir(root, nil)
	require.NoError(t, err)
	require.Len(t, skipped, 1)
	require.ErrorContains(t, skipped[0], torn)
	require.Len(t, agg.Groups, 3)
	out := t.TempDir()
	_, _, err = WriteReport(root, out, "", "", nil)
	require.NoError(t, err)
	md, err := os.ReadFile(filepath.Join(out, "report.md"))
	require.NoError(t, err)
	require.Contains(t, string(md), "Skipped (unreadable): "+torn)
}

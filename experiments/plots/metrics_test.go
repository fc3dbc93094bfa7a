package plots

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sampleMetrics mimics a run with two trained methods, a k-means baseline that only logs a
// result, a resume that repeats step 20 of clustergan with new values, and an event the charts
// ignore whose fields have other types.
const sampleMetrics = `{"method":"clustergan","event":"train","step":10,"losses":{"critic":-1.5,"generator":2.0},"time":"t"}
{"method":"clustergan","event":"train","step":20,"losses":{"critic":-1.0,"generator":1.5}}
{"method":"clustergan","event":"eval","step":20,"score":0.5,"metrics":{"nmi":0.5,"ari":0.4},"best_step":20}

{"method":"kmeans","event":"result","inertia":12.5,"metrics":{"purity":0.6}}
{"method":"info gan/v2","event":"train","step":5,"losses":{"d":0.7,"g":null}}
{"method":"info gan/v2","event":"train","step":15,"losses":{"d":0.6,"g":0.9}}
{"method":"clustergan","event":"train","step":30,"losses":{"critic":-0.5,"generator":1.2}}
{"method":"clustergan","event":"train","step":20,"losses":{"critic":-0.9,"generator":1.4}}
{"method":"clustergan","event":"eval","step":40,"metrics":{"nmi":0.7,"ari":0.6}}
{"method":"clustergan","event":"checkpoint","step":"latest","losses":"n/a"}
`

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	return path
}

func TestReadMetrics(t *testing.T) {
	m, err := readMetrics(writeFile(t, t.TempDir(), "metrics.jsonl", sampleMetrics))
	require.NoError(t, err, "other events (the checkpoint's string step) are not decoded")
	assert.Equal(t, []string{"clustergan", "info gan/v2"}, m.order, "kmeans has no train or eval records")
	// Sorted by name and by step; the repeated step 20 keeps the later (resumed) values.
	assert.Equal(t, []Series{
		{Name: "critic", X: []float64{10, 20, 30}, Y: []float64{-1.5, -0.9, -0.5}},
		{Name: "generator", X: []float64{10, 20, 30}, Y: []float64{2.0, 1.4, 1.2}},
	}, m.losses["clustergan"].series())
	assert.Equal(t, []Series{
		{Name: "ari", X: []float64{20, 40}, Y: []float64{0.4, 0.6}},
		{Name: "nmi", X: []float64{20, 40}, Y: []float64{0.5, 0.7}},
	}, m.evals["clustergan"].series())
	// The null generator loss at step 5 is skipped, not read as 0.
	assert.Equal(t, []Series{
		{Name: "d", X: []float64{5, 15}, Y: []float64{0.7, 0.6}},
		{Name: "g", X: []float64{15}, Y: []float64{0.9}},
	}, m.losses["info gan/v2"].series())
	assert.Empty(t, m.evals["info gan/v2"].series())
}

func TestCurvesFromMetrics(t *testing.T) {
	runDir := t.TempDir()
	metricsPath := writeFile(t, runDir, "metrics.jsonl", sampleMetrics)
	outDir := filepath.Join(runDir, "plots")
	paths, err := CurvesFromMetrics(metricsPath, outDir)
	require.NoError(t, err)
	want := []string{
		filepath.Join(outDir, "clustergan_losses.png"),
		filepath.Join(outDir, "clustergan_validation.png"),
		filepath.Join(outDir, "info_gan_v2_losses.png"), // no eval records: no validation chart
	}
	assert.Equal(t, want, paths)
	entries, err := os.ReadDir(outDir)
	require.NoError(t, err)
	assert.Len(t, entries, len(want), "exactly the returned files, no temporary leftovers")
	for _, p := range want {
		f, err := os.Open(p)
		require.NoError(t, err)
		img, err := png.Decode(f)
		f.Close()
		require.NoError(t, err, p)
		assert.Equal(t, image.Rect(0, 0, chartWidth, chartHeight), img.Bounds(), p)
	}
}

func TestCurvesFromMetricsNoCurves(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "metrics.jsonl", `{"method":"kmeans","event":"result","metrics":{"nmi":0.5}}`+"\n")
	paths, err := CurvesFromMetrics(path, filepath.Join(dir, "plots"))
	require.NoError(t, err)
	assert.Empty(t, paths)
	assert.NoDirExists(t, filepath.Join(dir, "plots"))
}

func TestCurvesFromMetricsErrors(t *testing.T) {
	good := `{"method":"m","event":"train","step":1,"losses":{"l":1}}`
	cases := []struct {
		name, line, want string
	}{
		{"not JSON", `{"method":"m","event":"train",`, "unexpected end of JSON input"},
		{"not an object", `[1, 2]`, "cannot unmarshal array"},
		{"event not a string", `{"method":"m","event":3}`, "event"},
		{"losses not numbers", `{"method":"m","event":"train","step":2,"losses":{"l":"high"}}`, `"losses" must map names to numbers`},
		{"metrics not an object", `{"method":"m","event":"eval","step":2,"metrics":[0.5]}`, `"metrics" must map names to numbers`},
		{"no step", `{"method":"m","event":"train","losses":{"l":1}}`, `without a "step"`},
		{"fractional step", `{"method":"m","event":"train","step":2.5,"losses":{"l":1}}`, "step"},
		{"no method", `{"event":"eval","step":2,"metrics":{"nmi":1}}`, `without a "method"`},
		{"no losses", `{"method":"m","event":"train","step":2}`, `without "losses"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := writeFile(t, dir, "metrics.jsonl", good+"\n\n"+c.line+"\n"+good+"\n")
			_, err := CurvesFromMetrics(path, dir)
			require.Error(t, err)
			assert.Contains(t, err.Error(), path+":3:", "names the file and the line (blank lines count)")
			assert.Contains(t, err.Error(), c.want)
		})
	}
	t.Run("missing file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "metrics.jsonl")
		_, err := CurvesFromMetrics(path, t.TempDir())
		require.Error(t, err)
		assert.Contains(t, err.Error(), path)
	})
}

func TestSafeNames(t *testing.T) {
	assert.Equal(t, "ok-Name_1", safeName("ok-Name_1"))
	assert.Equal(t, "info_gan_v2", safeName("info gan/v2"))
	assert.Equal(t, "___", safeName("../"))
	assert.Equal(t, "caf_", safeName("café"), "one '_' per character, not per byte")
	assert.Equal(t, "_", safeName(""))

	// Distinct methods whose safe names coincide must not overwrite each other's charts.
	dir := t.TempDir()
	path := writeFile(t, dir, "metrics.jsonl", `{"method":"a/b","event":"train","step":1,"losses":{"l":1}}
{"method":"a_b","event":"train","step":1,"losses":{"l":2}}
`)
	paths, err := CurvesFromMetrics(path, dir)
	require.NoError(t, err)
	assert.Equal(t, []string{filepath.Join(dir, "a_b_losses.png"), filepath.Join(dir, "a_b_2_losses.png")}, paths)
}

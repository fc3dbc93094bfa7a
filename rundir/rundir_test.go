package rundir

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clustergan/clustergan/evaluation"
	"github.com/clustergan/clustergan/internal/params"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/stretchr/testify/require"
)

// testContext declares a few parameters of every kind, as a run's default context does.
func testContext() *context.Context {
	ctx := context.New().Checked(false)
	ctx.SetParams(map[string]any{"seed": 1, "kmeans_n_init": 10, "kmeans_tol": 1e-4,
		"mlp_hidden": []int{256, 256}, "mlp_conv_channels": []int{}, "prior": "mixed"})
	return ctx
}

func TestApplySettings(t *testing.T) {
	ctx := testContext()
	set, err := ApplySettings(ctx, "# comment\nseed=7; kmeans_n_init=3\n\n/critic/"+"kmeans_tol"+"=0.5", "test")
	require.NoError(t, err)
	require.Equal(t, []string{"seed", "kmeans_n_init", "/critic/kmeans_tol"}, set)
	v, _ := ctx.GetParam("seed")
	require.Equal(t, 7, v)
	v, _ = ctx.In("critic").GetParam("kmeans_tol")
	require.Equal(t, 0.5, v)

	_, err = ApplySettings(ctx, "seed=1\nno_such_param=3", "preset x")
	require.EqualError(t, err, `preset x:2: unknown parameter "no_such_param"`)
	_, err = ApplySettings(ctx, "seed=abc", "-set")
	require.EqualError(t, err, `-set: parameter "seed": "abc" is not an int`)

	// "name=" empties a list parameter (GoMLX's parser rejects it), also in a scope; other
	// types still need a value.
	set, err = ApplySettings(ctx, "/encoder/mlp_conv_channels=16,32; /encoder/mlp_hidden=128; mlp_hidden=", "test")
	require.NoError(t, err)
	require.Equal(t, []string{"/encoder/mlp_conv_channels", "/encoder/mlp_hidden", "mlp_hidden"}, set)
	v, _ = ctx.GetParam("mlp_hidden")
	require.Equal(t, []int{}, v)
	v, _ = ctx.In("encoder").GetParam("mlp_hidden")
	require.Equal(t, []int{128}, v)
	set, err = ApplySettings(ctx, "/encoder/mlp_conv_channels=", "test")
	require.NoError(t, err)
	require.Equal(t, []string{"/encoder/mlp_conv_channels"}, set)
	v, _ = ctx.In("encoder").GetParam("mlp_conv_channels")
	require.Equal(t, []int{}, v)
	_, err = ApplySettings(ctx, "seed=", "-set")
	require.EqualError(t, err, `-set: parameter "seed": "" is not an int`)
	_, err = ApplySettings(ctx, "/encoder/no_such_list=", "-set")
	require.EqualError(t, err, `-set: unknown parameter "no_such_list"`)
	ctx.In("encoder").SetParam("mlp_conv_channels", []int{16, 32})

	// FormatSettings writes what ApplySettings reads back, scoped values and empty lists included.
	ctx2 := testContext()
	_, err = ApplySettings(ctx2, FormatSettings(ctx), "settings.txt")
	require.NoError(t, err)
	require.Equal(t, FormatSettings(ctx), FormatSettings(ctx2))
}

// The parameters of TestSettingsErrors, declared as a package declares its own.
var _ = params.Declare("rundir tests", params.Table{
	{Name: "test_steps", Default: 10, Range: params.AtLeast(1), Doc: "steps"},
	{Name: "test_hidden", Default: []int{8}, Doc: "widths", Scopes: []string{"/generator", "/critic", "/encoder"}},
})

// TestSettingsErrors: every mistake is one line that names the parameter, what was given and
// what is allowed; an unknown name suggests the closest declared one when it is close.
func TestSettingsErrors(t *testing.T) {
	ctx := context.New().Checked(false)
	ctx.SetParams(map[string]any{"test_steps": 10, "test_hidden": []int{8}, "batch_size": 64, "beta_n": 10.0,
		"gp_per_sample": false, "undeclared_scoped": 1})
	for _, tc := range []struct{ settings, want string }{
		{"test_stesp=5", `-set: unknown parameter "test_stesp"; did you mean "test_steps"?`},
		{"batch_sizes=32", `-set: unknown parameter "batch_sizes"; did you mean "batch_size"?`},
		{"learning_rate=1", `-set: unknown parameter "learning_rate"`},
		{"test_steps=abc", `-set: parameter "test_steps": "abc" is not an int`},
		{"test_steps=1.5", `-set: parameter "test_steps": "1.5" is not an int`},
		{"beta_n=ten", `-set: parameter "beta_n": "ten" is not a number`},
		{"gp_per_sample=yes", `-set: parameter "gp_per_sample": "yes" is not true or false`},
		{"/encoder/test_hidden=8,x", `-set: parameter "test_hidden": "8,x" is not a comma-separated list of ints`},
		{"/generatr/test_hidden=7", `-set: parameter "test_hidden" cannot be set in scope "/generatr"; did you mean "/generator"? (its scopes: /generator, /critic, /encoder)`},
		{"/generator/test_steps=7", `-set: parameter "test_steps" takes no scope, got "/generator/test_steps"`},
		{"generator/test_hidden=7", `-set: "generator/test_hidden": a scope starts with "/", as in "/generator/mlp_hidden"`},
		{"test_steps", `-set: "test_steps": want name=value or /scope/name=value`},
		{"test_steps=1=2", `-set: "test_steps=1=2": want name=value or /scope/name=value`},
	} {
		_, err := ApplySettings(ctx, tc.settings, "-set")
		require.EqualError(t, err, tc.want, tc.settings)
	}
	// What parses is set, in its scope; spaces around "=" are allowed; a parameter that package
	// params does not know may be set in any scope, as GoMLX's parser allows.
	set, err := ApplySettings(ctx, "test_steps = 1_000; /critic/test_hidden=; /foo/undeclared_scoped=2; /test_steps=3", "-set")
	require.NoError(t, err)
	require.Equal(t, []string{"test_steps", "/critic/test_hidden", "/foo/undeclared_scoped", "/test_steps"}, set)
	v, _ := ctx.GetParam("test_steps")
	require.Equal(t, 3, v)
	v, _ = ctx.In("critic").GetParam("test_hidden")
	require.Equal(t, []int{}, v)
	v, _ = ctx.In("foo").GetParam("undeclared_scoped")
	require.Equal(t, 2, v)
}

func TestRowName(t *testing.T) {
	require.Equal(t, "ClusterGAN + β_x, k-means on E(x)", RowName("ClusterGAN + β_x", "k-means on E(x)"))
	require.Equal(t, "k-means on raw features", RowName("k-means on raw features", ""))
}

// TestMetricsLogRoundTrip writes every kind of record and reads them back by kind, method and
// order, with the header filled in.
func TestMetricsLogRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), MetricsFile)
	log, err := OpenMetrics(path)
	require.NoError(t, err)
	g := log.Logger("clustergan")
	require.NoError(t, g(&TrainRecord{Step: 1, Losses: map[string]float64{"critic/total": 0.5}}))
	require.NoError(t, g(&EvalRecord{Step: 2, Score: 0.75, Metrics: map[string]float64{"val_purity": 0.75}, BestStep: 2}))
	require.NoError(t, log.Append("kmeans", &ResultRecord{Row: "k-means on raw features", Metrics: evaluation.Metrics{Purity: 0.6}}))
	require.NoError(t, g(&ReuseRecord{Checkpoint: "best.ckpt"}))
	require.NoError(t, log.Close())

	m, err := ReadMetrics(path)
	require.NoError(t, err)
	require.Zero(t, m.Skipped)
	require.Len(t, m.Train, 1)
	require.Equal(t, EventTrain, m.Train[0].Event)
	require.Equal(t, "clustergan", m.Train[0].Method)
	require.NotEmpty(t, m.Train[0].Time)
	require.Equal(t, 0.5, m.Train[0].Losses["critic/total"])
	require.Equal(t, 0.75, m.EvalOf("clustergan")[0].Score)
	require.Empty(t, m.EvalOf("kmeans"))
	require.Equal(t, 0.6, m.Results[0].Metrics.Purity)
	require.Equal(t, "best.ckpt", m.Reuse[0].Checkpoint)
	require.Equal(t, []string{"clustergan"}, m.Methods())
}

// TestMetricsLogTornLine: a last line cut short (a kill, a full disk) is skipped when read, and
// reopening the log for appending starts the next record on a line of its own.
func TestMetricsLogTornLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), MetricsFile)
	require.NoError(t, os.WriteFile(path, []byte(`{"event":"train","method":"a","step":1,"losses":{"x":1}}`+"\n"+`{"event":"train","meth`), 0o644))
	log, err := OpenMetrics(path)
	require.NoError(t, err)
	require.NoError(t, log.Append("a", &TrainRecord{Step: 2, Losses: map[string]float64{"x": 2}}))
	require.NoError(t, log.Close())
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, 3, strings.Count(string(data), "\n"))
	m, err := ReadMetrics(path)
	require.NoError(t, err)
	require.Equal(t, 1, m.Skipped)
	require.Len(t, m.Train, 2)
	require.Equal(t, 2, m.Train[1].Step)
}

func TestResultsAndInfoRoundTrip(t *testing.T) {
	dir := t.TempDir()
	r := &Results{Dataset: "mnist", Split: "test", N: 3, Seed: 2, Rows: []ResultRow{
		{Name: "a, x", Method: "a", Recipe: "a", Inference: "x", Metrics: evaluation.Metrics{Purity: 0.5}},
		{Name: "b", Method: "b", Recipe: "b", Published: &Published{Source: "paper", Values: map[string]float64{"purity": 0.95, "nmi": 0.89}, Note: "NMI geometric"}},
	}}
	require.NoError(t, WriteResults(dir, r))
	back, err := ReadResults(dir)
	require.NoError(t, err)
	require.Equal(t, r, back)
	require.Len(t, back.RowsOf("a"), 1)
	require.Empty(t, back.RowsOf("c"))
	require.Equal(t, "purity 0.95 NMI 0.89 (paper; NMI geometric)", back.Rows[1].Published.String())

	info := &Info{Dataset: "mnist", Methods: []string{"a"}, Data: []DataFile{{Role: "train-images", Path: "/x", SHA256: "ab"}}, Build: CurrentBuild()}
	require.NoError(t, WriteInfo(dir, info))
	infoBack, err := ReadInfo(dir)
	require.NoError(t, err)
	require.Equal(t, info.Data, infoBack.Data)
	require.Equal(t, "github.com/clustergan/clustergan", infoBack.Build.Module)

	require.NoError(t, os.WriteFile(filepath.Join(dir, ResultsFile), []byte(`{"rows": [`), 0o644))
	_, err = ReadResults(dir)
	require.ErrorContains(t, err, ResultsFile)
}

// CheckData: the same files by hash pass (a moved one is returned), a changed, missing or
// extra file is an error naming it.
func TestCheckData(t *testing.T) {
	rec := []DataFile{{Role: "train", Path: "/a/train", SHA256: "aaaa"}, {Role: "test", Path: "/a/test", SHA256: "bbbb"}}
	moved, err := CheckData(rec, rec)
	require.NoError(t, err)
	require.Empty(t, moved)
	now := []DataFile{{Role: "train", Path: "/b/train", SHA256: "aaaa"}, {Role: "test", Path: "/a/test", SHA256: "bbbb"}}
	moved, err = CheckData(rec, now)
	require.NoError(t, err)
	require.Equal(t, now[:1], moved)
	_, err = CheckData(rec, []DataFile{{Role: "train", Path: "/a/train", SHA256: "cccc"}, {Role: "labels", Path: "/a/l", SHA256: "dd"}})
	require.EqualError(t, err, "data file train changed: /a/train had SHA-256 aaaa, /a/train has cccc; "+
		"data file test (/a/test) was not read this time; data file labels (/a/l) is not in the run's record")
}

package trainer

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clustergan/clustergan/backend"
	"github.com/clustergan/clustergan/datasets"
	"github.com/clustergan/clustergan/evaluation"
	"github.com/clustergan/clustergan/layers"
	"github.com/clustergan/clustergan/losses"
	"github.com/clustergan/clustergan/objectives"
	"github.com/clustergan/clustergan/priors"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/stretchr/testify/require"
)

// tinyContext declares a small mixed-prior MLP ClusterGAN for 8-feature data.
func tinyContext(t *testing.T, seed int64) *context.Context {
	ctx := NewContext(map[string]any{
		priors.ParamNoiseDim: 2, priors.ParamNumClusters: 3,
		layers.ParamArchitecture: "mlp", layers.ParamMLPHidden: []int{16},
		ParamBatchSize: 8, ParamNCritic: 2,
	})
	require.NoError(t, ctx.SetRNGStateFromSeed(seed))
	return ctx
}

// syntheticContext is the setting of the end-to-end tests on the synthetic mixture (5 clusters,
// 16 features): a BatchNorm MLP, vanilla loss, Adam 1e-3, syntheticSteps iterations, seed 1.
func syntheticContext(t *testing.T, extra map[string]any) *context.Context {
	ctx := NewContext(map[string]any{
		priors.ParamNoiseDim: 4, priors.ParamNumClusters: 5,
		layers.ParamArchitecture: "mlp", layers.ParamMLPHidden: []int{64, 64}, layers.ParamMLPBatchNorm: true,
		ParamBatchSize: 64, ParamNCritic: 1, ParamSteps: syntheticSteps,
		ParamCriticLearningRate: 1e-3, ParamGeneratorLearningRate: 1e-3,
		losses.ParamAdversarial: "vanilla",
	}, extra)
	require.NoError(t, ctx.SetRNGStateFromSeed(1))
	return ctx
}

func tinyData(n, dim int) []float32 {
	x := make([]float32, n*dim)
	for i := range x {
		x[i] = float32((i*7919)%101) / 100
	}
	return x
}

func newTrainer(t *testing.T, ctx *context.Context, x []float32, dim int) *Trainer {
	m, err := NewModel(backend.ForTests(), ctx, []int{dim})
	require.NoError(t, err)
	cfg, err := ConfigFromContext(ctx)
	require.NoError(t, err)
	return &Trainer{Model: m, Objective: objectives.ClusterGAN{}, Config: cfg, TrainX: x}
}

// snapshot copies the values of every variable under scope.
func snapshot(ctx *context.Context, scope string) map[string][]float32 {
	out := map[string][]float32{}
	for v := range ctx.InAbsPath(scope).IterVariablesInScope() {
		out[v.ScopeAndName()] = tensors.MustCopyFlatData[float32](v.MustValue())
	}
	return out
}

// TestPhasesUpdateOnlyTheirPlayer: a critic step must leave G and E unchanged, and the G+E
// step must leave the critic unchanged (while changing G and E).
func TestPhasesUpdateOnlyTheirPlayer(t *testing.T) {
	ctx := tinyContext(t, 1)
	tr := newTrainer(t, ctx, tinyData(40, 8), 8)
	data := tensors.FromFlatDataAndDimensions(tr.TrainX, 40, 8)
	// Build all variables once with a full iteration, so both phases start from existing values.
	_, err := tr.RunStep()
	require.NoError(t, err)

	before := map[string]map[string][]float32{}
	take := func() {
		for _, s := range []string{objectives.Generator, objectives.Encoder, objectives.Critic} {
			before[s] = snapshot(ctx, s)
			require.NotEmpty(t, before[s], s)
		}
	}
	changed := func(scope string) bool {
		for name, v := range snapshot(ctx, scope) {
			old := before[scope][name]
			for i := range v {
				if v[i] != old[i] {
					return true
				}
			}
		}
		return false
	}

	phases, err := tr.Phases()
	require.NoError(t, err)
	require.Len(t, phases, 2)
	take()
	criticExec := context.MustNewExec(tr.Model.Backend, ctx, func(ctx *context.Context, x *Node) *Node {
		total, _ := tr.phaseStep(ctx, x, phases[0], tr.optimizer(phases[0].Optimizer))
		return total
	})
	criticExec.MustExec(data)
	require.True(t, changed(objectives.Critic), "critic step did not change the critic")
	require.False(t, changed(objectives.Generator), "critic step changed the generator")
	require.False(t, changed(objectives.Encoder), "critic step changed the encoder")

	take()
	genExec := context.MustNewExec(tr.Model.Backend, ctx, func(ctx *context.Context, x *Node) *Node {
		total, _ := tr.phaseStep(ctx, x, phases[1], tr.optimizer(phases[1].Optimizer))
		return total
	})
	genExec.MustExec(data)
	require.False(t, changed(objectives.Critic), "generator step changed the critic")
	require.True(t, changed(objectives.Generator), "generator step did not change the generator")
	require.True(t, changed(objectives.Encoder), "generator step did not change the encoder")
}

// TestResumeIsExact: 3 iterations in one go equal 2 iterations, a checkpoint, a fresh process
// state restored from it, and 1 more iteration — the checkpoint holds weights, both Adam states
// and the RNG, so the two runs agree bit for bit.
func TestResumeIsExact(t *testing.T) {
	x := tinyData(40, 8)
	straight := newTrainer(t, tinyContext(t, 5), x, 8)
	straight.Config.Steps = 3
	require.NoError(t, straight.Train())

	dir := t.TempDir()
	first := newTrainer(t, tinyContext(t, 5), x, 8)
	first.Config.Steps, first.Dir, first.Config.CheckpointEvery = 2, dir, 1
	require.NoError(t, first.Train())
	paths, err := listCheckpoints(dir)
	require.NoError(t, err)
	require.Len(t, paths, first.Config.CheckpointKeep) // older ones pruned

	resumed := newTrainer(t, tinyContext(t, 999), x, 8) // a different seed: the checkpoint's RNG wins
	resumed.Dir = dir
	path, err := resumed.Restore()
	require.NoError(t, err)
	require.Equal(t, checkpointPath(dir, 2), path)
	require.Equal(t, 2, resumed.Step())
	resumed.Config.Steps = 3
	require.NoError(t, resumed.Train())
	for _, scope := range []string{objectives.Generator, objectives.Encoder, objectives.Critic} {
		require.Equal(t, snapshot(straight.Model.Ctx, scope), snapshot(resumed.Model.Ctx, scope), scope)
	}
}

func TestCheckpointRejectsDamagedFiles(t *testing.T) {
	ctx := tinyContext(t, 1)
	tr := newTrainer(t, ctx, tinyData(40, 8), 8)
	_, err := tr.RunStep()
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "c.ckpt")
	require.NoError(t, SaveCheckpoint(ctx, path, CheckpointInfo{Step: 1}))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	loaded, err := LoadCheckpoint(path)
	require.NoError(t, err)
	require.Equal(t, 1, loaded.Info.Step)

	require.NoError(t, os.WriteFile(path, data[:len(data)-10], 0o644))
	_, err = LoadCheckpoint(path)
	require.ErrorContains(t, err, "truncated")
	require.NoError(t, os.WriteFile(path, []byte("junk file"), 0o644))
	_, err = LoadCheckpoint(path)
	require.ErrorContains(t, err, "bad magic")
}

// TestNaNStopsTraining: NaN data makes the losses NaN; training stops with ErrDiverged and
// names the last good checkpoint.
func TestNaNStopsTraining(t *testing.T) {
	x := tinyData(40, 8)
	tr := newTrainer(t, tinyContext(t, 1), x, 8)
	tr.Dir, tr.Config.Steps, tr.Config.CheckpointEvery = t.TempDir(), 1, 1
	require.NoError(t, tr.Train())
	for i := range x {
		x[i] = float32(math.NaN())
	}
	tr2 := newTrainer(t, tinyContext(t, 1), x, 8)
	tr2.Dir = tr.Dir
	_, err := tr2.Restore()
	require.NoError(t, err)
	tr2.Config.Steps = 3
	err = tr2.Train()
	require.True(t, errors.Is(err, ErrDiverged), "%v", err)
	require.ErrorContains(t, err, "checkpoint-000000001.ckpt")
}

func TestConfigErrorsNameTheParameter(t *testing.T) {
	ctx := tinyContext(t, 1)
	ctx.SetParam(ParamNCritic, 0)
	_, err := ConfigFromContext(ctx)
	require.ErrorContains(t, err, `"n_critic": must be ≥ 1`)
}

// TestClusterGANSyntheticMixture is the end-to-end check: ClusterGAN on a 5-cluster Gaussian
// mixture, embedded non-linearly in 16 features, must reach purity ≥ 0.95 (k-means on the
// encoder output, as the paper's protocol) within a fixed number of iterations and seed.
func TestClusterGANSyntheticMixture(t *testing.T) {
	splits, err := datasets.Synthetic(datasets.DefaultSyntheticConfig())
	require.NoError(t, err)
	for _, c := range []struct {
		name  string
		extra map[string]any
	}{
		{"paper", nil},
		// The optional real-data term β_x·mean((x − G(E(x)))²) must not break the clustering.
		{"beta_x", map[string]any{losses.ParamBetaX: 10.0}},
		// So must the real-data information-maximisation term (no shifts: the data are vectors).
		{"beta_mi", map[string]any{losses.ParamBetaMI: 1.0, losses.ParamMIShift: 0}},
		{"beta_mi_vat", map[string]any{losses.ParamBetaMI: 1.0, losses.ParamMIShift: 0, losses.ParamMIVATEpsilon: 0.5}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := syntheticContext(t, c.extra)
			tr := newTrainer(t, ctx, splits.Train.X, splits.Train.Dim())
			require.NoError(t, tr.Train())
			enc, err := tr.Model.Encode(splits.Test.X, 500)
			require.NoError(t, err)
			features, dim := enc.Features(true)
			km, err := evaluation.KMeans(features, dim, evaluation.KMeansConfig{K: 5, NInit: 5, MaxIter: 300, Tol: 1e-4, Seed: 1})
			require.NoError(t, err)
			purity, err := evaluation.Purity(km.Labels, splits.Test.Labels)
			require.NoError(t, err)
			argmax, err := evaluation.Purity(enc.Argmax(), splits.Test.Labels)
			require.NoError(t, err)
			t.Logf("synthetic mixture after %d iterations: purity %.4f (k-means on E(x)), %.4f (argmax)", syntheticSteps, purity, argmax)
			// k-means on E(x) can score well even for a barely trained encoder when the data are
			// this well separated; argmax of the logits only scores well when each one-hot z_c has
			// become one data cluster, so both are required.
			require.GreaterOrEqual(t, purity, 0.95)
			require.GreaterOrEqual(t, argmax, 0.95)
		})
	}
}

// TestBetaXNeedsMixedPrior: the real-data term feeds E's output back into G, which needs z to
// be (z_n, z_c); with another prior the first step fails with an error naming the parameter.
func TestBetaXNeedsMixedPrior(t *testing.T) {
	ctx := tinyContext(t, 1)
	ctx.SetParam(losses.ParamBetaX, 1.0)
	ctx.SetParam(priors.ParamPrior, "gmm")
	tr := newTrainer(t, ctx, tinyData(40, 8), 8)
	_, err := tr.RunStep()
	require.ErrorContains(t, err, `parameter "beta_x" > 0 needs a prior whose z is (z_n, z_c)`)
}

// TestInfoMaxViews: the information-maximisation term's shifted view needs image-shaped
// examples; vector data get an error naming the parameter, and images train, also with the
// virtual adversarial view and several warped views.
func TestInfoMaxViews(t *testing.T) {
	ctx := tinyContext(t, 1)
	ctx.SetParam(losses.ParamBetaMI, 1.0)
	tr := newTrainer(t, ctx, tinyData(40, 8), 8)
	_, err := tr.RunStep()
	require.ErrorContains(t, err, `mi_shift, mi_rotation, mi_scale = 3, 0, 0 warp images, but the data's examples have shape [8]; set them to 0 for vector data`)

	// Several warped views need a warp: without one they would be copies of x.
	ctx = tinyContext(t, 1)
	ctx.SetParams(map[string]any{losses.ParamBetaMI: 1.0, losses.ParamMIShift: 0, losses.ParamMIViews: 2})
	tr = newTrainer(t, ctx, tinyData(40, 8), 8)
	_, err = tr.RunStep()
	require.ErrorContains(t, err, `parameter "mi_views" = 2 needs a warp (mi_shift, mi_rotation or mi_scale > 0)`)

	for _, vat := range []float64{0, 0.5} {
		ctx = tinyContext(t, 1)
		ctx.SetParams(map[string]any{losses.ParamBetaMI: 1.0, losses.ParamMIShift: 1, losses.ParamMIVATEpsilon: vat,
			losses.ParamMIRotation: 10 * vat, losses.ParamMIScale: 0.1 * vat, // the second pass also rotates and scales
			losses.ParamMIViews: 1 + 2*int(2*vat)}) // and warps three views
		m, err := NewModel(backend.ForTests(), ctx, []int{4, 2, 1})
		require.NoError(t, err)
		cfg, err := ConfigFromContext(ctx)
		require.NoError(t, err)
		tr = &Trainer{Model: m, Objective: objectives.ClusterGAN{}, Config: cfg, TrainX: tinyData(40, 8)}
		for range 3 {
			l, err := tr.RunStep()
			require.NoError(t, err)
			require.Contains(t, l, "generator/infomax")
			require.False(t, math.IsNaN(l["generator/total"]) || math.IsInf(l["generator/total"], 0), "vat %g: loss %v", vat, l)
		}
	}
}

// syntheticSteps: with these settings purity reached 1.0 by iteration 250 (seed 1); 500 leaves
// a margin.
const syntheticSteps = 500

// TestInfoGANSyntheticMixture: InfoGAN (Q head on the critic) on the synthetic mixture. Its
// Q-loss must fall and Q's argmax must cluster the test data well above chance.
func TestInfoGANSyntheticMixture(t *testing.T) {
	splits, err := datasets.Synthetic(datasets.DefaultSyntheticConfig())
	require.NoError(t, err)
	ctx := syntheticContext(t, map[string]any{priors.ParamSigma: 1.0}) // InfoGAN's noise
	tr := newTrainer(t, ctx, splits.Train.X, splits.Train.Dim())
	tr.Objective = objectives.InfoGAN{}
	var qLoss []float64
	for tr.Step() < syntheticSteps {
		l, err := tr.RunStep()
		require.NoError(t, err)
		qLoss = append(qLoss, l["generator/info"])
	}
	mean := func(x []float64) float64 {
		s := 0.0
		for _, v := range x {
			s += v
		}
		return s / float64(len(x))
	}
	first, last := mean(qLoss[:20]), mean(qLoss[len(qLoss)-20:])
	enc, err := tr.Model.Code(splits.Test.X, 500)
	require.NoError(t, err)
	require.Nil(t, enc.Noise)
	purity, err := evaluation.Purity(enc.Argmax(), splits.Test.Labels)
	require.NoError(t, err)
	t.Logf("InfoGAN: Q-loss %.4f (first 20 iterations) → %.4f (last 20); test purity of argmax Q %.4f", first, last, purity)
	// ln 5 ≈ 1.609 is the CE of a uniform guess over 5 codes.
	require.Less(t, first, 1.7)
	require.Less(t, last, first/4)
	require.GreaterOrEqual(t, purity, 0.9)
	for v := range ctx.IterVariables() {
		require.False(t, strings.HasPrefix(v.Scope(), objectives.Encoder), "InfoGAN has no encoder: %s", v.ScopeAndName())
	}
}

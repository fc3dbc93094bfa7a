package methods

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/clustergan/clustergan/backend"
	"github.com/clustergan/clustergan/evaluation"
	"github.com/clustergan/clustergan/objectives"
	"github.com/clustergan/clustergan/priors"
	"github.com/clustergan/clustergan/rundir"
	"github.com/clustergan/clustergan/trainer"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/stretchr/testify/require"
)

// TestClusterGANRun runs the clustergan method on the synthetic mixture (K = 5 from the data,
// 300 iterations evaluated every 100 with the test split tracked), then, in the same run
// directory, resumes it, runs clustergan-bp on its model and reloads the model with LoadModel.
func TestClusterGANRun(t *testing.T) {
	r := newTestRun(t, ganTestSettings+"; track_eval_split=true")
	out := r.run("clustergan")
	methodDir := filepath.Join(r.dir, "clustergan")
	ckpts := filepath.Join(methodDir, CheckpointsDir)
	rows := out.Rows
	require.Regexp(t, `clustergan: objective ClusterGAN; \d+ iterations, batch \d+, mlp nets, \d+ critic step\(s\) per iteration, \S+ loss\n`, r.out.String())

	t.Run("method", func(t *testing.T) {
		require.Len(t, rows, 2)
		for i, inference := range []string{"k-means on E(x)", "argmax of E(x)"} {
			require.Equal(t, "clustergan", rows[i].Method)
			require.Equal(t, "ClusterGAN", rows[i].Recipe)
			require.Equal(t, inference, rows[i].Inference)
			require.Equal(t, "ClusterGAN, "+inference, rows[i].Name())
		}
		t.Logf("purity %.4f (k-means on E(x)), %.4f (argmax)", rows[0].Metrics.Purity, rows[1].Metrics.Purity)
		// The synthetic mixture is easy (see trainer's end-to-end test). Measured: 1.000 both.
		require.GreaterOrEqual(t, rows[0].Metrics.Purity, 0.95)
		require.GreaterOrEqual(t, rows[1].Metrics.Purity, 0.95)
		require.FileExists(t, filepath.Join(ckpts, "best.ckpt"))
		require.FileExists(t, filepath.Join(ckpts, "checkpoint-000000300.ckpt"))

		// K resolved from the data: the model, its settings file and k-means have 5 clusters;
		// the shared context still says 0.
		require.NotNil(t, out.Model)
		require.Equal(t, 5, out.Model.Spec.NumClusters)
		settings, err := os.ReadFile(filepath.Join(methodDir, SettingsFile))
		require.NoError(t, err)
		require.Contains(t, strings.Split(string(settings), "\n"), "num_clusters=5")
		k, _ := r.ctx.GetParam(priors.ParamNumClusters)
		require.Equal(t, 0, k)
		// k-means clusters [ẑ_n, softmax(logits)] (β_n ≠ 0): 4 + 5 columns.
		require.Equal(t, "E(x)", out.FeatureName)
		require.Equal(t, 9, out.FeatureDim)
		require.Len(t, out.Features, r.data.Test.N()*9)
		require.Positive(t, out.TrainTime)

		m := r.metrics()
		train := m.TrainOf("clustergan")
		require.NotEmpty(t, train)
		require.Equal(t, 300, train[len(train)-1].Step)
		for _, name := range []string{"critic/adversarial", "critic/total", "generator/adversarial", "generator/noise", "generator/cluster", "generator/total"} {
			require.Contains(t, train[0].Losses, name)
		}
		require.Len(t, train[0].Losses, 6)
		evals := m.EvalOf("clustergan")
		require.Len(t, evals, 3)
		best := evals[len(evals)-1].BestStep
		require.Equal(t, best, rows[0].Extra["selected_step"])
		require.Equal(t, 300, rows[0].Extra["steps"])
		var results []rundir.ResultRecord
		for _, rec := range m.Results {
			if rec.Method == "clustergan" {
				results = append(results, rec)
			}
		}
		require.Len(t, results, 2)
		require.Equal(t, rows[0].Name(), results[0].Row)
		require.Equal(t, rows[0].Metrics, results[0].Metrics)
	})

	t.Run("time-to-accuracy records", func(t *testing.T) {
		// With track_eval_split every evaluation also scores the reported split: at iterations
		// 100, 200, 300, with times that grow, training time within wall time, and at the
		// selected iteration the final rows' numbers (same weights, same k-means seed).
		evals := r.metrics().EvalOf("clustergan")
		prevElapsed := -1.0
		found := false
		for i, e := range evals {
			require.Equal(t, 100*(i+1), e.Step)
			require.GreaterOrEqual(t, e.ElapsedSeconds, prevElapsed)
			require.LessOrEqual(t, e.TrainSeconds, e.ElapsedSeconds)
			prevElapsed = e.ElapsedSeconds
			require.Equal(t, e.Score, e.Metrics["val_purity"], "selection is on validation purity")
			for _, key := range []string{"val_purity", "val_nmi", "val_acc", "val_argmax_purity", EvalPurity, EvalACC, EvalNMI, EvalARI, EvalArgmaxPurity} {
				v, ok := e.Metrics[key]
				require.True(t, ok, key)
				require.True(t, v >= 0 && v <= 1, "%s = %v", key, v)
			}
			if e.Step == rows[0].Extra["selected_step"] {
				found = true
				require.Equal(t, rows[0].Metrics.Purity, e.Metrics[EvalPurity])
				require.Equal(t, rows[0].Metrics.ACC, e.Metrics[EvalACC])
				require.Equal(t, rows[0].Metrics.NMI, e.Metrics[EvalNMI])
				require.Equal(t, rows[0].Metrics.ARI, e.Metrics[EvalARI])
				require.Equal(t, rows[1].Metrics.Purity, e.Metrics[EvalArgmaxPurity])
			}
		}
		require.True(t, found, "the selected iteration %v has an evaluation record", rows[0].Extra["selected_step"])
	})

	t.Run("generation agreement", func(t *testing.T) {
		// Both rows carry the same measurement: 100 samples from each of the 5 one-hots, each
		// labelled by its nearest training example, against the class each cluster holds on
		// the test split by argmax.
		gen := rows[0].Generation
		require.NotNil(t, gen)
		require.Same(t, gen, rows[1].Generation)
		require.Equal(t, 500, gen.N)
		require.Len(t, gen.Clusters, 5)
		require.LessOrEqual(t, gen.Agreement, gen.Purity+1e-12)
		t.Logf("generation: agreement %.4f, purity %.4f", gen.Agreement, gen.Purity)
		// Measured: agreement 1.000, purity 1.000.
		require.GreaterOrEqual(t, gen.Agreement, 0.95)
		// Recomputed from the model: the same seed draws the same samples.
		again, err := generationAgreement(r.env("clustergan"), out.Model, rows[1].Labels)
		require.NoError(t, err)
		require.Equal(t, gen, again)
	})

	t.Run("resume", func(t *testing.T) {
		// Resumed after the last checkpoint but before the results were written: the model is
		// restored, not retrained, and gives the same results.
		r.out.Reset()
		env := r.env("clustergan")
		env.Resume = true
		again := r.runEnv("clustergan", env)
		require.Contains(t, r.out.String(), "resuming from")
		require.NotContains(t, r.out.String(), "eval @", "no training step was repeated")
		require.Len(t, r.metrics().EvalOf("clustergan"), 3, "no new evaluation")
		require.Equal(t, rows[0].Metrics, again.Rows[0].Metrics)
		require.Equal(t, rows[1].Metrics, again.Rows[1].Metrics)
		require.Equal(t, rows[1].Labels, again.Rows[1].Labels)
	})

	t.Run("clustergan-bp reuses the model", func(t *testing.T) {
		r.out.Reset()
		bp := r.run("clustergan-bp")
		require.Len(t, bp.Rows, 2)
		best := filepath.Join(ckpts, "best.ckpt")
		for i, inference := range []string{"back-prop decoding, k-means on z", "back-prop decoding, best restart"} {
			row := bp.Rows[i]
			require.Equal(t, "clustergan-bp", row.Method)
			require.Equal(t, "ClusterGAN", row.Recipe)
			require.Equal(t, inference, row.Inference)
			require.Equal(t, best, row.Extra["checkpoint"])
			require.Equal(t, 50, row.Extra["decode_steps"])
			t.Logf("%s: %+v", row.Name(), row.Metrics)
		}
		require.NoDirExists(t, filepath.Join(r.dir, "clustergan-bp", CheckpointsDir))
		require.Contains(t, r.out.String(), "reusing the run's clustergan model")
		require.Zero(t, bp.TrainTime)
		reuse := r.metrics().Reuse
		require.Len(t, reuse, 1)
		require.Equal(t, "clustergan-bp", reuse[0].Method)
		require.Equal(t, best, reuse[0].Checkpoint)

		// The chosen restart mostly agrees with the encoder's argmax on the same points.
		frac := agreement(rows[1].Labels, bp.Rows[1].Labels)
		t.Logf("restart/argmax agreement %.4f", frac)
		// Measured: 1.000 (all 1000 test points), and purity 1.000 for both clustergan-bp rows.
		require.Greater(t, frac, 0.9)
		// Recovered z = [z_n, one-hot of the chosen restart].
		require.Equal(t, "recovered z", bp.FeatureName)
		require.Equal(t, 9, bp.FeatureDim)
		for i, c := range bp.Rows[1].Labels {
			for j := range 5 {
				want := float32(0)
				if j == c {
					want = 1
				}
				require.Equal(t, want, bp.Features[i*9+4+j])
			}
		}
		// The generation agreement of the same generator, by the restarts' clusters.
		require.NotNil(t, bp.Rows[0].Generation)
		require.Same(t, bp.Rows[0].Generation, bp.Rows[1].Generation)
		t.Logf("generation (clusters of the restarts): agreement %.4f", bp.Rows[0].Generation.Agreement)
		// Measured: 1.000, as by the encoder's clusters.
		require.GreaterOrEqual(t, bp.Rows[0].Generation.Agreement, 0.95)
	})

	t.Run("LoadModel", func(t *testing.T) {
		// The reloaded model is the one the run evaluated: encoding the test split again gives
		// exactly the run's labels, by argmax and by k-means on [ẑ_n, softmax(logits)].
		model, err := LoadModel(backend.ForTests(), r.dir, "clustergan", r.data.Train.Shape)
		require.NoError(t, err)
		require.Equal(t, 5, model.Spec.NumClusters, "num_clusters from the method's settings.txt")
		cfg, err := trainer.ConfigFromContext(model.Ctx)
		require.NoError(t, err)
		enc, err := model.Encode(r.data.Test.X, cfg.EvalBatchSize)
		require.NoError(t, err)
		require.Equal(t, rows[1].Labels, enc.Argmax(), "argmax of the reloaded encoder's logits")
		kmCfg, err := KMeansConfig(model.Ctx, model.Spec.NumClusters, r.seed)
		require.NoError(t, err)
		features, dim := enc.Features(true)
		km, err := evaluation.KMeans(features, dim, kmCfg)
		require.NoError(t, err)
		require.Equal(t, rows[0].Labels, km.Labels, "k-means on the reloaded encoder's output")

		// Errors.
		_, err = LoadModel(backend.ForTests(), r.dir, "kmeans", r.data.Train.Shape)
		require.ErrorContains(t, err, `method "kmeans" trained no model of its own`)
		_, err = LoadModel(backend.ForTests(), t.TempDir(), "clustergan", r.data.Train.Shape)
		require.ErrorContains(t, err, "is not a run directory")
		_, err = LoadModel(backend.ForTests(), r.dir, "nope", r.data.Train.Shape)
		require.ErrorContains(t, err, `unknown method "nope"`)

		// Without best.ckpt, the last checkpoint of the finished training is the model; an
		// unfinished training is refused.
		require.NoError(t, os.Remove(filepath.Join(ckpts, "best.ckpt")))
		_, err = LoadModel(backend.ForTests(), r.dir, "clustergan", r.data.Train.Shape)
		require.NoError(t, err)
		latest, err := trainer.LatestCheckpoint(ckpts)
		require.NoError(t, err)
		require.Equal(t, filepath.Join(ckpts, "checkpoint-000000300.ckpt"), latest)
		require.NoError(t, os.Remove(latest))
		_, err = LoadModel(backend.ForTests(), r.dir, "clustergan", r.data.Train.Shape)
		require.ErrorContains(t, err, "no finished clustergan training")
	})
}

// TestClusterGANBPTrainsItsOwn runs clustergan-bp alone: it trains ClusterGAN in its own
// directory, then decodes it.
func TestClusterGANBPTrainsItsOwn(t *testing.T) {
	// Fewer decoding steps: this test is about where the model comes from.
	r := newTestRun(t, ganTestSettings+"; decode_steps=20")
	out := r.run("clustergan-bp")
	require.Len(t, out.Rows, 2)
	best := filepath.Join(r.dir, "clustergan-bp", CheckpointsDir, "best.ckpt")
	require.FileExists(t, best)
	require.NoDirExists(t, filepath.Join(r.dir, "clustergan"))
	for _, row := range out.Rows {
		t.Logf("%s: %+v", row.Name(), row.Metrics)
		require.Equal(t, best, row.Extra["checkpoint"])
		require.Equal(t, 20, row.Extra["decode_steps"])
	}
	require.Positive(t, out.TrainTime)
	require.Contains(t, r.out.String(), "no finished clustergan model in this run, training one")
	require.Empty(t, r.metrics().Reuse)
	// Its own settings file holds the model's settings (K resolved).
	settings, err := os.ReadFile(filepath.Join(r.dir, "clustergan-bp", SettingsFile))
	require.NoError(t, err)
	require.Contains(t, strings.Split(string(settings), "\n"), "num_clusters=5")
	checkNoLeak(t, r.ctx)
}

// TestModelSelectionFinal: with model_selection=final the method reports the final weights:
// the rows name the last iteration and the model is the last checkpoint (which LoadModel then
// reloads), although the validation purity peaked earlier and best.ckpt was still written. With
// generation_samples=0 no generation agreement is measured.
func TestModelSelectionFinal(t *testing.T) {
	const steps = 400
	r := newTestRun(t, ganTestSettings+"; model_selection=final; generation_samples=0; train_steps="+strconv.Itoa(steps))
	out := r.run("clustergan")
	ckpts := filepath.Join(r.dir, "clustergan", CheckpointsDir)
	for _, row := range out.Rows {
		require.Equal(t, steps, row.Extra["selected_step"])
		require.Equal(t, steps, row.Extra["steps"])
		require.Nil(t, row.Generation)
	}
	require.Contains(t, r.out.String(), fmt.Sprintf("clustergan: using the final weights (iteration %d)", steps))
	best := filepath.Join(ckpts, "best.ckpt")
	require.FileExists(t, best)
	evals := r.metrics().EvalOf("clustergan")
	require.Len(t, evals, steps/100)
	var scores []float64
	for _, e := range evals {
		scores = append(scores, e.Score)
	}
	bestStep := evals[len(evals)-1].BestStep
	t.Logf("validation purity %v at iterations 100, 200, ...: best at %d", scores, bestStep)
	// Measured: best at 300 (purity 1 there and at 400; a tie keeps the earlier one), so
	// best.ckpt and the final weights differ.
	require.Less(t, bestStep, steps)

	finalCkpt := filepath.Join(ckpts, fmt.Sprintf("checkpoint-%09d.ckpt", steps))
	path, err := ModelCheckpoint(ckpts, steps, true)
	require.NoError(t, err)
	require.Equal(t, finalCkpt, path)
	path, err = ModelCheckpoint(ckpts, steps, false)
	require.NoError(t, err)
	require.Equal(t, best, path)
	path, err = ModelCheckpoint(ckpts, steps+100, true)
	require.NoError(t, err)
	require.Empty(t, path, "a training short of its steps is not finished")

	// The reported labels are the final model's, and the outcome's model is it.
	model, err := LoadModel(backend.ForTests(), r.dir, "clustergan", r.data.Train.Shape)
	require.NoError(t, err)
	final, err := model.Encode(r.data.Test.X, 500)
	require.NoError(t, err)
	require.Equal(t, out.Rows[1].Labels, final.Argmax())
	inMemory, err := out.Model.Encode(r.data.Test.X, 500)
	require.NoError(t, err)
	require.Equal(t, final.Logits, inMemory.Logits)
	bestModel, err := loadModel(backend.ForTests(), filepath.Join(r.dir, "clustergan", SettingsFile), best, r.data.Train.Shape)
	require.NoError(t, err)
	atBest, err := bestModel.Encode(r.data.Test.X, 500)
	require.NoError(t, err)
	require.NotEqual(t, final.Logits, atBest.Logits, "best.ckpt holds other weights")

	// clustergan-bp decodes the same final weights.
	bp := r.run("clustergan-bp")
	for _, row := range bp.Rows {
		require.Equal(t, finalCkpt, row.Extra["checkpoint"])
	}
	require.Nil(t, bp.Rows[0].Generation, "generation_samples=0 holds for the reused model too")
}

// checkNoLeak: a method's own prior and K never reach the shared context.
func checkNoLeak(t *testing.T, ctx *context.Context) {
	t.Helper()
	for key, want := range map[string]any{priors.ParamPrior: priors.DefaultPrior, priors.ParamNumClusters: 0, priors.ParamSigma: priors.DefaultSigma} {
		got, _ := ctx.GetParam(key)
		require.Equal(t, want, got, key)
	}
}

// TestExportModel: an exported model is a directory LoadModel reads like the run it came from,
// holding the networks' weights only, and it reproduces the run's labels.
func TestExportModel(t *testing.T) {
	r := newTestRun(t, ganTestSettings)
	out := r.run("clustergan")
	runDir := r.dir
	results := &rundir.Results{Dataset: "synthetic", Split: "test", Seed: r.seed}
	for _, row := range out.Rows {
		results.Rows = append(results.Rows, rundir.ResultRow{Name: row.Name(), Method: row.Method, Recipe: row.Recipe,
			Inference: row.Inference, Metrics: row.Metrics})
	}
	require.NoError(t, rundir.WriteResults(runDir, results))
	require.NoError(t, rundir.WriteInfo(runDir, &rundir.Info{Dataset: "synthetic", Methods: []string{"clustergan"}}))
	require.FileExists(t, filepath.Join(runDir, rundir.SettingsFile))

	dst := filepath.Join(t.TempDir(), "model")
	require.NoError(t, ExportModel(runDir, "clustergan", dst))
	ckpt := filepath.Join(dst, "clustergan", CheckpointsDir, "best.ckpt")
	data, err := trainer.LoadCheckpoint(ckpt)
	require.NoError(t, err)
	for key := range data.Tensors {
		require.True(t, strings.HasPrefix(key, objectives.Generator+"/") || strings.HasPrefix(key, objectives.Critic+"/") ||
			strings.HasPrefix(key, objectives.Encoder+"/"), "only the networks' weights: %s", key)
	}
	full, err := os.Stat(filepath.Join(r.dir, "clustergan", CheckpointsDir, "best.ckpt"))
	require.NoError(t, err)
	small, err := os.Stat(ckpt)
	require.NoError(t, err)
	require.Less(t, small.Size(), full.Size()/2, "no Adam moments")
	saved, err := rundir.ReadResults(dst)
	require.NoError(t, err)
	require.Equal(t, results.Rows, saved.Rows)
	copied, err := rundir.ReadMetrics(filepath.Join(dst, rundir.MetricsFile))
	require.NoError(t, err)
	require.Equal(t, r.metrics().EvalOf("clustergan"), copied.Eval, "the method's records, for its curves")

	model, err := LoadModel(backend.ForTests(), dst, "clustergan", r.data.Train.Shape)
	require.NoError(t, err)
	enc, err := model.Encode(r.data.Test.X, 500)
	require.NoError(t, err)
	require.Equal(t, out.Rows[1].Labels, enc.Argmax(), "the exported model clusters as the run's did")

	_, err = LoadModel(backend.ForTests(), dst, "infogan", r.data.Train.Shape)
	require.ErrorContains(t, err, `method "infogan" trained no model of its own`)
	require.ErrorContains(t, ExportModel(runDir, "infogan", dst), `method "infogan" trained no model`)
	require.ErrorContains(t, ExportModel(runDir, "clustergan", dst), "already holds a clustergan model")
}

package runner

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/clustergan/clustergan/backend"
	"github.com/clustergan/clustergan/datasets"
	"github.com/clustergan/clustergan/evaluation"
	"github.com/clustergan/clustergan/trainer"
	"github.com/stretchr/testify/require"
)

// TestLoadModel reloads the clustergan model of a finished run and checks that it is the model
// the run evaluated: encoding the evaluation split again gives exactly the run's cluster
// labels, by argmax of the logits and by k-means on [ẑ_n, softmax(logits)].
func TestLoadModel(t *testing.T) {
	cfg := ganTestConfig(t, "clustergan")
	_, err := ApplySettings(cfg.Ctx, "train_steps=100; eval_every=50; checkpoint_every=50; latent_map_points=0", "test")
	require.NoError(t, err)
	report, err := Run(cfg)
	require.NoError(t, err)
	require.Len(t, report.Rows, 2)

	// The runner's data: the default synthetic mixture seeded by the run's seed.
	data, err := datasets.Load("synthetic", datasets.Options{Seed: report.Seed})
	require.NoError(t, err)
	model, err := LoadModel(backend.ForTests(), report.Dir, "clustergan", data.Train.Shape)
	require.NoError(t, err)
	require.Equal(t, 5, model.Spec.NumClusters) // prior_num_clusters from the run's settings.txt

	trainCfg, err := trainer.ConfigFromContext(model.Ctx)
	require.NoError(t, err)
	enc, err := model.Encode(data.Test.X, trainCfg.EvalBatchSize)
	require.NoError(t, err)
	require.Equal(t, report.Rows[1].Labels, enc.Argmax(), "argmax of the reloaded encoder's logits")
	kmCfg, err := KMeansConfig(model.Ctx, model.Spec.NumClusters, report.Seed)
	require.NoError(t, err)
	features, dim := enc.Features(true)
	km, err := evaluation.KMeans(features, dim, kmCfg)
	require.NoError(t, err)
	require.Equal(t, report.Rows[0].Labels, km.Labels, "k-means on the reloaded encoder's output")

	// Without best.ckpt, the last checkpoint of the finished training is the model.
	ckpts := filepath.Join(report.Dir, "clustergan", "checkpoints")
	require.NoError(t, os.Remove(filepath.Join(ckpts, "best.ckpt")))
	_, err = LoadModel(backend.ForTests(), report.Dir, "clustergan", data.Train.Shape)
	require.NoError(t, err)
	// An unfinished training is refused.
	latest, err := trainer.LatestCheckpoint(ckpts)
	require.NoError(t, err)
	require.NoError(t, os.Remove(latest))
	_, err = LoadModel(backend.ForTests(), report.Dir, "clustergan", data.Train.Shape)
	require.ErrorContains(t, err, "no finished clustergan training")

	_, err = LoadModel(backend.ForTests(), report.Dir, "kmeans", data.Train.Shape)
	require.ErrorContains(t, err, `method "kmeans" trains no model`)
	_, err = LoadModel(backend.ForTests(), t.TempDir(), "clustergan", data.Train.Shape)
	require.ErrorContains(t, err, "not a run directory")
}

package methods

import (
	"path/filepath"
	"testing"

	"github.com/clustergan/clustergan/backend"
	"github.com/clustergan/clustergan/datasets"
	"github.com/clustergan/clustergan/evaluation"
	"github.com/clustergan/clustergan/rundir"
	"github.com/clustergan/clustergan/trainer"
	"github.com/stretchr/testify/require"
)

// shippedModel is the trained model the repository ships (models/mnist-default/README.md).
var shippedModel = filepath.Join("..", "models", "mnist-default")

// TestShippedModelReproducesItsPurity loads the shipped model through the same API as a run
// directory and clusters the MNIST test split with its own settings: the purity, NMI and ARI it
// recorded come out exactly, by k-means on E(x) and by argmax.
func TestShippedModelReproducesItsPurity(t *testing.T) {
	results, err := rundir.ReadResults(shippedModel)
	require.NoError(t, err)
	require.Equal(t, "mnist", results.Dataset)
	require.Equal(t, "test", results.Split)
	rows := results.RowsOf("clustergan")
	require.Len(t, rows, 2)

	data, err := datasets.Load("mnist", datasets.Options{})
	require.NoError(t, err)
	model, err := LoadModel(backend.ForTests(), shippedModel, "clustergan", data.Train.Shape)
	require.NoError(t, err)
	cfg, err := trainer.ConfigFromContext(model.Ctx)
	require.NoError(t, err)
	enc, err := model.Encode(data.Test.X, cfg.EvalBatchSize)
	require.NoError(t, err)
	mc, err := ConfigFromContext(model.Ctx)
	require.NoError(t, err)
	km, err := KMeansConfig(model.Ctx, model.Spec.NumClusters, results.Seed)
	require.NoError(t, err)
	features, dim := enc.Features(true)
	labels, err := evaluation.KMeans(features, dim, km)
	require.NoError(t, err)
	kmMetrics, err := evaluation.Evaluate(labels.Labels, data.Test.Labels)
	require.NoError(t, err)
	argmax, err := evaluation.Evaluate(enc.Argmax(), data.Test.Labels)
	require.NoError(t, err)
	t.Logf("shipped model (selection %s): k-means on E(x) %v; argmax %v", mc.Selection, kmMetrics, argmax)
	require.Equal(t, rows[0].Metrics, kmMetrics, rows[0].Name)
	require.Equal(t, rows[1].Metrics, argmax, rows[1].Name)
}

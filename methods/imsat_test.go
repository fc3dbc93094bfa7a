package methods

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/clustergan/clustergan/objectives"
	"github.com/stretchr/testify/require"
)

// TestIMSATMethod: the imsat method trains the encoder alone on the synthetic mixture with the
// information-maximisation term (no warp: the data are vectors) and clusters it well; it
// builds no generator or critic and so has no model to draw and no generation agreement.
func TestIMSATMethod(t *testing.T) {
	r := newTestRun(t, ganTestSettings+"; mi_shift=0")
	out := r.run("imsat")
	require.Len(t, out.Rows, 2)
	for i, inference := range []string{"k-means on E(x)", "argmax of E(x)"} {
		row := out.Rows[i]
		require.Equal(t, "imsat", row.Method)
		require.Equal(t, "IMSAT", row.Recipe)
		require.Equal(t, inference, row.Inference)
		require.Nil(t, row.Generation)
		t.Logf("%s: %+v", row.Name(), row.Metrics)
	}
	// Measured: purity 1.000 (k-means on softmax(E(x))), 1.000 (argmax).
	require.GreaterOrEqual(t, out.Rows[0].Metrics.Purity, 0.95)
	require.GreaterOrEqual(t, out.Rows[1].Metrics.Purity, 0.95)

	require.Nil(t, out.Model, "no generator to draw")
	// What it trains is said without a game it does not play.
	require.Contains(t, r.out.String(), "imsat: objective IMSAT; ")
	require.NotContains(t, r.out.String(), "critic")
	// The noise head has no loss: k-means sees softmax(logits) only, K = 5 columns.
	require.Equal(t, 5, out.FeatureDim)
	require.Len(t, out.Features, r.data.Test.N()*5)

	// Only the encoder was built and trained.
	ckpts := filepath.Join(r.dir, "imsat", CheckpointsDir)
	require.FileExists(t, filepath.Join(ckpts, "best.ckpt"))
	keys := checkpointKeys(t, filepath.Join(ckpts, "checkpoint-000000300.ckpt"))
	require.Positive(t, countWithPrefix(keys, objectives.Encoder))
	require.Zero(t, countWithPrefix(keys, objectives.Generator))
	require.Zero(t, countWithPrefix(keys, objectives.Critic))
	require.Zero(t, countWithPrefix(keys, "/critic_adam"), "the critic's optimiser is never used")

	// The logged losses are the encoder phase's one term and its total, which is the term.
	train := r.metrics().TrainOf("imsat")
	require.NotEmpty(t, train)
	first, last := train[0].Losses, train[len(train)-1].Losses
	require.Len(t, first, 2)
	require.Equal(t, first["encoder/infomax"], first["encoder/total"])
	t.Logf("infomax loss %.4f (iteration %d) → %.4f (iteration %d)", first["encoder/infomax"], train[0].Step,
		last["encoder/infomax"], train[len(train)-1].Step)
	// The loss is bounded below by −η·ln K = −2 ln 5 ≈ −3.219 (confident, consistent and
	// balanced assignments: both conditional entropies 0, the marginal's ln K), and training
	// brings it near that bound. Measured: −0.323 at iteration 1, −3.125 at iteration 300.
	require.GreaterOrEqual(t, last["encoder/infomax"], -2*math.Log(5)-1e-6)
	require.Less(t, last["encoder/infomax"], -3.0)
	checkNoLeak(t, r.ctx)
}

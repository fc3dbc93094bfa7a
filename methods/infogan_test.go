package methods

import (
	"path/filepath"
	"testing"

	"github.com/clustergan/clustergan/objectives"
	"github.com/clustergan/clustergan/priors"
	"github.com/stretchr/testify/require"
)

// TestInfoGANMethod: the infogan method trains in its own copy of the settings (the mixed
// prior with InfoGAN's noise σ) and clusters with the critic's Q head.
func TestInfoGANMethod(t *testing.T) {
	r := newTestRun(t, ganTestSettings)
	out := r.run("infogan")
	require.Len(t, out.Rows, 2)
	for i, inference := range []string{"k-means on Q(x)", "argmax of Q(x)"} {
		require.Equal(t, "infogan", out.Rows[i].Method)
		require.Equal(t, "InfoGAN", out.Rows[i].Recipe)
		require.Equal(t, inference, out.Rows[i].Inference)
	}
	t.Logf("infogan on the synthetic mixture: purity %.4f (k-means on Q), %.4f (argmax Q)",
		out.Rows[0].Metrics.Purity, out.Rows[1].Metrics.Purity)
	// Measured: 1.000 and 1.000.
	require.GreaterOrEqual(t, out.Rows[1].Metrics.Purity, 0.9)

	// The model's prior is the mixed one with σ = infogan_sigma (default 1); the run's own
	// prior is unchanged.
	require.NotNil(t, out.Model)
	require.Equal(t, priors.Mixed{NoiseSize: 4, Clusters: 5, Sigma: DefaultInfoGANSigma}, out.Model.Prior)
	checkNoLeak(t, r.ctx)
	// k-means sees softmax(Q(x)) only.
	require.Equal(t, "Q(x)", out.FeatureName)
	require.Equal(t, 5, out.FeatureDim)

	// InfoGAN has a generator with a cluster code: its generation agreement is measured.
	gen := out.Rows[0].Generation
	require.NotNil(t, gen)
	require.Same(t, gen, out.Rows[1].Generation)
	require.Equal(t, 500, gen.N)
	t.Logf("generation: agreement %.4f, purity %.4f", gen.Agreement, gen.Purity)
	// Measured: agreement 1.000, purity 1.000.
	require.GreaterOrEqual(t, gen.Agreement, 0.9)

	// No encoder: Q is part of the critic.
	keys := checkpointKeys(t, filepath.Join(r.dir, "infogan", CheckpointsDir, "checkpoint-000000300.ckpt"))
	require.Zero(t, countWithPrefix(keys, objectives.Encoder))
	require.Positive(t, countWithPrefix(keys, objectives.Generator))
	train := r.metrics().TrainOf("infogan")
	require.Contains(t, train[0].Losses, "critic/info")
	require.Contains(t, train[0].Losses, "generator/info")

	// A bad infogan_sigma is reported under its own name, not as the prior_sigma it sets.
	bad := newTestRun(t, "infogan_sigma=0")
	m, err := Get("infogan")
	require.NoError(t, err)
	require.EqualError(t, m.Validate(bad.ctx), `parameter "infogan_sigma": must be > 0, got 0`)
	_, err = m.Run(bad.env("infogan"))
	require.EqualError(t, err, `parameter "infogan_sigma": must be > 0, got 0`)
}

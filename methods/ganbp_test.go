package methods

import (
	"path/filepath"
	"testing"

	"github.com/clustergan/clustergan/inference"
	"github.com/clustergan/clustergan/objectives"
	"github.com/clustergan/clustergan/priors"
	"github.com/stretchr/testify/require"
)

// TestGANBaselines runs gan-bp, gmm-gan-bp and uniform-gan-bp on the synthetic mixture (5
// balanced clusters, 1000 test points): each trains its own GAN without an encoder, decodes the
// test split with settings rescaled to its prior and clusters the latents far better than
// chance (purity 0.2).
func TestGANBaselines(t *testing.T) {
	for _, tc := range []struct {
		method    string
		priorName string
		prior     priors.Prior // the method's own prior, for dn + K = 4 + 5
		minPurity float64
	}{
		// Measured purity: gan-bp 0.987, gmm-gan-bp 0.999, uniform-gan-bp 0.988. Decoding with
		// the mixed prior's settings unscaled (see inference.ForPlainPrior) gave 0.265 and 0.236
		// for the first two, near chance.
		{"gan-bp", "gaussian", priors.Gaussian{Size: 9, Sigma: 1}, 0.85},
		{"gmm-gan-bp", "gmm", priors.NewGMM(9, 5, priors.DefaultSigma, priors.DefaultGMMSeed), 0.85},
		{"uniform-gan-bp", "uniform", priors.Uniform{Size: 9, Low: -1, High: 1}, 0.85},
	} {
		t.Run(tc.method, func(t *testing.T) {
			r := newTestRun(t, ganTestSettings)
			out := r.run(tc.method)
			require.Len(t, out.Rows, 1)
			row := out.Rows[0]
			require.Equal(t, tc.method, row.Method)
			require.Equal(t, "GAN ("+tc.priorName+" prior)", row.Recipe)
			require.Equal(t, "back-prop decoding, k-means on z", row.Inference)
			t.Logf("%s: %+v", tc.method, row.Metrics)
			require.Greater(t, row.Metrics.Purity, tc.minPurity)

			// The model: the method's prior, no encoder; the latents it clustered are all of z.
			require.NotNil(t, out.Model)
			require.Equal(t, tc.prior, out.Model.Prior)
			require.Equal(t, "recovered z", out.FeatureName)
			require.Equal(t, 9, out.FeatureDim)
			require.Len(t, out.Features, r.data.Test.N()*9)
			// The generation agreement needs clusters in the prior: the gmm prior's components
			// (each component's samples are labelled by their nearest training point, and a
			// component's class comes from the test points whose recovered z lies nearest its
			// mean); gaussian and uniform priors have none.
			if tc.priorName == "gmm" {
				require.NotNil(t, row.Generation)
				require.Equal(t, 5*100, row.Generation.N)
				// Measured: purity 1.0, agreement 0.8 (one component held no test point, so its
				// samples agree with no class).
				require.GreaterOrEqual(t, row.Generation.Purity, 0.9)
				require.LessOrEqual(t, row.Generation.Agreement, row.Generation.Purity)
			} else {
				require.Nil(t, row.Generation)
			}

			// Decoding settings rescaled to the prior (inference.ForPlainPrior from the mixed
			// prior's σ = 0.1): for N(0, 1), s = 10, so lr 0.01·10 and λ 10/100.
			want, err := inference.ForPlainPrior(inference.DefaultConfig(), tc.prior.NoiseMeanSquare(), priors.DefaultSigma)
			require.NoError(t, err)
			require.Equal(t, want.LearningRate, row.Extra["decode_learning_rate"])
			require.Equal(t, want.Lambda, row.Extra["decode_lambda"])
			if tc.method == "gan-bp" {
				require.InDelta(t, 0.1, row.Extra["decode_learning_rate"], 1e-12)
				require.InDelta(t, 0.1, row.Extra["decode_lambda"], 1e-12)
			}
			require.Equal(t, 50, row.Extra["decode_steps"])
			require.Equal(t, 300, row.Extra["steps"])

			dir := filepath.Join(r.dir, tc.method, CheckpointsDir)
			final := filepath.Join(dir, "checkpoint-000000300.ckpt")
			require.FileExists(t, final)
			require.NoFileExists(t, filepath.Join(dir, "best.ckpt"), "no model selection")
			require.Empty(t, r.metrics().EvalOf(tc.method))
			// No encoder was trained: the objective has none.
			keys := checkpointKeys(t, final)
			require.Zero(t, countWithPrefix(keys, objectives.Encoder))
			require.Positive(t, countWithPrefix(keys, objectives.Generator))
			require.Positive(t, countWithPrefix(keys, objectives.Critic))
			// The method's own prior never leaks into the shared run context.
			checkNoLeak(t, r.ctx)
			if tc.method != "gan-bp" {
				return
			}
			// Resumed after training but before results were written: the trained GAN is
			// restored, not retrained, and decoding gives the same clusters.
			r.out.Reset()
			trained := len(r.metrics().TrainOf(tc.method))
			env := r.env(tc.method)
			env.Resume = true
			again := r.runEnv(tc.method, env)
			require.Contains(t, r.out.String(), "resuming from")
			require.Equal(t, row.Metrics, again.Rows[0].Metrics)
			require.Equal(t, row.Labels, again.Rows[0].Labels)
			require.Len(t, r.metrics().TrainOf(tc.method), trained, "no training iteration was logged again")
		})
	}
}

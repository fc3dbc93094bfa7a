package inference

import (
	"math"
	"testing"

	"github.com/clustergan/clustergan/priors"
	"github.com/stretchr/testify/require"
)

// TestForPlainPrior checks the rescaling of the mixed prior's decoding settings against
// hand-computed values: with s² = NoiseMeanSquare/σ_mixed², the learning rate is multiplied by
// s, λ divided by s², clipping turned off, and everything else kept.
func TestForPlainPrior(t *testing.T) {
	base := DefaultConfig()
	base.Trace = nil
	for _, tc := range []struct {
		name  string
		prior priors.Prior
		s2    float64 // hand-computed s²
	}{
		// N(0, 1) against the mixed prior's σ = 0.1: s = 10.
		{"gaussian", priors.Gaussian{Size: 3, Sigma: 1}, 100},
		// E[mean(z²)] = σ² + mean(μ²) = 0.01 + 0.25 = 0.26; s² = 26.
		{"gmm", priors.GMM{Size: 2, Components: 2, Sigma: 0.1, Means: [][]float64{{0.5, -0.5}, {0.5, 0.5}}}, 26},
		// U(-1, 1): E[z²] = (1 − 1 + 1)/3 = 1/3; s² = (1/3)/0.01 = 100/3.
		{"uniform", priors.Uniform{Size: 2, Low: -1, High: 1}, 100.0 / 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := ForPlainPrior(base, tc.prior.NoiseMeanSquare(), 0.1)
			require.NoError(t, err)
			require.InDelta(t, base.LearningRate*math.Sqrt(tc.s2), cfg.LearningRate, 1e-12)
			require.InDelta(t, base.Lambda/tc.s2, cfg.Lambda, 1e-12)
			require.Zero(t, cfg.Clip)
			want := base
			want.LearningRate, want.Lambda, want.Clip = cfg.LearningRate, cfg.Lambda, 0
			require.Equal(t, want, cfg, "only the learning rate, λ and the clip change")
		})
	}
	// The scaled values for the official settings (lr 0.01, λ 10) and N(0, 1): lr 0.1, λ 0.1.
	cfg, err := ForPlainPrior(base, 1, 0.1)
	require.NoError(t, err)
	require.InDelta(t, 0.1, cfg.LearningRate, 1e-12)
	require.InDelta(t, 0.1, cfg.Lambda, 1e-12)
	// A prior as wide as the mixed prior's z_n changes nothing but the clip.
	cfg, err = ForPlainPrior(base, 0.01, 0.1)
	require.NoError(t, err)
	require.InDelta(t, base.LearningRate, cfg.LearningRate, 1e-15)
	require.InDelta(t, base.Lambda, cfg.Lambda, 1e-12)

	t.Run("errors", func(t *testing.T) {
		gmm := priors.GMM{Size: 2, Components: 2, Sigma: 0.1, Means: [][]float64{{0.5, -0.5}, {0.5, 0.5}}}
		for _, sigma := range []float64{0, -0.1, math.NaN()} {
			_, err := ForPlainPrior(base, gmm.NoiseMeanSquare(), sigma)
			require.ErrorContains(t, err, `parameter "`+priors.ParamSigma+`"`)
			require.ErrorContains(t, err, "must be > 0")
		}
		for _, ms := range []float64{0, -1, math.NaN()} {
			_, err := ForPlainPrior(base, ms, 0.1)
			require.ErrorContains(t, err, "mean square latent coordinate")
		}
		// The adapted settings are validated: a bad setting the scaling keeps is still reported.
		bad := base
		bad.Steps = 0
		_, err := ForPlainPrior(bad, 1, 0.1)
		require.ErrorContains(t, err, "Config.Steps")
		// A learning rate that the scaling pushes to +Inf is not finite.
		huge := base
		huge.LearningRate = math.MaxFloat64
		_, err = ForPlainPrior(huge, 1, 0.1)
		require.ErrorContains(t, err, "Config.LearningRate")
	})
}

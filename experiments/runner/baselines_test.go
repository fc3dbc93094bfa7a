package runner

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clustergan/clustergan/inference"
	"github.com/clustergan/clustergan/priors"
	"github.com/clustergan/clustergan/trainer"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/stretchr/testify/require"
)

func requireMetricsInRange(t *testing.T, row ReportRow) {
	m := row.Metrics
	for name, v := range map[string]float64{"ACC": m.ACC, "purity": m.Purity, "NMI": m.NMI, "ARI": m.ARI} {
		require.Falsef(t, math.IsNaN(v) || v < 0 || v > 1, "%s: %s = %v outside [0, 1]", row.Method, name, v)
	}
}

// TestGANBaselines runs gan-bp and gmm-gan-bp through the runner on the synthetic mixture (5
// balanced clusters, 1000 test points): each trains its own GAN without an encoder, decodes the
// test split and clusters the latents better than chance (purity 0.2).
func TestGANBaselines(t *testing.T) {
	for _, tc := range []struct {
		method    string
		minPurity float64
	}{
		// Measured purity: gan-bp 0.987, gmm-gan-bp 0.999. Decoding with the mixed prior's
		// settings unscaled (see PlainDecodeConfig) gave 0.265 and 0.236, near chance.
		{RowGANBP, 0.85},
		{RowGMMGANBP, 0.85},
		{RowUniformGANBP, 0.85},
	} {
		t.Run(tc.method, func(t *testing.T) {
			cfg := ganTestConfig(t, tc.method)
			report, err := Run(cfg)
			require.NoError(t, err)
			require.Len(t, report.Rows, 1)
			row := report.Rows[0]
			require.Equal(t, tc.method, row.Method)
			requireMetricsInRange(t, row)
			t.Logf("%s: %+v", tc.method, row.Metrics)
			require.Greater(t, row.Metrics.Purity, tc.minPurity)
			require.Len(t, row.Labels, report.N)
			dir := filepath.Join(report.Dir, tc.method, "checkpoints")
			require.FileExists(t, filepath.Join(dir, "checkpoint-000000300.ckpt"))
			require.NoFileExists(t, filepath.Join(dir, "best.ckpt")) // no model selection
			// No encoder was trained: with the gaussian prior (no categorical part) the trainer
			// skips it by itself, with the gmm prior because of Trainer.NoEncoder.
			ckpt, err := trainer.LoadCheckpoint(filepath.Join(dir, "checkpoint-000000300.ckpt"))
			require.NoError(t, err)
			var generator int
			for key := range ckpt.Tensors {
				require.False(t, strings.HasPrefix(key, trainer.ScopeEncoder), key)
				if strings.HasPrefix(key, trainer.ScopeGenerator+"/") {
					generator++
				}
			}
			require.Positive(t, generator)
			// The method's own prior never leaks into the shared run context.
			prior, _ := cfg.Ctx.GetParam(priors.ParamPrior)
			require.Equal(t, priors.DefaultPrior, prior)
			if tc.method != RowGANBP {
				return
			}
			// Resumed after training but before results were written: the trained GAN is
			// restored, not retrained, and decoding gives the same clusters.
			require.NoError(t, os.Remove(filepath.Join(report.Dir, "results.json")))
			out := &bytes.Buffer{}
			cfg2 := testConfig(t, tc.method)
			cfg2.ResumeDir, cfg2.Out = report.Dir, out
			report2, err := Run(cfg2)
			require.NoError(t, err)
			require.Contains(t, out.String(), "resuming from")
			require.Equal(t, row.Metrics, report2.Rows[0].Metrics)
		})
	}
}

// TestClusterGANBPReusesClusterGAN runs clustergan, then clustergan-bp in the same run: the
// second decodes the first's model instead of training, and its restart choice mostly agrees
// with the encoder's argmax on the same points.
func TestClusterGANBPReusesClusterGAN(t *testing.T) {
	cfg := ganTestConfig(t, "clustergan", "clustergan-bp")
	report, err := Run(cfg)
	require.NoError(t, err)
	require.Len(t, report.Rows, 4)
	require.Equal(t, RowClusterGANArgmax, report.Rows[1].Method)
	require.Equal(t, RowClusterGANBPKMeans, report.Rows[2].Method)
	require.Equal(t, RowClusterGANBPRestart, report.Rows[3].Method)
	for _, row := range report.Rows[2:] {
		requireMetricsInRange(t, row)
		t.Logf("%s: %+v", row.Method, row.Metrics)
		require.Equal(t, filepath.Join(report.Dir, "clustergan", "checkpoints", "best.ckpt"), row.Extra["checkpoint"])
	}
	require.NoDirExists(t, filepath.Join(report.Dir, "clustergan-bp", "checkpoints"))
	require.Contains(t, cfg.Out.(interface{ String() string }).String(), "reusing the run's clustergan model")

	argmax, restart := report.Rows[1].Labels, report.Rows[3].Labels
	require.Len(t, restart, len(argmax))
	agree := 0
	for i := range argmax {
		if argmax[i] == restart[i] {
			agree++
		}
	}
	frac := float64(agree) / float64(len(argmax))
	t.Logf("restart/argmax agreement %.4f", frac)
	// Measured: 1.000 (all 1000 test points), and purity 1.000 for both clustergan-bp rows.
	require.Greater(t, frac, 0.9)
}

// TestClusterGANBPTrainsItsOwn runs clustergan-bp alone: it trains ClusterGAN in its own
// directory, then decodes it.
func TestClusterGANBPTrainsItsOwn(t *testing.T) {
	cfg := ganTestConfig(t, "clustergan-bp")
	// Fewer decoding steps: this test is about where the model comes from.
	_, err := ApplySettings(cfg.Ctx, "decode_steps=20", "test")
	require.NoError(t, err)
	report, err := Run(cfg)
	require.NoError(t, err)
	require.Len(t, report.Rows, 2)
	best := filepath.Join(report.Dir, "clustergan-bp", "checkpoints", "best.ckpt")
	require.FileExists(t, best)
	require.NoDirExists(t, filepath.Join(report.Dir, "clustergan"))
	for _, row := range report.Rows {
		requireMetricsInRange(t, row)
		t.Logf("%s: %+v", row.Method, row.Metrics)
		require.Equal(t, best, row.Extra["checkpoint"])
		require.Greater(t, row.TrainSeconds, 0.0)
	}
}

func TestPlainDecodeConfig(t *testing.T) {
	base := inference.DefaultConfig()
	// N(0, 1) against the mixed prior's σ = 0.1: s = 10.
	cfg, err := PlainDecodeConfig(base, priors.Gaussian{Size: 3, Sigma: 1}, 0.1)
	require.NoError(t, err)
	require.InDelta(t, base.LearningRate*10, cfg.LearningRate, 1e-12)
	require.InDelta(t, base.Lambda/100, cfg.Lambda, 1e-12)
	require.Zero(t, cfg.Clip)
	require.Equal(t, base.Steps, cfg.Steps)

	// E[mean(z²)] = σ² + mean(μ²) = 0.01 + 0.25 = 0.26; s² = 26.
	gmm := priors.GMM{Size: 2, Components: 2, Sigma: 0.1, Means: [][]float64{{0.5, -0.5}, {0.5, 0.5}}}
	cfg, err = PlainDecodeConfig(base, gmm, 0.1)
	require.NoError(t, err)
	require.InDelta(t, base.LearningRate*math.Sqrt(26), cfg.LearningRate, 1e-12)
	require.InDelta(t, base.Lambda/26, cfg.Lambda, 1e-12)

	// U(-1, 1): E[z²] = (1 − 1 + 1)/3 = 1/3; s² = (1/3)/0.01 = 100/3.
	cfg, err = PlainDecodeConfig(base, priors.Uniform{Size: 2, Low: -1, High: 1}, 0.1)
	require.NoError(t, err)
	require.InDelta(t, base.Lambda*3/100, cfg.Lambda, 1e-12)

	_, err = PlainDecodeConfig(base, priors.Mixed{NoiseSize: 2, Clusters: 2, Sigma: 0.1}, 0.1)
	require.ErrorContains(t, err, "not gaussian, uniform or gmm")
	_, err = PlainDecodeConfig(base, gmm, 0)
	require.ErrorContains(t, err, priors.ParamSigma)
}

func TestWithPriorCopiesParams(t *testing.T) {
	ctx := DefaultContext()
	_, err := ApplySettings(ctx, "seed=7; /generator/mlp_hidden=8,8", "test")
	require.NoError(t, err)
	clone := withPrior(ctx, "gmm")
	v, _ := clone.GetParam(ParamSeed)
	require.Equal(t, 7, v)
	hidden := context.GetParamOr(clone.In("generator"), "mlp_hidden", []int{})
	require.Equal(t, []int{8, 8}, hidden)
	v, _ = clone.GetParam(priors.ParamPrior)
	require.Equal(t, "gmm", v)
	v, _ = ctx.GetParam(priors.ParamPrior)
	require.Equal(t, priors.DefaultPrior, v)
	require.Equal(t, len(ParamNames(ctx)), len(ParamNames(clone)))
}

func TestBaselinesValidate(t *testing.T) {
	for _, name := range []string{RowGANBP, RowGMMGANBP, "clustergan-bp"} {
		cfg := testConfig(t, name)
		require.NoError(t, cfg.Validate(), name)
		cfg = testConfig(t, name)
		_, err := ApplySettings(cfg.Ctx, "decode_steps=0", "-set")
		require.NoError(t, err)
		require.ErrorContains(t, cfg.Validate(), inference.ParamSteps, name)
		cfg = testConfig(t, name)
		_, err = ApplySettings(cfg.Ctx, "adversarial_loss=nope", "-set")
		require.NoError(t, err)
		require.ErrorContains(t, cfg.Validate(), "adversarial_loss", name)
	}
	names := ParamNames(DefaultContext())
	for key := range inference.DefaultParams() {
		require.Contains(t, names, key)
	}
}

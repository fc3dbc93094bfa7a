package datasets

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// nearestMeanAccuracy classifies test by the nearest class mean of train.
func nearestMeanAccuracy(train, test *Dataset) float64 {
	dim := train.Dim()
	means := make([][]float64, train.NumClasses)
	counts := make([]int, train.NumClasses)
	for k := range means {
		means[k] = make([]float64, dim)
	}
	for i, l := range train.Labels {
		for j, v := range train.Row(i) {
			means[l][j] += float64(v)
		}
		counts[l]++
	}
	for k := range means {
		for j := range means[k] {
			means[k][j] /= float64(counts[k])
		}
	}
	correct := 0
	for i, l := range test.Labels {
		best, bestDist := -1, math.Inf(1)
		for k, m := range means {
			dist := 0.0
			for j, v := range test.Row(i) {
				dist += (float64(v) - m[j]) * (float64(v) - m[j])
			}
			if dist < bestDist {
				best, bestDist = k, dist
			}
		}
		if best == l {
			correct++
		}
	}
	return float64(correct) / float64(len(test.Labels))
}

func TestSynthetic(t *testing.T) {
	configs := map[string]SyntheticConfig{
		"default":             DefaultSyntheticConfig(),
		"no embedding":        {K: 4, Dim: 3, PerCluster: 50, Separation: 2, Std: 0.2, Seed: 7},
		"K > Dim circle":      {K: 7, Dim: 3, PerCluster: 30, Separation: 1, Std: 0.1, EmbedDim: 8, Seed: 3},
		"one dimension":       {K: 3, Dim: 1, PerCluster: 40, Separation: 1, Std: 0.1, Seed: 1},
		"zero std one center": {K: 1, Dim: 2, PerCluster: 5, Separation: 1, Std: 0, Seed: 1},
	}
	for name, cfg := range configs {
		t.Run(name, func(t *testing.T) {
			s, err := Synthetic(cfg)
			require.NoError(t, err)
			dim := cfg.Dim
			if cfg.EmbedDim > 0 {
				dim = cfg.EmbedDim
			}
			for _, d := range []*Dataset{s.Train, s.Validation, s.Test} {
				require.NoError(t, d.Validate())
				require.Equal(t, []int{dim}, d.Shape)
				require.Equal(t, cfg.K*cfg.PerCluster, d.N())
				require.Equal(t, cfg.K, d.NumClasses)
				counts := make([]int, cfg.K)
				for _, l := range d.Labels {
					counts[l]++
				}
				for k, c := range counts {
					require.Equal(t, cfg.PerCluster, c, "cluster %d", k)
				}
			}
			all := s.All()
			lo, hi := float32(1), float32(0)
			for _, v := range all.X {
				lo, hi = min(lo, v), max(hi, v)
			}
			require.GreaterOrEqual(t, lo, float32(0))
			require.LessOrEqual(t, hi, float32(1))
			if cfg.K > 1 {
				// The widest feature spans [0, 1].
				require.Equal(t, float32(0), lo)
				require.Equal(t, float32(1), hi)
				require.GreaterOrEqual(t, nearestMeanAccuracy(s.Train, s.Test), 0.99)
			}

			again, err := Synthetic(cfg)
			require.NoError(t, err)
			require.Equal(t, s, again, "same config, same data")
		})
	}

	t.Run("seed changes the data", func(t *testing.T) {
		cfg := DefaultSyntheticConfig()
		a, err := Synthetic(cfg)
		require.NoError(t, err)
		cfg.Seed = 1
		b, err := Synthetic(cfg)
		require.NoError(t, err)
		require.NotEqual(t, a.Train.X, b.Train.X)
	})

	t.Run("labels are shuffled", func(t *testing.T) {
		s, err := Synthetic(DefaultSyntheticConfig())
		require.NoError(t, err)
		changes := 0
		for i := 1; i < len(s.Train.Labels); i++ {
			if s.Train.Labels[i] != s.Train.Labels[i-1] {
				changes++
			}
		}
		require.Greater(t, changes, len(s.Train.Labels)/2)
	})
}

func TestSyntheticMeans(t *testing.T) {
	for _, cfg := range []SyntheticConfig{
		{K: 3, Dim: 5, Separation: 2}, {K: 5, Dim: 2, Separation: 1}, {K: 10, Dim: 3, Separation: 0.5}, {K: 4, Dim: 1, Separation: 3},
	} {
		means := cfg.Means()
		require.Len(t, means, cfg.K)
		closest := math.Inf(1)
		for a := range means {
			for b := range a {
				d := 0.0
				for j := range means[a] {
					d += (means[a][j] - means[b][j]) * (means[a][j] - means[b][j])
				}
				closest = math.Min(closest, math.Sqrt(d))
			}
		}
		require.InDelta(t, cfg.Separation, closest, 1e-12, "%+v", cfg)
	}
}

func TestSyntheticConfigErrors(t *testing.T) {
	base := DefaultSyntheticConfig()
	for _, c := range []struct {
		edit func(*SyntheticConfig)
		want string
	}{
		{func(c *SyntheticConfig) { c.K = 0 }, "synthetic: K = 0, want >= 1"},
		{func(c *SyntheticConfig) { c.Dim = -1 }, "synthetic: Dim = -1, want >= 1"},
		{func(c *SyntheticConfig) { c.PerCluster = 0 }, "synthetic: PerCluster = 0, want >= 1"},
		{func(c *SyntheticConfig) { c.Separation = 0 }, "synthetic: Separation = 0, want a finite value > 0"},
		{func(c *SyntheticConfig) { c.Separation = math.NaN() }, "synthetic: Separation = NaN, want a finite value > 0"},
		{func(c *SyntheticConfig) { c.Std = -0.1 }, "synthetic: Std = -0.1, want a finite value >= 0"},
		{func(c *SyntheticConfig) { c.EmbedDim = -2 }, "synthetic: EmbedDim = -2, want >= 0 (0 = no embedding)"},
	} {
		cfg := base
		c.edit(&cfg)
		_, err := Synthetic(cfg)
		require.EqualError(t, err, c.want)
	}
}

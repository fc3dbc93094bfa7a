package datasets

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRegistry(t *testing.T) {
	require.Equal(t, []string{"10x_73k", "fashion-mnist", "fashion5", "mnist", "pendigits", "synthetic"}, Names())
	_, err := Get("cifar")
	require.EqualError(t, err, `unknown dataset "cifar"; valid values: 10x_73k, fashion-mnist, fashion5, mnist, pendigits, synthetic`)
	_, err = Load("cifar", Options{})
	require.ErrorContains(t, err, "cifar")
	require.Panics(t, func() { Register("mnist", LoadMNIST) })
}

func TestLoadSynthetic(t *testing.T) {
	s, err := Load("synthetic", Options{Seed: 5})
	require.NoError(t, err)
	cfg := DefaultSyntheticConfig()
	cfg.Seed = 5
	want, err := Synthetic(cfg)
	require.NoError(t, err)
	require.Equal(t, want, s)
	// Provenance of generated data: its configuration, seed included; no files.
	require.Equal(t, &cfg, s.Synthetic)
	require.Empty(t, s.Files)

	custom := SyntheticConfig{K: 2, Dim: 2, PerCluster: 3, Separation: 1, Std: 0.1}
	s, err = Load("synthetic", Options{Seed: 5, Synthetic: &custom})
	require.NoError(t, err)
	require.Equal(t, 6, s.Train.N())
	// Its seed 0 means the options' seed (a program's mixture takes the run's seed); a seed of
	// its own wins.
	withSeed := custom
	withSeed.Seed = 5
	require.Equal(t, withSeed, *s.Synthetic)
	withSeed.Seed = 9
	s, err = Load("synthetic", Options{Seed: 5, Synthetic: &withSeed})
	require.NoError(t, err)
	require.Equal(t, int64(9), s.Synthetic.Seed)

	custom.K = 0
	_, err = Load("synthetic", Options{Synthetic: &custom})
	require.EqualError(t, err, `loading dataset "synthetic": synthetic: K = 0, want >= 1`)
}

func TestDatasetMethods(t *testing.T) {
	d := &Dataset{
		Name: "toy", X: []float32{0, 1, 10, 11, 20, 21}, Shape: []int{2, 1}, Labels: []int{0, 1, 0}, NumClasses: 2,
	}
	require.Equal(t, 2, d.Dim())
	require.Equal(t, 3, d.N())
	require.Equal(t, []float32{10, 11}, d.Row(1))
	require.NoError(t, d.Validate())

	sub := d.Subset([]int{2, 0})
	require.Equal(t, []float32{20, 21, 0, 1}, sub.X)
	require.Equal(t, []int{0, 0}, sub.Labels)
	sub.X[0] = 99
	require.Equal(t, float32(20), d.X[4], "Subset copies")

	// Row shares memory but cannot be appended into the next row.
	r := d.Row(0)
	_ = append(r, 42)
	require.Equal(t, float32(10), d.X[2])

	s := &Splits{Train: d.rows(0, 2), Test: d.rows(2, 3)}
	all := s.All()
	require.Equal(t, d.X, all.X)
	require.Equal(t, d.Labels, all.Labels)
	require.Equal(t, []int{2, 1}, all.Shape)

	// A validation set inside the training set is not counted twice.
	inside := &Splits{Train: d.rows(0, 3), Validation: d.rows(1, 3), Test: d.rows(0, 1), ValidationInTrain: true}
	require.Equal(t, []float32{0, 1, 10, 11, 20, 21, 0, 1}, inside.All().X)
	require.Equal(t, []int{0, 1, 0, 0}, inside.All().Labels)
	inside.ValidationInTrain = false
	require.Equal(t, 6, inside.All().N())

	unlabeled := &Splits{Train: &Dataset{X: []float32{1}, Shape: []int{1}}, Test: d.rows(0, 0)}
	unlabeled.Test.Shape = []int{1}
	require.Nil(t, unlabeled.All().Labels)

	for _, c := range []struct {
		d    *Dataset
		want string
	}{
		{&Dataset{Name: "a", X: []float32{1, 2, 3}, Shape: []int{2}}, `dataset "a": 3 values are not a whole number of 2-feature rows`},
		{&Dataset{Name: "b", X: []float32{1, 2}, Shape: []int{1}, Labels: []int{0}, NumClasses: 1}, `dataset "b": 1 labels for 2 examples`},
		{&Dataset{Name: "c", X: []float32{1}, Shape: []int{1}, Labels: []int{3}, NumClasses: 3}, `dataset "c": label 3 of example 0 is outside [0, 3)`},
		{&Dataset{Name: "d", Shape: []int{0}}, `dataset "d": shape [0] has no features`},
	} {
		require.EqualError(t, c.d.Validate(), c.want)
	}
}

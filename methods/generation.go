package methods

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/clustergan/clustergan/evaluation"
	"github.com/clustergan/clustergan/trainer"
)

// generationStream is the PCG stream of the generation samples' noise.
const generationStream = 0x6e4

// generationAgreement measures whether the generator's cluster k draws the class that cluster k
// holds on real data: ParamGenerationSamples samples per cluster (the prior's noise with the
// one-hot of k), each labelled by its nearest neighbour in the training split; cluster k's class
// is the majority true label of the evaluation examples that assigned puts in cluster k (the
// method's own cluster indices: argmax of E or Q, the chosen restart). It returns nil when the
// prior has no cluster code in z or the count is 0.
func generationAgreement(env *Env, m *trainer.Model, assigned []int) (*evaluation.GenAgreement, error) {
	c, err := ConfigFromContext(m.Ctx)
	if err != nil {
		return nil, err
	}
	perCluster := c.GenerationSamples
	dn, k, split := m.Prior.Split()
	if !split || perCluster <= 0 {
		return nil, nil
	}
	train := env.Data.Train
	if train.Labels == nil {
		return nil, errors.New("generation agreement: the training split has no labels")
	}
	rng := rand.New(rand.NewPCG(uint64(env.Seed), generationStream))
	n := k * perCluster
	noise := make([]float32, n*dn)
	m.Prior.SampleNoise(rng, noise)
	z := make([]float32, 0, n*(dn+k))
	clusters := make([]int, n)
	for i := range n {
		clusters[i] = i / perCluster
		z = append(z, noise[i*dn:(i+1)*dn]...)
		for j := range k {
			z = append(z, float32(b2f(j == clusters[i])))
		}
	}
	x, err := m.Generate(z)
	if err != nil {
		return nil, fmt.Errorf("generation agreement: %w", err)
	}
	nn, err := evaluation.NearestNeighbourLabels(train.X, train.Labels, x, train.Dim())
	if err != nil {
		return nil, fmt.Errorf("generation agreement: %w", err)
	}
	classes, err := evaluation.ClusterClasses(assigned, env.Eval.Labels, k)
	if err != nil {
		return nil, fmt.Errorf("generation agreement: %w", err)
	}
	gen, err := evaluation.GenerationAgreement(clusters, nn, classes, k)
	if err != nil {
		return nil, fmt.Errorf("generation agreement: %w", err)
	}
	return &gen, nil
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func errNoValidation(param string) error {
	return fmt.Errorf("parameter %q: needs a labelled validation split to drive evaluations", param)
}

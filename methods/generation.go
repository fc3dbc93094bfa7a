package methods

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/clustergan/clustergan/evaluation"
	"github.com/clustergan/clustergan/priors"
	"github.com/clustergan/clustergan/trainer"
)

// generationStream is the PCG stream of the generation samples' noise.
const generationStream = 0x6e4

// generationAgreement measures whether the generator's cluster k draws the class that cluster k
// holds on real data: ParamGenerationSamples samples per cluster (priors.ClusterSampler), each
// labelled by its nearest neighbour in the training split; cluster k's class is the majority true
// label of the evaluation examples that assigned puts in cluster k (the method's own cluster
// indices: argmax of E or Q, the chosen restart, the component of the recovered latent). It
// returns nil when the prior has no clusters or the count is 0.
func generationAgreement(env *Env, m *trainer.Model, assigned []int) (*evaluation.GenAgreement, error) {
	c, err := ConfigFromContext(m.Ctx)
	if err != nil {
		return nil, err
	}
	perCluster := c.GenerationSamples
	sampler, ok := m.Prior.(priors.ClusterSampler)
	k := m.Prior.NumClusters()
	if !ok || k < 1 || perCluster <= 0 {
		return nil, nil
	}
	train := env.Data.Train
	if train.Labels == nil {
		return nil, errors.New("generation agreement: the training split has no labels")
	}
	rng := rand.New(rand.NewPCG(uint64(env.Seed), generationStream))
	dim := m.Spec.LatentDim
	z := make([]float32, k*perCluster*dim)
	clusters := make([]int, k*perCluster)
	for c := range k {
		sampler.SampleCluster(rng, c, z[c*perCluster*dim:(c+1)*perCluster*dim])
		for i := range perCluster {
			clusters[c*perCluster+i] = c
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

// clustersOf maps latents (rows of dim values) to the prior's clusters, or returns nil when the
// prior has none.
func clustersOf(prior priors.Prior, z []float32, dim int) []int {
	sampler, ok := prior.(priors.ClusterSampler)
	if !ok || prior.NumClusters() < 1 {
		return nil
	}
	out := make([]int, len(z)/dim)
	for i := range out {
		out[i] = sampler.ClusterOf(z[i*dim : (i+1)*dim])
	}
	return out
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

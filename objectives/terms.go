package objectives

import (
	"github.com/clustergan/clustergan/losses"
	"github.com/gomlx/gomlx/pkg/core/graph"
)

// The terms every GAN objective is made of. Term weights come from the objectives, which read
// them from context parameters; these constructors only name the term and build its loss.

// CriticAdversarial is the critic's side of the adversarial loss pair (with the gradient penalty
// of wgan-gp) on a real batch and G(z).
func CriticAdversarial() Term {
	return Term{Name: "adversarial", Weight: 1, Loss: func(b *Batch) *graph.Node {
		return b.Nets.Adversarial.CriticLoss(b.Ctx, b.Critic, b.Real(), b.Fake())
	}}
}

// GeneratorAdversarial is the generator's side of the adversarial loss pair, on D(G(z)).
func GeneratorAdversarial() Term {
	return Term{Name: "adversarial", Weight: 1, Loss: func(b *Batch) *graph.Node {
		return b.Nets.Adversarial.GeneratorLoss(b.Ctx, b.FakeScores())
	}}
}

// Noise is mean((z_n − ẑ_n)²) with ẑ_n from E(G(z)): ClusterGAN's β_n term.
func Noise(weight float64) Term {
	return Term{Name: "noise", Weight: weight, Loss: func(b *Batch) *graph.Node {
		noiseHat, _ := b.EncodedFake()
		return losses.NoiseLoss(b.Latent().Noise, noiseHat)
	}}
}

// Cluster is CE(z_c, logits of E(G(z))): ClusterGAN's β_c term.
func Cluster(weight float64) Term {
	return Term{Name: "cluster", Weight: weight, Loss: func(b *Batch) *graph.Node {
		_, logits := b.EncodedFake()
		return losses.ClusterLoss(b.Latent().OneHot, logits)
	}}
}

// Info is CE(z_c, Q(G(z))) with Q the critic's code head: InfoGAN's mutual-information bound
// (Chen et al. 2016), weighted by λ in both the critic and the generator update.
func Info(weight float64) Term {
	return Term{Name: "info", Weight: weight, Loss: func(b *Batch) *graph.Node {
		return losses.ClusterLoss(b.Latent().OneHot, b.FakeCode())
	}}
}

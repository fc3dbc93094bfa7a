package methods

import "github.com/clustergan/clustergan/objectives"

// imsat trains the encoder alone on real data with the information-maximisation term
// (objectives.IMSAT; Hu et al. 2017), with the same encoder, warp and term settings as
// ClusterGAN's real-data term, and clusters the same two ways: the baseline that says what
// ClusterGAN's recipe owes to its GAN. The encoder's noise head has no loss, so k-means sees
// softmax(logits) only.
func init() {
	Register("imsat", encoderMethod{name: "imsat", objective: objectives.IMSAT{}, output: "E(x)", noNoise: true})
}

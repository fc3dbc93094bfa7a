package methods

import "github.com/clustergan/clustergan/objectives"

// clustergan trains ClusterGAN (objectives.ClusterGAN, with the real-data terms its settings
// switch on) and clusters by its encoder: k-means on [ẑ_n, softmax(logits)] of E(x), the
// paper's protocol, and argmax of the logits.
func init() {
	Register("clustergan", encoderMethod{name: "clustergan", objective: objectives.ClusterGAN{}, output: "E(x)", generator: true})
}

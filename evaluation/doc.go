// Package evaluation scores clusterings against ground-truth labels and provides the k-means
// used to turn embeddings into clusters.
//
// Everything is plain Go on []int labels and flat row-major []float32 matrices (with an explicit
// dim), so every method — ClusterGAN, baselines, raw-pixel k-means — is scored by the same code.
//
// Metrics follow scikit-learn's definitions and degenerate-case conventions:
//   - Purity: each cluster takes its majority label; this is what the ClusterGAN paper calls ACC.
//   - HungarianACC: accuracy under the best one-to-one cluster-to-label matching, as the
//     scipy.optimize.linear_sum_assignment based ACC of the deep-clustering literature.
//   - NMI: normalized mutual information (natural log), normalisation selectable.
//   - ARI: Hubert & Arabie adjusted Rand index.
//
// Evaluate returns all of them as a Metrics value, which marshals to JSON with fixed names.
//
// GenerationAgreement scores cluster-conditional generation: whether samples drawn from prior
// cluster k look, by the label of their nearest real example (NearestNeighbourLabels), like the
// class cluster k holds on real data (ClusterClasses).
package evaluation

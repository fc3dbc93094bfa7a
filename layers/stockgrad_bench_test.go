//go:build !dotgrad

package layers

// Without "-tags dotgrad" the benchmarks run GoMLX's stock matmul gradients.
const efficientMatmulGradients = false

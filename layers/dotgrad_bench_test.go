//go:build dotgrad

package layers

// Benchmarks built with "-tags dotgrad" use the DotGeneral-based matmul gradients that training
// programs register; without the tag they measure GoMLX's stock gradients.
import _ "github.com/clustergan/clustergan/internal/dotgrad"

const efficientMatmulGradients = true

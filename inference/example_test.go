package inference_test

import (
	"fmt"
	"log"
	"os"
	"testing"

	"github.com/clustergan/clustergan/backend"
	"github.com/clustergan/clustergan/inference"
	"github.com/clustergan/clustergan/layers"
	"github.com/clustergan/clustergan/priors"
	"github.com/clustergan/clustergan/trainer"
)

// TestMain creates the test backend before any example runs: the pure-Go backend prints its
// configuration to stdout once, when it is created, which would otherwise land in the output
// of whichever example runs first.
func TestMain(m *testing.M) {
	backend.ForTests()
	os.Exit(m.Run())
}

// Decode recovers the cluster and z_n of data points with a ClusterGAN generator (here an
// untrained one; in practice the model of a finished run or a loaded checkpoint).
func ExampleDecode() {
	ctx := trainer.NewContext(inference.Params.Defaults(),
		map[string]any{priors.ParamNoiseDim: 2, priors.ParamNumClusters: 3, layers.ParamMLPHidden: []int{8}})
	m, err := trainer.NewModel(backend.ForTests(), ctx, []int{6})
	if err != nil {
		log.Fatal(err)
	}
	cfg, err := inference.ConfigFromContext(ctx)
	if err != nil {
		log.Fatal(err)
	}
	cfg.Steps = 20
	x := []float32{0.1, 0.9, 0.5, 0.5, 0.2, 0.7} // one point
	res, err := inference.Decode(m, x, cfg)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(res.Cluster), len(res.Noise), len(res.Z))
	// Output: 1 2 5
}

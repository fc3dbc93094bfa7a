// Command synthetic runs clustering methods on a synthetic Gaussian mixture whose settings are
// flags (-h lists them with examples and the environment).
package main

import (
	"embed"
	"flag"
	"fmt"
	"io"

	"github.com/clustergan/clustergan/datasets"
	"github.com/clustergan/clustergan/experiments/runner"
)

//go:embed presets/*.settings
var presets embed.FS

var program = runner.Program{
	Name:          "synthetic",
	Datasets:      []string{"synthetic"},
	Presets:       presets,
	DefaultPreset: "default",
	Synopsis: `Clusters a seeded Gaussian mixture with ClusterGAN, IMSAT and k-means: K clusters of -per_cluster
points per split, -separation apart with -std noise in -dim dimensions, optionally mapped through a
fixed random non-linear map into -embed_dim features. The run's seed also seeds the data.`,
	Examples: [][2]string{
		{"go run ./experiments/synthetic", "5 clusters in the plane, embedded in 16 features"},
		{"go run ./experiments/synthetic -clusters=8 -dim=8 -embed_dim=0 -std=0.3", "8 overlapping clusters, no embedding"},
		{`go run ./experiments/synthetic -set="train_steps=2000; seed=3"`, "any parameter, as the other programs"},
	},
	Data: "generated in memory from the flags below and the run's seed; nothing is read or downloaded.",
	Flags: func(fs *flag.FlagSet) func(*runner.Config) error {
		d := datasets.DefaultSyntheticConfig()
		k := fs.Int("clusters", d.K, "number of clusters of the mixture (the methods' K follows it unless -set=num_clusters=...)")
		dim := fs.Int("dim", d.Dim, "dimension of the mixture")
		per := fs.Int("per_cluster", d.PerCluster, "examples per cluster in each of the train, validation and test splits")
		sep := fs.Float64("separation", d.Separation, "smallest distance between two cluster means")
		std := fs.Float64("std", d.Std, "standard deviation of each coordinate around its cluster mean")
		embed := fs.Int("embed_dim", d.EmbedDim, "features after a fixed random non-linear map (0: the -dim coordinates themselves)")
		return func(cfg *runner.Config) error {
			given := false
			fs.Visit(func(f *flag.Flag) {
				switch f.Name {
				case "clusters", "dim", "per_cluster", "separation", "std", "embed_dim":
					given = true
				}
			})
			if !given {
				return nil // the default mixture, or the one a resumed run recorded
			}
			c := datasets.SyntheticConfig{K: *k, Dim: *dim, PerCluster: *per, Separation: *sep, Std: *std, EmbedDim: *embed}
			switch {
			case c.K < 1:
				return fmt.Errorf("-clusters=%d: must be ≥ 1", c.K)
			case c.Dim < 1:
				return fmt.Errorf("-dim=%d: must be ≥ 1", c.Dim)
			case c.PerCluster < 1:
				return fmt.Errorf("-per_cluster=%d: must be ≥ 1", c.PerCluster)
			case !(c.Separation > 0):
				return fmt.Errorf("-separation=%g: must be > 0", c.Separation)
			case !(c.Std >= 0):
				return fmt.Errorf("-std=%g: must be ≥ 0", c.Std)
			case c.EmbedDim < 0:
				return fmt.Errorf("-embed_dim=%d: must be ≥ 0", c.EmbedDim)
			}
			cfg.DataOptions.Synthetic = &c // seed 0: the run's seed
			return nil
		}
	},
}

func main() { program.Main() }

// run is the program as the tests call it.
func run(args []string, stdout io.Writer) error { return program.Run(args, stdout, io.Discard) }

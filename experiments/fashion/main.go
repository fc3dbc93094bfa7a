// Command fashion runs clustering methods on Fashion-MNIST, with its 10 classes or the paper's 5
// groups (-dataset=fashion5; -h lists examples, flags and environment).
package main

import (
	"embed"
	"io"

	"github.com/clustergan/clustergan/experiments/runner"
)

//go:embed presets/*.settings
var presets embed.FS

var program = runner.Program{
	Name:          "fashion",
	Datasets:      []string{"fashion-mnist", "fashion5"},
	Presets:       presets,
	DefaultPreset: "cpu",
	Synopsis: `Clusters the Fashion-MNIST test images with ClusterGAN, IMSAT and k-means, into the 10 classes
(-dataset=fashion-mnist) or the paper's 5 groups (-dataset=fashion5: {T-shirt/top, dress},
{trouser}, {pullover, coat, shirt}, {sandal, sneaker, ankle boot}, {bag}).`,
	Examples: [][2]string{
		{"go run ./experiments/fashion", "the MNIST CPU recipe on Fashion-10 (untuned for Fashion)"},
		{"go run ./experiments/fashion -dataset=fashion5", "the same on the 5 groups"},
		{"GOMLX_BACKEND=xla:cuda go run ./experiments/fashion -preset=paper", "the paper's recipe (a GPU job)"},
		{"go run ./experiments/fashion -preset=quick", "a smoke run"},
	},
	Data: `the four IDX files of Zalando Research's Fashion-MNIST (train-images-idx3-ubyte.gz, ...), read
from -data_dir or $CLUSTERGAN_DATA_DIR, else downloaded with their published MD5s into the user
cache directory. Splits as the paper's code: validation = the first 5000 training images.`,
}

func main() { program.Main() }

// run is the program as the tests call it.
func run(args []string, stdout io.Writer) error { return program.Run(args, stdout, io.Discard) }

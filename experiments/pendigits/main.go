// Command pendigits runs clustering methods on the UCI Pendigits data (10,992 pen-written digits
// as 16 coordinates), the paper's smallest data set (-h lists examples, flags and environment).
package main

import (
	"embed"
	"io"

	"github.com/clustergan/clustergan/experiments/runner"
)

//go:embed presets/*.settings
var presets embed.FS

var program = runner.Program{
	Name:          "pendigits",
	Datasets:      []string{"pendigits"},
	Presets:       presets,
	DefaultPreset: "cpu",
	Synopsis: `Clusters the Pendigits test set with ClusterGAN and k-means: the paper's recipe with its MLP
nets (-preset=paper, 500k iterations; -preset=cpu, the same cut to 8000 iterations for a CPU).`,
	Examples: [][2]string{
		{"go run ./experiments/pendigits -data_dir=PATH", "the paper's recipe, 8000 iterations (≈ 12 minutes on 2 cores)"},
		{"go run ./experiments/pendigits -preset=paper -data_dir=PATH", "the paper's recipe and schedule"},
		{`go run ./experiments/pendigits -set="beta_n=0; beta_c=1" -data_dir=PATH`, "one point of the paper's β_n × β_c question"},
		{"go run ./experiments/pendigits -preset=quick -data_dir=PATH", "a smoke run"},
	},
	Data: `pendigits.tra and pendigits.tes of the UCI repository (archive.ics.uci.edu, "Pen-Based
Recognition of Handwritten Digits"), read from -data_dir or $CLUSTERGAN_DATA_DIR, else
downloaded with their checksums. Values are divided by 100. Splits: train = pendigits.tra without
its last 1000 rows, validation = those 1000 (the official code trains on them too), test =
pendigits.tes.`,
}

func main() { program.Main() }

// run is the program as the tests call it.
func run(args []string, stdout io.Writer) error { return program.Run(args, stdout, io.Discard) }

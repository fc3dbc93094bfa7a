// Command tenx runs clustering methods on the paper's 10x_73k single-cell data: 73,233 cells ×
// 720 genes of 8 cell types (-h lists examples, flags and environment).
package main

import (
	"embed"
	"io"

	"github.com/clustergan/clustergan/experiments/runner"
)

//go:embed presets/*.settings
var presets embed.FS

var program = runner.Program{
	Name:          "tenx",
	Datasets:      []string{"10x_73k"},
	Presets:       presets,
	DefaultPreset: "paper",
	Synopsis: `Clusters the 10x_73k cells with ClusterGAN and k-means: the paper's recipe with its MLP nets
(100k iterations) or a smoke run.`,
	Examples: [][2]string{
		{"go run ./experiments/tenx -data_dir=PATH", "the paper's recipe and schedule"},
		{"go run ./experiments/tenx -preset=quick -data_dir=PATH", "a smoke run"},
	},
	Data: `sub_set-720.mtx (a Matrix Market matrix, 73,233 cells × 720 genes) and labels.txt, raw or
gzipped, from the official code's data (the ClusterGAN README links them); they cannot be
downloaded with a checksum, so -data_dir or $CLUSTERGAN_DATA_DIR must point at them. Values are
log2(1 + x) divided by their maximum; the split is the official one (numpy's permutation with seed
0: 60,000 training cells, of which the last 5000 also validate, and 13,233 test cells).`,
}

func main() { program.Main() }

// run is the program as the tests call it.
func run(args []string, stdout io.Writer) error { return program.Run(args, stdout, io.Discard) }

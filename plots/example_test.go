package plots_test

import (
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"

	"github.com/clustergan/clustergan/plots"
)

// A validation curve with the paper's number and the kept model, written as purity.png and
// purity.svg.
func ExampleLineChart() {
	dir, err := os.MkdirTemp("", "plots")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	chart := plots.LineChart{
		Title:  "Validation purity",
		XLabel: "iteration", YLabel: "purity",
		Series: []plots.Series{{Name: "test, k-means on E(x)",
			X: []float64{0, 1000, 2000, 3000}, Y: []float64{0.41, 0.83, 0.92, 0.91}}},
		RefLines: []plots.RefLine{{Y: 0.95, Label: "paper: 0.95"}},
		Marks:    []plots.Mark{{X: 2000, Y: 0.92, Label: "kept model"}},
	}
	if err := chart.Write(filepath.Join(dir, "purity")); err != nil {
		log.Fatal(err)
	}
	for _, name := range []string{"purity.png", "purity.svg"} {
		_, err := os.Stat(filepath.Join(dir, name))
		fmt.Println(name, err == nil)
	}
	// Output:
	// purity.png true
	// purity.svg true
}

// Mean ± std of a sweep over two parameters; the NaN cell reads "no data".
func ExampleHeatmap() {
	h := plots.Heatmap{
		Title: "Test purity", XLabel: "σ", YLabel: "β_n", ValueLabel: "purity",
		XTicks: []string{"0.05", "0.10"}, YTicks: []string{"1", "10"},
		Values: [][]float64{{0.931, 0.942}, {0.889, math.NaN()}},
		Std:    [][]float64{{0.012, 0.008}, {0.021, math.NaN()}},
	}
	img, err := h.Image() // or h.Write(base) for base.png and base.svg
	fmt.Println(img != nil, err)
	// Output: true <nil>
}

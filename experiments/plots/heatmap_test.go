package plots

import (
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestHeatColor(t *testing.T) {
	require.Equal(t, viridis[0], heatColor(0))
	require.Equal(t, viridis[4], heatColor(1))
	require.Equal(t, viridis[2], heatColor(0.5))
	require.Equal(t, viridis[0], heatColor(-3), "clamped")
	// Halfway between the first two anchors: (0x44+0x3b)/2 = 63.5 → 64, (0x01+0x52)/2 = 41.5 → 42,
	// (0x54+0x8b)/2 = 111.5 → 112.
	require.Equal(t, color.RGBA{64, 42, 112, 255}, heatColor(0.125))
	require.Equal(t, background, textOn(viridis[0]), "white text on dark purple")
	require.Equal(t, ink, textOn(viridis[4]), "black text on yellow")
}

// The cells carry the colour of their value (smallest → first viridis anchor, largest → last,
// NaN → grey) and the printed value in a contrasting colour; the file decodes to the laid-out size.
func TestHeatmapPNG(t *testing.T) {
	values := [][]float64{{0.1, 0.4, 0.7}, {math.NaN(), 0.25, 0.4}}
	xTicks, yTicks := []string{"0", "1", "10"}, []string{"0", "10"}
	img, lay, err := renderHeatmapLayout("beta sweep", "beta_c", "beta_n", xTicks, yTicks, values)
	require.NoError(t, err)
	require.Equal(t, heatCellMinW, lay.CellW)
	cellColors := func(i, j int) map[color.RGBA]int {
		seen := map[color.RGBA]int{}
		for y := lay.Top + i*lay.CellH + 1; y < lay.Top+(i+1)*lay.CellH-1; y++ {
			for x := lay.Left + j*lay.CellW + 1; x < lay.Left+(j+1)*lay.CellW-1; x++ {
				seen[img.RGBAAt(x, y)]++
			}
		}
		return seen
	}
	// Colour scale from 0.1 (t=0) to 0.7 (t=1); 0.4 is t=0.5, 0.25 is t=0.25.
	for _, c := range []struct {
		i, j       int
		fill, text color.RGBA
	}{
		{0, 0, viridis[0], background}, {0, 2, viridis[4], ink}, {0, 1, viridis[2], background},
		{1, 1, viridis[1], background}, {1, 0, missingCell, ink},
	} {
		seen := cellColors(c.i, c.j)
		require.Len(t, seen, 2, "cell (%d,%d): fill and text only, got %v", c.i, c.j, seen)
		require.Greater(t, seen[c.fill], seen[c.text], "cell (%d,%d) is mostly its fill colour", c.i, c.j)
		require.Greater(t, seen[c.text], 50, "cell (%d,%d) has its value printed", c.i, c.j)
	}

	path := filepath.Join(t.TempDir(), "heat.png")
	require.NoError(t, Heatmap(path, "beta sweep", "beta_c", "beta_n", xTicks, yTicks, values))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	decoded, err := png.Decode(f)
	require.NoError(t, err)
	require.Equal(t, img.Bounds(), decoded.Bounds())
	require.Equal(t, image.Pt(0, 0), decoded.Bounds().Min)
}

func TestHeatmapConstantValuesAndWideLabels(t *testing.T) {
	long := "a-very-long-tick-label"
	img, lay, err := renderHeatmapLayout("", "", "", []string{long}, []string{"y"}, [][]float64{{0.5}})
	require.NoError(t, err)
	require.GreaterOrEqual(t, lay.CellW, textWidth(long, textScale)+2*heatCellPad, "cells widen to their labels")
	// A single value has no range: it takes the middle colour.
	require.Equal(t, viridis[2], img.RGBAAt(lay.Left+3, lay.Top+3))

	// A long title widens the image rather than being cut; a long vertical y label makes the
	// single row tall enough to hold it.
	title, yLabel := "clustergan (kmeans on E(x)): mean test purity", "a_long_y_label"
	img, lay, err = renderHeatmapLayout(title, "x", yLabel, []string{"1"}, []string{"y"}, [][]float64{{0.5}})
	require.NoError(t, err)
	require.GreaterOrEqual(t, img.Bounds().Dx(), textWidth(title, textScale)+2*margin)
	require.GreaterOrEqual(t, lay.CellH, textWidth(yLabel, textScale))
}

func TestHeatmapErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.png")
	for _, c := range []struct {
		x, y   []string
		values [][]float64
		want   string
	}{
		{nil, []string{"a"}, [][]float64{{}}, "no x or y ticks"},
		{[]string{"a"}, []string{"a", "b"}, [][]float64{{1}}, "1 rows of values for 2 y ticks"},
		{[]string{"a", "b"}, []string{"a"}, [][]float64{{1}}, "values[0] has 1 values for 2 x ticks"},
	} {
		err := Heatmap(path, "t", "x", "y", c.x, c.y, c.values)
		require.ErrorContains(t, err, c.want)
		require.ErrorContains(t, err, path)
	}
	require.NoFileExists(t, path)
}

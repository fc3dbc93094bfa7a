package plots

import (
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countColor counts the pixels of img inside r that have exactly colour c.
func countColor(img *image.RGBA, r image.Rectangle, c color.RGBA) int {
	n := 0
	r = r.Intersect(img.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if img.RGBAAt(x, y) == c {
				n++
			}
		}
	}
	return n
}

func ramp(n int, f func(i int) float64) (x, y []float64) {
	for i := range n {
		x = append(x, float64(i))
		y = append(y, f(i))
	}
	return x, y
}

func TestLineChartPNG(t *testing.T) {
	var series []Series
	for k, name := range []string{"critic", "generator", "encoder"} {
		x, y := ramp(40, func(i int) float64 { return float64(k+1) * math.Exp(-float64(i)/10) })
		series = append(series, Series{Name: name, X: x, Y: y})
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "losses.png")
	require.NoError(t, LineChart(path, "Losses", "step", "loss", series))

	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	decoded, err := png.Decode(f)
	require.NoError(t, err)
	assert.Equal(t, image.Rect(0, 0, chartWidth, chartHeight), decoded.Bounds())

	// The file holds what the renderer drew; the plot area (which excludes the legend) holds
	// every series' colour along its curve, and the legend a swatch of each.
	img, plot, err := renderLineChart("Losses", "step", "loss", series)
	require.NoError(t, err)
	for y := 0; y < chartHeight; y += 7 {
		for x := 0; x < chartWidth; x += 7 {
			r, g, b, a := decoded.At(x, y).RGBA()
			want := img.RGBAAt(x, y)
			require.Equal(t, [4]uint32{uint32(want.R) * 0x101, uint32(want.G) * 0x101, uint32(want.B) * 0x101, 0xffff},
				[4]uint32{r, g, b, a}, "pixel (%d, %d)", x, y)
		}
	}
	assert.Less(t, plot.Max.X, chartWidth-100, "the legend should sit right of the plot")
	legend := image.Rect(plot.Max.X, plot.Min.Y, chartWidth, plot.Max.Y)
	for i := range series {
		c := seriesColor(i)
		// A curve crossing the plot is at least as many pixels as the plot is wide.
		assert.Greater(t, countColor(img, plot, c), plot.Dx(), "series %d in the plot", i)
		assert.Greater(t, countColor(img, legend, c), 20, "series %d in the legend", i)
	}

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "the temporary file must be renamed, not left behind")
	info, err := entries[0].Info()
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), info.Mode().Perm())
}

func TestLineChartGeometry(t *testing.T) {
	// y = x on [0, 10]: both axes are exactly [0, 10], so data coordinates map linearly onto
	// the plot rectangle (its last pixel row/column is Max-1).
	img, plot, err := renderLineChart("", "", "", []Series{{X: []float64{0, 10}, Y: []float64{0, 10}}})
	require.NoError(t, err)
	c := seriesColor(0)
	left, right, top, bottom := plot.Min.X, plot.Max.X-1, plot.Min.Y, plot.Max.Y-1
	at := func(x, y float64) image.Point {
		return image.Pt(left+int(math.Round(x/10*float64(right-left))), bottom-int(math.Round(y/10*float64(bottom-top))))
	}
	near := func(p image.Point) image.Rectangle { return image.Rect(p.X-2, p.Y-2, p.X+3, p.Y+3) }
	for _, v := range []float64{1, 2.5, 5, 7.5, 9} {
		assert.Positive(t, countColor(img, near(at(v, v)), c), "on the line at %g", v)
	}
	// Points well off the diagonal stay background (or grid).
	for _, p := range [][2]float64{{2, 8}, {8, 2}, {5, 9}} {
		assert.Zero(t, countColor(img, near(at(p[0], p[1])), c), "off the line at %v", p)
	}
	// Without names, there is no legend: the plot takes the width.
	assert.Greater(t, plot.Max.X, chartWidth-3*margin-50)
}

func TestLineChartSinglePoint(t *testing.T) {
	// One point makes both axes constant: each is widened around it, so the point is drawn as a
	// disc of radius dotRadius at the plot's centre.
	img, plot, err := renderLineChart("one", "x", "y", []Series{{Name: "p", X: []float64{3}, Y: []float64{7}}})
	require.NoError(t, err)
	disc := 0
	for dy := -dotRadius; dy <= dotRadius; dy++ {
		for dx := -dotRadius; dx <= dotRadius; dx++ {
			if dx*dx+dy*dy <= dotRadius*dotRadius {
				disc++
			}
		}
	}
	c := seriesColor(0)
	assert.Equal(t, disc, countColor(img, plot, c))
	centre := image.Pt((plot.Min.X+plot.Max.X-1+1)/2, (plot.Min.Y+plot.Max.Y-1+1)/2)
	assert.Positive(t, countColor(img, image.Rect(centre.X-1, centre.Y-1, centre.X+2, centre.Y+2), c))
}

func TestLineChartSkipsNonFinite(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	s := Series{Name: "gappy", X: []float64{0, 1, 2, 3, 4, inf}, Y: []float64{1, 1, nan, 2, 2, 100}}
	img, plot, err := renderLineChart("", "", "", []Series{s})
	require.NoError(t, err)
	c := seriesColor(0)
	// Data x spans [0, 4] (the Inf point is ignored, also for the range): ticks 0..4.
	column := func(x float64) image.Rectangle {
		px := plot.Min.X + int(math.Round(x/4*float64(plot.Dx()-1)))
		return image.Rect(px, plot.Min.Y, px+1, plot.Max.Y)
	}
	assert.Positive(t, countColor(img, column(0.5), c))
	assert.Zero(t, countColor(img, column(2), c), "NaN at x=2 must leave a gap")
	assert.Positive(t, countColor(img, column(3.5), c))
	// y = 100 (paired with x = +Inf) must not have stretched the y axis: the curve's levels 1
	// and 2 lie far apart instead of both hugging the bottom.
	var extent image.Rectangle
	for y := plot.Min.Y; y < plot.Max.Y; y++ {
		if countColor(img, image.Rect(plot.Min.X, y, plot.Max.X, y+1), c) > 0 {
			extent = extent.Union(image.Rect(plot.Min.X, y, plot.Max.X, y+1))
		}
	}
	assert.Greater(t, extent.Dy(), plot.Dy()/2)
}

func TestLineChartErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.png")
	nan := math.NaN()
	cases := []struct {
		name   string
		series []Series
		want   string
	}{
		{"no series", nil, "no series"},
		{"empty series", []Series{{Name: "ok", X: []float64{1}, Y: []float64{1}}, {Name: "void"}}, `series 1 ("void") is empty`},
		{"all NaN", []Series{{Name: "nan", X: []float64{1, 2}, Y: []float64{nan, nan}}}, "no finite points"},
		{"length mismatch", []Series{{Name: "m", X: []float64{1, 2}, Y: []float64{1}}}, "2 x values but 1 y values"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := LineChart(path, "t", "x", "y", c.series)
			require.Error(t, err)
			assert.Contains(t, err.Error(), path)
			assert.Contains(t, err.Error(), c.want)
			assert.NoFileExists(t, path)
		})
	}
	t.Run("missing directory", func(t *testing.T) {
		missing := filepath.Join(dir, "nope", "chart.png")
		err := LineChart(missing, "", "", "", []Series{{X: []float64{1}, Y: []float64{1}}})
		require.Error(t, err)
		assert.Contains(t, err.Error(), missing)
	})
}

func TestLineChartManySeries(t *testing.T) {
	// More series than the palette and than the legend can list: every curve still gets its own
	// colour in the plot, and the legend ends with a "+N more" line instead of overflowing.
	var series []Series
	for k := range 30 {
		x, y := ramp(20, func(i int) float64 { return float64(k*20 + i) })
		series = append(series, Series{Name: "s", X: x, Y: y})
	}
	img, plot, err := renderLineChart("many", "x", "y", series)
	require.NoError(t, err)
	for i := range series {
		assert.Positive(t, countColor(img, plot, seriesColor(i)), "series %d", i)
	}
}

func TestSeriesColorsDistinct(t *testing.T) {
	seen := map[color.RGBA]int{background: -1, ink: -1, gridColor: -1}
	for i := range 40 {
		c := seriesColor(i)
		_, dup := seen[c]
		require.False(t, dup, "series %d reuses colour %v", i, c)
		seen[c] = i
	}
}

func TestTruncate(t *testing.T) {
	assert.Equal(t, "abc", truncate("abc", 3))
	assert.Equal(t, "ab..", truncate("abcdef", 4))
	assert.Equal(t, "ab", truncate("abcdef", 2))
	assert.Equal(t, "", truncate("abc", 0))
}

package plots

import (
	"bytes"
	"encoding/xml"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/image/font/sfnt"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

var sampleDir = flag.String("sampledir", "", "also write the sample figures into this directory, for viewing")

// outDir is where a test writes its figures: the -sampledir directory or a temporary one.
func outDir(t *testing.T) string {
	if *sampleDir != "" {
		require.NoError(t, os.MkdirAll(*sampleDir, 0o755))
		return *sampleDir
	}
	return t.TempDir()
}

// readFigure checks that base.png decodes and base.svg parses as XML, and returns the picture
// and the SVG's text content.
func readFigure(t *testing.T, base string) (image.Image, string) {
	t.Helper()
	data, err := os.ReadFile(base + ".png")
	require.NoError(t, err)
	img, err := png.Decode(bytes.NewReader(data))
	require.NoError(t, err)
	svg, err := os.ReadFile(base + ".svg")
	require.NoError(t, err)
	var text strings.Builder
	dec := xml.NewDecoder(bytes.NewReader(svg))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err, "%s.svg is not well-formed XML", base)
		if cd, ok := tok.(xml.CharData); ok {
			text.Write(cd)
			text.WriteByte('\n')
		}
	}
	return img, text.String()
}

// requireNoFiles checks that dir holds no files, temporary ones included.
func requireNoFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries)
}

func lossCurves() LineChart {
	var iters, gen, critic, val, valIters []float64
	for i := range 400 {
		it := float64(i * 50)
		iters = append(iters, it)
		gen = append(gen, 2*math.Exp(-it/4000)+0.05+0.02*math.Sin(it/90))
		critic = append(critic, 0.8*math.Exp(-it/6000)-0.1) // crosses zero: partly hidden on a log axis
		if i%20 == 0 {
			valIters = append(valIters, it)
			val = append(val, 0.95-0.6*math.Exp(-it/5000))
		}
	}
	return LineChart{
		Title:  "Losses and validation purity of β-ClusterGAN (σ = 0.10)",
		XLabel: "iteration", YLabel: "loss / purity",
		LogY: true,
		Series: []Series{
			{Name: "generator loss", X: iters, Y: gen},
			{Name: "critic loss", X: iters, Y: critic},
			{Name: "test, k-means on E(x)", X: valIters, Y: val},
		},
		RefLines: []RefLine{{Y: 0.95, Label: "paper: 0.95"}},
		Marks:    []Mark{{X: valIters[15], Y: val[15], Label: "kept model"}},
	}
}

func TestLineChart(t *testing.T) {
	dir := outDir(t)
	base := filepath.Join(dir, "line_log")
	chart := lossCurves()
	require.NoError(t, chart.Write(base+".png")) // the extension is dropped
	img, text := readFigure(t, base)
	require.Equal(t, 2*lineChartH, img.Bounds().Dy())
	require.Greater(t, img.Bounds().Dx(), 2*lineChartW, "the legend widens the figure")
	for _, s := range []string{chart.Title, "iteration", "test, k-means on E(x)", "paper: 0.95", "kept model",
		"critic loss (", " points ≤ 0 not shown)"} {
		require.Contains(t, text, s)
	}
	_, err := os.Stat(base + ".png.png")
	require.True(t, os.IsNotExist(err))

	fromImage, err := chart.Image()
	require.NoError(t, err)
	require.Equal(t, img.Bounds(), fromImage.Bounds())

	// Linear axes, no legend: the figure keeps its base size.
	lin := LineChart{Series: []Series{{X: []float64{0, 1, math.NaN(), 3}, Y: []float64{-1, 2, 0, 5}}}}
	require.NoError(t, lin.Write(filepath.Join(dir, "line_linear")))
	img, _ = readFigure(t, filepath.Join(dir, "line_linear"))
	require.Equal(t, image.Rect(0, 0, 2*lineChartW, 2*lineChartH), img.Bounds())

	// One point, flat on a log axis, with a reference line: nothing degenerate.
	one := LineChart{LogY: true, Series: []Series{{Name: "loss", X: []float64{5}, Y: []float64{0.2}}},
		RefLines: []RefLine{{Y: 0.1, Label: "floor"}}}
	require.NoError(t, one.Write(filepath.Join(dir, "line_one")))
	_, text = readFigure(t, filepath.Join(dir, "line_one"))
	require.Contains(t, text, "floor")
}

// TestLineChartMarkers checks that a series gets a marker per point up to MarkerMaxPoints
// points and none beyond, counting the circles' arcs in the SVG.
func TestLineChartMarkers(t *testing.T) {
	dir := t.TempDir()
	arc := fmt.Sprintf("A%g,%g ", markerSize, markerSize)
	circles := func(n int) int {
		s := Series{Name: "purity"}
		for i := range n {
			s.X, s.Y = append(s.X, float64(i)), append(s.Y, float64(i%7))
		}
		base := filepath.Join(dir, "markers")
		require.NoError(t, LineChart{Series: []Series{s}}.Write(base))
		svg, err := os.ReadFile(base + ".svg")
		require.NoError(t, err)
		return strings.Count(string(svg), arc) / 2 // a circle is two arcs
	}
	require.Equal(t, MarkerMaxPoints+1, circles(MarkerMaxPoints), "a marker per point and one in the legend")
	require.Zero(t, circles(MarkerMaxPoints+1))
}

func TestLineChartErrors(t *testing.T) {
	ok := []float64{1, 2, 3}
	for _, tc := range []struct {
		name  string
		chart LineChart
		want  string
	}{
		{"no series", LineChart{}, "Series: nothing to plot"},
		{"lengths", LineChart{Series: []Series{{Name: "a", X: ok, Y: ok[:2]}}}, `Series[0] ("a"): 3 X values but 2 Y values`},
		{"empty", LineChart{Series: []Series{{X: ok, Y: ok}, {Name: "b"}}}, `Series[1] ("b"): no points`},
		{"all NaN", LineChart{Series: []Series{{Name: "c", X: ok, Y: []float64{math.NaN(), math.Inf(1), math.NaN()}}}}, `Series[0] ("c"): no finite point (all 3 are NaN or ±Inf)`},
		{"log, nothing positive", LineChart{LogY: true, Series: []Series{{X: ok, Y: ok}, {Name: "critic", X: ok, Y: []float64{0, -1, -2}}}},
			`Series[1] ("critic"): no point with y > 0`},
		{"log reference line", LineChart{LogY: true, Series: []Series{{X: ok, Y: ok}}, RefLines: []RefLine{{Y: 0, Label: "zero"}}},
			`RefLines[0] ("zero")`},
		{"NaN reference line", LineChart{Series: []Series{{X: ok, Y: ok}}, RefLines: []RefLine{{Y: math.NaN()}}}, "RefLines[0]"},
		{"log mark", LineChart{LogY: true, Series: []Series{{X: ok, Y: ok}}, Marks: []Mark{{X: 1, Y: -1, Label: "kept"}}},
			`Marks[0] ("kept")`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			err := tc.chart.Write(filepath.Join(dir, "chart"))
			require.ErrorContains(t, err, "plots: line chart: "+tc.want)
			requireNoFiles(t, dir)
			_, err = tc.chart.Image()
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestScatter(t *testing.T) {
	const k, perLabel = 10, 60
	var xy []float64
	var labels []int
	for l := range k {
		angle := 2 * math.Pi * float64(l) / k
		for i := range perLabel {
			// Deterministic spread around each cluster centre.
			r, a := 0.6*math.Sqrt(float64(i)/perLabel), 2.4*float64(i)
			xy = append(xy, 5*math.Cos(angle)+r*math.Cos(a), 3*math.Sin(angle)+r*math.Sin(a))
			labels = append(labels, l)
		}
	}
	xy[0] = math.NaN() // skipped
	base := filepath.Join(outDir(t), "scatter_tsne")
	require.NoError(t, Scatter{Title: "t-SNE of E(x), coloured by true digit", XY: xy, Labels: labels}.Write(base))
	img, text := readFigure(t, base)
	require.Equal(t, 2*scatterH, img.Bounds().Dy())
	require.Contains(t, text, "t-SNE of E(x), coloured by true digit")
	for l := range k {
		require.Contains(t, text, "label "+string(rune('0'+l)))
	}
	// Every label's colour is in the picture (dot centres are not anti-aliased).
	seen := map[color.RGBA]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			seen[color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), 255}] = true
		}
	}
	for l, c := range tab10 {
		require.True(t, seen[c.(color.RGBA)], "colour of label %d missing", l)
	}

	names := []string{"zero", "one"}
	base = filepath.Join(t.TempDir(), "named")
	require.NoError(t, Scatter{XY: []float64{0, 0, 1, 1, 2, 0}, Labels: []int{0, 1, 1}, Names: names}.Write(base))
	_, text = readFigure(t, base)
	require.Contains(t, text, "zero")
	require.Contains(t, text, "one")
}

func TestEqualScale(t *testing.T) {
	p := newPlot("", "", "")
	c := draw.Canvas{Rectangle: vg.Rectangle{Max: vg.Point{X: 400, Y: 300}}}
	equalScale(p, c, -1, 1, 0, 10) // tall data in a wide canvas
	dc := p.DataCanvas(c)
	perX := (p.X.Max - p.X.Min) / float64(dc.Size().X)
	perY := (p.Y.Max - p.Y.Min) / float64(dc.Size().Y)
	require.InEpsilon(t, perX, perY, 0.02, "data units per point differ between the axes")
	require.True(t, p.X.Min < -1 && p.X.Max > 1 && p.Y.Min < 0 && p.Y.Max > 10, "the data must fit")
}

func TestScatterErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    Scatter
		want string
	}{
		{"lengths", Scatter{XY: []float64{1, 2, 3}, Labels: []int{0, 1}}, "XY has 3 values for 2 Labels"},
		{"empty", Scatter{}, "Labels: no points"},
		{"negative label", Scatter{XY: []float64{1, 2}, Labels: []int{-1}}, "Labels[0] = -1"},
		{"names", Scatter{XY: []float64{1, 2, 3, 4}, Labels: []int{0, 2}, Names: []string{"a"}}, "Names has 1 entries, labels go up to 2"},
		{"all NaN", Scatter{XY: []float64{math.NaN(), 1}, Labels: []int{0}}, "XY: no finite point"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			require.ErrorContains(t, tc.s.Write(filepath.Join(dir, "s")), "plots: scatter: "+tc.want)
			requireNoFiles(t, dir)
		})
	}
}

func TestHeatmap(t *testing.T) {
	hm := Heatmap{
		Title:  "Test purity by prior (mean ± std over 3 seeds)",
		XLabel: "σ of the noise part", YLabel: "β_n (noise weight)", ValueLabel: "purity",
		XTicks: []string{"0.05", "0.10", "0.20", "0.50"},
		YTicks: []string{"1", "5", "10"},
		Values: [][]float64{{0.931, 0.942, 0.918, 0.801}, {0.952, math.NaN(), 0.905, 0.774}, {0.889, 0.867, 0.842, 0.7}},
		Std:    [][]float64{{0.012, 0.008, 0.02, 0.05}, {0.003, 0, 0.011, math.NaN()}, {0.021, 0.015, 0.018, 0.04}},
	}
	base := filepath.Join(outDir(t), "heatmap")
	require.NoError(t, hm.Write(base))
	img, text := readFigure(t, base)
	for _, s := range []string{hm.Title, "σ of the noise part", "β_n (noise weight)", "purity", "0.931 ± 0.012",
		"no data", "0.774", "0.10", "10"} {
		require.Contains(t, text, s)
	}
	require.NotContains(t, text, "0.774 ±", "a NaN std prints the value alone")
	// Both ends of the colour map are drawn (in the colour bar at least).
	require.True(t, hasColor(img, viridis[0], 3), "darkest colour missing")
	require.True(t, hasColor(img, viridis[len(viridis)-1], 3), "brightest colour missing")
	require.True(t, hasColor(img, noDataColor, 0), "no-data cell missing")

	// Caller text, one value everywhere, slanted long column names.
	hm = Heatmap{XTicks: []string{"prior = mixed, β_n = 10", "prior = Gaussian"}, YTicks: []string{"a"},
		Values: [][]float64{{0.5, 0.5}}, Text: [][]string{{"best", ""}}, Format: "%.1f"}
	base = filepath.Join(t.TempDir(), "heatmap_text")
	require.NoError(t, hm.Write(base))
	_, text = readFigure(t, base)
	require.Contains(t, text, "best")
	require.Contains(t, text, "0.5")
}

func hasColor(img image.Image, want color.Color, tol int) bool {
	wr, wg, wb, _ := want.RGBA()
	near := func(a, b uint32) bool { return math.Abs(float64(a>>8)-float64(b>>8)) <= float64(tol) }
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if near(r, wr) && near(g, wg) && near(bl, wb) {
				return true
			}
		}
	}
	return false
}

func TestHeatmapErrors(t *testing.T) {
	ticks := []string{"a", "b"}
	for _, tc := range []struct {
		name string
		h    Heatmap
		want string
	}{
		{"no ticks", Heatmap{YTicks: ticks}, "need at least one tick on each axis"},
		{"rows", Heatmap{XTicks: ticks, YTicks: ticks, Values: [][]float64{{1, 2}}}, "Values has 1 rows for 2 YTicks"},
		{"cols", Heatmap{XTicks: ticks, YTicks: ticks[:1], Values: [][]float64{{1}}}, "Values[0] has 1 entries for 2 XTicks"},
		{"std", Heatmap{XTicks: ticks, YTicks: ticks[:1], Values: [][]float64{{1, 2}}, Std: [][]float64{{1}}}, "Std[0] has 1 entries"},
		{"text", Heatmap{XTicks: ticks, YTicks: ticks[:1], Values: [][]float64{{1, 2}}, Text: [][]string{}}, "Text has 0 rows"},
		{"all NaN", Heatmap{XTicks: ticks, YTicks: ticks[:1], Values: [][]float64{{math.NaN(), math.Inf(1)}}}, "Values: no finite value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			require.ErrorContains(t, tc.h.Write(filepath.Join(dir, "h")), "plots: heatmap: "+tc.want)
			requireNoFiles(t, dir)
		})
	}
}

func TestGreyGrid(t *testing.T) {
	// Two 1×3 images side by side: clipping, NaN and rounding of 255·(1−v).
	x := []float32{0, 0.5, 1, -1, 2, float32(math.NaN())}
	img, err := GreyGrid(x, 1, 2, 1, 3)
	require.NoError(t, err)
	require.Equal(t, image.Rect(0, 0, 10, 3), img.Bounds())
	want := []uint8{
		255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
		255, 255, 128, 0, 255, 255, 255, 0, 255, 255,
		255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	}
	require.Equal(t, want, img.Pix)

	for _, tc := range []struct {
		x                []float32
		rows, cols, h, w int
		want             string
	}{
		{x, 2, 2, 1, 3, "6 pixel values, want 12 (2×2 images of 1×3)"},
		{nil, 0, 1, 1, 1, "rows, cols, h, w = 0, 1, 1, 1"},
	} {
		_, err := GreyGrid(tc.x, tc.rows, tc.cols, tc.h, tc.w)
		require.ErrorContains(t, err, "plots: image grid: "+tc.want)
	}
}

func TestImageGrid(t *testing.T) {
	// The PNG shows GreyGrid enlarged by a whole factor, unscaled and unblurred.
	x := []float32{0, 0.5, 1, -1, 2, float32(math.NaN())}
	grey, err := GreyGrid(x, 1, 2, 1, 3)
	require.NoError(t, err)
	base := filepath.Join(t.TempDir(), "tiny")
	require.NoError(t, ImageGrid{Pixels: x, Rows: 1, Cols: 2, H: 1, W: 3}.Write(base))
	img, _ := readFigure(t, base)
	zoom := gridMaxZoom
	require.Equal(t, image.Rect(0, 0, 10*zoom+2*gridMargin, 3*zoom+2*gridMargin), img.Bounds())
	for gy := range 3 {
		for gx := range 10 {
			for _, off := range [][2]int{{0, 0}, {zoom - 1, zoom - 1}, {zoom / 2, zoom / 2}} {
				px, py := gridMargin+gx*zoom+off[0], gridMargin+gy*zoom+off[1]
				r, g, b, _ := img.At(px, py).RGBA()
				v := grey.GrayAt(gx, gy).Y
				require.Equal(t, [3]uint8{v, v, v}, [3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8)}, "grid pixel (%d, %d) at (%d, %d)", gx, gy, px, py)
			}
		}
	}

	// Digits-like samples: one row per cluster.
	const rows, cols, h, w = 10, 10, 28, 28
	pix := make([]float32, rows*cols*h*w)
	for i := range rows * cols {
		r := i / cols
		for y := range h {
			for xx := range w {
				dx, dy := float64(xx-w/2), float64(y-h/2)
				// A soft ring, wider per column and flatter per row: grey levels show.
				d := math.Hypot(dx*(1+0.05*float64(r)), dy) - 8 - float64(i%cols)*0.3
				pix[i*h*w+y*w+xx] = float32(math.Exp(-d * d / 3))
			}
		}
	}
	labels := make([]string, rows)
	for r := range labels {
		labels[r] = "cluster " + string(rune('0'+r))
	}
	base = filepath.Join(outDir(t), "image_grid")
	grid := ImageGrid{Title: "Samples, one row per cluster (β_n = 10, σ = 0.10)", Pixels: pix, Rows: rows, Cols: cols, H: h, W: w, RowLabels: labels}
	require.NoError(t, grid.Write(base))
	img, text := readFigure(t, base)
	require.Contains(t, text, grid.Title)
	require.Contains(t, text, "cluster 9")
	require.Greater(t, img.Bounds().Dx(), cols*(w+2)*3)

	dir := t.TempDir()
	for _, tc := range []struct {
		g    ImageGrid
		want string
	}{
		{ImageGrid{Pixels: x, Rows: 1, Cols: 2, H: 1, W: 3, RowLabels: []string{"a", "b"}}, "RowLabels has 2 labels for 1 rows"},
		{ImageGrid{Pixels: x, Rows: 1, Cols: 1, H: 1, W: 3}, "6 pixel values, want 3"},
	} {
		require.ErrorContains(t, tc.g.Write(filepath.Join(dir, "g")), "plots: image grid: "+tc.want)
	}
	requireNoFiles(t, dir)
}

func TestWriteErrors(t *testing.T) {
	chart := LineChart{Series: []Series{{X: []float64{0, 1}, Y: []float64{0, 1}}}}
	missing := filepath.Join(t.TempDir(), "no such dir", "chart")
	require.ErrorContains(t, chart.Write(missing), "plots: writing "+missing+".png")
	require.ErrorContains(t, chart.Write(""), "empty file name")

	// Rewriting replaces both files and leaves no temporary file.
	dir := t.TempDir()
	base := filepath.Join(dir, "chart")
	require.NoError(t, chart.Write(base))
	require.NoError(t, chart.Write(base+".svg"))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	require.Equal(t, []string{"chart.png", "chart.svg"}, names)
	st, err := os.Stat(base + ".png")
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o644), st.Mode().Perm())
}

// TestFontHasGlyphs checks that the figure font draws the symbols of the project's labels
// instead of blank boxes.
func TestFontHasGlyphs(t *testing.T) {
	face := font.DefaultCache.Lookup(sans, 12)
	var buf sfnt.Buffer
	for _, r := range "βσμλΣ±≤≥×·−–αθ" {
		i, err := face.Face.GlyphIndex(&buf, r)
		require.NoError(t, err)
		require.NotZero(t, i, "no glyph for %q", r)
	}
}

// Package plots draws the project's figures with gonum.org/v1/plot: line charts of losses and
// metrics, scatter plots of 2-D embeddings, heatmaps of sweep results and grids of generated
// grey-scale images. Each chart is a plain struct; Write saves it as a PNG and an SVG beside it,
// Image returns the PNG's picture (for notebooks). Text is Unicode in Liberation Sans, which has
// Greek letters and symbols such as ± and ≤. Bad inputs are reported as errors naming the field.
package plots

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"path/filepath"
	"strings"

	"github.com/clustergan/clustergan/internal/atomicfile"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// DPI is the resolution of the PNG files: two pixels per point, so layouts computed in whole
// pixels land on whole points and images are drawn unscaled.
const DPI = 144

// Font sizes, in points.
const (
	titleSize  = 14
	labelSize  = 12
	tickSize   = 10
	legendSize = 11
)

// Figure is what every chart offers.
type Figure interface {
	// Write writes base+".png" and base+".svg"; a ".png" or ".svg" ending of base is dropped.
	// Each file is written to a temporary file and renamed, so a crash leaves no partial file.
	Write(base string) error
	// Image returns the picture written to the PNG.
	Image() (image.Image, error)
}

// canvasFig is a laid-out figure: its size and what draws it.
type canvasFig struct {
	w, h vg.Length
	draw func(c draw.Canvas)
}

// sans is the figure font: Liberation Sans has Greek and is metric-compatible with Arial, the
// usual substitute when an SVG viewer lacks it.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// textStyle returns black Liberation Sans text of size pt points.
func textStyle(pt vg.Length) text.Style {
	return text.Style{Color: color.Black, Font: font.From(sans, pt), Handler: plot.DefaultTextHandler}
}

// newPlot returns a plot with the figure fonts, title and axis labels.
func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sans, titleSize)
	p.Title.Padding = vg.Points(8)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, labelSize)
		a.Tick.Label.Font = font.From(sans, tickSize)
	}
	p.X.Label.Text, p.Y.Label.Text = xLabel, yLabel
	// gonum's own tick choice (plot.DefaultTicks): a few labelled ticks with minor ones between.
	return p
}

// newLegend returns an empty legend in the figure font, meant to be drawn beside the plot.
func newLegend() plot.Legend {
	l := plot.NewLegend()
	l.TextStyle.Font = font.From(sans, legendSize)
	l.Top, l.Left = true, true
	l.Padding = vg.Points(3)
	return l
}

// legendGap separates the plot from a legend or colour bar beside it.
const legendGap = vg.Length(10)

// figMargin keeps tick labels at the plot's edges inside the figure.
const figMargin = 6

// drawBeside draws p in c with leg to its right, top-aligned with the data area, so the legend
// never hides data. A legend without entries takes no room.
func drawBeside(c draw.Canvas, p *plot.Plot, leg plot.Legend, legendW vg.Length) {
	pc := plotCanvas(c, legendW)
	p.Draw(pc)
	if legendW > 0 {
		dc := p.DataCanvas(pc)
		lc := c
		lc.Min.X, lc.Max.Y = pc.Max.X+legendGap, dc.Max.Y
		leg.Draw(lc)
	}
}

// plotCanvas is the part of figure c that drawBeside gives the plot.
func plotCanvas(c draw.Canvas, legendW vg.Length) draw.Canvas {
	return draw.Crop(c, figMargin, -figMargin-legendW, figMargin, -figMargin)
}

// legendWidth is the width leg takes beside a plot, the gap included.
func legendWidth(leg plot.Legend) vg.Length {
	w := leg.Rectangle(draw.Canvas{}).Size().X
	if w == 0 {
		return 0
	}
	return w + legendGap
}

// tab10 is matplotlib's default qualitative palette: ten colours that stay distinct for most
// colour-blind readers.
var tab10 = []color.Color{
	color.RGBA{0x1f, 0x77, 0xb4, 255}, color.RGBA{0xff, 0x7f, 0x0e, 255}, color.RGBA{0x2c, 0xa0, 0x2c, 255},
	color.RGBA{0xd6, 0x27, 0x28, 255}, color.RGBA{0x94, 0x67, 0xbd, 255}, color.RGBA{0x8c, 0x56, 0x4b, 255},
	color.RGBA{0xe3, 0x77, 0xc2, 255}, color.RGBA{0x7f, 0x7f, 0x7f, 255}, color.RGBA{0xbc, 0xbd, 0x22, 255},
	color.RGBA{0x17, 0xbe, 0xcf, 255},
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// baseName drops a ".png" or ".svg" ending, so "a.png" and "a" name the same pair of files.
func baseName(base string) (string, error) {
	if base == "" {
		return "", errors.New("plots: empty file name")
	}
	for _, ext := range []string{".png", ".svg"} {
		if strings.EqualFold(filepath.Ext(base), ext) {
			return base[:len(base)-len(ext)], nil
		}
	}
	return base, nil
}

// writeFigure lays out a chart and writes both files. Both are rendered before either is
// written, so a drawing error leaves the files as they were.
func writeFigure(kind, base string, layout func() (*canvasFig, error)) error {
	base, err := baseName(base)
	if err != nil {
		return err
	}
	f, err := layout()
	if err != nil {
		return fmt.Errorf("plots: %s: %w", kind, err)
	}
	img, err := f.raster()
	if err != nil {
		return fmt.Errorf("plots: %s: %w", kind, err)
	}
	var pngBuf bytes.Buffer
	if err := png.Encode(&pngBuf, img); err != nil {
		return fmt.Errorf("plots: %s: %w", kind, err)
	}
	svg, err := f.svg()
	if err != nil {
		return fmt.Errorf("plots: %s: %w", kind, err)
	}
	if err := writeAtomic(base+".png", pngBuf.Bytes()); err != nil {
		return err
	}
	return writeAtomic(base+".svg", svg)
}

// imageOf lays out a chart and returns its PNG picture.
func imageOf(kind string, layout func() (*canvasFig, error)) (image.Image, error) {
	f, err := layout()
	if err == nil {
		var img image.Image
		if img, err = f.raster(); err == nil {
			return img, nil
		}
	}
	return nil, fmt.Errorf("plots: %s: %w", kind, err)
}

// recoverDrawing turns a panic inside gonum/plot into an error: inputs are checked beforehand,
// so a panic is a bug, but a figure is never worth crashing a training run for.
func recoverDrawing(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("drawing failed: %v", r)
	}
}

func (f *canvasFig) raster() (img image.Image, err error) {
	defer recoverDrawing(&err)
	c := vgimg.NewWith(vgimg.UseWH(f.w, f.h), vgimg.UseDPI(DPI))
	f.draw(draw.New(c))
	return c.Image(), nil
}

func (f *canvasFig) svg() (b []byte, err error) {
	defer recoverDrawing(&err)
	c := vgsvg.New(f.w, f.h)
	f.draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeAtomic replaces path with data through a synced temporary file in the same directory.
func writeAtomic(path string, data []byte) error {
	if err := atomicfile.WriteBytes(path, data); err != nil {
		return fmt.Errorf("plots: writing %s: %w", path, err)
	}
	return nil
}

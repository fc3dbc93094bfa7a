package plots

import (
	"errors"
	"fmt"
	"image"
	"math/rand/v2"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Scatter geometry, in points; the legend widens the figure.
const (
	scatterW = 460
	scatterH = 430
	// Dots shrink for large maps so that clusters stay apart.
	dotSize, smallDotSize = 2.5, 1.6
	manyDots              = 1000
	legendDotSize         = 4
)

// scatterOrderSeed fixes the drawing order of the points (see Scatter).
const scatterOrderSeed = 0x5ca7

// Scatter is a plot of 2-D points coloured by an integer label, such as a t-SNE map of
// latents. Point i is (XY[2i], XY[2i+1]) with label Labels[i] ≥ 0, named Names[k] in the legend
// ("label k" when Names is nil). Label k has colour k mod 10 of a ten-colour palette and, from
// label 10 on, another marker shape, so any number of labels stays apart. Both axes have the
// same scale, so distances are not distorted. Points are drawn in a fixed pseudo-random order,
// so no label always lies on top; points with a NaN or infinite coordinate are skipped.
type Scatter struct {
	Title, XLabel, YLabel string
	XY                    []float64
	Labels                []int
	Names                 []string
}

var _ Figure = Scatter{}

// Write writes the scatter plot to base+".png" and base+".svg".
func (s Scatter) Write(base string) error { return writeFigure("scatter", base, s.layout) }

// Image returns the scatter plot as written to the PNG.
func (s Scatter) Image() (image.Image, error) { return imageOf("scatter", s.layout) }

// labelShapes are filled, so small dots still show their colour.
var labelShapes = []draw.GlyphDrawer{draw.CircleGlyph{}, draw.BoxGlyph{}, draw.PyramidGlyph{},
	draw.RingGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.CrossGlyph{}, draw.PlusGlyph{}}

func labelStyle(k int, radius vg.Length) draw.GlyphStyle {
	return draw.GlyphStyle{Color: tab10[k%len(tab10)], Radius: radius, Shape: labelShapes[k/len(tab10)%len(labelShapes)]}
}

func (s Scatter) layout() (*canvasFig, error) {
	n := len(s.Labels)
	if len(s.XY) != 2*n {
		return nil, fmt.Errorf("XY has %d values for %d Labels, want 2 per point (%d)", len(s.XY), n, 2*n)
	}
	if n == 0 {
		return nil, errors.New("Labels: no points")
	}
	numLabels := 0
	for i, l := range s.Labels {
		if l < 0 {
			return nil, fmt.Errorf("Labels[%d] = %d, labels must be >= 0", i, l)
		}
		numLabels = max(numLabels, l+1)
	}
	if s.Names != nil && len(s.Names) < numLabels {
		return nil, fmt.Errorf("Names has %d entries, labels go up to %d", len(s.Names), numLabels-1)
	}

	// A fixed permutation rather than index order: data sorted by label would otherwise paint
	// the last label over all others where clusters overlap.
	order := rand.New(rand.NewPCG(scatterOrderSeed, 0)).Perm(n)
	var pts plotter.XYs
	var labels []int
	used := make([]bool, numLabels)
	for _, i := range order {
		x, y := s.XY[2*i], s.XY[2*i+1]
		if finite(x) && finite(y) {
			pts = append(pts, plotter.XY{X: x, Y: y})
			labels = append(labels, s.Labels[i])
			used[s.Labels[i]] = true
		}
	}
	if len(pts) == 0 {
		return nil, fmt.Errorf("XY: no finite point (all %d have a NaN or ±Inf coordinate)", n)
	}
	radius := vg.Length(dotSize)
	if len(pts) > manyDots {
		radius = smallDotSize
	}
	p := newPlot(s.Title, s.XLabel, s.YLabel)
	p.Add(&plotter.Scatter{XYs: pts, GlyphStyleFunc: func(i int) draw.GlyphStyle { return labelStyle(labels[i], radius) }})

	leg := newLegend()
	for k, ok := range used {
		if !ok {
			continue
		}
		name := fmt.Sprintf("label %d", k)
		if s.Names != nil {
			name = s.Names[k]
		}
		leg.Add(name, &plotter.Scatter{GlyphStyle: labelStyle(k, legendDotSize)})
	}
	legendW := legendWidth(leg)
	xLo, xHi, yLo, yHi := p.X.Min, p.X.Max, p.Y.Min, p.Y.Max
	return &canvasFig{w: scatterW + legendW, h: scatterH, draw: func(c draw.Canvas) {
		equalScale(p, plotCanvas(c, legendW), xLo, xHi, yLo, yHi)
		drawBeside(c, p, leg, legendW)
	}}, nil
}

// equalScale sets the axis ranges of p, drawn in c, to hold the data ranges [xLo, xHi] and
// [yLo, yHi] centred and with one data unit the same length on both axes.
func equalScale(p *plot.Plot, c draw.Canvas, xLo, xHi, yLo, yHi float64) {
	const pad = 1.06 // so the outermost dots stay clear of the frame
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = xLo, xHi, yLo, yHi
	dc := p.DataCanvas(c)
	w, h := float64(dc.Size().X), float64(dc.Size().Y)
	perPoint := pad * max((xHi-xLo)/w, (yHi-yLo)/h)
	if perPoint == 0 || w <= 0 || h <= 0 {
		return // a single distinct point: the axes' default ±1 range is equal already
	}
	cx, cy := (xLo+xHi)/2, (yLo+yHi)/2
	p.X.Min, p.X.Max = cx-perPoint*w/2, cx+perPoint*w/2
	p.Y.Min, p.Y.Max = cy-perPoint*h/2, cy+perPoint*h/2
}

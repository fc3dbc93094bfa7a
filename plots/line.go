package plots

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// MarkerMaxPoints is the most finite points a series may have to be drawn with a marker at
// each point: sparse series such as validation curves then show where they were measured.
// Isolated points (both neighbours missing) always get a marker.
const MarkerMaxPoints = 30

// Line chart geometry, in points; a legend widens the figure.
const (
	lineChartW = 576
	lineChartH = 360
	lineWidth  = 1.5
	markerSize = 2.5
	markSize   = 5.5
)

// Series is one named curve of points (X[i], Y[i]). Points with a NaN or infinite coordinate
// are skipped and leave a gap.
type Series struct {
	Name string
	X, Y []float64
}

// RefLine is a horizontal reference line across the chart, named in the legend
// (e.g. "paper: 0.95").
type RefLine struct {
	Y     float64
	Label string
}

// Mark is a highlighted point, such as the model kept at the selected iteration. Marks with the
// same Label share a marker and one legend entry.
type Mark struct {
	X, Y  float64
	Label string
}

// LineChart is several named series against a shared x (iterations, minutes), with a legend
// beside the plot.
//
// With LogY the y axis is logarithmic. A series point with y ≤ 0 cannot be shown there: it is
// skipped like a NaN and the series' legend entry says how many were left out. A series without
// any y > 0, and a reference line or mark at y ≤ 0, are errors.
type LineChart struct {
	Title, XLabel, YLabel string
	Series                []Series
	LogY                  bool
	RefLines              []RefLine
	Marks                 []Mark
}

var _ Figure = LineChart{}

// Write writes the chart to base+".png" and base+".svg".
func (c LineChart) Write(base string) error { return writeFigure("line chart", base, c.layout) }

// Image returns the chart as written to the PNG.
func (c LineChart) Image() (image.Image, error) { return imageOf("line chart", c.layout) }

// Series styles: colour, then marker shape, then dashes tell series apart.
var (
	seriesShapes = []draw.GlyphDrawer{draw.CircleGlyph{}, draw.BoxGlyph{}, draw.PyramidGlyph{},
		draw.RingGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.CrossGlyph{}, draw.PlusGlyph{}}
	seriesDashes = [][]vg.Length{nil, {6, 3}, {2, 2}, {8, 3, 2, 3}}
	// Marks are hollow, so the curve point they highlight stays visible.
	markShapes = []draw.GlyphDrawer{draw.RingGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.CrossGlyph{}}
	refDashes  = [][]vg.Length{{6, 3}, {2, 2}, {8, 3, 2, 3}}
)

// visible reports whether (x, y) can be drawn on the chart's axes.
func (c LineChart) visible(x, y float64) bool {
	return finite(x) && finite(y) && (!c.LogY || y > 0)
}

// count returns how many points of s are finite and how many of those the axes show.
func (c LineChart) count(s Series) (finitePts, shown int) {
	for j := range s.X {
		if finite(s.X[j]) && finite(s.Y[j]) {
			finitePts++
		}
		if c.visible(s.X[j], s.Y[j]) {
			shown++
		}
	}
	return finitePts, shown
}

func (c LineChart) check() error {
	if len(c.Series) == 0 {
		return errors.New("Series: nothing to plot")
	}
	for i, s := range c.Series {
		name := fmt.Sprintf("Series[%d] (%q)", i, s.Name)
		if len(s.X) != len(s.Y) {
			return fmt.Errorf("%s: %d X values but %d Y values", name, len(s.X), len(s.Y))
		}
		if len(s.X) == 0 {
			return fmt.Errorf("%s: no points", name)
		}
		finitePts, shown := c.count(s)
		if finitePts == 0 {
			return fmt.Errorf("%s: no finite point (all %d are NaN or ±Inf)", name, len(s.X))
		}
		if shown == 0 {
			return fmt.Errorf("%s: no point with y > 0, and LogY shows only y > 0", name)
		}
	}
	for i, r := range c.RefLines {
		if !finite(r.Y) || c.LogY && r.Y <= 0 {
			return fmt.Errorf("RefLines[%d] (%q): y = %g cannot be drawn (LogY = %t)", i, r.Label, r.Y, c.LogY)
		}
	}
	for i, m := range c.Marks {
		if !c.visible(m.X, m.Y) {
			return fmt.Errorf("Marks[%d] (%q): (%g, %g) cannot be drawn (LogY = %t)", i, m.Label, m.X, m.Y, c.LogY)
		}
	}
	return nil
}

func (c LineChart) layout() (*canvasFig, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	p := newPlot(c.Title, c.XLabel, c.YLabel)
	p.Add(plotter.NewGrid())
	leg := newLegend()
	xLo, xHi := math.Inf(1), math.Inf(-1)
	for i, s := range c.Series {
		lineSty := draw.LineStyle{Color: tab10[i%len(tab10)], Width: lineWidth, Dashes: seriesDashes[i/len(tab10)%len(seriesDashes)]}
		glyphSty := draw.GlyphStyle{Color: lineSty.Color, Radius: markerSize, Shape: seriesShapes[i%len(seriesShapes)]}
		var segment, dots plotter.XYs
		finitePts, shown := c.count(s)
		flush := func() {
			if len(segment) > 1 {
				p.Add(&plotter.Line{XYs: segment, LineStyle: lineSty})
			} else if len(segment) == 1 && shown > MarkerMaxPoints {
				dots = append(dots, segment[0]) // isolated point: no line shows it
			}
			segment = nil
		}
		for j := range s.X {
			x, y := s.X[j], s.Y[j]
			if !c.visible(x, y) {
				flush()
				continue
			}
			segment = append(segment, plotter.XY{X: x, Y: y})
			if shown <= MarkerMaxPoints {
				dots = append(dots, plotter.XY{X: x, Y: y})
			}
			xLo, xHi = min(xLo, x), max(xHi, x)
		}
		flush()
		scatter := &plotter.Scatter{XYs: dots, GlyphStyle: glyphSty}
		if len(dots) > 0 {
			p.Add(scatter)
		}
		name := s.Name
		if hidden := finitePts - shown; hidden > 0 {
			name = strings.TrimSpace(fmt.Sprintf("%s (%d points ≤ 0 not shown)", name, hidden))
		}
		if name != "" {
			thumbs := []plot.Thumbnailer{&plotter.Line{LineStyle: lineSty}}
			if len(dots) > 0 {
				thumbs = append(thumbs, scatter)
			}
			leg.Add(name, thumbs...)
		}
	}
	for _, m := range c.Marks {
		xLo, xHi = min(xLo, m.X), max(xHi, m.X)
	}
	if xLo == xHi {
		xLo, xHi = xLo-1, xHi+1 // the x range gonum gives a single x, so reference lines show
	}
	for i, r := range c.RefLines {
		l := &plotter.Line{
			XYs:       plotter.XYs{{X: xLo, Y: r.Y}, {X: xHi, Y: r.Y}},
			LineStyle: draw.LineStyle{Color: color.Black, Width: 1, Dashes: refDashes[i%len(refDashes)]},
		}
		p.Add(l)
		if r.Label != "" {
			leg.Add(r.Label, l)
		}
	}
	c.addMarks(p, &leg)
	c.setYRange(p)
	legendW := legendWidth(leg)
	return &canvasFig{w: lineChartW + legendW, h: lineChartH, draw: func(dc draw.Canvas) {
		drawBeside(dc, p, leg, legendW)
	}}, nil
}

// addMarks draws the marks last, over the curves, one marker shape per distinct label.
func (c LineChart) addMarks(p *plot.Plot, leg *plot.Legend) {
	var order []string
	groups := map[string]plotter.XYs{}
	for _, m := range c.Marks {
		if _, ok := groups[m.Label]; !ok {
			order = append(order, m.Label)
		}
		groups[m.Label] = append(groups[m.Label], plotter.XY{X: m.X, Y: m.Y})
	}
	for i, label := range order {
		s := &plotter.Scatter{XYs: groups[label], GlyphStyle: draw.GlyphStyle{
			Color: color.Black, Radius: markSize, Shape: markShapes[i%len(markShapes)]}}
		p.Add(s)
		if label != "" {
			leg.Add(label, s)
		}
	}
}

// setYRange pads the y range a little, so curves do not run along the frame, and on a log axis
// picks ticks that label at least two values.
func (c LineChart) setYRange(p *plot.Plot) {
	const pad = 0.04
	lo, hi := p.Y.Min, p.Y.Max
	if !c.LogY {
		if d := hi - lo; d > 0 {
			p.Y.Min, p.Y.Max = lo-pad*d, hi+pad*d
		}
		return
	}
	if lo == hi {
		lo, hi = lo/2, hi*2
	}
	f := math.Pow(hi/lo, pad)
	p.Y.Min, p.Y.Max = lo/f, hi*f
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
}

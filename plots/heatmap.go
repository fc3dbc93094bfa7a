package plots

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Heatmap geometry, in points.
const (
	minCellH     = 34
	minCellW     = 44
	cellPad      = 10 // around the widest cell text
	cellTextSize = 10
	colorBarW    = 16
	minGridH     = 120 // so that the colour bar reads well
	labelRoom    = 20  // beyond a vertical axis label's length
	paletteSize  = 256
)

// DefaultCellFormat formats cell values and standard deviations.
const DefaultCellFormat = "%.3f"

// noDataColor fills cells without a value; light, so it does not read as a low value.
var noDataColor = color.RGBA{0xe0, 0xe0, 0xe0, 255}

// viridis holds matplotlib's viridis at 0, ¼, ½, ¾ and 1; moreland interpolates between them
// linearly in luminance, so equal value steps look equally large, also to colour-blind readers.
var viridis = []color.Color{
	color.RGBA{0x44, 0x01, 0x54, 255}, color.RGBA{0x3b, 0x52, 0x8b, 255}, color.RGBA{0x21, 0x91, 0x8c, 255},
	color.RGBA{0x5e, 0xc9, 0x62, 255}, color.RGBA{0xfd, 0xe7, 0x25, 255},
}

// Heatmap is a grid of coloured cells with a colour bar: Values[i][j] is the cell in row i
// (labelled YTicks[i], first row at the top) and column j (labelled XTicks[j]), coloured from
// the smallest finite value to the largest. The colour bar is labelled ValueLabel.
//
// Each cell shows a text: Text[i][j] when Text is given; otherwise the value in Format
// (DefaultCellFormat when empty), followed by "± std" when Std is given and Std[i][j] is
// finite. A cell whose value is NaN or infinite is grey and reads "no data" unless Text gives
// another text. Text and Std, when given, have the shape of Values.
type Heatmap struct {
	Title, XLabel, YLabel, ValueLabel string
	XTicks, YTicks                    []string
	Values, Std                       [][]float64
	Text                              [][]string
	Format                            string
}

var _ Figure = Heatmap{}

// Write writes the heatmap to base+".png" and base+".svg".
func (h Heatmap) Write(base string) error { return writeFigure("heatmap", base, h.layout) }

// Image returns the heatmap as written to the PNG.
func (h Heatmap) Image() (image.Image, error) { return imageOf("heatmap", h.layout) }

// grid serves values to plotter.HeatMap, whose rows count upwards: grid row r is values row
// rows−1−r. Non-finite values become NaN, gonum's "no data".
type grid [][]float64

func (g grid) Dims() (c, r int) { return len(g[0]), len(g) }
func (g grid) X(c int) float64  { return float64(c) }
func (g grid) Y(r int) float64  { return float64(r) }
func (g grid) Z(c, r int) float64 {
	if v := g[len(g)-1-r][c]; finite(v) {
		return v
	}
	return math.NaN()
}

// check verifies the shapes and returns the range of the finite values.
func (h Heatmap) check() (lo, hi float64, err error) {
	rows, cols := len(h.YTicks), len(h.XTicks)
	if rows == 0 || cols == 0 {
		return 0, 0, fmt.Errorf("need at least one tick on each axis, have %d XTicks and %d YTicks", cols, rows)
	}
	err = checkShape("Values", h.Values, rows, cols)
	if err == nil && h.Std != nil {
		err = checkShape("Std", h.Std, rows, cols)
	}
	if err == nil && h.Text != nil {
		err = checkShape("Text", h.Text, rows, cols)
	}
	if err != nil {
		return 0, 0, err
	}
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, row := range h.Values {
		for _, v := range row {
			if finite(v) {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
	}
	if lo > hi {
		return 0, 0, errors.New("Values: no finite value")
	}
	return lo, hi, nil
}

// checkShape checks that m has one row per y tick and one entry per x tick.
func checkShape[T any](name string, m [][]T, rows, cols int) error {
	if len(m) != rows {
		return fmt.Errorf("%s has %d rows for %d YTicks", name, len(m), rows)
	}
	for i, row := range m {
		if len(row) != cols {
			return fmt.Errorf("%s[%d] has %d entries for %d XTicks", name, i, len(row), cols)
		}
	}
	return nil
}

// cellText is the text shown in cell (i, j).
func (h Heatmap) cellText(i, j int) string {
	if h.Text != nil && h.Text[i][j] != "" {
		return h.Text[i][j]
	}
	v := h.Values[i][j]
	if !finite(v) {
		return "no data"
	}
	format := h.Format
	if format == "" {
		format = DefaultCellFormat
	}
	s := fmt.Sprintf(format, v)
	if h.Std != nil && finite(h.Std[i][j]) {
		s += " ± " + fmt.Sprintf(format, h.Std[i][j])
	}
	return s
}

func (h Heatmap) layout() (*canvasFig, error) {
	lo, hi, err := h.check()
	if err != nil {
		return nil, err
	}
	if lo == hi {
		// One value: a range around it, as the colour bar needs Min < Max.
		d := max(math.Abs(lo)*0.05, 0.05)
		lo, hi = lo-d, hi+d
	}
	cmap, err := moreland.NewLuminance(viridis)
	if err != nil {
		return nil, err
	}
	cmap.SetMin(lo)
	cmap.SetMax(hi)

	rows, cols := len(h.YTicks), len(h.XTicks)
	hm := plotter.NewHeatMap(grid(h.Values), cmap.Palette(paletteSize))
	hm.Min, hm.Max, hm.NaN = lo, hi, noDataColor
	p := newPlot(h.Title, h.XLabel, h.YLabel)
	p.Add(hm)

	// Cell texts, black or white for contrast with the cell colour.
	cellSty := textStyle(cellTextSize)
	cellSty.XAlign, cellSty.YAlign = draw.XCenter, draw.YCenter
	labels := &plotter.Labels{}
	cellW := vg.Length(minCellW)
	for i := range rows {
		for j := range cols {
			s := h.cellText(i, j)
			sty := cellSty
			if c, err := cmap.At(h.Values[i][j]); err == nil && luma(c) < 0.5 {
				sty.Color = color.White
			}
			labels.XYs = append(labels.XYs, plotter.XY{X: float64(j), Y: float64(rows - 1 - i)})
			labels.Labels = append(labels.Labels, s)
			labels.TextStyle = append(labels.TextStyle, sty)
			cellW = max(cellW, cellSty.Width(s)+cellPad)
		}
	}
	p.Add(labels)

	xTicks := make([]plot.Tick, cols)
	widest := vg.Length(0)
	for j, t := range h.XTicks {
		xTicks[j] = plot.Tick{Value: float64(j), Label: t}
		widest = max(widest, p.X.Tick.Label.Width(t))
	}
	var overhang vg.Length // of slanted labels, left of the grid
	if widest > cellW-4 {
		// Long column names are slanted rather than widening every cell.
		const angle = math.Pi / 6
		sty := &p.X.Tick.Label
		sty.Rotation, sty.XAlign, sty.YAlign = angle, draw.XRight, draw.YTop
		for j, t := range h.XTicks {
			reach := sty.Width(t)*vg.Length(math.Cos(angle)) + sty.Height(t)*vg.Length(math.Sin(angle))
			overhang = max(overhang, reach-(vg.Length(j)+0.5)*cellW)
		}
	}
	yTicks := make([]plot.Tick, rows)
	for i, t := range h.YTicks {
		yTicks[i] = plot.Tick{Value: float64(rows - 1 - i), Label: t}
	}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.ConstantTicks(xTicks), plot.ConstantTicks(yTicks)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Padding, a.Width, a.Tick.Length = 0, 0, 4 // cells start at the ticks, no axis line
	}

	bar := newPlot("", "", h.ValueLabel)
	bar.Add(&plotter.ColorBar{ColorMap: cmap, Vertical: true})
	bar.HideX()
	bar.X.Padding, bar.Y.Padding = 0, 0

	// The axes' room is the figure size less their data area, whatever the size tried.
	const trial = 1000
	room := func(p *plot.Plot) (w, h vg.Length) {
		dc := p.DataCanvas(draw.Canvas{Rectangle: vg.Rectangle{Max: vg.Point{X: trial, Y: trial}}})
		return trial - dc.Size().X, trial - dc.Size().Y
	}
	roomW, roomH := room(p)
	left := max(0, overhang-roomW) // room the y axis does not give already
	barRoomW, _ := room(bar)
	barW := barRoomW + colorBarW
	w := max(left+roomW+vg.Length(cols)*cellW, p.Title.TextStyle.Width(h.Title)) + legendGap + barW + 2*figMargin
	// Cells grow taller when the y label or the colour bar would not fit beside the grid.
	cellH := max(minCellH, (p.Y.Label.TextStyle.Width(h.YLabel)+labelRoom)/vg.Length(rows),
		(bar.Y.Label.TextStyle.Width(h.ValueLabel)+labelRoom)/vg.Length(rows), minGridH/vg.Length(rows))
	return &canvasFig{w: w, h: roomH + vg.Length(rows)*cellH + 2*figMargin, draw: func(c draw.Canvas) {
		c = draw.Crop(c, figMargin, -figMargin, figMargin, -figMargin)
		pc := draw.Crop(c, left, -(legendGap + barW), 0, 0)
		p.Draw(pc)
		dc := p.DataCanvas(pc)
		bc := c
		bc.Min.X, bc.Min.Y, bc.Max.Y = pc.Max.X+legendGap, dc.Min.Y, dc.Max.Y
		bar.Draw(bc)
	}}, nil
}

// luma is the relative luminance of c in [0, 1] (ITU-R BT.601 weights).
func luma(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	return (0.299*float64(r) + 0.587*float64(g) + 0.114*float64(b)) / 0xffff
}

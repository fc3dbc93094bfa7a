// Package plots draws PNG charts for run directories: training-loss and validation curves read
// from a run's metrics.jsonl. It depends only on the standard library (text uses a built-in
// bitmap font). Only programs under experiments/ import it; library packages never do.
package plots

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"

	"github.com/clustergan/clustergan/internal/atomicfile"
)

// Chart geometry, in pixels.
const (
	chartWidth      = 800
	chartHeight     = 500
	margin          = 12
	textScale       = 2 // tick labels, axis labels and legend: 12×18-pixel character cells
	titleScale      = 3
	tickLen         = 5
	tickGap         = 4  // between a tick mark and its label
	labelGap        = 8  // between tick labels and the axis label
	minTickSpacing  = 14 // horizontal blank space required between neighbouring x tick labels
	maxXIntervals   = 10
	maxYIntervals   = 10
	minYTickSpacing = 45 // vertical pixels per y interval, about 2.5 text lines
	lineWidth       = 2
	dotRadius       = 4
	legendPad       = 8
	legendSwatch    = 24
	legendRowGap    = 4
	maxLegendChars  = 18 // longer series names are truncated so the plot keeps most of the width
)

var (
	background = color.RGBA{255, 255, 255, 255}
	ink        = color.RGBA{0, 0, 0, 255}       // text, frame and ticks
	gridColor  = color.RGBA{225, 225, 225, 255} // light, so curves stay on top visually
	// palette is matplotlib's "tab10", chosen to stay distinguishable for colour-blind readers.
	palette = []color.RGBA{
		{0x1f, 0x77, 0xb4, 255}, {0xff, 0x7f, 0x0e, 255}, {0x2c, 0xa0, 0x2c, 255},
		{0xd6, 0x27, 0x28, 255}, {0x94, 0x67, 0xbd, 255}, {0x8c, 0x56, 0x4b, 255},
		{0xe3, 0x77, 0xc2, 255}, {0x7f, 0x7f, 0x7f, 255}, {0xbc, 0xbd, 0x22, 255},
		{0x17, 0xbe, 0xcf, 255},
	}
)

// Series is one named curve: points (X[i], Y[i]). Points with a NaN or infinite coordinate are
// skipped and leave a gap in the line.
type Series struct {
	Name string
	X, Y []float64
}

// LineChart writes an 800×500 PNG line chart of series to path: framed axes with 1-2-5 ticks
// labelled on both axes, one colour per series, a legend of the series names (omitted when all
// names are empty) and the title. A point whose neighbours are both missing is drawn as a dot.
// The file is written atomically (temporary file in the same directory, then rename), so a reader
// never sees a partial image. It fails, naming path, when there are no series, when a series is
// empty or has no finite point, or when X and Y lengths differ.
func LineChart(path, title, xLabel, yLabel string, series []Series) error {
	img, _, err := renderLineChart(title, xLabel, yLabel, series)
	if err == nil {
		err = writePNGAtomic(path, img)
	}
	if err != nil {
		return fmt.Errorf("plots: line chart %s: %w", path, err)
	}
	return nil
}

// seriesColor returns the colour of the i-th series: the palette, then golden-ratio hues.
func seriesColor(i int) color.RGBA {
	if i < len(palette) {
		return palette[i]
	}
	h := math.Mod(float64(i-len(palette))*0.618033988749895+0.05, 1)
	return hsv(h, 0.75, 0.8)
}

// hsv converts hue, saturation and value in [0, 1] to an opaque colour.
func hsv(h, s, v float64) color.RGBA {
	h6 := h * 6
	sector := int(h6) % 6
	f := h6 - math.Floor(h6)
	p, q, t := v*(1-s), v*(1-s*f), v*(1-s*(1-f))
	var r, g, b float64
	switch sector {
	case 0:
		r, g, b = v, t, p
	case 1:
		r, g, b = q, v, p
	case 2:
		r, g, b = p, v, t
	case 3:
		r, g, b = p, q, v
	case 4:
		r, g, b = t, p, v
	default:
		r, g, b = v, p, q
	}
	return color.RGBA{uint8(r*255 + 0.5), uint8(g*255 + 0.5), uint8(b*255 + 0.5), 255}
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// dataBounds checks the series and returns the range of their finite points.
func dataBounds(series []Series) (xLo, xHi, yLo, yHi float64, err error) {
	if len(series) == 0 {
		return 0, 0, 0, 0, errors.New("no series to plot")
	}
	xLo, yLo = math.Inf(1), math.Inf(1)
	xHi, yHi = math.Inf(-1), math.Inf(-1)
	for i, s := range series {
		if len(s.X) != len(s.Y) {
			return 0, 0, 0, 0, fmt.Errorf("series %d (%q) has %d x values but %d y values", i, s.Name, len(s.X), len(s.Y))
		}
		if len(s.X) == 0 {
			return 0, 0, 0, 0, fmt.Errorf("series %d (%q) is empty", i, s.Name)
		}
		n := 0
		for j := range s.X {
			x, y := s.X[j], s.Y[j]
			if !finite(x) || !finite(y) {
				continue
			}
			n++
			xLo, xHi = min(xLo, x), max(xHi, x)
			yLo, yHi = min(yLo, y), max(yHi, y)
		}
		if n == 0 {
			return 0, 0, 0, 0, fmt.Errorf("series %d (%q) has no finite points (all %d are NaN or ±Inf)", i, s.Name, len(s.X))
		}
	}
	return xLo, xHi, yLo, yHi, nil
}

// renderLineChart draws the chart and also returns the plot area (frame included), which tests
// use to look for curves away from the legend.
func renderLineChart(title, xLabel, yLabel string, series []Series) (*image.RGBA, image.Rectangle, error) {
	xLo, xHi, yLo, yHi, err := dataBounds(series)
	if err != nil {
		return nil, image.Rectangle{}, err
	}
	img := image.NewRGBA(image.Rect(0, 0, chartWidth, chartHeight))
	fillRect(img, img.Rect, background)
	lineH := textHeight(textScale)

	// Vertical layout: title, plot, x tick labels, x label.
	tScale := titleScale
	if textWidth(title, tScale) > chartWidth-2*margin {
		tScale = textScale
	}
	title = truncate(title, (chartWidth-2*margin+1)/(glyphAdvance*tScale))
	top := margin
	if title != "" {
		top += textHeight(tScale) + margin
	}
	bottom := chartHeight - margin
	if xLabel != "" {
		bottom -= lineH + labelGap
	}
	bottom -= lineH + tickGap + tickLen

	// The y ticks fix the width of their labels and so the left edge of the plot.
	yAxis, err := niceAxis(yLo, yHi, min(maxYIntervals, max(2, (bottom-top)/minYTickSpacing)))
	if err != nil {
		return nil, image.Rectangle{}, fmt.Errorf("y axis: %w", err)
	}
	yLabels := tickLabels(yAxis)
	left := margin
	if yLabel != "" {
		left += lineH + labelGap
	}
	maxYLabel := 0
	for _, l := range yLabels {
		maxYLabel = max(maxYLabel, textWidth(l, textScale))
	}
	left += maxYLabel + tickGap + tickLen

	// The legend, right of the plot, fixes its right edge.
	names := make([]string, len(series))
	showLegend := false
	legendW := 0
	for i, s := range series {
		names[i] = truncate(s.Name, maxLegendChars)
		showLegend = showLegend || s.Name != ""
		legendW = max(legendW, textWidth(names[i], textScale))
	}
	right := chartWidth - margin - 1
	if showLegend {
		legendW += 2*legendPad + legendSwatch + legendPad
		right -= legendW + margin
	}
	xAxis, xLabels, err := chooseXAxis(xLo, xHi, right-left)
	if err != nil {
		return nil, image.Rectangle{}, err
	}
	// The last x label is centred on the right edge of the plot: without a legend beside it, make
	// room for its right half.
	if over := right + textWidth(xLabels[len(xLabels)-1], textScale)/2 - (chartWidth - 1); over > 0 {
		right -= over
		if xAxis, xLabels, err = chooseXAxis(xLo, xHi, right-left); err != nil {
			return nil, image.Rectangle{}, err
		}
	}
	plot := image.Rect(left, top, right+1, bottom+1)

	px := func(x float64) int {
		return left + int(math.Round((x-xAxis.Lo)/(xAxis.Hi-xAxis.Lo)*float64(right-left)))
	}
	py := func(y float64) int {
		return bottom - int(math.Round((y-yAxis.Lo)/(yAxis.Hi-yAxis.Lo)*float64(bottom-top)))
	}

	// Grid and frame first, so curves lying on the axis bounds are drawn over them.
	for _, t := range xAxis.Ticks {
		fillRect(img, image.Rect(px(t), top, px(t)+1, bottom+1), gridColor)
	}
	for _, t := range yAxis.Ticks {
		fillRect(img, image.Rect(left, py(t), right+1, py(t)+1), gridColor)
	}
	strokeRect(img, plot, ink)

	for i, s := range series {
		c := seriesColor(i)
		for j := range s.X {
			if !finite(s.X[j]) || !finite(s.Y[j]) {
				continue
			}
			x, y := px(s.X[j]), py(s.Y[j])
			prevOK := j > 0 && finite(s.X[j-1]) && finite(s.Y[j-1])
			nextOK := j+1 < len(s.X) && finite(s.X[j+1]) && finite(s.Y[j+1])
			if prevOK {
				drawLine(img, plot, px(s.X[j-1]), py(s.Y[j-1]), x, y, c)
			} else if !nextOK {
				fillDisc(img, plot, x, y, dotRadius, c)
			}
		}
	}

	// Ticks and their labels.
	for i, t := range xAxis.Ticks {
		x := px(t)
		fillRect(img, image.Rect(x, bottom+1, x+1, bottom+1+tickLen), ink)
		w := textWidth(xLabels[i], textScale)
		drawText(img, xLabels[i], min(max(x-w/2, 0), chartWidth-w), bottom+1+tickLen+tickGap, textScale, ink, false)
	}
	for i, t := range yAxis.Ticks {
		y := py(t)
		fillRect(img, image.Rect(left-tickLen, y, left, y+1), ink)
		w := textWidth(yLabels[i], textScale)
		// Centre the glyph body (descenders aside) on the tick.
		drawText(img, yLabels[i], left-tickLen-tickGap-w, y-glyphH*textScale/2, textScale, ink, false)
	}

	// Title and axis labels, centred on the plot (the title on the image).
	if title != "" {
		drawText(img, title, (chartWidth-textWidth(title, tScale))/2, margin, tScale, ink, false)
	}
	if xLabel != "" {
		xLabel = truncate(xLabel, (right-left)/(glyphAdvance*textScale))
		drawText(img, xLabel, (left+right-textWidth(xLabel, textScale))/2, chartHeight-margin-lineH, textScale, ink, false)
	}
	if yLabel != "" {
		yLabel = truncate(yLabel, (bottom-top)/(glyphAdvance*textScale))
		drawText(img, yLabel, margin, (top+bottom+textWidth(yLabel, textScale))/2, textScale, ink, true)
	}

	if showLegend {
		drawLegend(img, image.Rect(right+1+margin, top, chartWidth-margin, bottom+1), names, false)
	}
	return img, plot, nil
}

// chooseXAxis returns the x axis with the most ticks (up to maxXIntervals intervals) whose labels
// fit along width pixels without touching.
func chooseXAxis(lo, hi float64, width int) (axis, []string, error) {
	for n := maxXIntervals; ; n-- {
		a, err := niceAxis(lo, hi, n)
		if err != nil {
			return axis{}, nil, fmt.Errorf("x axis: %w", err)
		}
		labels := tickLabels(a)
		widest := 0
		for _, l := range labels {
			widest = max(widest, textWidth(l, textScale))
		}
		if n <= 2 || float64(width)/float64(len(labels)-1) >= float64(widest+minTickSpacing) {
			return a, labels, nil
		}
	}
}

// drawLegend draws one row per series (a colour swatch and its name) in a framed box at the top
// of area, dropping the rows that do not fit in favour of a "+N more" line. The swatch is a line
// segment, or a dot when dots is set (scatter plots).
func drawLegend(img *image.RGBA, area image.Rectangle, names []string, dots bool) {
	rowH := textHeight(textScale) + legendRowGap
	fit := (area.Dy() - 2*legendPad) / rowH
	shown := len(names)
	if shown > fit {
		shown = max(0, fit-1)
	}
	rows := shown
	if shown < len(names) {
		rows++
	}
	box := image.Rect(area.Min.X, area.Min.Y, area.Max.X, area.Min.Y+2*legendPad+rows*rowH-legendRowGap)
	strokeRect(img, box, ink)
	textX := box.Min.X + legendPad + legendSwatch + legendPad
	for i := range shown {
		y := box.Min.Y + legendPad + i*rowH
		mid := y + glyphH*textScale/2
		if dots {
			fillDisc(img, box, box.Min.X+legendPad+legendSwatch/2, mid, dotRadius, seriesColor(i))
		} else {
			fillRect(img, image.Rect(box.Min.X+legendPad, mid-1, box.Min.X+legendPad+legendSwatch, mid+2), seriesColor(i))
		}
		drawText(img, names[i], textX, y, textScale, ink, false)
	}
	if shown < len(names) {
		y := box.Min.Y + legendPad + shown*rowH
		drawText(img, fmt.Sprintf("+%d more", len(names)-shown), textX, y, textScale, ink, false)
	}
}

// truncate shortens s to at most n characters, marking the cut with "..".
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if n <= 2 {
		return string(r[:max(0, n)])
	}
	return string(r[:n-2]) + ".."
}

func fillRect(img *image.RGBA, r image.Rectangle, c color.RGBA) {
	r = r.Intersect(img.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			img.SetRGBA(x, y, c)
		}
	}
}

// strokeRect draws the one-pixel outline of r (its last row and column are r.Max-1).
func strokeRect(img *image.RGBA, r image.Rectangle, c color.RGBA) {
	fillRect(img, image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+1), c)
	fillRect(img, image.Rect(r.Min.X, r.Max.Y-1, r.Max.X, r.Max.Y), c)
	fillRect(img, image.Rect(r.Min.X, r.Min.Y, r.Min.X+1, r.Max.Y), c)
	fillRect(img, image.Rect(r.Max.X-1, r.Min.Y, r.Max.X, r.Max.Y), c)
}

// drawLine draws a lineWidth-thick segment with Bresenham's algorithm, clipped to clip. No
// anti-aliasing: every curve pixel has exactly its series' colour.
func drawLine(img *image.RGBA, clip image.Rectangle, x0, y0, x1, y1 int, c color.RGBA) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := 1, 1
	if x0 > x1 {
		sx = -1
	}
	if y0 > y1 {
		sy = -1
	}
	e := dx + dy
	for {
		fillRect(img, image.Rect(x0, y0, x0+lineWidth, y0+lineWidth).Intersect(clip), c)
		if x0 == x1 && y0 == y1 {
			return
		}
		if e2 := 2 * e; e2 >= dy {
			e += dy
			x0 += sx
		} else {
			e += dx
			y0 += sy
		}
	}
}

// fillDisc draws a filled disc of radius r centred on (cx, cy), clipped to clip.
func fillDisc(img *image.RGBA, clip image.Rectangle, cx, cy, r int, c color.RGBA) {
	for y := cy - r; y <= cy+r; y++ {
		for x := cx - r; x <= cx+r; x++ {
			if (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r && (image.Point{X: x, Y: y}).In(clip) {
				img.SetRGBA(x, y, c)
			}
		}
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// writePNGAtomic encodes img to a temporary file next to path and renames it into place.
func writePNGAtomic(path string, img image.Image) error {
	return atomicfile.Write(path, func(w io.Writer) error { return png.Encode(w, img) })
}

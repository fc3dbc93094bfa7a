package plots

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
)

// Heatmap geometry, in pixels.
const (
	heatCellMinW = 90 // wide enough for "0.123" at textScale with padding
	heatCellH    = 50
	heatCellPad  = 8
	// heatMaxTitleW caps how far a long title widens the image; longer titles are cut.
	heatMaxTitleW = 1200
)

// viridis anchors (matplotlib's "viridis" at 0, ¼, ½, ¾, 1): perceptually uniform and readable
// by colour-blind readers; the map is linear between anchors.
var viridis = []color.RGBA{
	{0x44, 0x01, 0x54, 255}, {0x3b, 0x52, 0x8b, 255}, {0x21, 0x91, 0x8c, 255},
	{0x5e, 0xc9, 0x62, 255}, {0xfd, 0xe7, 0x25, 255},
}

// missingCell is the colour of a cell without a value.
var missingCell = color.RGBA{235, 235, 235, 255}

// Heatmap writes a PNG grid of coloured cells to path: values[i][j] is drawn in row i (labelled
// yTicks[i], first row at the top) and column j (labelled xTicks[j]), coloured on the viridis map
// from the smallest finite value (dark purple) to the largest (yellow), with the value printed
// in the cell to three decimals. NaN or infinite values leave the cell grey with "n/a". Cells
// widen to fit their labels. The file is written atomically, as LineChart's. It fails, naming
// path, when there are no ticks or values does not have len(yTicks) rows of len(xTicks) values.
func Heatmap(path, title, xLabel, yLabel string, xTicks, yTicks []string, values [][]float64) error {
	img, _, err := renderHeatmapLayout(title, xLabel, yLabel, xTicks, yTicks, values)
	if err == nil {
		err = writePNGAtomic(path, img)
	}
	if err != nil {
		return fmt.Errorf("plots: heatmap %s: %w", path, err)
	}
	return nil
}

// heatColor maps t ∈ [0, 1] onto viridis.
func heatColor(t float64) color.RGBA {
	t = math.Max(0, math.Min(1, t))
	pos := t * float64(len(viridis)-1)
	i := min(int(pos), len(viridis)-2)
	f := pos - float64(i)
	a, b := viridis[i], viridis[i+1]
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + f*(float64(y)-float64(x)))) }
	return color.RGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 255}
}

// textOn picks black or white text for legibility on background c (ITU-R BT.601 luma).
func textOn(c color.RGBA) color.RGBA {
	if 0.299*float64(c.R)+0.587*float64(c.G)+0.114*float64(c.B) > 128 {
		return ink
	}
	return background
}

func heatCellText(v float64) string {
	if !finite(v) {
		return "n/a"
	}
	return fmt.Sprintf("%.3f", v)
}

// heatLayout is where the cells of a heatmap lie: cell (i, j) has its top-left corner at
// (Left + j·CellW, Top + i·CellH).
type heatLayout struct {
	Left, Top, CellW, CellH int
}

func renderHeatmapLayout(title, xLabel, yLabel string, xTicks, yTicks []string, values [][]float64) (*image.RGBA, heatLayout, error) {
	var lay heatLayout
	if len(xTicks) == 0 || len(yTicks) == 0 {
		return nil, lay, errors.New("no x or y ticks")
	}
	if len(values) != len(yTicks) {
		return nil, lay, fmt.Errorf("%d rows of values for %d y ticks", len(values), len(yTicks))
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	cellTextW := 0
	for i, row := range values {
		if len(row) != len(xTicks) {
			return nil, lay, fmt.Errorf("values[%d] has %d values for %d x ticks", i, len(row), len(xTicks))
		}
		for _, v := range row {
			if finite(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
			cellTextW = max(cellTextW, textWidth(heatCellText(v), textScale))
		}
	}
	for _, x := range xTicks {
		cellTextW = max(cellTextW, textWidth(x, textScale))
	}
	lineH := textHeight(textScale)
	lay.CellW = max(heatCellMinW, cellTextW+2*heatCellPad)
	// Cells grow taller when the vertical y label would not fit beside the grid.
	lay.CellH = max(heatCellH, (textWidth(yLabel, textScale)+len(yTicks)-1)/len(yTicks))

	maxYTick := 0
	for _, y := range yTicks {
		maxYTick = max(maxYTick, textWidth(y, textScale))
	}
	lay.Left = margin + maxYTick + tickGap + tickLen
	if yLabel != "" {
		lay.Left += lineH + labelGap
	}
	gridW, gridH := len(xTicks)*lay.CellW, len(yTicks)*lay.CellH
	// Wide enough for the title at text size, up to heatMaxTitleW.
	width := max(lay.Left+gridW+margin, min(textWidth(title, textScale)+glyphAdvance*textScale, heatMaxTitleW)+2*margin)
	tScale := titleScale
	if textWidth(title, tScale) > width-2*margin {
		tScale = textScale
	}
	title = truncate(title, (width-2*margin+1)/(glyphAdvance*tScale))
	lay.Top = margin
	if title != "" {
		lay.Top += textHeight(tScale) + margin
	}
	height := lay.Top + gridH + tickLen + tickGap + lineH + margin
	if xLabel != "" {
		height += lineH + labelGap
	}

	img := image.NewRGBA(image.Rect(0, 0, width, height))
	fillRect(img, img.Rect, background)
	if title != "" {
		drawText(img, title, (width-textWidth(title, tScale))/2, margin, tScale, ink, false)
	}
	for i, row := range values {
		for j, v := range row {
			cell := image.Rect(lay.Left+j*lay.CellW, lay.Top+i*lay.CellH, lay.Left+(j+1)*lay.CellW, lay.Top+(i+1)*lay.CellH)
			c := missingCell
			if finite(v) {
				t := 0.5 // all values equal: the middle colour
				if hi > lo {
					t = (v - lo) / (hi - lo)
				}
				c = heatColor(t)
			}
			fillRect(img, cell, c)
			s := heatCellText(v)
			drawText(img, s, cell.Min.X+(lay.CellW-textWidth(s, textScale))/2,
				cell.Min.Y+(lay.CellH-glyphH*textScale)/2, textScale, textOn(c), false)
		}
	}
	grid := image.Rect(lay.Left, lay.Top, lay.Left+gridW, lay.Top+gridH)
	strokeRect(img, grid, ink)
	for i, y := range yTicks {
		mid := lay.Top + i*lay.CellH + lay.CellH/2
		fillRect(img, image.Rect(lay.Left-tickLen, mid, lay.Left, mid+1), ink)
		drawText(img, y, lay.Left-tickLen-tickGap-textWidth(y, textScale), mid-glyphH*textScale/2, textScale, ink, false)
	}
	below := grid.Max.Y
	for j, x := range xTicks {
		mid := lay.Left + j*lay.CellW + lay.CellW/2
		fillRect(img, image.Rect(mid, below, mid+1, below+tickLen), ink)
		drawText(img, x, mid-textWidth(x, textScale)/2, below+tickLen+tickGap, textScale, ink, false)
	}
	if xLabel != "" {
		drawText(img, xLabel, lay.Left+(gridW-textWidth(xLabel, textScale))/2, below+tickLen+tickGap+lineH+labelGap, textScale, ink, false)
	}
	if yLabel != "" {
		drawText(img, yLabel, margin, grid.Min.Y+(grid.Dy()+textWidth(yLabel, textScale))/2, textScale, ink, true)
	}
	return img, lay, nil
}

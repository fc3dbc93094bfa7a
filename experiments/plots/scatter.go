package plots

import (
	"errors"
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"strconv"
)

// Scatter geometry, in pixels.
const (
	scatterWidth     = 700
	scatterHeight    = 600
	scatterDotRadius = 2 // a 5-pixel dot: small enough for thousands of points
)

// scatterOrderSeed fixes the drawing order of the points (see renderScatter).
const scatterOrderSeed = 0x5ca7

// Scatter writes a 700×600 PNG scatter plot of the n points (xy[2i], xy[2i+1]) to path, point i
// drawn as a small dot in the colour of labels[i] (the palette of LineChart), with a legend in
// which legend[k] names label k ("0", "1", … when legend is nil) and the title. It is meant for
// embeddings such as t-SNE maps, whose coordinates carry no meaning: there are no ticks, only a
// frame, and both axes share one scale so that distances are not distorted. Points are drawn in
// a fixed pseudo-random order, so that no label is always on top. Points with a NaN or infinite
// coordinate are skipped. The file is written atomically, as LineChart's. It fails, naming path,
// when len(xy) ≠ 2·len(labels), when there is no finite point, when a label is negative, or when
// legend is not nil and has no name for some label.
func Scatter(path, title string, xy []float64, labels []int, legend []string) error {
	img, _, err := renderScatter(title, xy, labels, legend)
	if err == nil {
		err = writePNGAtomic(path, img)
	}
	if err != nil {
		return fmt.Errorf("plots: scatter %s: %w", path, err)
	}
	return nil
}

// scatterNames checks labels against legend and returns the legend's entries, one per label.
func scatterNames(labels []int, legend []string) ([]string, error) {
	numLabels := 0
	for i, l := range labels {
		if l < 0 {
			return nil, fmt.Errorf("labels[%d] = %d, labels must be >= 0", i, l)
		}
		if legend != nil && l >= len(legend) {
			return nil, fmt.Errorf("labels[%d] = %d has no legend entry (legend has %d names)", i, l, len(legend))
		}
		numLabels = max(numLabels, l+1)
	}
	if legend != nil {
		return legend, nil
	}
	names := make([]string, numLabels)
	for k := range names {
		names[k] = strconv.Itoa(k)
	}
	return names, nil
}

// renderScatter draws the scatter plot and also returns the plot area (frame included).
func renderScatter(title string, xy []float64, labels []int, legend []string) (*image.RGBA, image.Rectangle, error) {
	if len(xy) != 2*len(labels) {
		return nil, image.Rectangle{}, fmt.Errorf("xy has %d values for %d labels, want 2 per point (%d)", len(xy), len(labels), 2*len(labels))
	}
	names, err := scatterNames(labels, legend)
	if err != nil {
		return nil, image.Rectangle{}, err
	}
	xLo, yLo := math.Inf(1), math.Inf(1)
	xHi, yHi := math.Inf(-1), math.Inf(-1)
	points := 0
	for i := range labels {
		x, y := xy[2*i], xy[2*i+1]
		if !finite(x) || !finite(y) {
			continue
		}
		points++
		xLo, xHi = min(xLo, x), max(xHi, x)
		yLo, yHi = min(yLo, y), max(yHi, y)
	}
	if points == 0 {
		return nil, image.Rectangle{}, errors.New("no finite points to plot")
	}

	img := image.NewRGBA(image.Rect(0, 0, scatterWidth, scatterHeight))
	fillRect(img, img.Rect, background)

	tScale := titleScale
	if textWidth(title, tScale) > scatterWidth-2*margin {
		tScale = textScale
	}
	title = truncate(title, (scatterWidth-2*margin+1)/(glyphAdvance*tScale))
	top := margin
	if title != "" {
		top += textHeight(tScale) + margin
	}
	bottom := scatterHeight - margin - 1
	right := scatterWidth - margin - 1
	shown := make([]string, len(names))
	legendW := 0
	for i, n := range names {
		shown[i] = truncate(n, maxLegendChars)
		legendW = max(legendW, textWidth(shown[i], textScale))
	}
	if len(names) > 0 {
		right -= 2*legendPad + legendSwatch + legendPad + legendW + margin
	}
	left := margin
	plot := image.Rect(left, top, right+1, bottom+1)

	// One scale for both axes, the data centred in the frame with a dot's room at the edges.
	inner := plot.Inset(1 + scatterDotRadius + 1)
	scale := math.Inf(1)
	if xHi > xLo {
		scale = float64(inner.Dx()-1) / (xHi - xLo)
	}
	if yHi > yLo {
		scale = min(scale, float64(inner.Dy()-1)/(yHi-yLo))
	}
	if math.IsInf(scale, 1) { // a single distinct point
		scale = 1
	}
	cx, cy := (xLo+xHi)/2, (yLo+yHi)/2
	midX, midY := float64(inner.Min.X+inner.Max.X-1)/2, float64(inner.Min.Y+inner.Max.Y-1)/2
	strokeRect(img, plot, ink)

	// A fixed permutation rather than index order: inputs sorted by label would otherwise paint
	// the last label over all others where clusters overlap.
	order := rand.New(rand.NewPCG(scatterOrderSeed, 0)).Perm(len(labels))
	for _, i := range order {
		x, y := xy[2*i], xy[2*i+1]
		if !finite(x) || !finite(y) {
			continue
		}
		px := int(math.Round(midX + (x-cx)*scale))
		py := int(math.Round(midY - (y-cy)*scale))
		fillDisc(img, plot.Inset(1), px, py, scatterDotRadius, seriesColor(labels[i]))
	}

	if title != "" {
		drawText(img, title, (scatterWidth-textWidth(title, tScale))/2, margin, tScale, ink, false)
	}
	if len(names) > 0 {
		drawLegend(img, image.Rect(right+1+margin, top, scatterWidth-margin, bottom+1), shown, true)
	}
	return img, plot, nil
}

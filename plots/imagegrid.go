package plots

import (
	"fmt"
	"image"
	"image/color"
	"math"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Image grid geometry, in PNG pixels.
const (
	gridMargin   = 16
	gridLabelGap = 12
	// gridTargetPx is the length the longer side of the grid is enlarged towards, by a whole
	// factor of at most gridMaxZoom, so the pixels stay square and sharp.
	gridTargetPx = 1000
	gridMaxZoom  = 8
)

// ImageGrid is a figure of Rows×Cols grey-scale H×W images as dark ink on white: Pixels holds
// the images row-major, image r·Cols+c at row r and column c, each row-major with values in
// [0, 1] (clipped; NaN is white). Row r is labelled RowLabels[r] (e.g. "cluster 0") when
// RowLabels is given. The grid is enlarged by a whole factor, so each image pixel is a square
// of PNG pixels.
type ImageGrid struct {
	Title            string
	Pixels           []float32
	Rows, Cols, H, W int
	RowLabels        []string
}

var _ Figure = ImageGrid{}

// Write writes the grid to base+".png" and base+".svg".
func (g ImageGrid) Write(base string) error { return writeFigure("image grid", base, g.layout) }

// Image returns the grid as written to the PNG.
func (g ImageGrid) Image() (image.Image, error) { return imageOf("image grid", g.layout) }

// GreyGrid draws rows×cols grey-scale h×w images (pixels row-major, image r·cols+c at row r,
// column c; values in [0, 1], clipped; NaN as 0) as dark ink on white: value v becomes grey
// level round(255·(1−v)). Each image sits in a cell with a 1-pixel white border, so the picture
// is cols·(w+2) × rows·(h+2) pixels.
func GreyGrid(pixels []float32, rows, cols, h, w int) (*image.Gray, error) {
	img, err := greyGrid(pixels, rows, cols, h, w)
	if err != nil {
		return nil, fmt.Errorf("plots: image grid: %w", err)
	}
	return img, nil
}

func greyGrid(pixels []float32, rows, cols, h, w int) (*image.Gray, error) {
	if rows < 1 || cols < 1 || h < 1 || w < 1 {
		return nil, fmt.Errorf("rows, cols, h, w = %d, %d, %d, %d, all must be >= 1", rows, cols, h, w)
	}
	if want := rows * cols * h * w; len(pixels) != want {
		return nil, fmt.Errorf("%d pixel values, want %d (%d×%d images of %d×%d)", len(pixels), want, rows, cols, h, w)
	}
	img := image.NewGray(image.Rect(0, 0, cols*(w+2), rows*(h+2)))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for r := range rows {
		for c := range cols {
			sample := pixels[(r*cols+c)*h*w:]
			for y := range h {
				for x := range w {
					v := float64(sample[y*w+x])
					if math.IsNaN(v) {
						v = 0
					}
					v = min(max(v, 0), 1)
					img.SetGray(c*(w+2)+1+x, r*(h+2)+1+y, color.Gray{Y: uint8(math.Round(255 * (1 - v)))})
				}
			}
		}
	}
	return img, nil
}

// enlarge repeats each pixel of img as a zoom×zoom square.
func enlarge(img *image.Gray, zoom int) *image.Gray {
	b := img.Bounds()
	big := image.NewGray(image.Rect(0, 0, b.Dx()*zoom, b.Dy()*zoom))
	for y := range big.Rect.Dy() {
		for x := range big.Rect.Dx() {
			big.Pix[y*big.Stride+x] = img.Pix[(y/zoom)*img.Stride+x/zoom]
		}
	}
	return big
}

func (g ImageGrid) layout() (*canvasFig, error) {
	grey, err := greyGrid(g.Pixels, g.Rows, g.Cols, g.H, g.W)
	if err != nil {
		return nil, err
	}
	if g.RowLabels != nil && len(g.RowLabels) != g.Rows {
		return nil, fmt.Errorf("RowLabels has %d labels for %d rows", len(g.RowLabels), g.Rows)
	}
	zoom := max(1, min(gridMaxZoom, gridTargetPx/max(grey.Rect.Dx(), grey.Rect.Dy())))
	big := enlarge(grey, zoom)

	// The layout is in whole pixels, so the image is drawn unscaled.
	toPx := func(l vg.Length) int { return int(math.Ceil(float64(l) * DPI / 72)) }
	pt := func(px int) vg.Length { return vg.Length(px) * 72 / DPI }
	labelSty := textStyle(labelSize)
	labelSty.XAlign, labelSty.YAlign = draw.XRight, draw.YCenter
	labelW := 0
	for _, l := range g.RowLabels {
		labelW = max(labelW, toPx(labelSty.Width(l)))
	}
	if labelW > 0 {
		labelW += gridLabelGap
	}
	titleSty := textStyle(titleSize)
	titleSty.XAlign, titleSty.YAlign = draw.XCenter, draw.YTop
	titleH := 0
	if g.Title != "" {
		titleH = toPx(titleSty.Height(g.Title)) + gridLabelGap
	}
	blockW := labelW + big.Rect.Dx()
	w := max(blockW, toPx(titleSty.Width(g.Title))) + 2*gridMargin
	h := titleH + big.Rect.Dy() + 2*gridMargin
	left := (w - blockW) / 2
	return &canvasFig{w: pt(w), h: pt(h), draw: func(c draw.Canvas) {
		c.SetColor(color.White)
		c.Fill(c.Rectangle.Path())
		if g.Title != "" {
			c.FillText(titleSty, vg.Point{X: pt(w) / 2, Y: pt(h - gridMargin)}, g.Title)
		}
		x0, y0 := left+labelW, gridMargin // bottom-left corner of the grid, y upwards
		c.DrawImage(vg.Rectangle{Min: vg.Point{X: pt(x0), Y: pt(y0)},
			Max: vg.Point{X: pt(x0 + big.Rect.Dx()), Y: pt(y0 + big.Rect.Dy())}}, big)
		for r, l := range g.RowLabels {
			mid := y0 + big.Rect.Dy() - (2*r+1)*(g.H+2)*zoom/2
			c.FillText(labelSty, vg.Point{X: pt(x0 - gridLabelGap), Y: pt(mid)}, l)
		}
	}}, nil
}

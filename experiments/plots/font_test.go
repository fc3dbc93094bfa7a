package plots

import (
	"image"
	"image/color"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGlyphShapes(t *testing.T) {
	for r, g := range glyphs {
		for row, line := range g {
			require.Len(t, line, glyphW, "glyph %q row %d", r, row)
			for _, ch := range line {
				require.Contains(t, "#.", string(ch), "glyph %q row %d", r, row)
			}
		}
	}
	// Everything tick labels and metric names are made of.
	for _, r := range "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-+e_:()/%" {
		assert.Contains(t, glyphs, r)
	}
}

func TestTextExtent(t *testing.T) {
	assert.Equal(t, 0, textWidth("", 2))
	assert.Equal(t, 2*(2*glyphAdvance-1), textWidth("ab", 2))
	assert.Equal(t, 2*(2*glyphAdvance-1), textWidth("éb", 2), "width counts characters, not bytes")

	black := color.RGBA{0, 0, 0, 255}
	inked := func(img *image.RGBA) image.Rectangle {
		var box image.Rectangle
		for y := img.Rect.Min.Y; y < img.Rect.Max.Y; y++ {
			for x := img.Rect.Min.X; x < img.Rect.Max.X; x++ {
				if img.RGBAAt(x, y) == black {
					box = box.Union(image.Rect(x, y, x+1, y+1))
				}
			}
		}
		return box
	}
	// "Hg" spans the full cell: H has ink in the top row, g in the bottom descender row.
	img := image.NewRGBA(image.Rect(0, 0, 60, 60))
	drawText(img, "Hg", 10, 5, 2, black, false)
	assert.Equal(t, image.Rect(10, 5, 10+textWidth("Hg", 2), 5+textHeight(2)), inked(img))
	// Vertical text turns the same box by 90°: it grows upwards from (x, y).
	img = image.NewRGBA(image.Rect(0, 0, 60, 60))
	drawText(img, "Hg", 5, 50, 2, black, true)
	assert.Equal(t, image.Rect(5, 51-textWidth("Hg", 2), 5+textHeight(2), 51), inked(img))
	// A character without a glyph is drawn as the fallback, not skipped.
	a, b := image.NewRGBA(image.Rect(0, 0, 20, 20)), image.NewRGBA(image.Rect(0, 0, 20, 20))
	drawText(a, "\u2603", 1, 1, 1, black, false)
	drawText(b, string(fallbackGlyph), 1, 1, 1, black, false)
	assert.Equal(t, b.Pix, a.Pix)
}

package plots

import (
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rings returns k groups of per points on small circles centred at (10k, 5k), labels sorted.
func rings(k, per int) (xy []float64, labels []int) {
	for c := range k {
		for j := range per {
			a := 2 * math.Pi * float64(j) / float64(per)
			xy = append(xy, 10*float64(c)+math.Cos(a), 5*float64(c)+math.Sin(a))
			labels = append(labels, c)
		}
	}
	return xy, labels
}

func TestScatterPNG(t *testing.T) {
	xy, labels := rings(3, 40)
	dir := t.TempDir()
	path := filepath.Join(dir, "map.png")
	legend := []string{"zero", "one", "two"}
	require.NoError(t, Scatter(path, "Latent map", xy, labels, legend))

	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	decoded, err := png.Decode(f)
	require.NoError(t, err)
	require.Equal(t, image.Rect(0, 0, scatterWidth, scatterHeight), decoded.Bounds())

	img, plot, err := renderScatter("Latent map", xy, labels, legend)
	require.NoError(t, err)
	for y := 0; y < scatterHeight; y += 5 {
		for x := 0; x < scatterWidth; x += 5 {
			r, g, b, _ := decoded.At(x, y).RGBA()
			want := img.RGBAAt(x, y)
			require.Equal(t, [3]uint32{uint32(want.R) * 0x101, uint32(want.G) * 0x101, uint32(want.B) * 0x101},
				[3]uint32{r, g, b}, "pixel (%d, %d)", x, y)
		}
	}
	legendArea := image.Rect(plot.Max.X, plot.Min.Y, scatterWidth, plot.Max.Y)
	for c := range 3 {
		col := seriesColor(c)
		// 40 points on a ring several dots wide: many pixels, however they overlap.
		assert.Greater(t, countColor(img, plot, col), 100, "label %d in the plot", c)
		assert.Greater(t, countColor(img, legendArea, col), 20, "label %d in the legend", c)
	}
	assert.Zero(t, countColor(img, img.Rect, seriesColor(3)), "no fourth label")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "the temporary file must be renamed, not left behind")
}

// TestScatterGeometry: the data's bounding box maps onto the frame with one scale on both axes,
// so the points keep their relative positions.
func TestScatterGeometry(t *testing.T) {
	// Four points at the corners of a 2×1 rectangle, each its own label.
	xy := []float64{0, 0, 2, 0, 0, 1, 2, 1}
	labels := []int{0, 1, 2, 3}
	img, plot, err := renderScatter("", xy, labels, nil)
	require.NoError(t, err)
	centre := func(c int) (float64, float64) {
		var sx, sy, n float64
		col := seriesColor(c)
		for y := plot.Min.Y; y < plot.Max.Y; y++ {
			for x := plot.Min.X; x < plot.Max.X; x++ {
				if img.RGBAAt(x, y) == col {
					sx, sy, n = sx+float64(x), sy+float64(y), n+1
				}
			}
		}
		require.Positive(t, n, "label %d drawn", c)
		return sx / n, sy / n
	}
	x0, y0 := centre(0)
	x1, y1 := centre(1)
	x2, y2 := centre(2)
	x3, y3 := centre(3)
	assert.InDelta(t, y0, y1, 0.5, "same data y, same row")
	assert.InDelta(t, x0, x2, 0.5, "same data x, same column")
	assert.Less(t, y2, y0, "larger y is higher in the image")
	assert.Greater(t, x1, x0)
	width, height := x1-x0, y0-y2
	assert.InDelta(t, 2, width/height, 0.02, "equal scales keep the 2:1 aspect")
	assert.InDelta(t, x3, x1, 0.5)
	assert.InDelta(t, y3, y2, 0.5)
	// The wide side spans the frame, less the dot margins.
	assert.Greater(t, width, float64(plot.Dx()-20))
}

func TestScatterSinglePointAndNonFinite(t *testing.T) {
	nan := math.NaN()
	img, plot, err := renderScatter("one", []float64{3, 4, nan, 1, 5, math.Inf(1)}, []int{1, 0, 0}, nil)
	require.NoError(t, err)
	disc := 0
	for dy := -scatterDotRadius; dy <= scatterDotRadius; dy++ {
		for dx := -scatterDotRadius; dx <= scatterDotRadius; dx++ {
			if dx*dx+dy*dy <= scatterDotRadius*scatterDotRadius {
				disc++
			}
		}
	}
	assert.Equal(t, disc, countColor(img, plot, seriesColor(1)), "the one finite point is one dot")
	assert.Zero(t, countColor(img, plot, seriesColor(0)), "non-finite points are skipped")
}

func TestScatterErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.png")
	nan := math.NaN()
	cases := []struct {
		name   string
		xy     []float64
		labels []int
		legend []string
		want   string
	}{
		{"no points", nil, nil, nil, "no finite points"},
		{"all NaN", []float64{nan, 1}, []int{0}, nil, "no finite points"},
		{"length mismatch", []float64{1, 2, 3}, []int{0, 1}, nil, "xy has 3 values for 2 labels"},
		{"negative label", []float64{1, 2, 3, 4}, []int{0, -1}, nil, "labels[1] = -1"},
		{"short legend", []float64{1, 2, 3, 4}, []int{0, 2}, []string{"a", "b"}, "labels[1] = 2 has no legend entry"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Scatter(path, "t", c.xy, c.labels, c.legend)
			require.Error(t, err)
			assert.Contains(t, err.Error(), path)
			assert.Contains(t, err.Error(), c.want)
			assert.NoFileExists(t, path)
		})
	}
}

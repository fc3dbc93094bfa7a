package runner

import (
	"image"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/clustergan/clustergan/backend"
	"github.com/clustergan/clustergan/layers"
	"github.com/clustergan/clustergan/objectives"
	"github.com/clustergan/clustergan/plots"
	"github.com/clustergan/clustergan/priors"
	"github.com/clustergan/clustergan/trainer"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tinyModel builds an untrained mixed-prior MLP ClusterGAN (dn = 3, K = 3) for data of the given
// shape; extra parameters override the defaults.
func tinyModel(t *testing.T, dataShape []int, extra map[string]any) *trainer.Model {
	t.Helper()
	ctx := trainer.NewContext(map[string]any{
		priors.ParamNoiseDim: 3, priors.ParamNumClusters: 3, priors.ParamSigma: 1.0,
		layers.ParamArchitecture: "mlp", layers.ParamMLPHidden: []int{8},
	}, extra)
	require.NoError(t, ctx.SetRNGStateFromSeed(1))
	m, err := trainer.NewModel(backend.ForTests(), ctx, dataShape)
	require.NoError(t, err)
	return m
}

func TestInterpolationLatents(t *testing.T) {
	const dn, k, steps = 3, 3, 5
	m := tinyModel(t, []int{4}, nil)
	sigma := 1.0 // tinyModel's prior_sigma
	within, across, err := interpolationLatents(m, steps, 7)
	require.NoError(t, err)
	dim := dn + k
	require.Len(t, within, k*steps*dim)
	require.Len(t, across, k*steps*dim)
	row := func(z []float32, r, j int) []float32 { return z[(r*steps+j)*dim : (r*steps+j+1)*dim] }

	a := row(within, 0, 0)[:dn]
	b := row(within, 0, steps-1)[:dn]
	assert.NotEqual(t, a, b, "two independent draws")
	for _, v := range append(slices.Clone(a), b...) {
		assert.Less(t, math.Abs(float64(v)), 6*sigma, "draws of N(0, σ²)")
	}
	for r := range k {
		for j := range steps {
			tt := float32(j) / (steps - 1)
			w, x := row(within, r, j), row(across, r, j)
			for i := range dn {
				assert.InDelta(t, (1-tt)*a[i]+tt*b[i], w[i], 1e-6, "within: z_n linear in t, same in every row")
				assert.Equal(t, a[i], x[i], "across: z_n fixed")
			}
			for c := range k {
				wantW, wantX := float32(0), float32(0)
				if c == r {
					wantW, wantX = 1, 1-tt
				}
				if c == (r+1)%k {
					wantX += tt
				}
				assert.Equal(t, wantW, w[dn+c], "within: z_c = e_%d", r)
				assert.InDelta(t, wantX, x[dn+c], 1e-7, "across row %d step %d code %d", r, j, c)
			}
		}
	}
	// The same seed reproduces the draws, another seed changes them.
	again, _, err := interpolationLatents(m, steps, 7)
	require.NoError(t, err)
	assert.Equal(t, within, again)
	other, _, err := interpolationLatents(m, steps, 8)
	require.NoError(t, err)
	assert.NotEqual(t, within, other)
}

func decodeGray(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	return img
}

// cell returns the pixels of the image at grid row r, column c of an h×w image grid.
func cell(img image.Image, r, c, h, w int) []uint32 {
	var out []uint32
	for y := range h {
		for x := range w {
			v, _, _, _ := img.At(c*(w+2)+1+x, r*(h+2)+1+y).RGBA()
			out = append(out, v)
		}
	}
	return out
}

// scrambleGenerator creates the generator's variables and redraws them from N(0, 1): its
// N(0, 0.02²) initial weights map every latent to nearly the same grey image, too flat to tell
// images apart after 8-bit quantisation.
func scrambleGenerator(t *testing.T, m *trainer.Model) {
	t.Helper()
	_, err := m.Generate(make([]float32, m.Spec.LatentDim))
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(5, 5))
	n := 0
	for v := range m.Ctx.InAbsPath(objectives.Generator).IterVariablesInScope() {
		values := make([]float32, v.Shape().Size())
		for i := range values {
			values[i] = float32(rng.NormFloat64())
		}
		require.NoError(t, v.SetValue(tensors.FromFlatDataAndDimensions(values, v.Shape().Dimensions...)))
		n++
	}
	require.Positive(t, n, "generator variables")
}

func TestWriteInterpolations(t *testing.T) {
	const h, w, k, steps = 4, 4, 3, 6
	m := tinyModel(t, []int{h, w, 1}, nil)
	scrambleGenerator(t, m)
	dir := t.TempDir()
	require.NoError(t, WriteInterpolations(m, dir, steps, 3))
	require.FileExists(t, filepath.Join(dir, InterpolationWithinFigure+".svg"))
	require.FileExists(t, filepath.Join(dir, InterpolationAcrossFigure+".svg"))
	// The figures' pictures are the grids of the generated images (plots.GreyGrid); the
	// latents and the generator give them, so compare those directly.
	withinZ, acrossZ, err := interpolationLatents(m, steps, 3)
	require.NoError(t, err)
	gen := func(z []float32) *image.Gray {
		x, err := m.Generate(z)
		require.NoError(t, err)
		img, err := plots.GreyGrid(x, k, steps, h, w)
		require.NoError(t, err)
		return img
	}
	within, across := gen(withinZ), gen(acrossZ)

	// The MLP generator has no batch norm, so equal latents give equal images wherever they sit
	// in the batch: across row r starts at [a, e_r] (within row r, column 0) and ends at
	// [a, e_{r+1}] (within row r+1, column 0). Both ends of a within row differ (a ≠ b).
	for r := range k {
		assert.Equal(t, cell(within, r, 0, h, w), cell(across, r, 0, h, w), "row %d start", r)
		assert.Equal(t, cell(within, (r+1)%k, 0, h, w), cell(across, r, steps-1, h, w), "row %d end", r)
		assert.NotEqual(t, cell(within, r, 0, h, w), cell(within, r, steps-1, h, w), "row %d moves", r)
	}

	t.Run("non-image data draws nothing", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, WriteInterpolations(tinyModel(t, []int{8}, nil), dir, steps, 3))
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		assert.Empty(t, entries)
	})
	t.Run("errors", func(t *testing.T) {
		err := WriteInterpolations(m, dir, 1, 3)
		require.ErrorContains(t, err, "steps = 1")
		gauss := tinyModel(t, []int{h, w, 1}, map[string]any{priors.ParamPrior: "gaussian"})
		require.ErrorContains(t, WriteInterpolations(gauss, dir, steps, 3), "no cluster code in z")
		missing := filepath.Join(dir, "nope")
		err = WriteInterpolations(m, missing, steps, 3)
		require.Error(t, err)
		assert.Contains(t, err.Error(), filepath.Join(missing, InterpolationWithinFigure))
	})
}

func TestWriteLatentMap(t *testing.T) {
	// Three groups of 20 points in 4 dimensions, 10 apart, each spread by less than 1.
	var x []float32
	var labels []int
	for i := range 60 {
		for d := range 4 {
			v := float32((i*7+d*3)%10) / 10
			if d == i%3 {
				v += 10
			}
			x = append(x, v)
		}
		labels = append(labels, i%3)
	}
	dir := t.TempDir()
	base := filepath.Join(dir, "latent_map")
	require.NoError(t, WriteLatentMap(base, "blobs", x, 4, labels, []string{"a", "b", "c"}, 500, 1))
	require.FileExists(t, base+".svg")
	img := decodeGray(t, base+".png")
	assert.Greater(t, img.Bounds().Dx(), 100)

	cases := []struct {
		name      string
		x         []float32
		dim       int
		labels    []int
		legend    []string
		maxPoints int
		want      string
	}{
		{"length mismatch", x[:len(x)-1], 4, labels, nil, 500, "239 latent values for 60 labels of dimension 4, want 240"},
		{"bad dim", x, 0, labels, nil, 500, "dim = 0"},
		{"too few maxPoints", x, 4, labels, nil, 3, "maxPoints = 3"},
		{"too few points", x[:12], 4, labels[:3], nil, 500, "3 points"},
		{"negative label", x, 4, append([]int{-1}, labels[1:]...), nil, 500, "labels[0] = -1"},
		{"short legend", x, 4, labels, []string{"a", "b"}, 500, "Names has 2 entries"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bad := filepath.Join(dir, "bad")
			err := WriteLatentMap(bad, "t", c.x, c.dim, c.labels, c.legend, c.maxPoints, 1)
			require.Error(t, err)
			assert.Contains(t, err.Error(), bad)
			assert.Contains(t, err.Error(), c.want)
			assert.NoFileExists(t, bad+".png")
		})
	}
}

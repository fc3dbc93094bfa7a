package runner

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"

	"github.com/clustergan/clustergan/evaluation/tsne"
	"github.com/clustergan/clustergan/experiments/plots"
	"github.com/clustergan/clustergan/priors"
	"github.com/clustergan/clustergan/trainer"
)

// Files written by WriteInterpolations.
const (
	InterpolationWithinFile = "interpolation_within.png"
	InterpolationAcrossFile = "interpolation_across.png"
)

// minLatentMapPoints is the fewest points t-SNE accepts: its perplexity must lie in
// [1, (n−1)/3].
const minLatentMapPoints = 4

// exactTSNEMaxPoints is the largest map embedded with exact t-SNE; above it Barnes–Hut is used.
const exactTSNEMaxPoints = 1000

// interpolationStream is the PCG stream of the interpolation draws, distinct from
// trainer.Model.GridLatents' so that the figures do not share its z_n.
const interpolationStream = 0x1e7

// WriteInterpolations writes two figures of a mixed-prior image model into dir, one cluster per
// row and steps columns (the paper's latent-space interpolations):
//   - InterpolationWithinFile: row k keeps z_c = e_k and moves z_n linearly from a to b, two
//     seeded draws of N(0, σ²I) shared by all rows, so a column has the same z_n in every row;
//   - InterpolationAcrossFile: row k keeps z_n = a and moves z_c from e_k to e_{(k+1) mod K},
//     z_c = (1−t)·e_k + t·e_{k+1}, which shows whether the generator switches between clusters
//     abruptly or morphs through them.
//
// Each figure is generated in one batch, as the sample grid (generators with batch norm use batch
// statistics also when sampling). Data that is not a grey-scale image ([H, W, 1]) has nothing
// to draw: nothing is written and the result is nil. It fails for steps < 2 and for a model
// whose prior is not priors.Mixed.
func WriteInterpolations(m *trainer.Model, dir string, steps int, seed int64) error {
	h, w, ok := greyImageShape(m.Spec.DataShape)
	if !ok {
		return nil
	}
	mixed, ok := m.Prior.(priors.Mixed)
	if !ok {
		return fmt.Errorf("interpolations: need the mixed prior (parameter %q), have %T", priors.ParamPrior, m.Prior)
	}
	if steps < 2 {
		return fmt.Errorf("interpolations: steps = %d, need at least 2 (both end points)", steps)
	}
	within, across := interpolationLatents(mixed, steps, seed)
	for _, fig := range []struct {
		file string
		z    []float32
	}{{InterpolationWithinFile, within}, {InterpolationAcrossFile, across}} {
		path := filepath.Join(dir, fig.file)
		x, err := m.Generate(fig.z)
		if err == nil {
			err = writeImageGrid(path, x, mixed.Clusters, steps, h, w)
		}
		if err != nil {
			return fmt.Errorf("interpolations: %s: %w", path, err)
		}
	}
	return nil
}

// interpolationLatents builds the latents of both interpolation figures, K·steps rows each in
// the priors.Mixed.Compose layout [z_n, z_c], row-major with row k·steps+j for cluster k and
// step j (t = j/(steps−1)).
func interpolationLatents(mixed priors.Mixed, steps int, seed int64) (within, across []float32) {
	rng := rand.New(rand.NewPCG(uint64(seed), interpolationStream))
	dn, k := mixed.NoiseSize, mixed.Clusters
	draw := func() []float64 {
		v := make([]float64, dn)
		for i := range v {
			v[i] = rng.NormFloat64() * mixed.Sigma
		}
		return v
	}
	a, b := draw(), draw()
	within = make([]float32, 0, k*steps*(dn+k))
	across = make([]float32, 0, k*steps*(dn+k))
	for r := range k {
		next := (r + 1) % k
		for j := range steps {
			t := float64(j) / float64(steps-1)
			for i := range dn {
				within = append(within, float32((1-t)*a[i]+t*b[i]))
			}
			for c := range k {
				within = append(within, float32(b2f(c == r)))
			}
			for i := range dn {
				across = append(across, float32(a[i]))
			}
			for c := range k {
				// With K = 1, next = r and the code stays e_r: (1−t) + t = 1.
				across = append(across, float32((1-t)*b2f(c == r)+t*b2f(c == next)))
			}
		}
	}
	return within, across
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// greyImageShape returns H and W of a grey-scale image data shape [H, W, 1].
func greyImageShape(shape []int) (h, w int, ok bool) {
	if len(shape) != 3 || shape[2] != 1 {
		return 0, 0, false
	}
	return shape[0], shape[1], true
}

// ImageGrid draws rows×cols grey-scale h×w images (x row-major, image r·cols+c at row r, column
// c; values in [0, 1], clipped) as dark ink on white, each in a cell with a 1-pixel white border.
func ImageGrid(x []float32, rows, cols, h, w int) (*image.Gray, error) {
	if want := rows * cols * h * w; len(x) != want {
		return nil, fmt.Errorf("image grid: %d values, want %d (%d×%d images of %d×%d)", len(x), want, rows, cols, h, w)
	}
	img := image.NewGray(image.Rect(0, 0, cols*(w+2), rows*(h+2)))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for r := range rows {
		for c := range cols {
			sample := x[(r*cols+c)*h*w : (r*cols+c+1)*h*w]
			for y := range h {
				for xx := range w {
					v := sample[y*w+xx]
					if math.IsNaN(float64(v)) {
						v = 0
					}
					v = min(max(v, 0), 1)
					img.SetGray(c*(w+2)+1+xx, r*(h+2)+1+y, color.Gray{Y: uint8(255 - 255*v)})
				}
			}
		}
	}
	return img, nil
}

// writeImageGrid writes ImageGrid's picture to path as a PNG.
func writeImageGrid(path string, x []float32, rows, cols, h, w int) error {
	img, err := ImageGrid(x, rows, cols, h, w)
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// WriteLatentMap draws a t-SNE map of latent vectors to path as a PNG scatter plot (the paper's
// Figure 3): latents holds n = len(labels) rows of dim values, row i coloured by labels[i] and
// named in the legend by legend[labels[i]] (nil: the label number). For instance generated
// latents coloured by the cluster that produced them, or encoded test images coloured by their
// true label. Above maxPoints rows, a subsample of maxPoints is drawn, stratified by label and
// reproducible from seed, which also seeds t-SNE. t-SNE uses the default perplexity (lowered to
// (n−1)/3 for small maps) and Barnes–Hut above 1000 points. It fails when the lengths disagree,
// dim < 1, maxPoints < 4, there are fewer than 4 rows, a label is negative, or the legend has no
// name for a label.
func WriteLatentMap(path, title string, latents []float32, dim int, labels []int, legend []string, maxPoints int, seed int64) error {
	xy, sub, err := latentMapEmbedding(latents, dim, labels, maxPoints, seed)
	if err == nil {
		err = plots.Scatter(path, title, xy, sub, legend)
	}
	if err != nil {
		return fmt.Errorf("latent map %s: %w", path, err)
	}
	return nil
}

// latentMapEmbedding checks WriteLatentMap's inputs, subsamples and embeds the rows, and returns
// the n'×2 embedding with the labels of its rows.
func latentMapEmbedding(latents []float32, dim int, labels []int, maxPoints int, seed int64) (xy []float64, subLabels []int, err error) {
	switch {
	case dim < 1:
		return nil, nil, fmt.Errorf("dim = %d, must be >= 1", dim)
	case len(latents) != len(labels)*dim:
		return nil, nil, fmt.Errorf("%d latent values for %d labels of dimension %d, want %d", len(latents), len(labels), dim, len(labels)*dim)
	case maxPoints < minLatentMapPoints:
		return nil, nil, fmt.Errorf("maxPoints = %d, must be >= %d", maxPoints, minLatentMapPoints)
	case len(labels) < minLatentMapPoints:
		return nil, nil, fmt.Errorf("%d points, t-SNE needs at least %d", len(labels), minLatentMapPoints)
	}
	for i, l := range labels {
		if l < 0 {
			return nil, nil, fmt.Errorf("labels[%d] = %d, labels must be >= 0", i, l)
		}
	}
	rows := stratifiedSample(labels, maxPoints, seed)
	x := make([]float32, 0, len(rows)*dim)
	subLabels = make([]int, len(rows))
	for i, r := range rows {
		x = append(x, latents[r*dim:(r+1)*dim]...)
		subLabels[i] = labels[r]
	}
	n := len(rows)
	cfg := tsne.Config{Seed: seed, Perplexity: min(tsne.DefaultPerplexity, float64(n-1)/3)}
	if n > exactTSNEMaxPoints {
		cfg.Theta = tsne.DefaultTheta
	}
	res, err := tsne.Embed(x, dim, cfg)
	if err != nil {
		return nil, nil, err
	}
	return res.Y, subLabels, nil
}

// stratifiedSample returns the sorted indices of at most maxPoints rows: all rows when they fit,
// otherwise from each label a share proportional to its count (largest remainders round, ties
// to the smaller label), drawn at random from seed.
func stratifiedSample(labels []int, maxPoints int, seed int64) []int {
	n := len(labels)
	if n <= maxPoints {
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		return all
	}
	groups := map[int][]int{}
	for i, l := range labels {
		groups[l] = append(groups[l], i)
	}
	keys := make([]int, 0, len(groups))
	for l := range groups {
		keys = append(keys, l)
	}
	slices.Sort(keys)
	quota := make(map[int]int, len(keys))
	type remainder struct {
		label int
		frac  float64
	}
	rems := make([]remainder, 0, len(keys))
	left := maxPoints
	for _, l := range keys {
		exact := float64(maxPoints) * float64(len(groups[l])) / float64(n)
		quota[l] = int(exact)
		left -= quota[l]
		rems = append(rems, remainder{l, exact - math.Floor(exact)})
	}
	slices.SortStableFunc(rems, func(a, b remainder) int {
		switch {
		case a.frac > b.frac:
			return -1
		case a.frac < b.frac:
			return 1
		}
		return 0
	})
	for i := 0; left > 0; i++ {
		quota[rems[i%len(rems)].label]++
		left--
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x57a7))
	var picked []int
	for _, l := range keys {
		g := groups[l]
		rng.Shuffle(len(g), func(i, j int) { g[i], g[j] = g[j], g[i] })
		picked = append(picked, g[:quota[l]]...)
	}
	slices.Sort(picked)
	return picked
}

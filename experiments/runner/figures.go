package runner

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"

	"github.com/clustergan/clustergan/datasets"
	"github.com/clustergan/clustergan/evaluation/tsne"
	"github.com/clustergan/clustergan/methods"
	"github.com/clustergan/clustergan/plots"
	"github.com/clustergan/clustergan/trainer"
)

// Figures a method with a generator gets in its directory (each as .png and .svg).
const (
	SamplesFigure             = "samples"
	InterpolationWithinFigure = "interpolation_within"
	InterpolationAcrossFigure = "interpolation_across"
	PriorMapFigure            = "latent_map_prior"
	EvalMapFigure             = "latent_map_test"
)

// minLatentMapPoints is the fewest points t-SNE accepts (tsne.MinMapPoints).
const minLatentMapPoints = tsne.MinMapPoints

// Streams of the figures' draws (PCG's second word), distinct from trainer.Model.GridLatents'
// so that the figures do not share its z_n.
const interpolationStream = 0x1e7

// writeMethodFigures draws what a method's outcome holds: for a model with a split prior on
// grey-scale images, the sample grid (one row per cluster) and the interpolations; for any
// model with a split prior, the t-SNE map of prior samples by cluster; and the t-SNE map of the
// vectors the method clustered, by true label.
func writeMethodFigures(env *methods.Env, out *methods.Outcome, eval *datasets.Dataset) error {
	mc, err := methods.ConfigFromContext(env.Ctx)
	if err != nil {
		return err
	}
	points := mc.LatentMapPoints
	if m := out.Model; m != nil {
		if _, k, split := m.Prior.Split(); split {
			if err := WriteSampleGrid(m, filepath.Join(env.Dir, SamplesFigure), 10, env.Seed); err != nil {
				return err
			}
			if err := WriteInterpolations(m, env.Dir, 10, env.Seed); err != nil {
				return err
			}
			if points >= minLatentMapPoints*k {
				perCluster := points / k
				z, err := m.GridLatents(perCluster, env.Seed)
				if err != nil {
					return err
				}
				clusters := make([]int, k*perCluster)
				for i := range clusters {
					clusters[i] = i / perCluster
				}
				title := fmt.Sprintf("t-SNE of %d prior samples z, by cluster z_c", len(clusters))
				if err := WriteLatentMap(filepath.Join(env.Dir, PriorMapFigure), title, z, m.Spec.LatentDim, clusters, clusterLabels(k), points, env.Seed); err != nil {
					return err
				}
			}
		}
	}
	if out.Features != nil && points >= minLatentMapPoints {
		n := min(points, eval.N())
		title := fmt.Sprintf("t-SNE of %s on %d evaluation examples, by true label", out.FeatureName, n)
		return WriteLatentMap(filepath.Join(env.Dir, EvalMapFigure), title, out.Features, out.FeatureDim, eval.Labels, nil, points, env.Seed)
	}
	return nil
}

// clusterLabels are the row labels of a figure with one row per cluster.
func clusterLabels(k int) []string {
	labels := make([]string, k)
	for i := range labels {
		labels[i] = fmt.Sprintf("cluster %d", i)
	}
	return labels
}

// WriteSampleGrid writes base.png/.svg: generated images with one row per cluster z_c and the
// same z_n down each column, so that a row shows what the generator draws for that cluster.
// Data that are not grey-scale images have nothing to draw: nothing is written.
func WriteSampleGrid(m *trainer.Model, base string, cols int, seed int64) error {
	h, w, ok := greyImageShape(m.Spec.DataShape)
	if !ok {
		return nil
	}
	z, err := m.GridLatents(cols, seed)
	if err != nil {
		return err
	}
	x, err := m.Generate(z)
	if err != nil {
		return err
	}
	k := m.Spec.NumClusters
	return plots.ImageGrid{Title: "Samples: one row per cluster z_c, one column per z_n", Pixels: x,
		Rows: k, Cols: cols, H: h, W: w, RowLabels: clusterLabels(k)}.Write(base)
}

// WriteInterpolations writes two figures of a model with a split prior on grey-scale images
// into dir, one cluster per row and steps columns (the paper's latent-space interpolations):
//   - InterpolationWithinFigure: row k keeps z_c = e_k and moves z_n linearly from a to b, two
//     seeded prior draws shared by all rows, so a column has the same z_n in every row;
//   - InterpolationAcrossFigure: row k keeps z_n = a and moves z_c from e_k to e_{(k+1) mod K},
//     z_c = (1−t)·e_k + t·e_{k+1}, which shows whether the generator switches between clusters
//     abruptly or morphs through them.
//
// Each figure is generated in one batch, as the sample grid (generators with batch norm use batch
// statistics also when sampling). Data that are not grey-scale images ([H, W, 1]) have nothing
// to draw: nothing is written. It fails for steps < 2 and for a prior without a split.
func WriteInterpolations(m *trainer.Model, dir string, steps int, seed int64) error {
	h, w, ok := greyImageShape(m.Spec.DataShape)
	if !ok {
		return nil
	}
	if steps < 2 {
		return fmt.Errorf("interpolations: steps = %d, need at least 2 (both end points)", steps)
	}
	within, across, err := interpolationLatents(m, steps, seed)
	if err != nil {
		return err
	}
	k := m.Spec.NumClusters
	for _, fig := range []struct {
		base, title string
		z           []float32
	}{
		{InterpolationWithinFigure, "Within each cluster: z_n from a to b, z_c fixed", within},
		{InterpolationAcrossFigure, "Across clusters: z_c from cluster k to k+1, z_n fixed", across},
	} {
		path := filepath.Join(dir, fig.base)
		x, err := m.Generate(fig.z)
		if err == nil {
			err = plots.ImageGrid{Title: fig.title, Pixels: x, Rows: k, Cols: steps, H: h, W: w, RowLabels: clusterLabels(k)}.Write(path)
		}
		if err != nil {
			return fmt.Errorf("interpolations: %s: %w", path, err)
		}
	}
	return nil
}

// interpolationLatents builds the latents of both interpolation figures, K·steps rows each in
// the split prior's layout [z_n, z_c], row-major with row k·steps+j for cluster k and step j
// (t = j/(steps−1)).
func interpolationLatents(m *trainer.Model, steps int, seed int64) (within, across []float32, err error) {
	dn, k, ok := m.Prior.Split()
	if !ok {
		return nil, nil, fmt.Errorf("interpolations: the prior (%T) has no cluster code in z", m.Prior)
	}
	rng := rand.New(rand.NewPCG(uint64(seed), interpolationStream))
	ends := make([]float32, 2*dn)
	m.Prior.SampleNoise(rng, ends)
	a, b := ends[:dn], ends[dn:]
	within = make([]float32, 0, k*steps*(dn+k))
	across = make([]float32, 0, k*steps*(dn+k))
	for r := range k {
		next := (r + 1) % k
		for j := range steps {
			t := float64(j) / float64(steps-1)
			for i := range dn {
				within = append(within, float32((1-t)*float64(a[i])+t*float64(b[i])))
			}
			for c := range k {
				within = append(within, float32(b2f(c == r)))
			}
			across = append(across, a...)
			for c := range k {
				// With K = 1, next = r and the code stays e_r: (1−t) + t = 1.
				across = append(across, float32((1-t)*b2f(c == r)+t*b2f(c == next)))
			}
		}
	}
	return within, across, nil
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

// WriteLatentMap draws a t-SNE map of latent vectors to base.png/.svg (the paper's Figure 3):
// latents holds n = len(labels) rows of dim values, row i coloured by labels[i] and named in the
// legend by legend[labels[i]] (nil: "label k"). Above maxPoints rows, a subsample of maxPoints
// is drawn, stratified by label and reproducible from seed, which also seeds t-SNE. t-SNE uses
// the default perplexity (lowered to (n−1)/3 for small maps) and Barnes–Hut above 1000 points.
func WriteLatentMap(base, title string, latents []float32, dim int, labels []int, legend []string, maxPoints int, seed int64) error {
	xy, sub, err := tsne.Map(latents, dim, labels, maxPoints, seed)
	if err == nil {
		err = plots.Scatter{Title: title, XLabel: "t-SNE 1", YLabel: "t-SNE 2", XY: xy, Labels: sub, Names: legend}.Write(base)
	}
	if err != nil {
		return fmt.Errorf("latent map %s: %w", base, err)
	}
	return nil
}

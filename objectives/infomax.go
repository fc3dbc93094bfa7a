package objectives

import (
	"fmt"

	"github.com/clustergan/clustergan/layers"
	"github.com/clustergan/clustergan/losses"
	"github.com/clustergan/clustergan/priors"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// The information-maximisation term, β_mi·losses.InfoMaxLoss (IMSAT, Hu et al. 2017) on a real
// batch x (losses.ParamBetaMI): E's cluster assignment of x is made confident, balanced over the
// K clusters and unchanged on augmented views of x. It is IMSAT's whole objective and one of
// ClusterGAN's optional real-data terms.
func init() {
	RegisterEncoderTerm(EncoderTerm{
		Name: "infomax", Param: losses.ParamBetaMI, Symbol: "β_mi", Rank: 20,
		Loss:  InfoMax(1).Loss,
		Check: checkInfoMax,
	})
}

// checkInfoMax reports settings and nets the information-maximisation term cannot work with.
func checkInfoMax(ctx *context.Context, nets *Nets) error {
	if nets.Spec.NumClusters < 1 {
		return fmt.Errorf("the information-maximisation term (IMSAT, or parameter %q > 0) needs an encoder with cluster logits: parameter %q must name a prior with clusters",
			losses.ParamBetaMI, priors.ParamPrior)
	}
	cfg, err := losses.ConfigFromContext(ctx)
	if err != nil {
		return err
	}
	warp := miWarp(cfg)
	if views := cfg.MIViews; warp == (layers.Affine{}) && views > 1 {
		return fmt.Errorf("parameter %q = %d needs a warp (%s, %s or %s > 0): without one the views are identical",
			losses.ParamMIViews, views, losses.ParamMIShift, losses.ParamMIRotation, losses.ParamMIScale)
	}
	if shape := nets.Spec.DataShape; warp != (layers.Affine{}) && shape != nil && len(shape) < 2 { // nil: not known yet
		return fmt.Errorf("parameters %s, %s, %s = %d, %g, %g warp images, but the data's examples have shape %v; set them to 0 for vector data",
			losses.ParamMIShift, losses.ParamMIRotation, losses.ParamMIScale, warp.MaxShift, warp.MaxRotation, warp.MaxScale,
			nets.Spec.DataShape)
	}
	return nil
}

func miWarp(cfg losses.Config) layers.Affine {
	return layers.Affine{MaxShift: cfg.MIShift, MaxRotation: cfg.MIRotation, MaxScale: cfg.MIScale}
}

// augmentedLogits returns E's logits on the augmented views of the real batch x that
// losses.InfoMaxLoss compares with logits = E(x): losses.ParamMIViews copies of x, each image
// warped on its own (shifted, rotated and scaled by up to losses.ParamMIShift, ParamMIRotation
// and ParamMIScale), and x + r_adv of virtual adversarial training when
// losses.ParamMIVATEpsilon > 0. With neither, the only view is x itself (its consistency term
// then has no gradient), which leaves the entropy terms.
func augmentedLogits(b *Batch, x, logits *graph.Node) []*graph.Node {
	ctx, spec := b.Ctx, b.Nets.Spec
	encode := func(x *graph.Node) *graph.Node {
		_, l := b.Nets.Arch.Encoder(ctx, spec, x)
		return l
	}
	cfg := losses.MustConfig(ctx)
	var views []*graph.Node
	if warp := miWarp(cfg); warp != (layers.Affine{}) {
		// All warped copies go through E as one batch (one pass with larger matrix products;
		// batch norm then uses statistics over all views).
		numWarped, batch := cfg.MIViews, b.Size
		img := graph.Reshape(graph.BroadcastPrefix(x, numWarped), append([]int{numWarped * batch}, spec.DataShape...)...)
		warped := encode(graph.Reshape(layers.RandomAffine(ctx, img, warp), numWarped*batch, x.Shape().Dimensions[1]))
		if numWarped == 1 {
			views = append(views, warped)
		} else { // a stack [views, batch, K]; slicing it apart would need Pad, which the pure-Go backend lacks
			views = append(views, graph.Reshape(warped, numWarped, batch, -1))
		}
	}
	if eps := cfg.MIVATEpsilon; eps > 0 {
		views = append(views, encode(losses.VirtualAdversarialView(ctx, encode, x, logits, eps)))
	}
	if len(views) == 0 {
		views = append(views, logits)
	}
	return views
}

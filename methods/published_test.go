package methods

import (
	"testing"

	"github.com/clustergan/clustergan/rundir"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/stretchr/testify/require"
)

// TestPublishedOnlyBesideThePublishedRecipe: the paper's numbers go beside a row only when the
// row ran the paper's recipe, with notes on what still differs.
func TestPublishedOnlyBesideThePublishedRecipe(t *testing.T) {
	paperRow := Row{Method: "clustergan", Recipe: "ClusterGAN", Inference: "k-means on E(x)"}
	ctx := DefaultContext()
	require.Nil(t, Published("mnist", paperRow, ctx), "the defaults are not the paper's nets")
	set := func(ctx *context.Context, text string) {
		_, err := rundir.ApplySettings(ctx, text, "test")
		require.NoError(t, err)
	}
	set(ctx, "architecture=conv; prior_noise_dim=30; prior_sigma=0.1; adversarial_loss=wgan-gp; n_critic=5; "+
		"critic_learning_rate=1e-4; generator_learning_rate=1e-4; batch_size=64; train_steps=40000")
	p := Published("mnist", paperRow, ctx)
	require.NotNil(t, p)
	require.Equal(t, 0.95, p.Values["purity"])
	require.Contains(t, p.Note, "published after 500000 iterations, this run 40000")
	require.Contains(t, p.Note, "NMI geometric")
	require.Contains(t, p.Note, "final weights, best run by validation purity")
	set(ctx, "model_selection=final; train_steps=500000")
	require.Equal(t, "NMI geometric", Published("mnist", paperRow, ctx).Note)

	// Another recipe, or another way of clustering, gets none.
	variant := paperRow
	variant.Recipe = "ClusterGAN + β_x"
	require.Nil(t, Published("mnist", variant, ctx))
	argmax := paperRow
	argmax.Inference = "argmax of E(x)"
	require.Nil(t, Published("mnist", argmax, ctx))
	set(ctx, "beta_n=0")
	require.Nil(t, Published("mnist", paperRow, ctx))

	kmeans := Row{Method: "kmeans", Recipe: RecipeKMeans}
	require.NotNil(t, Published("mnist", kmeans, DefaultContext()), "k-means with 10 restarts is scikit-learn's")
	quick := DefaultContext()
	set(quick, "kmeans_n_init=3")
	require.Nil(t, Published("mnist", kmeans, quick))
}

package runner

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/clustergan/clustergan/inference"
	"github.com/clustergan/clustergan/layers"
	"github.com/clustergan/clustergan/losses"
	"github.com/clustergan/clustergan/methods"
	"github.com/clustergan/clustergan/priors"
	"github.com/clustergan/clustergan/rundir"
	"github.com/clustergan/clustergan/trainer"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// PrintTable prints the results as an aligned table, with the recipe the rows share and the
// published numbers beside the rows that ran a published recipe.
func PrintTable(w io.Writer, r *rundir.Results, ctx *context.Context, preset string) {
	fmt.Fprintf(w, "%s, %s split (n=%d), seed %d", r.Dataset, r.Split, r.N, r.Seed)
	if r.Backend != "" {
		fmt.Fprintf(w, ", backend %s", r.Backend)
	}
	fmt.Fprintln(w)
	if ctx != nil {
		fmt.Fprintln(w, RecipeLine(ctx, preset))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "row\tACC\tpurity\tNMI\tNMI-g\tARI\tgen. agreement\ttrain\twall\tpublished")
	for _, row := range r.Rows {
		m := row.Metrics
		gen := "—"
		if row.Generation != nil {
			gen = fmt.Sprintf("%.3f", row.Generation.Agreement)
		}
		fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%s\t%s\t%s\t%s\n", row.Name, m.ACC, m.Purity, m.NMI, m.NMIGeometric, m.ARI,
			gen, seconds(row.TrainSeconds), seconds(row.WallSeconds), row.Published.String())
	}
	tw.Flush()
	fmt.Fprintln(w, `ACC: Hungarian (one-to-one) accuracy; purity: each cluster takes its majority label (the paper's "ACC");`)
	fmt.Fprintln(w, "NMI: arithmetic normalisation, NMI-g: geometric (scikit-learn < 0.22, as the paper's code);")
	fmt.Fprintln(w, "gen. agreement: generated samples of cluster k whose nearest training image has the class cluster k holds.")
}

// RecipeLine says what the GAN rows share: preset, nets, loss, schedule, prior and selection.
func RecipeLine(ctx *context.Context, preset string) string {
	get := func(p string) any { v, _ := ctx.GetParam(p); return v }
	var b strings.Builder
	if preset != "" {
		fmt.Fprintf(&b, "preset %s: ", preset)
	}
	fmt.Fprintf(&b, "%v nets", get(layers.ParamArchitecture))
	if nets, _ := layers.ConfigFromContext(ctx); len(nets.Encoder.ConvChannels) > 0 && nets.Architecture == "mlp" {
		fmt.Fprintf(&b, " (encoder with a conv stem %v)", nets.Encoder.ConvChannels)
	}
	fmt.Fprintf(&b, ", %v loss, %v critic step(s), %v iterations of batch %v, σ=%v, d_n=%v, selection %v",
		get(losses.ParamAdversarial), get(trainer.ParamNCritic), get(trainer.ParamSteps), get(trainer.ParamBatchSize),
		get(priors.ParamSigma), get(priors.ParamNoiseDim), get(methods.ParamSelection))
	if steps, ok := get(inference.ParamSteps).(int); ok {
		fmt.Fprintf(&b, ", %d decoding steps", steps)
	}
	return b.String()
}

func seconds(s float64) string {
	return time.Duration(s * float64(time.Second)).Round(100 * time.Millisecond).String()
}

package methods

import (
	"fmt"
	"io"
	"time"

	"github.com/clustergan/clustergan/evaluation"
	"github.com/clustergan/clustergan/inference"
	"github.com/clustergan/clustergan/objectives"
	"github.com/clustergan/clustergan/priors"
	"github.com/clustergan/clustergan/trainer"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// ganBP is one of the paper's GAN baselines (Mukherjee et al. 2019, Table 2): a GAN with a
// plain prior and no encoder (objectives.GAN), trained by the same trainer and settings as
// clustergan, whose latents of the evaluation split are recovered by back-propagation decoding
// (package inference) and clustered by k-means with K clusters. With adversarial_loss=wgan-gp,
// gan-bp is the paper's "WGAN-GP (backprop decoding)" row; with vanilla, the vanilla-GAN
// baseline. There is no model selection on validation data (decoding a split at every
// evaluation would cost more than training): the last weights are decoded.
type ganBP struct {
	name  string
	prior string
}

func init() {
	Register("gan-bp", ganBP{name: "gan-bp", prior: "gaussian"})
	// DeLiGAN-style Gaussian-mixture prior.
	Register("gmm-gan-bp", ganBP{name: "gmm-gan-bp", prior: "gmm"})
	// The uniform prior completes the paper's Figure 3 (latent maps of each prior).
	Register("uniform-gan-bp", ganBP{name: "uniform-gan-bp", prior: "uniform"})
}

func (b ganBP) overrides() map[string]any { return map[string]any{priors.ParamPrior: b.prior} }

// Validate implements Method.
func (b ganBP) Validate(ctx *context.Context) error {
	if err := validateTraining(ctx, b.overrides()); err != nil {
		return err
	}
	_, err := inference.ConfigFromContext(ctx)
	return err
}

// Params implements Method: the decoding settings are shared with clustergan-bp.
func (b ganBP) Params() []string { return nil }

// Run implements Method.
func (b ganBP) Run(env *Env) (*Outcome, error) {
	obj := objectives.GAN{}
	t, err := newTraining(env, b.name, obj, b.overrides())
	if err != nil {
		return nil, err
	}
	decCfg, err := inference.ConfigFromContext(t.ctx)
	if err != nil {
		return nil, err
	}
	pc, err := priors.ConfigFromContext(t.ctx)
	if err != nil {
		return nil, err
	}
	decCfg, err = inference.ForPlainPrior(decCfg, t.model.Prior.NoiseMeanSquare(), pc.Sigma)
	if err != nil {
		return nil, err
	}
	recipe := obj.Recipe(t.ctx)
	trainTime, err := t.run(env, b.prior+" prior, no encoder")
	if err != nil {
		return nil, err
	}
	res, decodeTime, err := decodeEval(env, b.name, t.model, decCfg)
	if err != nil {
		return nil, err
	}
	km, err := evaluation.KMeans(res.Z, t.model.Spec.LatentDim, t.kmeans)
	if err != nil {
		return nil, err
	}
	decoding := "back-prop decoding"
	if decCfg.Restarts > 1 {
		decoding = fmt.Sprintf("back-prop decoding (%d restarts)", decCfg.Restarts)
	}
	row := Row{Method: b.name, Recipe: recipe, Inference: decoding + ", k-means on z", Labels: km.Labels,
		Extra: map[string]any{
			"steps": t.tr.Step(), "decode_seconds": decodeTime.Seconds(), "decode_mean_loss": meanOf(res.Loss),
			"decode_steps": decCfg.Steps, "decode_lambda": decCfg.Lambda, "decode_learning_rate": decCfg.LearningRate,
			"inertia": km.Inertia,
		}}
	// Cluster k's class for the generation agreement: the evaluation examples whose recovered
	// latent lies in the prior's cluster k (gmm); priors without clusters have none.
	if assigned := clustersOf(t.model.Prior, res.Z, t.model.Spec.LatentDim); assigned != nil {
		if row.Generation, err = generationAgreement(env, t.model, assigned); err != nil {
			return nil, err
		}
	}
	if err := scoreRow(env, &row); err != nil {
		return nil, err
	}
	return &Outcome{Rows: []Row{row}, TrainTime: trainTime, Model: t.model,
		Features: res.Z, FeatureDim: t.model.Spec.LatentDim, FeatureName: "recovered z"}, nil
}

// decodeEval decodes the evaluation split, printing progress about every progressEvery.
func decodeEval(env *Env, name string, model *trainer.Model, cfg inference.Config) (*inference.Result, time.Duration, error) {
	const progressEvery = 10 * time.Second
	n := env.Eval.N()
	batches := (n + cfg.BatchSize - 1) / cfg.BatchSize
	out := env.Out
	if out == nil {
		out = io.Discard
	}
	fmt.Fprintf(out, "%s: back-prop decoding %d points (%d steps, lr %g, λ %g, clip %g, %d batches)\n",
		name, n, cfg.Steps, cfg.LearningRate, cfg.Lambda, cfg.Clip, batches)
	start, last := time.Now(), time.Now()
	cfg.Trace = func(batch, steps int, _ []float32) {
		if steps == cfg.Steps && time.Since(last) >= progressEvery {
			last = time.Now()
			fmt.Fprintf(out, "%s: decoded %d/%d batches in %s\n", name, batch+1, batches, time.Since(start).Round(time.Second))
		}
	}
	res, err := inference.Decode(model, env.Eval.X, cfg)
	if err != nil {
		return nil, 0, err
	}
	return res, time.Since(start), nil
}

func meanOf(x []float32) float64 {
	if len(x) == 0 {
		return 0
	}
	var s float64
	for _, v := range x {
		s += float64(v)
	}
	return s / float64(len(x))
}

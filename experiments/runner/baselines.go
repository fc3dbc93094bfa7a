package runner

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/clustergan/clustergan/evaluation"
	"github.com/clustergan/clustergan/inference"
	"github.com/clustergan/clustergan/layers"
	"github.com/clustergan/clustergan/losses"
	"github.com/clustergan/clustergan/priors"
	"github.com/clustergan/clustergan/trainer"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// The paper's GAN baselines (Mukherjee et al. 2019, Table 2): a GAN without an encoder, whose
// latents are recovered by back-propagation decoding (package inference) and then clustered
// with k-means. With adversarial_loss=wgan-gp, gan-bp is the paper's "WGAN-GP (backprop
// decoding)" row; with vanilla, the vanilla-GAN baseline.
//
// Each baseline builds its model in its own copy of the run's context with its own prior, so
// the shared context (and the methods that run after it) keep the run's settings.

// Row names of the baselines.
const (
	RowGANBP               = "gan-bp"
	RowGMMGANBP            = "gmm-gan-bp"
	RowUniformGANBP        = "uniform-gan-bp"
	RowClusterGANBPKMeans  = "clustergan-bp (kmeans on z)"
	RowClusterGANBPRestart = "clustergan-bp (restart)"
)

// Priors the baselines train with (names registered in package priors).
const (
	priorGaussian = "gaussian"
	priorGMM      = "gmm"
	priorUniform  = "uniform"
	priorMixed    = "mixed"
)

func init() {
	Register(RowGANBP, ganBP{name: RowGANBP, prior: priorGaussian})
	Register(RowGMMGANBP, ganBP{name: RowGMMGANBP, prior: priorGMM})
	// The uniform prior completes the paper's Figure 3 (latent maps of each prior).
	Register(RowUniformGANBP, ganBP{name: RowUniformGANBP, prior: priorUniform})
	Register("clustergan-bp", clusterGANBP{})
}

// withPrior returns a fresh context holding a copy of ctx's parameters (scoped ones included)
// with the prior replaced: a method's own model then never touches the shared run context.
func withPrior(ctx *context.Context, prior string) *context.Context {
	clone := context.New().Checked(false)
	ctx.EnumerateParams(func(scope, key string, value any) {
		clone.InAbsPath(scope).SetParam(key, value)
	})
	clone.SetParam(priors.ParamPrior, prior)
	return clone
}

// validateBaseline checks what a baseline reads: the GAN's settings under its prior (as
// clustergan validates them), k-means and the decoding settings.
func validateBaseline(ctx *context.Context, prior string) error {
	if err := clusterGANMethod.Validate(withPrior(ctx, prior)); err != nil {
		return err
	}
	_, err := inference.ConfigFromContext(ctx)
	return err
}

// ganBP is a GAN with a plain prior (gaussian or gmm) and no encoder: trained by the same
// trainer and settings as clustergan, decoded by plain back-propagation on the evaluation split,
// clustered by k-means with K clusters on the recovered latents.
//
// There is no model selection on validation data (decoding a split at every evaluation would
// cost more than training): the last weights are decoded.
type ganBP struct {
	name  string // method and row name
	prior string
}

// Validate implements Validator.
func (b ganBP) Validate(ctx *context.Context) error { return validateBaseline(ctx, b.prior) }

// Run implements Method.
func (b ganBP) Run(env *Env) (*Outcome, error) {
	ctx := withPrior(env.Ctx, b.prior)
	settings, err := readGANSettings(env, ctx)
	if err != nil {
		return nil, err
	}
	backend, cfg, kmCfg := settings.backend, settings.train, settings.kmeans
	decCfg, err := inference.ConfigFromContext(ctx)
	if err != nil {
		return nil, err
	}
	model, err := trainer.NewModel(backend, ctx, env.Data.Train.Shape)
	if err != nil {
		return nil, err
	}
	decCfg, err = PlainDecodeConfig(decCfg, model.Prior, context.GetParamOr(ctx, priors.ParamSigma, priors.DefaultSigma))
	if err != nil {
		return nil, err
	}

	t := &trainer.Trainer{
		Model: model, Config: cfg, TrainX: env.Data.Train.X, Dir: filepath.Join(env.Dir, "checkpoints"),
		Out: env.Out, Log: env.Log, NoEncoder: true,
	}
	if env.Resume {
		path, err := t.Restore()
		if err != nil {
			return nil, err
		}
		if path != "" {
			fmt.Fprintf(env.Out, "%s: resuming from %s (iteration %d)\n", b.name, path, t.Step())
		}
	}
	if t.Step() == 0 {
		if err := ctx.SetRNGStateFromSeed(env.Seed); err != nil {
			return nil, err
		}
	}
	fmt.Fprintf(env.Out, "%s: %s prior, no encoder; %d iterations, batch %d, %d critic step(s) per iteration, %s nets, %s loss\n",
		b.name, b.prior, cfg.Steps, cfg.BatchSize, cfg.NCritic, context.GetParamOr(ctx, layers.ParamArchitecture, "?"),
		context.GetParamOr(ctx, losses.ParamAdversarial, "?"))
	start := time.Now()
	if err := t.Train(); err != nil {
		return nil, err
	}
	trainTime := time.Since(start)

	res, decodeTime, err := decodeEval(env, b.name, model, decCfg)
	if err != nil {
		return nil, err
	}
	writeRecoveredLatentMap(env, b.name, res.Z, model.Spec.LatentDim)
	km, err := evaluation.KMeans(res.Z, model.Spec.LatentDim, kmCfg)
	if err != nil {
		return nil, err
	}
	row, err := resultRow(env, b.name, km.Labels, map[string]any{
		"steps": t.Step(), "decode_seconds": decodeTime.Seconds(), "decode_mean_loss": meanOf(res.Loss),
		"decode_lambda": decCfg.Lambda, "decode_learning_rate": decCfg.LearningRate, "inertia": km.Inertia,
	})
	if err != nil {
		return nil, err
	}
	return &Outcome{Rows: []Row{row}, TrainTime: trainTime}, nil
}

// PlainDecodeConfig adapts decoding settings stated for ClusterGAN's mixed prior, whose z_n has
// standard deviation mixedSigma, to a plain prior (gaussian or gmm), whose whole z is optimised.
// With s = rms(z)/mixedSigma, the prior's root-mean-square latent coordinate in units of
// mixedSigma, the learning rate is multiplied by s and λ divided by s²: the decoding problem
// in z/s is then the one the settings were chosen for (the same number of steps crosses the
// prior's range, and λ·mean(z²) weighs a typical latent as it weighs a typical z_n). Clipping is
// turned off, as inference.Config advises for these priors.
func PlainDecodeConfig(cfg inference.Config, prior priors.Prior, mixedSigma float64) (inference.Config, error) {
	if !(mixedSigma > 0) {
		return cfg, fmt.Errorf("parameter %q = %g: must be > 0", priors.ParamSigma, mixedSigma)
	}
	var meanSquare float64 // E[mean(z²)] under the prior
	switch p := prior.(type) {
	case priors.Gaussian:
		meanSquare = p.Sigma * p.Sigma
	case priors.GMM:
		var sum float64
		var n int
		for _, mu := range p.Means {
			for _, v := range mu {
				sum += v * v
				n++
			}
		}
		if n == 0 {
			return cfg, errors.New("gmm prior has no component means")
		}
		meanSquare = p.Sigma*p.Sigma + sum/float64(n)
	case priors.Uniform:
		// E[z²] for z ~ U(a, b); decoding keeps z inside [a, b] itself.
		meanSquare = (p.Low*p.Low + p.Low*p.High + p.High*p.High) / 3
	default:
		return cfg, fmt.Errorf("plain decoding: prior %T is not gaussian, uniform or gmm", prior)
	}
	s := math.Sqrt(meanSquare) / mixedSigma
	cfg.LearningRate *= s
	cfg.Lambda /= s * s
	cfg.Clip = 0
	return cfg, cfg.Validate()
}

// clusterGANBP decodes ClusterGAN's generator with the paper's modified back-propagation
// decoding (Algorithm 1: one restart per one-hot, the lowest loss wins) and reports k-means on
// the recovered [z_n, one-hot] and the chosen restart's cluster. It reuses the clustergan
// checkpoint of the same run directory when there is one (clustergan ran first with the mixed
// prior); otherwise it trains ClusterGAN in its own directory.
type clusterGANBP struct{}

// Validate implements Validator.
func (clusterGANBP) Validate(ctx *context.Context) error { return validateBaseline(ctx, priorMixed) }

// Run implements Method.
func (clusterGANBP) Run(env *Env) (*Outcome, error) {
	const name = "clustergan-bp"
	ctx := withPrior(env.Ctx, priorMixed)
	settings, err := readGANSettings(env, ctx)
	if err != nil {
		return nil, err
	}
	backend, k, cfg, kmCfg := settings.backend, settings.k, settings.train, settings.kmeans
	decCfg, err := inference.ConfigFromContext(ctx)
	if err != nil {
		return nil, err
	}

	var trainTime time.Duration
	// The clustergan method trains in env.Ctx: its checkpoint is a mixed-prior ClusterGAN only
	// if the run's prior is.
	path := ""
	if context.GetParamOr(env.Ctx, priors.ParamPrior, priors.DefaultPrior) == priorMixed {
		if path, err = finishedCheckpoint(filepath.Join(filepath.Dir(env.Dir), "clustergan", "checkpoints"), cfg.Steps); err != nil {
			return nil, err
		}
	}
	if path != "" {
		fmt.Fprintf(env.Out, "%s: reusing the run's clustergan model %s\n", name, path)
		if err := env.Log(map[string]any{"event": "reuse", "checkpoint": path}); err != nil {
			return nil, err
		}
	} else {
		fmt.Fprintf(env.Out, "%s: no finished clustergan model in this run, training one\n", name)
		own := *env
		own.Ctx = ctx
		outcome, err := clusterGANMethod.Run(&own)
		if err != nil {
			return nil, err
		}
		trainTime = outcome.TrainTime
		if path, err = finishedCheckpoint(filepath.Join(env.Dir, "checkpoints"), cfg.Steps); err != nil {
			return nil, err
		}
		if path == "" {
			return nil, fmt.Errorf("no checkpoint in %s after training", filepath.Join(env.Dir, "checkpoints"))
		}
	}

	// A fresh context whose variables come from the checkpoint as the generator creates them.
	decodeCtx := withPrior(env.Ctx, priorMixed)
	data, err := trainer.LoadCheckpoint(path)
	if err != nil {
		return nil, err
	}
	decodeCtx.SetLoader(data)
	model, err := trainer.NewModel(backend, decodeCtx, env.Data.Train.Shape)
	if err != nil {
		return nil, err
	}
	if model.Spec.NumClusters != k {
		return nil, fmt.Errorf("the prior has %d clusters but %d are evaluated: set prior_num_clusters and num_clusters alike",
			model.Spec.NumClusters, k)
	}
	res, decodeTime, err := decodeEval(env, name, model, decCfg)
	if err != nil {
		return nil, err
	}
	writeRecoveredLatentMap(env, name, res.Z, model.Spec.LatentDim)
	km, err := evaluation.KMeans(res.Z, model.Spec.LatentDim, kmCfg)
	if err != nil {
		return nil, err
	}
	extra := func() map[string]any {
		return map[string]any{"checkpoint": path, "decode_seconds": decodeTime.Seconds(), "decode_mean_loss": meanOf(res.Loss)}
	}
	kmRow, err := resultRow(env, RowClusterGANBPKMeans, km.Labels, extra())
	if err != nil {
		return nil, err
	}
	kmRow.Extra["inertia"] = km.Inertia
	restartRow, err := resultRow(env, RowClusterGANBPRestart, res.Cluster, extra())
	if err != nil {
		return nil, err
	}
	return &Outcome{Rows: []Row{kmRow, restartRow}, TrainTime: trainTime}, nil
}

// finishedCheckpoint returns the checkpoint of a finished training in dir: best.ckpt (the model
// the trainer ends with when it selects on validation data), else the latest step checkpoint if
// it reached steps iterations; "" if there is neither.
func finishedCheckpoint(dir string, steps int) (string, error) {
	best := filepath.Join(dir, "best.ckpt")
	if _, err := os.Stat(best); err == nil {
		return best, nil
	}
	latest, err := trainer.LatestCheckpoint(dir)
	if err != nil || latest == "" {
		return "", err
	}
	data, err := trainer.LoadCheckpoint(latest)
	if err != nil {
		return "", err
	}
	if data.Info.Step < steps {
		return "", nil
	}
	return latest, nil
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

// resultRow evaluates labels against the evaluation split and logs the result.
func resultRow(env *Env, row string, labels []int, extra map[string]any) (Row, error) {
	metrics, err := evaluation.Evaluate(labels, env.Eval.Labels)
	if err != nil {
		return Row{}, err
	}
	if err := env.Log(map[string]any{"event": "result", "row": row, "metrics": metrics}); err != nil {
		return Row{}, err
	}
	return Row{Method: row, Metrics: metrics, Labels: labels, Extra: extra}, nil
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

// writeRecoveredLatentMap draws the t-SNE map of the latents recovered for the evaluation split,
// coloured by true label (the paper's Figure 3 for this prior). A failure only prints a line.
func writeRecoveredLatentMap(env *Env, name string, z []float32, dim int) {
	points := context.GetParamOr(env.Ctx, ParamLatentMapPoints, 2000)
	if points < 4 {
		return
	}
	err := WriteLatentMap(filepath.Join(env.Dir, "latent_map_test.png"), name+": recovered z of evaluation data, by true label",
		z, dim, env.Eval.Labels, nil, points, env.Seed)
	if err != nil {
		fmt.Fprintf(env.Out, "%s: latent map not written: %v\n", name, err)
	}
}

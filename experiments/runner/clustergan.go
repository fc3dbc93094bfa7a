package runner

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/clustergan/clustergan/evaluation"
	"github.com/clustergan/clustergan/layers"
	"github.com/clustergan/clustergan/losses"
	"github.com/clustergan/clustergan/priors"
	"github.com/clustergan/clustergan/trainer"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// encoderMethod trains a GAN whose model clusters data by itself — ClusterGAN's encoder, or
// InfoGAN's Q head — and reports two rows: k-means on that output (the paper's protocol) and
// argmax of its logits. Both select the model by validation purity.
type encoderMethod struct {
	name                 string
	kmeansRow, argmaxRow string
	infoGAN              bool
}

var clusterGANMethod = encoderMethod{name: "clustergan", kmeansRow: RowClusterGANKMeans, argmaxRow: RowClusterGANArgmax}

func init() {
	Register("clustergan", clusterGANMethod)
	Register("infogan", encoderMethod{name: "infogan", kmeansRow: RowInfoGANKMeans, argmaxRow: RowInfoGANArgmax, infoGAN: true})
}

// Row names of the ClusterGAN and InfoGAN methods.
const (
	RowClusterGANKMeans = "clustergan (kmeans on E(x))"
	RowClusterGANArgmax = "clustergan (argmax)"
	RowInfoGANKMeans    = "infogan (kmeans on Q(x))"
	RowInfoGANArgmax    = "infogan (argmax Q)"
)

// ParamInfoGANSigma is the standard deviation of InfoGAN's continuous noise (float, default 1:
// InfoGAN's noise is not the small-σ ClusterGAN noise); > 0. Its categorical code is the mixed
// prior's one-hot over prior_num_clusters.
const ParamInfoGANSigma = "infogan_sigma"

// modelContext is the context the method's model lives in: the run's own for ClusterGAN, a copy
// with InfoGAN's noise for InfoGAN (so other methods keep the run's prior).
func (e encoderMethod) modelContext(ctx *context.Context) *context.Context {
	if !e.infoGAN {
		return ctx
	}
	ctx = withPrior(ctx, priorMixed)
	ctx.SetParam(priors.ParamSigma, context.GetParamOr(ctx, ParamInfoGANSigma, 1.0))
	return ctx
}

// encode returns the model's clustering output for x.
func (e encoderMethod) encode(m *trainer.Model, x []float32, batch int) (*trainer.Encoding, error) {
	if e.infoGAN {
		return m.Code(x, batch)
	}
	return m.Encode(x, batch)
}

// Validate checks the trainer's settings and that the prior, architecture and loss exist (and,
// for InfoGAN, that the architecture has a Q head).
func (e encoderMethod) Validate(ctx *context.Context) error {
	arch, err := layers.Get(context.GetParamOr(ctx, layers.ParamArchitecture, layers.DefaultArchitecture))
	if err != nil {
		return fmt.Errorf("parameter %q: %w", layers.ParamArchitecture, err)
	}
	if e.infoGAN {
		if sigma := context.GetParamOr(ctx, ParamInfoGANSigma, 1.0); sigma <= 0 {
			return fmt.Errorf("parameter %q: must be > 0, got %g", ParamInfoGANSigma, sigma)
		}
		if _, ok := arch.(layers.CriticWithCode); !ok {
			return fmt.Errorf("parameter %q: architecture %T has no InfoGAN Q head", layers.ParamArchitecture, arch)
		}
		ctx = e.modelContext(ctx)
	} else if context.GetParamOr(ctx, losses.ParamBetaN, 10.0) == 0 && context.GetParamOr(ctx, losses.ParamBetaC, 10.0) == 0 {
		return fmt.Errorf("parameters %q and %q are both 0: the encoder would have no loss to learn from",
			losses.ParamBetaN, losses.ParamBetaC)
	}
	if bx := context.GetParamOr(ctx, losses.ParamBetaX, losses.DefaultBetaX); !(bx >= 0) {
		return fmt.Errorf("parameter %q: must be ≥ 0, got %g", losses.ParamBetaX, bx)
	}
	if _, err := trainer.ConfigFromContext(ctx); err != nil {
		return err
	}
	if _, err := priors.New(ctx); err != nil {
		return err
	}
	if _, err := losses.Get(context.GetParamOr(ctx, losses.ParamAdversarial, "wgan-gp")); err != nil {
		return fmt.Errorf("parameter %q: %w", losses.ParamAdversarial, err)
	}
	_, err = KMeansConfig(ctx, 1, 0)
	return err
}

func (e encoderMethod) Run(env *Env) (*Outcome, error) {
	ctx := e.modelContext(env.Ctx)
	settings, err := readGANSettings(env, ctx)
	if err != nil {
		return nil, err
	}
	k, cfg, kmCfg := settings.k, settings.train, settings.kmeans
	model, err := trainer.NewModel(settings.backend, ctx, env.Data.Train.Shape)
	if err != nil {
		return nil, err
	}
	if model.Spec.NumClusters != k {
		return nil, fmt.Errorf("the prior has %d clusters but %d are evaluated: set prior_num_clusters and num_clusters alike",
			model.Spec.NumClusters, k)
	}
	withNoise := !e.infoGAN && context.GetParamOr(ctx, losses.ParamBetaN, 10.0) != 0

	t := &trainer.Trainer{
		Model: model, Config: cfg, TrainX: env.Data.Train.X, Dir: filepath.Join(env.Dir, "checkpoints"),
		Out: env.Out, Log: env.Log, InfoGAN: e.infoGAN,
	}
	var curve *accuracyCurve // set when the reported split is tracked for a time-to-accuracy curve
	if context.GetParamOr(ctx, ParamTrackEvalSplit, false) {
		curve = &accuracyCurve{}
		t.Log = curve.recorder(env.Log)
	}
	if val := env.Data.Validation; val != nil && val.N() > 0 && val.Labels != nil {
		// Model selection by validation purity, as the paper's protocol.
		t.Evaluate = func(m *trainer.Model, step int) (float64, map[string]float64, error) {
			rows, _, err := e.cluster(m, val.X, val.Labels, kmCfg, withNoise, cfg.EvalBatchSize)
			if err != nil {
				return 0, nil, err
			}
			metrics := map[string]float64{
				"val_purity": rows[0].Metrics.Purity, "val_nmi": rows[0].Metrics.NMI,
				"val_acc": rows[0].Metrics.ACC, "val_argmax_purity": rows[1].Metrics.Purity,
			}
			if curve != nil {
				// Logged for time-to-accuracy curves only; selection stays on validation.
				evalRows, _, err := e.cluster(m, env.Eval.X, env.Eval.Labels, kmCfg, withNoise, cfg.EvalBatchSize)
				if err != nil {
					return 0, nil, err
				}
				addEvalMetrics(metrics, evalRows)
			}
			return rows[0].Metrics.Purity, metrics, nil
		}
	} else if curve != nil {
		return nil, fmt.Errorf("parameter %q: tracking needs a labelled validation split to drive evaluations", ParamTrackEvalSplit)
	}
	if env.Resume {
		path, err := t.Restore()
		if err != nil {
			return nil, err
		}
		if path != "" {
			fmt.Fprintf(env.Out, "%s: resuming from %s (iteration %d)\n", e.name, path, t.Step())
		}
	}
	if t.Step() == 0 {
		if err := ctx.SetRNGStateFromSeed(env.Seed); err != nil {
			return nil, err
		}
	}
	fmt.Fprintf(env.Out, "%s: %d iterations, batch %d, %d critic step(s) per iteration, %s nets, %s loss\n",
		e.name, cfg.Steps, cfg.BatchSize, cfg.NCritic, context.GetParamOr(ctx, layers.ParamArchitecture, "?"),
		context.GetParamOr(ctx, losses.ParamAdversarial, "?"))
	start := time.Now()
	if err := t.Train(); err != nil {
		return nil, err
	}
	trainTime := time.Since(start)
	if curve != nil {
		if err := curve.write(env.Dir, e.name); err != nil {
			return nil, err
		}
	}
	if t.BestStep() > 0 {
		fmt.Fprintf(env.Out, "%s: using iteration %d (best validation purity %.4f)\n", e.name, t.BestStep(), t.BestScore())
	}
	rows, encoded, err := e.cluster(model, env.Eval.X, env.Eval.Labels, kmCfg, withNoise, cfg.EvalBatchSize)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		rows[i].Extra = map[string]any{"selected_step": t.BestStep(), "steps": t.Step()}
		if err := env.Log(map[string]any{"event": "result", "row": rows[i].Method, "metrics": rows[i].Metrics}); err != nil {
			return nil, err
		}
	}
	if err := e.writeFigures(env, model, encoded); err != nil {
		// Figures help reading a run; a failure to draw one does not lose the results.
		fmt.Fprintf(env.Out, "%s: figures not all written: %v\n", e.name, err)
	}
	return &Outcome{Rows: rows, TrainTime: trainTime}, nil
}

// writeFigures writes the sample grid, the interpolations and two latent maps: prior
// samples coloured by their cluster z_c, and the encoded evaluation split coloured by true label.
func (e encoderMethod) writeFigures(env *Env, model *trainer.Model, encoded clusterFeatures) error {
	if err := writeSampleGrid(model, filepath.Join(env.Dir, "samples.png"), 10, env.Seed); err != nil {
		return err
	}
	if err := WriteInterpolations(model, env.Dir, 10, env.Seed); err != nil {
		return err
	}
	latentMapPoints := context.GetParamOr(env.Ctx, ParamLatentMapPoints, 2000)
	k := model.Spec.NumClusters
	if latentMapPoints < 4*k {
		return nil // maps disabled (or too few points to draw one)
	}
	z, err := model.GridLatents(latentMapPoints/k, env.Seed)
	if err != nil {
		return err
	}
	perCluster := latentMapPoints / k
	clusters := make([]int, k*perCluster)
	for i := range clusters {
		clusters[i] = i / perCluster
	}
	if err := WriteLatentMap(filepath.Join(env.Dir, "latent_map_prior.png"), e.name+" prior z, by cluster z_c",
		z, model.Spec.LatentDim, clusters, nil, latentMapPoints, env.Seed); err != nil {
		return err
	}
	return WriteLatentMap(filepath.Join(env.Dir, "latent_map_test.png"), e.name+": output on evaluation data, by true label",
		encoded.x, encoded.dim, env.Eval.Labels, nil, latentMapPoints, env.Seed)
}

// cluster encodes x and clusters it both ways; rows[0] is k-means, rows[1] argmax. It also
// returns the features k-means saw.
func (e encoderMethod) cluster(m *trainer.Model, x []float32, labels []int, kmCfg evaluation.KMeansConfig, withNoise bool, batch int) ([]Row, clusterFeatures, error) {
	enc, err := e.encode(m, x, batch)
	if err != nil {
		return nil, clusterFeatures{}, err
	}
	features, dim := enc.Features(withNoise)
	km, err := evaluation.KMeans(features, dim, kmCfg)
	if err != nil {
		return nil, clusterFeatures{}, err
	}
	kmMetrics, err := evaluation.Evaluate(km.Labels, labels)
	if err != nil {
		return nil, clusterFeatures{}, err
	}
	argmax := enc.Argmax()
	argMetrics, err := evaluation.Evaluate(argmax, labels)
	if err != nil {
		return nil, clusterFeatures{}, err
	}
	return []Row{
		{Method: e.kmeansRow, Metrics: kmMetrics, Labels: km.Labels},
		{Method: e.argmaxRow, Metrics: argMetrics, Labels: argmax},
	}, clusterFeatures{x: features, dim: dim}, nil
}

// clusterFeatures are the vectors k-means clustered (n × dim), reused for the latent map.
type clusterFeatures struct {
	x   []float32
	dim int
}

// writeSampleGrid writes generated images with one row per cluster z_c and the same z_n down
// each column, so a row shows what the generator draws for that cluster. Only image data.
func writeSampleGrid(m *trainer.Model, path string, cols int, seed int64) error {
	shape := m.Spec.DataShape
	if len(shape) != 3 || shape[2] != 1 {
		return nil // not a grey-scale image dataset
	}
	z, err := m.GridLatents(cols, seed)
	if err != nil {
		return err
	}
	x, err := m.Generate(z)
	if err != nil {
		return err
	}
	return writeImageGrid(path, x, m.Spec.NumClusters, cols, shape[0], shape[1])
}

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

// clusterGAN trains ClusterGAN on the training split and clusters the evaluation split with its
// encoder: k-means on [ẑ_n, softmax(logits)] (the paper's protocol) and argmax of the logits.
type clusterGAN struct{}

func init() { Register("clustergan", clusterGAN{}) }

// Row names of the ClusterGAN method.
const (
	RowClusterGANKMeans = "clustergan (kmeans on E(x))"
	RowClusterGANArgmax = "clustergan (argmax)"
)

// Validate checks the trainer's settings and that the prior, architecture and loss exist.
func (clusterGAN) Validate(ctx *context.Context) error {
	if _, err := trainer.ConfigFromContext(ctx); err != nil {
		return err
	}
	if _, err := priors.New(ctx); err != nil {
		return err
	}
	if _, err := layers.Get(context.GetParamOr(ctx, layers.ParamArchitecture, layers.DefaultArchitecture)); err != nil {
		return fmt.Errorf("parameter %q: %w", layers.ParamArchitecture, err)
	}
	if _, err := losses.Get(context.GetParamOr(ctx, losses.ParamAdversarial, "wgan-gp")); err != nil {
		return fmt.Errorf("parameter %q: %w", losses.ParamAdversarial, err)
	}
	_, err := KMeansConfig(ctx, 1, 0)
	return err
}

func (clusterGAN) Run(env *Env) (*Outcome, error) {
	settings, err := readGANSettings(env, env.Ctx)
	if err != nil {
		return nil, err
	}
	k, cfg, kmCfg := settings.k, settings.train, settings.kmeans
	model, err := trainer.NewModel(settings.backend, env.Ctx, env.Data.Train.Shape)
	if err != nil {
		return nil, err
	}
	if model.Spec.NumClusters != k {
		return nil, fmt.Errorf("the prior has %d clusters but %d are evaluated: set prior_num_clusters and num_clusters alike",
			model.Spec.NumClusters, k)
	}
	withNoise := context.GetParamOr(env.Ctx, losses.ParamBetaN, 10.0) != 0

	t := &trainer.Trainer{
		Model: model, Config: cfg, TrainX: env.Data.Train.X, Dir: filepath.Join(env.Dir, "checkpoints"),
		Out: env.Out, Log: env.Log,
	}
	if val := env.Data.Validation; val != nil && val.N() > 0 && val.Labels != nil {
		// Model selection by validation purity, as the paper's protocol.
		t.Evaluate = func(m *trainer.Model, step int) (float64, map[string]float64, error) {
			rows, err := clusterEncoded(m, val.X, val.Labels, kmCfg, withNoise, cfg.EvalBatchSize)
			if err != nil {
				return 0, nil, err
			}
			return rows[0].Metrics.Purity, map[string]float64{
				"val_purity": rows[0].Metrics.Purity, "val_nmi": rows[0].Metrics.NMI,
				"val_acc": rows[0].Metrics.ACC, "val_argmax_purity": rows[1].Metrics.Purity,
			}, nil
		}
	}
	if env.Resume {
		path, err := t.Restore()
		if err != nil {
			return nil, err
		}
		if path != "" {
			fmt.Fprintf(env.Out, "clustergan: resuming from %s (iteration %d)\n", path, t.Step())
		}
	}
	if t.Step() == 0 {
		if err := env.Ctx.SetRNGStateFromSeed(env.Seed); err != nil {
			return nil, err
		}
	}
	fmt.Fprintf(env.Out, "clustergan: %d iterations, batch %d, %d critic step(s) per iteration, %s nets, %s loss\n",
		cfg.Steps, cfg.BatchSize, cfg.NCritic, context.GetParamOr(env.Ctx, layers.ParamArchitecture, "?"),
		context.GetParamOr(env.Ctx, losses.ParamAdversarial, "?"))
	start := time.Now()
	if err := t.Train(); err != nil {
		return nil, err
	}
	trainTime := time.Since(start)
	if t.BestStep() > 0 {
		fmt.Fprintf(env.Out, "clustergan: using iteration %d (best validation purity %.4f)\n", t.BestStep(), t.BestScore())
	}
	rows, err := clusterEncoded(model, env.Eval.X, env.Eval.Labels, kmCfg, withNoise, cfg.EvalBatchSize)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		rows[i].Extra = map[string]any{"selected_step": t.BestStep(), "steps": t.Step()}
		if err := env.Log(map[string]any{"event": "result", "row": rows[i].Method, "metrics": rows[i].Metrics}); err != nil {
			return nil, err
		}
	}
	if err := writeClusterGANFigures(env, model, withNoise); err != nil {
		// Figures help reading a run; a failure to draw one does not lose the results.
		fmt.Fprintf(env.Out, "clustergan: figures not all written: %v\n", err)
	}
	return &Outcome{Rows: rows, TrainTime: trainTime}, nil
}

// writeClusterGANFigures writes the sample grid, the interpolations and two latent maps: prior
// samples coloured by their cluster z_c, and the encoded evaluation split coloured by true label.
func writeClusterGANFigures(env *Env, model *trainer.Model, withNoise bool) error {
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
	if err := WriteLatentMap(filepath.Join(env.Dir, "latent_map_prior.png"), "ClusterGAN prior z, by cluster z_c",
		z, model.Spec.LatentDim, clusters, nil, latentMapPoints, env.Seed); err != nil {
		return err
	}
	n := min(env.Eval.N(), latentMapPoints)
	dim := env.Eval.Dim()
	enc, err := model.Encode(env.Eval.X[:n*dim], 500)
	if err != nil {
		return err
	}
	features, fdim := enc.Features(withNoise)
	return WriteLatentMap(filepath.Join(env.Dir, "latent_map_test.png"), "E(x) of evaluation data, by true label",
		features, fdim, env.Eval.Labels[:n], nil, latentMapPoints, env.Seed)
}

// clusterEncoded encodes x and clusters it both ways; rows[0] is k-means, rows[1] argmax.
func clusterEncoded(m *trainer.Model, x []float32, labels []int, kmCfg evaluation.KMeansConfig, withNoise bool, batch int) ([]Row, error) {
	enc, err := m.Encode(x, batch)
	if err != nil {
		return nil, err
	}
	features, dim := enc.Features(withNoise)
	km, err := evaluation.KMeans(features, dim, kmCfg)
	if err != nil {
		return nil, err
	}
	kmMetrics, err := evaluation.Evaluate(km.Labels, labels)
	if err != nil {
		return nil, err
	}
	argmax := enc.Argmax()
	argMetrics, err := evaluation.Evaluate(argmax, labels)
	if err != nil {
		return nil, err
	}
	return []Row{
		{Method: RowClusterGANKMeans, Metrics: kmMetrics, Labels: km.Labels},
		{Method: RowClusterGANArgmax, Metrics: argMetrics, Labels: argmax},
	}, nil
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

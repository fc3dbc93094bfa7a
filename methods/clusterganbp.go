package methods

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/clustergan/clustergan/evaluation"
	"github.com/clustergan/clustergan/inference"
	"github.com/clustergan/clustergan/objectives"
	"github.com/clustergan/clustergan/priors"
	"github.com/clustergan/clustergan/rundir"
	"github.com/clustergan/clustergan/trainer"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// clusterGANBP decodes ClusterGAN's generator with the paper's modified back-propagation
// decoding (Algorithm 1: one restart per one-hot, the lowest loss wins) and reports k-means on
// the recovered [z_n, one-hot] and the chosen restart's cluster. It reuses the model of the
// run's clustergan method when that finished with the mixed prior; otherwise it trains
// ClusterGAN in its own directory.
type clusterGANBP struct{}

func init() { Register("clustergan-bp", clusterGANBP{}) }

var mixedPrior = map[string]any{priors.ParamPrior: "mixed"}

// Validate implements Method.
func (clusterGANBP) Validate(ctx *context.Context) error {
	if err := validateTraining(ctx, mixedPrior); err != nil {
		return err
	}
	if err := validateObjective(ctx, objectives.ClusterGAN{}, mixedPrior); err != nil {
		return err
	}
	_, err := inference.ConfigFromContext(ctx)
	return err
}

// Params implements Method.
func (clusterGANBP) Params() []string { return objectives.ClusterGAN{}.Params() }

// Run implements Method.
func (clusterGANBP) Run(env *Env) (*Outcome, error) {
	const name = "clustergan-bp"
	k, err := NumClusters(env)
	if err != nil {
		return nil, err
	}
	ctx := ownContext(env.Ctx, k, mixedPrior)
	cfg, err := trainer.ConfigFromContext(ctx)
	if err != nil {
		return nil, err
	}
	decCfg, err := inference.ConfigFromContext(ctx)
	if err != nil {
		return nil, err
	}
	kmCfg, err := KMeansConfig(ctx, k, env.Seed)
	if err != nil {
		return nil, err
	}
	sel, err := selection(ctx)
	if err != nil {
		return nil, err
	}
	final := sel == SelectFinal

	var trainTime time.Duration
	// The clustergan method trains with the run's prior: its model is a mixed-prior ClusterGAN
	// only if the run's prior is.
	path, settings := "", filepath.Join(env.RunDir, "clustergan", SettingsFile)
	if runPrior, _ := priors.ConfigFromContext(env.Ctx); runPrior.Prior == "mixed" { // checked by NumClusters
		if path, err = ModelCheckpoint(filepath.Join(env.RunDir, "clustergan", CheckpointsDir), cfg.Steps, final); err != nil {
			return nil, err
		}
	}
	if path != "" {
		fmt.Fprintf(env.Out, "%s: reusing the run's clustergan model %s\n", name, path)
		if err := env.Log(&rundir.ReuseRecord{Checkpoint: path}); err != nil {
			return nil, err
		}
	} else {
		fmt.Fprintf(env.Out, "%s: no finished clustergan model in this run, training one\n", name)
		own := *env
		own.Ctx = ctx
		outcome, err := encoderMethod{name: name, objective: objectives.ClusterGAN{}, output: "E(x)"}.Run(&own)
		if err != nil {
			return nil, err
		}
		trainTime = outcome.TrainTime
		dir := filepath.Join(env.Dir, CheckpointsDir)
		if path, err = ModelCheckpoint(dir, cfg.Steps, final); err != nil {
			return nil, err
		}
		if path == "" {
			return nil, fmt.Errorf("no checkpoint in %s after training", dir)
		}
		settings = filepath.Join(env.Dir, SettingsFile)
	}
	backend, err := env.Backend()
	if err != nil {
		return nil, err
	}
	model, err := loadModel(backend, settings, path, env.Data.Train.Shape)
	if err != nil {
		return nil, err
	}
	if model.Spec.NumClusters != k {
		return nil, fmt.Errorf("the clustergan model has %d clusters but %d are evaluated", model.Spec.NumClusters, k)
	}
	res, decodeTime, err := decodeEval(env, name, model, decCfg)
	if err != nil {
		return nil, err
	}
	km, err := evaluation.KMeans(res.Z, model.Spec.LatentDim, kmCfg)
	if err != nil {
		return nil, err
	}
	gen, err := generationAgreement(env, model, res.Cluster)
	if err != nil {
		return nil, err
	}
	recipe := objectives.ClusterGAN{}.Recipe(model.Ctx)
	extra := func() map[string]any {
		return map[string]any{"checkpoint": path, "decode_seconds": decodeTime.Seconds(), "decode_mean_loss": meanOf(res.Loss),
			"decode_steps": decCfg.Steps}
	}
	kmRow := Row{Method: name, Recipe: recipe, Inference: "back-prop decoding, k-means on z", Labels: km.Labels, Generation: gen, Extra: extra()}
	kmRow.Extra["inertia"] = km.Inertia
	restartRow := Row{Method: name, Recipe: recipe, Inference: "back-prop decoding, best restart", Labels: res.Cluster, Generation: gen, Extra: extra()}
	for _, row := range []*Row{&kmRow, &restartRow} {
		if err := scoreRow(env, row); err != nil {
			return nil, err
		}
	}
	return &Outcome{Rows: []Row{kmRow, restartRow}, TrainTime: trainTime,
		Features: res.Z, FeatureDim: model.Spec.LatentDim, FeatureName: "recovered z"}, nil
}

// ModelCheckpoint returns the checkpoint of a finished training in dir: with final false,
// best.ckpt (the model the trainer ends with when it selects on validation data), else the
// latest step checkpoint if it reached steps iterations; "" if there is none.
func ModelCheckpoint(dir string, steps int, final bool) (string, error) {
	if !final {
		best := filepath.Join(dir, "best.ckpt")
		if _, err := os.Stat(best); err == nil {
			return best, nil
		}
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

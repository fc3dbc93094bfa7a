package methods

import (
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/clustergan/clustergan/evaluation"
	"github.com/clustergan/clustergan/layers"
	"github.com/clustergan/clustergan/losses"
	"github.com/clustergan/clustergan/objectives"
	"github.com/clustergan/clustergan/priors"
	"github.com/clustergan/clustergan/rundir"
	"github.com/clustergan/clustergan/trainer"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// CheckpointsDir is the sub-directory of a method's directory that holds its checkpoints.
const CheckpointsDir = "checkpoints"

// SettingsFile is written into a training method's directory: every parameter its model was
// built with (K resolved, its own prior), which LoadModel reads back.
const SettingsFile = rundir.SettingsFile

// training is what every method that trains a model sets up: its own context (K resolved, its
// overrides applied), the model, the trainer and the k-means settings for K clusters.
type training struct {
	name   string
	ctx    *context.Context
	k      int
	model  *trainer.Model
	tr     *trainer.Trainer
	kmeans evaluation.KMeansConfig
	final  bool // ParamSelection is SelectFinal
}

// newTraining builds the model of method name with objective obj in a copy of the run's
// context with overrides, and its trainer writing checkpoints under env.Dir.
func newTraining(env *Env, name string, obj objectives.Objective, overrides map[string]any) (*training, error) {
	k, err := NumClusters(env)
	if err != nil {
		return nil, err
	}
	ctx := ownContext(env.Ctx, k, overrides)
	backend, err := env.Backend()
	if err != nil {
		return nil, err
	}
	cfg, err := trainer.ConfigFromContext(ctx)
	if err != nil {
		return nil, err
	}
	km, err := KMeansConfig(ctx, k, env.Seed)
	if err != nil {
		return nil, err
	}
	sel, err := selection(ctx)
	if err != nil {
		return nil, err
	}
	model, err := trainer.NewModel(backend, ctx, env.Data.Train.Shape)
	if err != nil {
		return nil, err
	}
	if err := rundir.WriteSettings(filepath.Join(env.Dir, SettingsFile), ctx); err != nil {
		return nil, err
	}
	tr := &trainer.Trainer{
		Model: model, Objective: obj, Config: cfg, TrainX: env.Data.Train.X,
		Dir: filepath.Join(env.Dir, CheckpointsDir), Out: env.Out, Log: env.Log, KeepFinal: sel == SelectFinal,
	}
	return &training{name: name, ctx: ctx, k: k, model: model, tr: tr, kmeans: km, final: sel == SelectFinal}, nil
}

// run resumes from the latest checkpoint when env.Resume, seeds a fresh start, prints what it
// trains and trains; it returns the training time, summed over every session of the run.
func (t *training) run(env *Env, what string) (time.Duration, error) {
	phases, err := t.tr.Phases() // settings errors before any time is spent
	if err != nil {
		return 0, err
	}
	if env.Resume {
		path, err := t.tr.Restore()
		if err != nil {
			return 0, err
		}
		if path != "" {
			fmt.Fprintf(env.Out, "%s: resuming from %s (iteration %d)\n", t.name, path, t.tr.Step())
		}
	}
	if t.tr.Step() == 0 {
		if err := t.ctx.SetRNGStateFromSeed(env.Seed); err != nil {
			return 0, err
		}
	}
	cfg := t.tr.Config
	nets, _ := layers.ConfigFromContext(t.ctx) // checked when the model was built
	loss, _ := losses.ConfigFromContext(t.ctx)
	game := "" // an objective without a critic (IMSAT) plays no game: say nothing of one
	if slices.ContainsFunc(phases, func(p objectives.Phase) bool { return slices.Contains(p.Updates, objectives.Critic) }) {
		game = fmt.Sprintf(", %d critic step(s) per iteration, %s loss", cfg.NCritic, loss.Adversarial)
	}
	fmt.Fprintf(env.Out, "%s: %s; %d iterations, batch %d, %s nets%s\n",
		t.name, what, cfg.Steps, cfg.BatchSize, nets.Architecture, game)
	if err := t.tr.Train(); err != nil {
		return 0, err
	}
	if t.final {
		fmt.Fprintf(env.Out, "%s: using the final weights (iteration %d)\n", t.name, t.tr.Step())
	} else if t.tr.BestStep() > 0 {
		fmt.Fprintf(env.Out, "%s: using iteration %d (best validation purity %.4f)\n", t.name, t.tr.BestStep(), t.tr.BestScore())
	}
	return t.tr.Elapsed(), nil
}

// reportedStep is the iteration whose weights the method reports.
func (t *training) reportedStep() int {
	if t.final || t.tr.BestStep() == 0 {
		return t.tr.Step()
	}
	return t.tr.BestStep()
}

// validateTraining checks what every training method reads, with the method's own overrides:
// the trainer's settings, prior, architecture, adversarial loss, k-means and selection. K comes
// from the data when num_clusters is 0; it is checked with 2 clusters until then.
func validateTraining(ctx *context.Context, overrides map[string]any) error {
	run, _ := priors.ConfigFromContext(ctx) // K only; the method's own context is checked below
	k := run.NumClusters
	if k == 0 {
		k = 2
	}
	ctx = ownContext(ctx, k, overrides)
	if _, err := trainer.ConfigFromContext(ctx); err != nil {
		return err
	}
	if _, err := priors.New(ctx); err != nil {
		return err
	}
	if _, err := layers.FromContext(ctx); err != nil {
		return err
	}
	if _, err := losses.New(ctx); err != nil {
		return err
	}
	if _, err := selection(ctx); err != nil {
		return err
	}
	_, err := KMeansConfig(ctx, 1, 0)
	return err
}

// validateObjective builds obj's phases for a model of ctx's settings, so that term weights
// that cannot work fail before any data is loaded (checks that need the data's shape wait for
// the training itself).
func validateObjective(ctx *context.Context, obj objectives.Objective, overrides map[string]any) error {
	run, _ := priors.ConfigFromContext(ctx) // K only; the method's own context is checked below
	k := run.NumClusters
	if k == 0 {
		k = 2
	}
	ctx = ownContext(ctx, k, overrides)
	prior, err := priors.New(ctx)
	if err != nil {
		return err
	}
	arch, err := layers.FromContext(ctx)
	if err != nil {
		return err
	}
	adv, err := losses.New(ctx)
	if err != nil {
		return err
	}
	nets := &objectives.Nets{Prior: prior, Arch: arch, Adversarial: adv, Spec: layers.Spec{
		LatentDim: prior.Dim(), NoiseDim: prior.NoiseDim(), NumClusters: prior.NumClusters()}}
	cfg, err := trainer.ConfigFromContext(ctx)
	if err != nil {
		return err
	}
	phases, err := obj.Phases(ctx, nets, cfg.NCritic)
	if err != nil {
		return err
	}
	return objectives.Validate(phases)
}

package runner

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/clustergan/clustergan/trainer"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// LoadModel rebuilds the model that method trained in the run directory runDir, for data of
// the given per-example shape (the run's dataset's Shape), so that a trained model can be
// looked at again (notebooks, analyses) without training it again.
//
// The run's settings.txt is applied to DefaultContext, with the method's own prior as when it
// trained (InfoGAN's noise, a baseline's plain prior), and the weights come from the method's
// checkpoints: best.ckpt, the model the run evaluated when it selected one on validation data,
// else the last checkpoint of a finished training. Only methods that train a model with
// checkpoints under <runDir>/<method>/checkpoints can be loaded: clustergan, infogan, gan-bp,
// gmm-gan-bp and uniform-gan-bp.
func LoadModel(b backends.Backend, runDir, method string, dataShape []int) (*trainer.Model, error) {
	m, err := Get(method)
	if err != nil {
		return nil, err
	}
	var modelContext func(*context.Context) *context.Context
	switch m := m.(type) {
	case encoderMethod:
		modelContext = m.modelContext
	case ganBP:
		modelContext = func(ctx *context.Context) *context.Context { return withPrior(ctx, m.prior) }
	default:
		return nil, fmt.Errorf("method %q trains no model of its own to load", method)
	}
	settingsPath := filepath.Join(runDir, "settings.txt")
	settings, err := os.ReadFile(settingsPath)
	if err != nil {
		return nil, fmt.Errorf("%s is not a run directory: %w", runDir, err)
	}
	ctx := DefaultContext()
	if _, err := ApplySettings(ctx, string(settings), settingsPath); err != nil {
		return nil, err
	}
	ctx = modelContext(ctx)
	cfg, err := trainer.ConfigFromContext(ctx)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(runDir, method, "checkpoints")
	path, err := finishedCheckpoint(dir, cfg.Steps)
	if err != nil {
		return nil, err
	}
	if path == "" {
		return nil, fmt.Errorf("no finished %s training in %s (no best.ckpt, no checkpoint of iteration %d)", method, dir, cfg.Steps)
	}
	data, err := trainer.LoadCheckpoint(path)
	if err != nil {
		return nil, err
	}
	// The variables take their values from the checkpoint as the model's graphs create them.
	ctx.SetLoader(data)
	return trainer.NewModel(b, ctx, dataShape)
}

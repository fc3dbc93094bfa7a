package methods

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/clustergan/clustergan/rundir"
	"github.com/clustergan/clustergan/trainer"
	"github.com/gomlx/gomlx/backends"
)

// LoadModel rebuilds the model that method trained in the run directory runDir, for data of
// the given per-example shape, so that a trained model can be looked at again (notebooks,
// analyses) without training it again. The model's settings come from the method's own
// settings.txt (K resolved, its prior) and its weights from its checkpoints: best.ckpt, the
// model the run evaluated when it selected one on validation data, else the last checkpoint of
// a finished training (with model_selection=final, always the last).
func LoadModel(b backends.Backend, runDir, method string, dataShape []int) (*trainer.Model, error) {
	if _, err := Get(method); err != nil {
		return nil, err
	}
	settings := filepath.Join(runDir, method, SettingsFile)
	if _, err := os.Stat(settings); err != nil {
		if _, err := os.Stat(filepath.Join(runDir, SettingsFile)); err != nil {
			return nil, fmt.Errorf("%s is not a run directory: %w", runDir, err)
		}
		return nil, fmt.Errorf("method %q trained no model of its own in %s", method, runDir)
	}
	ctx := DefaultContext()
	if err := rundir.ReadSettings(ctx, settings); err != nil {
		return nil, err
	}
	cfg, err := trainer.ConfigFromContext(ctx)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(runDir, method, CheckpointsDir)
	sel, err := selection(ctx)
	if err != nil {
		return nil, err
	}
	path, err := ModelCheckpoint(dir, cfg.Steps, sel == SelectFinal)
	if err != nil {
		return nil, err
	}
	if path == "" {
		return nil, fmt.Errorf("no finished %s training in %s (no best.ckpt, no checkpoint of iteration %d)", method, dir, cfg.Steps)
	}
	return loadModel(b, settings, path, dataShape)
}

// loadModel builds a model from a settings file, with the weights of checkpoint.
func loadModel(b backends.Backend, settings, checkpoint string, dataShape []int) (*trainer.Model, error) {
	ctx := DefaultContext()
	if err := rundir.ReadSettings(ctx, settings); err != nil {
		return nil, err
	}
	data, err := trainer.LoadCheckpoint(checkpoint)
	if err != nil {
		return nil, err
	}
	// The variables take their values from the checkpoint as the model's graphs create them.
	ctx.SetLoader(data)
	return trainer.NewModel(b, ctx, dataShape)
}

package trainer

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clustergan/clustergan/losses"
	"github.com/clustergan/clustergan/objectives"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/stretchr/testify/require"
)

// TestIMSATTrainsOnlyTheEncoder: the IMSAT objective's one phase builds and updates the encoder
// alone; no generator or critic is ever created, the optimiser state is the encoder's, and the
// losses are its one term and the phase's total.
func TestIMSATTrainsOnlyTheEncoder(t *testing.T) {
	ctx := tinyContext(t, 1)
	ctx.SetParam(losses.ParamMIShift, 0) // vector data: no image warp
	tr := newTrainer(t, ctx, tinyData(40, 8), 8)
	tr.Objective = objectives.IMSAT{}

	l, err := tr.RunStep()
	require.NoError(t, err)
	require.Len(t, l, 2)
	require.Contains(t, l, "encoder/infomax")
	// The term's weight is 1: the total is the term itself.
	require.Equal(t, l["encoder/infomax"], l["encoder/total"])
	// E starts with weights near 0, so p ≈ uniform over K = 3 and the loss ≈ H(p) + H(p) −
	// η·H(mean p) = ln 3 + ln 3 − 2 ln 3 = 0 (measured: −1.2e-4).
	require.InDelta(t, 0, l["encoder/total"], 1e-3)

	before := snapshot(ctx, objectives.Encoder)
	require.NotEmpty(t, before)
	for range 3 {
		l, err = tr.RunStep()
		require.NoError(t, err)
		require.False(t, math.IsNaN(l["encoder/total"]))
	}
	require.NotEqual(t, before, snapshot(ctx, objectives.Encoder), "the encoder is trained")
	for v := range ctx.IterVariables() {
		scope := v.Scope()
		require.False(t, inScopes(scope, []string{objectives.Generator, objectives.Critic}),
			"IMSAT builds no generator or critic: %s", v.ScopeAndName())
		if v.Trainable {
			require.True(t, strings.HasPrefix(scope, objectives.Encoder+"/"), "trainable outside the encoder: %s", v.ScopeAndName())
		}
		require.False(t, strings.HasPrefix(scope, "/critic_"), "the critic's optimiser is never used: %s", v.ScopeAndName())
	}
	require.Equal(t, 4, tr.Step())
}

// TestKeepFinal: an evaluator whose score falls makes the first evaluation the best. By default
// Train ends with best.ckpt's weights; with KeepFinal the model keeps the final weights, and
// best.ckpt is still written (the run still records which iteration validated best).
func TestKeepFinal(t *testing.T) {
	x := tinyData(40, 8)
	train := func(keepFinal bool) (*Trainer, string) {
		tr := newTrainer(t, tinyContext(t, 3), x, 8)
		tr.Dir, tr.KeepFinal = t.TempDir(), keepFinal
		tr.Config.Steps, tr.Config.EvalEvery, tr.Config.CheckpointEvery, tr.Config.CheckpointKeep = 3, 1, 1, 5
		tr.Evaluate = func(_ *Model, step int) (float64, map[string]float64, error) {
			return 1 / float64(step), map[string]float64{"step": float64(step)}, nil
		}
		require.NoError(t, tr.Train())
		require.Equal(t, 1, tr.BestStep())
		require.Equal(t, 1.0, tr.BestScore())
		return tr, tr.Dir
	}
	// weightsOf reads a checkpoint's values of the three nets' variables.
	weightsOf := func(path string) map[string][]float32 {
		data, err := LoadCheckpoint(path)
		require.NoError(t, err)
		out := map[string][]float32{}
		for key, value := range data.Tensors {
			for _, player := range []string{objectives.Generator, objectives.Encoder, objectives.Critic} {
				if strings.HasPrefix(key, player+"/") {
					out[key] = tensors.MustCopyFlatData[float32](value)
				}
			}
		}
		require.NotEmpty(t, out)
		return out
	}
	current := func(tr *Trainer) map[string][]float32 {
		out := map[string][]float32{}
		for _, player := range []string{objectives.Generator, objectives.Encoder, objectives.Critic} {
			for k, v := range snapshot(tr.Model.Ctx, player) {
				out[k] = v
			}
		}
		return out
	}

	for _, keepFinal := range []bool{false, true} {
		tr, dir := train(keepFinal)
		best := filepath.Join(dir, "best.ckpt")
		require.FileExists(t, best)
		data, err := LoadCheckpoint(best)
		require.NoError(t, err)
		require.Equal(t, 1, data.Info.Step, "best.ckpt holds the first iteration")
		require.Equal(t, map[string]float64{"step": 1}, data.Info.Extra)
		final := weightsOf(checkpointPath(dir, 3))
		first := weightsOf(best)
		require.NotEqual(t, final, first, "three iterations change the weights")
		require.Equal(t, 3, tr.Step())
		if keepFinal {
			require.Equal(t, final, current(tr), "KeepFinal: the final weights")
		} else {
			require.Equal(t, first, current(tr), "default: the best evaluated weights")
		}
	}
}

package trainer

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clustergan/clustergan/objectives"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
	"github.com/stretchr/testify/require"
)

// savedCheckpoint trains the tiny model one step and writes its checkpoint; it returns the
// path and the file's bytes.
func savedCheckpoint(t *testing.T) (string, []byte) {
	tr := newTrainer(t, tinyContext(t, 1), tinyData(40, 8), 8)
	_, err := tr.RunStep()
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "c.ckpt")
	require.NoError(t, SaveCheckpoint(tr.Model.Ctx, path, CheckpointInfo{Step: 1}))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return path, data
}

// One flipped byte anywhere (header, payload, checksum) is caught on load, as is a truncated
// or extended file; the error says which file and that it is damaged.
func TestCheckpointChecksum(t *testing.T) {
	path, data := savedCheckpoint(t)
	loaded, err := LoadCheckpoint(path)
	require.NoError(t, err)
	require.True(t, loaded.Checksummed)
	headerLen := int(binary.LittleEndian.Uint32(data[4:8]))
	for name, at := range map[string]int{
		"header":   8 + headerLen/2,
		"payload":  8 + headerLen + (len(data)-8-headerLen-32)/2,
		"last":     len(data) - 33, // the payload's last byte
		"checksum": len(data) - 1,
	} {
		damaged := bytes.Clone(data)
		damaged[at] ^= 0x01
		require.NoError(t, os.WriteFile(path, damaged, 0o644))
		_, err := LoadCheckpoint(path)
		var dmg *DamagedError
		require.ErrorAs(t, err, &dmg, name)
		require.ErrorContains(t, err, "checkpoint "+path+" is damaged", name)
	}
	for name, damaged := range map[string][]byte{
		"truncated": data[:len(data)-10],
		"extended":  append(bytes.Clone(data), 0),
		"empty":     nil,
	} {
		require.NoError(t, os.WriteFile(path, damaged, 0o644))
		_, err := LoadCheckpoint(path)
		var dmg *DamagedError
		require.ErrorAs(t, err, &dmg, name)
	}
}

// Checkpoints written before checksums existed ("CGCK", no trailer) still load, reported as
// not checksummed, and a resume says so in one line.
func TestOldCheckpointLoads(t *testing.T) {
	_, data := savedCheckpoint(t)
	old := append([]byte(checkpointMagicV1), data[4:len(data)-32]...)
	dir := t.TempDir()
	path := checkpointPath(dir, 1)
	require.NoError(t, os.WriteFile(path, old, 0o644))
	loaded, err := LoadCheckpoint(path)
	require.NoError(t, err)
	require.False(t, loaded.Checksummed)
	require.Equal(t, 1, loaded.Info.Step)

	tr := newTrainer(t, tinyContext(t, 1), tinyData(40, 8), 8)
	out := &strings.Builder{}
	tr.Dir, tr.Out = dir, out
	got, err := tr.Restore()
	require.NoError(t, err)
	require.Equal(t, path, got)
	require.Contains(t, out.String(), "has no checksum (written before checkpoints had one)")
}

// A damaged latest checkpoint is set aside with one line and the one before is used; the run
// then continues exactly as if it had resumed from that one. With none left, the error says
// what to do.
func TestRestoreFallsBackFromDamagedCheckpoint(t *testing.T) {
	x := tinyData(40, 8)
	straight := newTrainer(t, tinyContext(t, 5), x, 8)
	straight.Config.Steps = 3
	require.NoError(t, straight.Train())

	dir := t.TempDir()
	first := newTrainer(t, tinyContext(t, 5), x, 8)
	first.Dir, first.Config.Steps, first.Config.CheckpointEvery, first.Config.CheckpointKeep = dir, 3, 1, 3
	require.NoError(t, first.Train())
	latest := checkpointPath(dir, 3)
	data, err := os.ReadFile(latest)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(latest, data[:len(data)/2], 0o644)) // a disk-full write

	resumed := newTrainer(t, tinyContext(t, 999), x, 8)
	out := &strings.Builder{}
	resumed.Dir, resumed.Out = dir, out
	path, err := resumed.Restore()
	require.NoError(t, err)
	require.Equal(t, checkpointPath(dir, 2), path)
	require.Equal(t, 1, strings.Count(out.String(), "\n"), out.String())
	require.Contains(t, out.String(), "checkpoint "+latest+" is damaged")
	require.Contains(t, out.String(), "set aside as checkpoint-000000003.ckpt.damaged, resuming from "+checkpointPath(dir, 2))
	require.FileExists(t, latest+damagedSuffix)
	resumed.Config.Steps = 3
	require.NoError(t, resumed.Train())
	for _, scope := range []string{objectives.Generator, objectives.Encoder, objectives.Critic} {
		require.Equal(t, snapshot(straight.Model.Ctx, scope), snapshot(resumed.Model.Ctx, scope), scope)
	}

	// Every checkpoint damaged: an error that says what happened and what to do; the next
	// attempt starts from scratch.
	for _, p := range []string{checkpointPath(dir, 2), checkpointPath(dir, 3)} {
		require.NoError(t, os.WriteFile(p, []byte("CGC2junk"), 0o644))
	}
	again := newTrainer(t, tinyContext(t, 5), x, 8)
	again.Dir = dir
	_, err = again.Restore()
	require.ErrorContains(t, err, "no usable checkpoint in "+dir+" (2 damaged, set aside as *.damaged): resume again to train from the start")
	path, err = again.Restore()
	require.NoError(t, err)
	require.Empty(t, path)
}

// Temporary files of interrupted checkpoint writes are removed when training starts.
func TestStaleTempFilesRemoved(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, ".checkpoint-000000002.ckpt.tmp123456")
	require.NoError(t, os.WriteFile(stale, []byte("partial"), 0o644))
	tr := newTrainer(t, tinyContext(t, 1), tinyData(40, 8), 8)
	out := &strings.Builder{}
	tr.Dir, tr.Out, tr.Config.Steps = dir, out, 1
	require.NoError(t, tr.Train())
	require.NoFileExists(t, stale)
	require.Contains(t, out.String(), "removed 1 temporary file(s) left by an interrupted checkpoint write")
}

// Non-finite optimiser state with finite losses (Adam's second moment overflowing, say) stops
// training as a divergence at the next check, and no checkpoint holding it is written: the
// error names the last checkpoint, which loads and is finite.
func TestNonFiniteStateIsDivergence(t *testing.T) {
	x := tinyData(40, 8)
	dir := t.TempDir()
	tr := newTrainer(t, tinyContext(t, 1), x, 8)
	tr.Dir, tr.Config.Steps, tr.Config.CheckpointEvery = dir, 2, 2
	require.NoError(t, tr.Train())

	var moment *context.Variable
	for v := range tr.Model.Ctx.IterVariables() {
		if strings.HasSuffix(v.Name(), "_2nd_moment") && moment == nil {
			moment = v
		}
	}
	require.NotNil(t, moment, "Adam's second moment")
	value := tensors.FromShape(moment.Shape())
	tensors.MutableFlatData(value, func(flat []float32) {
		for i := range flat {
			flat[i] = float32(math.Inf(1))
		}
	})
	require.NoError(t, moment.SetValue(value))
	tr.Config.Steps = 4
	err := tr.Train()
	var div *DivergedError
	require.ErrorAs(t, err, &div)
	require.True(t, errors.Is(err, ErrDiverged))
	require.Equal(t, checkpointPath(dir, 2), div.Checkpoint)
	require.Contains(t, err.Error(), "holds NaN or infinite values")
	require.Contains(t, err.Error(), "the last checkpoint verified finite is "+checkpointPath(dir, 2)+" (iteration 2)")
	require.NoFileExists(t, checkpointPath(dir, 4))
	_, err = LoadCheckpoint(div.Checkpoint)
	require.NoError(t, err)
}

// Learning rates far too large (as after a bad change on resume): Adam's second moment
// overflows while the losses may still be finite. Training stops as diverged, naming the
// checkpoint a resume uses, which loads (every value finite), and following the advice, a
// resume with a lower learning rate, trains on.
func TestHugeLearningRateDiverges(t *testing.T) {
	x := tinyData(40, 8)
	dir := t.TempDir()
	tr := newTrainer(t, tinyContext(t, 1), x, 8)
	tr.Dir, tr.Config.Steps, tr.Config.CheckpointEvery = dir, 2, 1
	require.NoError(t, tr.Train())

	huge := newTrainer(t, tinyContext(t, 1), x, 8)
	huge.Dir, huge.Config.Steps, huge.Config.CheckpointEvery = dir, 50, 1
	huge.Config.CriticLR, huge.Config.GeneratorLR = 1e8, 1e8
	_, err := huge.Restore()
	require.NoError(t, err)
	err = huge.Train()
	var div *DivergedError
	require.ErrorAs(t, err, &div)
	require.Equal(t, 3, div.Step, "%v", err)
	require.Equal(t, checkpointPath(dir, 2), div.Checkpoint)
	_, err = LoadCheckpoint(div.Checkpoint)
	require.NoError(t, err)
	latest, err := LatestCheckpoint(dir)
	require.NoError(t, err)
	require.Equal(t, div.Checkpoint, latest, "the checkpoint named is the one a resume uses")

	lower := newTrainer(t, tinyContext(t, 1), x, 8)
	lower.Dir, lower.Config.Steps, lower.Config.CheckpointEvery = dir, 5, 1
	lower.Config.CriticLR, lower.Config.GeneratorLR = 1e-5, 1e-5
	path, err := lower.Restore()
	require.NoError(t, err)
	require.Equal(t, div.Checkpoint, path)
	require.NoError(t, lower.Train())
}

// A learning rate changed on resume is the one the optimiser uses (GoMLX's Adam keeps it in a
// variable, which the checkpoint holds too); the change is said in one line, and the next
// checkpoint records the new value.
func TestResumeUsesConfiguredLearningRate(t *testing.T) {
	x := tinyData(40, 8)
	dir := t.TempDir()
	tr := newTrainer(t, tinyContext(t, 1), x, 8)
	tr.Dir, tr.Config.Steps, tr.Config.CheckpointEvery = dir, 2, 1
	require.NoError(t, tr.Train())

	resumed := newTrainer(t, tinyContext(t, 1), x, 8)
	out := &strings.Builder{}
	resumed.Dir, resumed.Out = dir, out
	resumed.Config.CriticLR = 1e-5
	_, err := resumed.Restore()
	require.NoError(t, err)
	require.Equal(t, "critic optimiser: learning rate 1e-05 (the checkpoint's was 0.0001)\n", out.String())
	resumed.Config.Steps = 3
	require.NoError(t, resumed.Train())
	lr := func(ctx *context.Context, group string) float32 {
		v := ctx.GetVariableByScopeAndName("/"+group+"_optimizer/"+optimizers.Scope, optimizers.ParamLearningRate)
		require.NotNil(t, v)
		return tensors.ToScalar[float32](v.MustValue())
	}
	require.Equal(t, float32(1e-5), lr(resumed.Model.Ctx, objectives.CriticOptimizer))
	require.Equal(t, float32(1e-4), lr(resumed.Model.Ctx, objectives.GeneratorOptimizer))
	data, err := LoadCheckpoint(checkpointPath(dir, 3))
	require.NoError(t, err)
	require.Equal(t, float32(1e-5), tensors.ToScalar[float32](data.Tensors["/critic_optimizer/optimizers/learning_rate"]))
}

// The time spent training is carried in the checkpoints and summed over sessions.
func TestTrainingTimeSummedOverSessions(t *testing.T) {
	x := tinyData(40, 8)
	dir := t.TempDir()
	tr := newTrainer(t, tinyContext(t, 1), x, 8)
	tr.Dir, tr.Config.Steps, tr.Config.CheckpointEvery = dir, 2, 2
	require.NoError(t, tr.Train())
	first := tr.Elapsed()
	require.Positive(t, first)
	data, err := LoadCheckpoint(checkpointPath(dir, 2))
	require.NoError(t, err)
	require.Positive(t, data.Info.TrainSeconds)
	require.LessOrEqual(t, data.Info.TrainSeconds, data.Info.ElapsedSeconds)
	header, _ := json.Marshal(data.Info)
	require.Contains(t, string(header), `"elapsed_seconds"`)

	resumed := newTrainer(t, tinyContext(t, 1), x, 8)
	resumed.Dir = dir
	_, err = resumed.Restore()
	require.NoError(t, err)
	require.Equal(t, seconds(data.Info.ElapsedSeconds), resumed.Elapsed())
	resumed.Config.Steps = 4
	require.NoError(t, resumed.Train())
	require.Greater(t, resumed.Elapsed(), seconds(data.Info.ElapsedSeconds))
	later, err := LoadCheckpoint(checkpointPath(dir, 4))
	require.NoError(t, err)
	require.Greater(t, later.Info.ElapsedSeconds, data.Info.ElapsedSeconds)
}

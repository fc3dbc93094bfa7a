package trainer

import (
	"testing"

	"github.com/clustergan/clustergan/layers"
	"github.com/clustergan/clustergan/losses"
	"github.com/clustergan/clustergan/objectives"
	"github.com/clustergan/clustergan/priors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/stretchr/testify/require"
)

// TestParams: the trainer reads its declared defaults, every range is checked, and a Model's
// context declares the parameters of every package a model reads.
func TestParams(t *testing.T) {
	cfg, err := ConfigFromContext(context.New())
	require.NoError(t, err)
	require.Equal(t, Config{Steps: 5000, BatchSize: 64, NCritic: 5, CriticLR: 1e-4, GeneratorLR: 1e-4, Beta1: 0.5, Beta2: 0.9,
		Epsilon: 1e-8, EvalEvery: 500, CheckpointEvery: 500, CheckpointKeep: 2, EvalBatchSize: 500}, cfg)
	declared, err := ConfigFromContext(NewContext())
	require.NoError(t, err)
	require.Equal(t, cfg, declared, "the defaults the code falls back to are the declared ones")

	for _, tc := range []struct {
		key   string
		value any
		want  string
	}{
		{ParamSteps, 0, `parameter "train_steps": must be ≥ 1, got 0`},
		{ParamBatchSize, 1, `parameter "batch_size": must be ≥ 2, got 1`},
		{ParamCriticLearningRate, 0.0, `parameter "critic_learning_rate": must be > 0, got 0`},
		{ParamAdamBeta2, 1.0, `parameter "adam_beta2": must be in [0, 1), got 1`},
		{ParamEvalEvery, -1, `parameter "eval_every": must be ≥ 0, got -1`},
	} {
		_, err := ConfigFromContext(NewContext(map[string]any{tc.key: tc.value}))
		require.EqualError(t, err, tc.want)
	}

	names := ModelParams().Names()
	for _, table := range [][]string{priors.Params.Names(), layers.Params.Names(), losses.Params.Names(),
		objectives.Params.Names(), Params.Names()} {
		require.Subset(t, names, table)
	}
	require.Len(t, names, len(priors.Params)+len(layers.Params)+len(losses.Params)+len(objectives.Params)+len(Params))
}

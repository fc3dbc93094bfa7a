// Package trainer trains ClusterGAN (and its GAN baselines) with alternating updates: n_critic
// critic steps, each on a fresh real batch and fresh z, then one generator+encoder step. The
// critic and the (generator, encoder) pair have separate Adam optimisers with separate state,
// and each phase updates only its own player's variables.
//
// A whole iteration runs as one compiled graph: the training split stays on the device, real
// batches are drawn inside the graph with the context's RNG, so a checkpoint (which holds the
// RNG state) resumes a run exactly.
package trainer

import (
	"github.com/clustergan/clustergan/layers"
	"github.com/clustergan/clustergan/losses"
	"github.com/clustergan/clustergan/objectives"
	"github.com/clustergan/clustergan/priors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Hyper-parameters read by the trainer (GoMLX context parameters; see DefaultParams).
const (
	// ParamSteps is the number of generator iterations (int, default 5000); ≥ 1.
	ParamSteps = "train_steps"
	// ParamBatchSize is the batch size of every critic and generator step (int, default 64); ≥ 2
	// (batch statistics need at least two examples).
	ParamBatchSize = "batch_size"
	// ParamNCritic is the number of critic steps per generator step (int, default 5 as the
	// official WGAN-GP code; 1 is usual for the vanilla loss); ≥ 1.
	ParamNCritic = "n_critic"
	// ParamCriticLearningRate is the critic's Adam learning rate (float, default 1e-4); > 0.
	ParamCriticLearningRate = "critic_learning_rate"
	// ParamGeneratorLearningRate is the generator+encoder Adam learning rate (float, default 1e-4); > 0.
	ParamGeneratorLearningRate = "generator_learning_rate"
	// ParamAdamBeta1 is Adam's β1 for both optimisers (float, default 0.5); in [0, 1).
	ParamAdamBeta1 = "adam_beta1"
	// ParamAdamBeta2 is Adam's β2 for both optimisers (float, default 0.9); in [0, 1).
	ParamAdamBeta2 = "adam_beta2"
	// ParamAdamEpsilon is Adam's ε (float, default 1e-8 as TensorFlow and PyTorch); > 0.
	ParamAdamEpsilon = "adam_epsilon"
	// ParamEvalEvery is how often (in iterations) the validation split is clustered and the
	// model with the best validation purity is kept (int, default 500; 0 = only at the end).
	ParamEvalEvery = "eval_every"
	// ParamCheckpointEvery is how often (in iterations) a checkpoint is written (int, default
	// 500; 0 = only at the end).
	ParamCheckpointEvery = "checkpoint_every"
	// ParamCheckpointKeep is how many of the latest checkpoints are kept (int, default 2); ≥ 1.
	ParamCheckpointKeep = "checkpoint_keep"
	// ParamEvalBatchSize is the batch size used to encode data for evaluation (int, default 500).
	ParamEvalBatchSize = "eval_batch_size"
)

// DefaultParams returns the trainer's parameters with their defaults, for an experiment's
// default context.
func DefaultParams() map[string]any {
	return map[string]any{
		ParamSteps:                 5000,
		ParamBatchSize:             64,
		ParamNCritic:               5,
		ParamCriticLearningRate:    1e-4,
		ParamGeneratorLearningRate: 1e-4,
		ParamAdamBeta1:             0.5,
		ParamAdamBeta2:             0.9,
		ParamAdamEpsilon:           1e-8,
		ParamEvalEvery:             500,
		ParamCheckpointEvery:       500,
		ParamCheckpointKeep:        2,
		ParamEvalBatchSize:         500,
	}
}

// ModelParams returns every parameter a Model and its Trainer read, with defaults: those of
// priors, layers, losses and this package. A name declared by two packages panics (it would be
// one knob silently driving two things).
func ModelParams() map[string]any {
	all := map[string]any{}
	objectiveParams := map[string]any{objectives.ParamInfoLambda: objectives.DefaultInfoLambda}
	for _, params := range []map[string]any{priors.DefaultParams(), layers.DefaultParams(), losses.DefaultParams(), objectiveParams, DefaultParams()} {
		for key, value := range params {
			if _, dup := all[key]; dup {
				panic("trainer: parameter " + key + " declared by two packages")
			}
			all[key] = value
		}
	}
	return all
}

// NewContext returns a context for a Model: ModelParams, then each overrides map in order.
func NewContext(overrides ...map[string]any) *context.Context {
	ctx := context.New().Checked(false)
	ctx.SetParams(ModelParams())
	for _, o := range overrides {
		ctx.SetParams(o)
	}
	return ctx
}

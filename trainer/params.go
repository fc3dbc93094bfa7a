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
	"github.com/clustergan/clustergan/internal/params"
	"github.com/clustergan/clustergan/layers"
	"github.com/clustergan/clustergan/losses"
	"github.com/clustergan/clustergan/objectives"
	"github.com/clustergan/clustergan/priors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Hyper-parameters read by the trainer: GoMLX context parameters, documented in Params.
const (
	ParamSteps                 = "train_steps"
	ParamBatchSize             = "batch_size"
	ParamNCritic               = "n_critic"
	ParamCriticLearningRate    = "critic_learning_rate"
	ParamGeneratorLearningRate = "generator_learning_rate"
	ParamAdamBeta1             = "adam_beta1"
	ParamAdamBeta2             = "adam_beta2"
	ParamAdamEpsilon           = "adam_epsilon"
	ParamEvalEvery             = "eval_every"
	ParamCheckpointEvery       = "checkpoint_every"
	ParamCheckpointKeep        = "checkpoint_keep"
	ParamEvalBatchSize         = "eval_batch_size"
)

// Defaults of the parameters above.
const (
	DefaultSteps                 = 5000
	DefaultBatchSize             = 64
	DefaultNCritic               = 5 // as the official WGAN-GP code; 1 is usual for the vanilla loss
	DefaultCriticLearningRate    = 1e-4
	DefaultGeneratorLearningRate = 1e-4
	DefaultAdamBeta1             = 0.5
	DefaultAdamBeta2             = 0.9
	DefaultAdamEpsilon           = 1e-8 // as TensorFlow and PyTorch
	DefaultEvalEvery             = 500
	DefaultCheckpointEvery       = 500
	DefaultCheckpointKeep        = 2
	DefaultEvalBatchSize         = 500
)

// Params declares the parameters of this package: their defaults, meanings and ranges.
var Params = params.Declare("trainer", params.Table{
	{Name: ParamSteps, Default: DefaultSteps, Range: params.AtLeast(1),
		Doc: "number of training iterations (generator updates)"},
	{Name: ParamBatchSize, Default: DefaultBatchSize, Range: params.AtLeast(2),
		Doc: "batch size of every critic and generator update (batch statistics need at least two examples)"},
	{Name: ParamNCritic, Default: DefaultNCritic, Range: params.AtLeast(1),
		Doc: "critic updates per generator update (5 as the official WGAN-GP code; 1 is usual for the vanilla loss)"},
	{Name: ParamCriticLearningRate, Default: DefaultCriticLearningRate, Range: params.Above(0),
		Doc: "the critic's Adam learning rate"},
	{Name: ParamGeneratorLearningRate, Default: DefaultGeneratorLearningRate, Range: params.Above(0),
		Doc: "the generator+encoder Adam learning rate (it also trains an encoder alone)"},
	{Name: ParamAdamBeta1, Default: DefaultAdamBeta1, Range: params.Interval(0, 1),
		Doc: "Adam's β1 for both optimisers"},
	{Name: ParamAdamBeta2, Default: DefaultAdamBeta2, Range: params.Interval(0, 1),
		Doc: "Adam's β2 for both optimisers"},
	{Name: ParamAdamEpsilon, Default: DefaultAdamEpsilon, Range: params.Above(0),
		Doc: "Adam's ε for both optimisers (1e-8 as TensorFlow and PyTorch)"},
	{Name: ParamEvalEvery, Default: DefaultEvalEvery, Range: params.AtLeast(0),
		Doc: "iterations between clusterings of the validation split, which keep the model with the best validation purity; 0 = only at the end"},
	{Name: ParamCheckpointEvery, Default: DefaultCheckpointEvery, Range: params.AtLeast(0),
		Doc: "iterations between checkpoints; 0 = only at the end"},
	{Name: ParamCheckpointKeep, Default: DefaultCheckpointKeep, Range: params.AtLeast(1),
		Doc: "how many of the latest checkpoints are kept"},
	{Name: ParamEvalBatchSize, Default: DefaultEvalBatchSize, Range: params.AtLeast(2),
		Doc: "batch size used to encode data for evaluation"},
})

// ModelParams returns every parameter a Model and its Trainer read: those of priors, layers,
// losses, objectives and this package. A name declared by two packages panics (it would be one
// knob silently driving two things).
func ModelParams() params.Table {
	return params.Merge(priors.Params, layers.Params, losses.Params, objectives.Params, Params)
}

// NewContext returns a context for a Model: ModelParams with their defaults, then each
// overrides map in order.
func NewContext(overrides ...map[string]any) *context.Context {
	ctx := ModelParams().NewContext()
	for _, o := range overrides {
		ctx.SetParams(o)
	}
	return ctx
}

package methods

import (
	"github.com/clustergan/clustergan/datasets"
	"github.com/clustergan/clustergan/evaluation"
	"github.com/clustergan/clustergan/losses"
	"github.com/clustergan/clustergan/objectives"
	"github.com/clustergan/clustergan/rundir"
	"github.com/clustergan/clustergan/trainer"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// encoderMethod trains a model that clusters data by itself — ClusterGAN's or IMSAT's encoder
// E, or InfoGAN's Q head — and reports two rows: k-means on its output (the paper's protocol)
// and argmax of its logits. It selects the model by validation purity (ParamSelection).
type encoderMethod struct {
	name      string
	objective objectives.Objective
	// output names what is clustered in row names: "E(x)" or "Q(x)".
	output string
	// code: cluster with the critic's Q head (InfoGAN) instead of the encoder.
	code bool
	// noNoise: the model's noise output is not trained (IMSAT, InfoGAN): k-means sees only
	// softmax(logits).
	noNoise bool
	// generator: the model has a generator to draw and to measure (not IMSAT).
	generator bool
	// overrides returns the parameters the method sets in its own copy of the run's settings.
	overrides func(ctx *context.Context) map[string]any
	// params are the method's own parameters, beyond its objective's.
	params []string
	// check, if set, reports a bad value of the method's own parameters, naming the parameter
	// (overrides may copy it into a shared one, whose error would name the wrong knob).
	check func(ctx *context.Context) error
}

func (e encoderMethod) own(ctx *context.Context) map[string]any {
	if e.overrides == nil {
		return nil
	}
	return e.overrides(ctx)
}

// Validate implements Method.
func (e encoderMethod) Validate(ctx *context.Context) error {
	if e.check != nil {
		if err := e.check(ctx); err != nil {
			return err
		}
	}
	if err := validateTraining(ctx, e.own(ctx)); err != nil {
		return err
	}
	return validateObjective(ctx, e.objective, e.own(ctx))
}

// Params implements Method.
func (e encoderMethod) Params() []string {
	return append(e.objective.Params(), e.params...)
}

// withNoise reports whether k-means sees ẑ_n: the paper clusters [ẑ_n, softmax(logits)], and
// softmax(logits) alone when β_n = 0.
func (e encoderMethod) withNoise(ctx *context.Context) bool {
	c, _ := losses.ConfigFromContext(ctx) // checked by Validate and by the objective's phases
	return !e.noNoise && c.BetaN != 0
}

// Run implements Method.
func (e encoderMethod) Run(env *Env) (*Outcome, error) {
	if e.check != nil {
		if err := e.check(env.Ctx); err != nil {
			return nil, err
		}
	}
	t, err := newTraining(env, e.name, e.objective, e.own(env.Ctx))
	if err != nil {
		return nil, err
	}
	recipe := e.objective.Recipe(t.ctx)
	withNoise := e.withNoise(t.ctx)
	batch := t.tr.Config.EvalBatchSize
	mc, err := ConfigFromContext(t.ctx)
	if err != nil {
		return nil, err
	}
	track := mc.TrackEvalSplit
	if val := env.Data.Validation; val != nil && val.N() > 0 && val.Labels != nil {
		// Model selection by validation purity.
		t.tr.Evaluate = func(m *trainer.Model, step int) (float64, map[string]float64, error) {
			rows, _, err := e.cluster(m, recipe, val, t.kmeans, withNoise, batch)
			if err != nil {
				return 0, nil, err
			}
			metrics := map[string]float64{
				"val_purity": rows[0].Metrics.Purity, "val_nmi": rows[0].Metrics.NMI,
				"val_acc": rows[0].Metrics.ACC, "val_argmax_purity": rows[1].Metrics.Purity,
			}
			if track {
				// Logged for time-to-accuracy curves only; selection stays on validation.
				evalRows, _, err := e.cluster(m, recipe, env.Eval, t.kmeans, withNoise, batch)
				if err != nil {
					return 0, nil, err
				}
				AddEvalMetrics(metrics, evalRows[0].Metrics, evalRows[1].Metrics)
			}
			return rows[0].Metrics.Purity, metrics, nil
		}
	} else if track {
		return nil, errNoValidation(ParamTrackEvalSplit)
	}
	what := "objective " + recipe
	trainTime, err := t.run(env, what)
	if err != nil {
		return nil, err
	}
	rows, features, err := e.cluster(t.model, recipe, env.Eval, t.kmeans, withNoise, batch)
	if err != nil {
		return nil, err
	}
	var gen *evaluation.GenAgreement
	if e.generator {
		// Cluster k's class: the majority true label of the evaluation examples argmax puts in k.
		if gen, err = generationAgreement(env, t.model, rows[1].Labels); err != nil {
			return nil, err
		}
	}
	for i := range rows {
		rows[i].Method, rows[i].Generation = e.name, gen
		rows[i].Extra = map[string]any{"selected_step": t.reportedStep(), "steps": t.tr.Step()}
		if err := env.Log(&rundir.ResultRecord{Row: rows[i].Name(), Metrics: rows[i].Metrics, Extra: rows[i].Extra}); err != nil {
			return nil, err
		}
	}
	out := &Outcome{Rows: rows, TrainTime: trainTime, Features: features.x, FeatureDim: features.dim, FeatureName: e.output}
	if e.generator {
		out.Model = t.model
	}
	return out, nil
}

// Keys of the reported split's metrics in the evaluation records when ParamTrackEvalSplit is
// set (time-to-accuracy curves).
const (
	EvalPurity       = "eval_purity"
	EvalACC          = "eval_acc"
	EvalNMI          = "eval_nmi"
	EvalARI          = "eval_ari"
	EvalArgmaxPurity = "eval_argmax_purity"
)

// AddEvalMetrics adds the reported split's metrics (k-means and argmax rows) to an
// evaluation's metrics.
func AddEvalMetrics(metrics map[string]float64, kmeans, argmax evaluation.Metrics) {
	metrics[EvalPurity] = kmeans.Purity
	metrics[EvalACC] = kmeans.ACC
	metrics[EvalNMI] = kmeans.NMI
	metrics[EvalARI] = kmeans.ARI
	metrics[EvalArgmaxPurity] = argmax.Purity
}

// features are the vectors k-means clustered (n × dim).
type features struct {
	x   []float32
	dim int
}

// cluster encodes d and clusters it both ways; rows[0] is k-means, rows[1] argmax. It also
// returns the features k-means saw.
func (e encoderMethod) cluster(m *trainer.Model, recipe string, d *datasets.Dataset, kmCfg evaluation.KMeansConfig, withNoise bool, batch int) ([]Row, features, error) {
	var enc *trainer.Encoding
	var err error
	if e.code {
		enc, err = m.Code(d.X, batch)
	} else {
		enc, err = m.Encode(d.X, batch)
	}
	if err != nil {
		return nil, features{}, err
	}
	x, dim := enc.Features(withNoise)
	km, err := evaluation.KMeans(x, dim, kmCfg)
	if err != nil {
		return nil, features{}, err
	}
	kmMetrics, err := evaluation.Evaluate(km.Labels, d.Labels)
	if err != nil {
		return nil, features{}, err
	}
	argmax := enc.Argmax()
	argMetrics, err := evaluation.Evaluate(argmax, d.Labels)
	if err != nil {
		return nil, features{}, err
	}
	return []Row{
		{Recipe: recipe, Inference: "k-means on " + e.output, Metrics: kmMetrics, Labels: km.Labels},
		{Recipe: recipe, Inference: "argmax of " + e.output, Metrics: argMetrics, Labels: argmax},
	}, features{x: x, dim: dim}, nil
}

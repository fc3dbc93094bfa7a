package trainer

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"github.com/clustergan/clustergan/layers"
	"github.com/clustergan/clustergan/losses"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX's idiom for graph code.
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// Scopes of the three players' variables (each layers.Architecture builder opens its own).
const (
	ScopeGenerator = "/generator"
	ScopeCritic    = "/critic"
	ScopeEncoder   = "/encoder"
)

// Losses of one iteration, as returned by Step.
type Losses struct {
	Critic      float64 `json:"critic_loss"`    // last critic step's loss (with gradient penalty)
	Generator   float64 `json:"generator_loss"` // adversarial part of the generator loss
	Latent      float64 `json:"latent_loss"`    // β_n·noise + β_c·cluster reconstruction, plus the β_x and β_mi real-data terms when on
	NoiseRecon  float64 `json:"noise_recon"`    // mean((z_n − ẑ_n)²), unweighted
	ClusterLoss float64 `json:"cluster_ce"`     // CE(z_c, logits), unweighted
}

// Config holds the trainer's settings, read from the context by ConfigFromContext.
type Config struct {
	Steps, BatchSize, NCritic int
	CriticLR, GeneratorLR     float64
	Beta1, Beta2, Epsilon     float64
	EvalEvery                 int
	CheckpointEvery           int
	CheckpointKeep            int
	EvalBatchSize             int
	InfoLambda                float64
}

// ConfigFromContext reads and validates the trainer's parameters; errors name the parameter.
func ConfigFromContext(ctx *context.Context) (Config, error) {
	d := DefaultParams()
	c := Config{
		Steps:           context.GetParamOr(ctx, ParamSteps, d[ParamSteps].(int)),
		BatchSize:       context.GetParamOr(ctx, ParamBatchSize, d[ParamBatchSize].(int)),
		NCritic:         context.GetParamOr(ctx, ParamNCritic, d[ParamNCritic].(int)),
		CriticLR:        context.GetParamOr(ctx, ParamCriticLearningRate, d[ParamCriticLearningRate].(float64)),
		GeneratorLR:     context.GetParamOr(ctx, ParamGeneratorLearningRate, d[ParamGeneratorLearningRate].(float64)),
		Beta1:           context.GetParamOr(ctx, ParamAdamBeta1, d[ParamAdamBeta1].(float64)),
		Beta2:           context.GetParamOr(ctx, ParamAdamBeta2, d[ParamAdamBeta2].(float64)),
		Epsilon:         context.GetParamOr(ctx, ParamAdamEpsilon, d[ParamAdamEpsilon].(float64)),
		EvalEvery:       context.GetParamOr(ctx, ParamEvalEvery, d[ParamEvalEvery].(int)),
		CheckpointEvery: context.GetParamOr(ctx, ParamCheckpointEvery, d[ParamCheckpointEvery].(int)),
		CheckpointKeep:  context.GetParamOr(ctx, ParamCheckpointKeep, d[ParamCheckpointKeep].(int)),
		EvalBatchSize:   context.GetParamOr(ctx, ParamEvalBatchSize, d[ParamEvalBatchSize].(int)),
		InfoLambda:      context.GetParamOr(ctx, ParamInfoLambda, d[ParamInfoLambda].(float64)),
	}
	checks := []struct {
		ok   bool
		name string
		want string
		got  any
	}{
		{c.Steps >= 1, ParamSteps, "≥ 1", c.Steps},
		{c.BatchSize >= 2, ParamBatchSize, "≥ 2", c.BatchSize},
		{c.NCritic >= 1, ParamNCritic, "≥ 1", c.NCritic},
		{c.CriticLR > 0, ParamCriticLearningRate, "> 0", c.CriticLR},
		{c.GeneratorLR > 0, ParamGeneratorLearningRate, "> 0", c.GeneratorLR},
		{c.Beta1 >= 0 && c.Beta1 < 1, ParamAdamBeta1, "in [0, 1)", c.Beta1},
		{c.Beta2 >= 0 && c.Beta2 < 1, ParamAdamBeta2, "in [0, 1)", c.Beta2},
		{c.Epsilon > 0, ParamAdamEpsilon, "> 0", c.Epsilon},
		{c.EvalEvery >= 0, ParamEvalEvery, "≥ 0", c.EvalEvery},
		{c.CheckpointEvery >= 0, ParamCheckpointEvery, "≥ 0", c.CheckpointEvery},
		{c.CheckpointKeep >= 1, ParamCheckpointKeep, "≥ 1", c.CheckpointKeep},
		{c.EvalBatchSize >= 2, ParamEvalBatchSize, "≥ 2", c.EvalBatchSize},
		{c.InfoLambda >= 0, ParamInfoLambda, "≥ 0", c.InfoLambda},
	}
	for _, chk := range checks {
		if !chk.ok {
			return c, fmt.Errorf("parameter %q: must be %s, got %v", chk.name, chk.want, chk.got)
		}
	}
	return c, nil
}

// Evaluator scores the model on held-out data during training; higher is better. The trainer
// keeps the checkpoint with the best score ("best.ckpt").
type Evaluator func(m *Model, step int) (score float64, metrics map[string]float64, err error)

// Trainer runs the alternating ClusterGAN updates.
type Trainer struct {
	Model  *Model
	Config Config
	// TrainX is the training split, n × DataDim row-major; it stays on the device.
	TrainX []float32
	// Dir holds checkpoints ("checkpoint-<step>.ckpt", "best.ckpt"); "" disables them.
	Dir string
	// Out receives the progress bar and messages (nil = discard).
	Out io.Writer
	// Log receives one record per logged iteration and per evaluation (may be nil).
	Log func(record map[string]any) error
	// Evaluate, if set, runs every Config.EvalEvery iterations and at the end.
	Evaluate Evaluator
	// LogEvery is how often losses are logged (iterations; default: about 200 records a run).
	LogEvery int
	// NoEncoder: train only G and D; the G step has no latent loss (GAN baselines whose prior
	// has a categorical part, such as gmm; a prior without one never trains an encoder).
	NoEncoder bool
	// InfoGAN: no encoder; the critic carries InfoGAN's Q head (layers.CriticWithCode), and both
	// the critic step and the generator step add InfoLambda·CE(z_c, Q(G(z))) (Chen et al. 2016).
	InfoGAN bool

	step      int
	best      CheckpointInfo
	started   time.Time     // when Train began
	evalTime  time.Duration // time spent in Evaluate since then
	iterExec  *context.Exec
	trainData *tensors.Tensor
}

// Step returns the number of generator iterations done.
func (t *Trainer) Step() int { return t.step }

// BestStep and BestScore describe the best evaluation so far (BestStep 0: none yet).
func (t *Trainer) BestStep() int { return t.best.BestStep }

// BestScore is the best evaluation score so far.
func (t *Trainer) BestScore() float64 { return t.best.BestScore }

// Restore loads the latest checkpoint in t.Dir, if any, before training starts. It returns the
// checkpoint path ("" if none was found).
func (t *Trainer) Restore() (string, error) {
	if t.Dir == "" {
		return "", nil
	}
	path, err := LatestCheckpoint(t.Dir)
	if err != nil || path == "" {
		return "", err
	}
	data, err := LoadCheckpoint(path)
	if err != nil {
		return "", err
	}
	// Variables that already exist (the RNG state, say) take their values now; the others when
	// the training graph creates them.
	if err := data.assignExisting(t.Model.Ctx); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	t.Model.Ctx.SetLoader(data)
	t.step = data.Info.Step
	t.best = CheckpointInfo{BestStep: data.Info.BestStep, BestScore: data.Info.BestScore}
	return path, nil
}

// optimizers returns the two players' Adam optimisers, each with its own state scope.
func (t *Trainer) optimizers() (critic, generator optimizers.Interface) {
	cfg := t.Config
	critic = optimizers.Adam().Scope("critic_adam").LearningRate(cfg.CriticLR).
		Betas(cfg.Beta1, cfg.Beta2).Epsilon(cfg.Epsilon).Done()
	generator = optimizers.Adam().Scope("generator_adam").LearningRate(cfg.GeneratorLR).
		Betas(cfg.Beta1, cfg.Beta2).Epsilon(cfg.Epsilon).Done()
	return
}

// buildIteration is the graph of one iteration: NCritic critic updates, then one G+E update.
func (t *Trainer) buildIteration(ctx *context.Context, trainX *Node) []*Node {
	criticOpt, genOpt := t.optimizers()
	var criticLoss *Node
	for range t.Config.NCritic {
		criticLoss = t.criticStep(ctx, trainX, criticOpt)
	}
	outputs := append([]*Node{criticLoss}, t.generatorStep(ctx, trainX, genOpt)...)
	for i, o := range outputs {
		outputs[i] = ConvertDType(StopGradient(o), dtypes.Float64)
	}
	return outputs
}

// criticStep builds one critic update on a fresh real batch and fresh z; it returns the loss.
func (t *Trainer) criticStep(ctx *context.Context, trainX *Node, opt optimizers.Interface) *Node {
	m, batch := t.Model, t.Config.BatchSize
	g := trainX.Graph()
	critic := func(x *Node) *Node { return m.Arch.Critic(ctx, m.Spec, x) }
	real := t.realBatch(ctx, trainX)
	latent := m.Prior.Sample(ctx, g, batch)
	// The critic step must not move G: its output is a constant here.
	fake := StopGradient(m.Arch.Generator(ctx, m.Spec, latent.Z))
	loss := m.Loss.CriticLoss(ctx, critic, real, fake)
	if t.InfoGAN {
		// InfoGAN's D and Q both maximise the mutual-information bound: Q's head and the
		// shared trunk learn to recover z_c from G(z).
		_, logits := t.criticWithCode().CriticAndCode(ctx, m.Spec, fake)
		loss = Add(loss, MulScalar(losses.ClusterLoss(latent.OneHot, logits), t.Config.InfoLambda))
	}
	updateOnly(ctx.In("critic_optimizer"), opt, loss, ScopeCritic)
	return loss
}

// realBatch draws Config.BatchSize rows of the training data uniformly, with replacement, from
// ctx's RNG.
func (t *Trainer) realBatch(ctx *context.Context, trainX *Node) *Node {
	n := trainX.Shape().Dimensions[0]
	idx := ctx.RandomIntN(trainX.Graph(), int32(n), shapes.Make(dtypes.Int32, t.Config.BatchSize, 1))
	return Gather(trainX, idx)
}

// criticWithCode returns the architecture's critic with InfoGAN's Q head; Validate has checked
// that the architecture has one.
func (t *Trainer) criticWithCode() layers.CriticWithCode {
	cwc, ok := t.Model.Arch.(layers.CriticWithCode)
	if !ok {
		panic(fmt.Sprintf("trainer: InfoGAN needs an architecture with a Q head (layers.CriticWithCode); %T has none", t.Model.Arch))
	}
	return cwc
}

// generatorStep builds one generator+encoder update on fresh z. E sees only generated data,
// unless losses.ParamBetaX or losses.ParamBetaMI adds a real-data term (see realDataLoss). It
// returns the adversarial loss and, with an encoder, the weighted latent loss (the real-data
// terms included) and its two unweighted terms.
func (t *Trainer) generatorStep(ctx *context.Context, trainX *Node, opt optimizers.Interface) []*Node {
	m := t.Model
	g := trainX.Graph()
	latent := m.Prior.Sample(ctx, g, t.Config.BatchSize)
	fake := m.Arch.Generator(ctx, m.Spec, latent.Z)
	if t.InfoGAN {
		// G maximises the same bound; Q (part of the critic) is frozen in this step.
		scores, logits := t.criticWithCode().CriticAndCode(ctx, m.Spec, fake)
		advLoss := m.Loss.GeneratorLoss(ctx, scores)
		ce := losses.ClusterLoss(latent.OneHot, logits)
		info := MulScalar(ce, t.Config.InfoLambda)
		updateOnly(ctx.In("generator_optimizer"), opt, Add(advLoss, info), ScopeGenerator)
		return []*Node{advLoss, info, ZerosLike(ce), ce}
	}
	advLoss := m.Loss.GeneratorLoss(ctx, m.Arch.Critic(ctx, m.Spec, fake))
	total := advLoss
	outputs := []*Node{advLoss}
	if !t.NoEncoder && m.Spec.NumClusters > 0 && latent.OneHot != nil {
		noiseHat, logits := m.Arch.Encoder(ctx, m.Spec, fake)
		latentLoss := losses.LatentLoss(ctx, latent.Noise, noiseHat, latent.OneHot, logits)
		if realLoss := t.realDataLoss(ctx, trainX); realLoss != nil {
			latentLoss = Add(latentLoss, realLoss)
		}
		total = Add(total, latentLoss)
		outputs = append(outputs, latentLoss, losses.NoiseLoss(latent.Noise, noiseHat),
			losses.ClusterLoss(latent.OneHot, logits))
	}
	updateOnly(ctx.In("generator_optimizer"), opt, total, ScopeGenerator, ScopeEncoder)
	return outputs
}

// realDataLoss is the weighted sum of the optional real-data terms of the G+E update, on one
// fresh real batch x with (ẑ_n, logits) = E(x), or nil when both weights are 0:
//   - β_x·mean((x − G(ẑ_n, softmax(logits)))²) (losses.ParamBetaX): the softmax stands in for
//     the one-hot so the term is differentiable;
//   - β_mi·losses.InfoMaxLoss(logits, logits of the augmented views) (losses.ParamBetaMI; see
//     augmentedLogits).
func (t *Trainer) realDataLoss(ctx *context.Context, trainX *Node) *Node {
	m := t.Model
	betaX, betaMI := losses.BetaX(ctx), losses.BetaMI(ctx)
	if betaX == 0 && betaMI == 0 {
		return nil
	}
	real := t.realBatch(ctx, trainX)
	noiseHat, logits := m.Arch.Encoder(ctx, m.Spec, real)
	var terms []*Node
	if betaX > 0 {
		if m.Spec.NoiseDim+m.Spec.NumClusters != m.Spec.LatentDim || m.Spec.NoiseDim == 0 {
			panic(fmt.Sprintf("trainer: %s > 0 needs a prior whose z is (z_n, z_c) (prior \"mixed\"); this one has z of %d = %d noise + %d clusters",
				losses.ParamBetaX, m.Spec.LatentDim, m.Spec.NoiseDim, m.Spec.NumClusters))
		}
		z := Concatenate([]*Node{noiseHat, Softmax(logits, -1)}, 1)
		xHat := Reshape(m.Arch.Generator(ctx, m.Spec, z), real.Shape().Dimensions...)
		terms = append(terms, MulScalar(losses.ReconstructionLoss(real, xHat), betaX))
	}
	if betaMI > 0 {
		terms = append(terms, MulScalar(losses.InfoMaxLoss(ctx, logits, t.augmentedLogits(ctx, real, logits)...), betaMI))
	}
	if len(terms) == 1 {
		return terms[0]
	}
	return Add(terms[0], terms[1])
}

// augmentedLogits returns E's logits on the augmented views of the real batch x that
// losses.InfoMaxLoss compares with logits = E(x): losses.ParamMIViews copies of x, each image
// warped on its own (shifted, rotated and scaled by up to losses.ParamMIShift, ParamMIRotation and
// ParamMIScale), and x + r_adv of virtual adversarial training when losses.ParamMIVATEpsilon > 0.
// With neither, the only view is x itself (its consistency term then has no gradient), which
// leaves the entropy terms.
func (t *Trainer) augmentedLogits(ctx *context.Context, x, logits *Node) []*Node {
	m := t.Model
	encode := func(x *Node) *Node {
		_, l := m.Arch.Encoder(ctx, m.Spec, x)
		return l
	}
	var views []*Node
	warp := layers.Affine{MaxShift: losses.MIShift(ctx), MaxRotation: losses.MIRotation(ctx), MaxScale: losses.MIScale(ctx)}
	numWarped := losses.MIViews(ctx)
	if warp == (layers.Affine{}) && numWarped > 1 {
		panic(fmt.Sprintf("trainer: %s = %d needs a warp (%s, %s or %s > 0): without one the views are identical",
			losses.ParamMIViews, numWarped, losses.ParamMIShift, losses.ParamMIRotation, losses.ParamMIScale))
	}
	if warp != (layers.Affine{}) {
		if len(m.Spec.DataShape) < 2 {
			panic(fmt.Sprintf("trainer: %s, %s, %s = %d, %g, %g warp images, but the data's examples have shape %v; set them to 0 for vector data",
				losses.ParamMIShift, losses.ParamMIRotation, losses.ParamMIScale, warp.MaxShift, warp.MaxRotation, warp.MaxScale,
				m.Spec.DataShape))
		}
		// All warped copies go through E as one batch (one pass with larger matrix products;
		// batch norm then uses statistics over all views).
		batch := t.Config.BatchSize
		img := Reshape(BroadcastPrefix(x, numWarped), append([]int{numWarped * batch}, m.Spec.DataShape...)...)
		warped := encode(Reshape(layers.RandomAffine(ctx, img, warp), numWarped*batch, x.Shape().Dimensions[1]))
		if numWarped == 1 {
			views = append(views, warped)
		} else { // a stack [views, batch, K]; slicing it apart would need Pad, which the pure-Go backend lacks
			views = append(views, Reshape(warped, numWarped, batch, -1))
		}
	}
	if eps := losses.MIVATEpsilon(ctx); eps > 0 {
		views = append(views, encode(losses.VirtualAdversarialView(ctx, encode, x, logits, eps)))
	}
	if len(views) == 0 {
		views = append(views, logits)
	}
	return views
}

// updateOnly builds opt's update of loss for the variables under the given scopes only: GoMLX
// optimisers update every trainable variable a graph uses, so the other players' variables are
// marked non-trainable while the update is built, then restored.
func updateOnly(ctx *context.Context, opt optimizers.Interface, loss *Node, scopes ...string) {
	var frozen []*context.Variable
	for v := range ctx.IterVariables() {
		if v.Trainable && !inScopes(v.Scope(), scopes) {
			v.Trainable = false
			frozen = append(frozen, v)
		}
	}
	defer func() {
		for _, v := range frozen {
			v.Trainable = true
		}
	}()
	opt.UpdateGraph(ctx, loss.Graph(), loss)
}

func inScopes(scope string, scopes []string) bool {
	for _, s := range scopes {
		if scope == s || strings.HasPrefix(scope, s+context.ScopeSeparator) {
			return true
		}
	}
	return false
}

// ErrDiverged is wrapped by the error Train returns when a loss becomes NaN or infinite.
var ErrDiverged = errors.New("training diverged")

// RunStep runs one iteration and returns its losses.
func (t *Trainer) RunStep() (Losses, error) {
	var out []*tensors.Tensor
	err := catch(func() {
		if t.iterExec == nil {
			dim := t.Model.DataDim()
			if len(t.TrainX) == 0 || len(t.TrainX)%dim != 0 {
				panic(fmt.Sprintf("training data: %d values is not a positive multiple of the data dimension %d", len(t.TrainX), dim))
			}
			t.trainData = tensors.FromFlatDataAndDimensions(t.TrainX, len(t.TrainX)/dim, dim)
			t.iterExec = context.MustNewExec(t.Model.Backend, t.Model.Ctx, t.buildIteration)
		}
		out = t.iterExec.MustExec(t.trainData)
	})
	if err != nil {
		return Losses{}, err
	}
	values := make([]float64, len(out))
	for i, o := range out {
		values[i] = tensors.ToScalar[float64](o)
		o.MustFinalizeAll()
	}
	l := Losses{Critic: values[0], Generator: values[1]}
	if len(values) >= 5 {
		l.Latent, l.NoiseRecon, l.ClusterLoss = values[2], values[3], values[4]
	}
	t.step++
	for i, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return l, fmt.Errorf("%w at iteration %d: loss #%d is %v", ErrDiverged, t.step, i, v)
		}
	}
	return l, nil
}

// Train runs iterations until Config.Steps, with progress, periodic evaluation and atomic
// checkpoints. After it returns, the model holds the best evaluated weights (when an Evaluator
// is set), else the last ones.
func (t *Trainer) Train() error {
	cfg := t.Config
	out := t.Out
	if out == nil {
		out = io.Discard
	}
	if t.Dir != "" {
		if err := os.MkdirAll(t.Dir, 0o755); err != nil {
			return err
		}
	}
	logEvery := t.LogEvery
	if logEvery <= 0 {
		logEvery = max(1, cfg.Steps/200)
	}
	bar := newProgress(out, cfg.Steps, t.step)
	t.started, t.evalTime = time.Now(), 0
	lastGood := ""
	for t.step < cfg.Steps {
		losses, err := t.RunStep()
		if err != nil {
			bar.finish()
			if errors.Is(err, ErrDiverged) {
				if lastGood == "" {
					lastGood, _ = LatestCheckpoint(t.Dir)
				}
				if lastGood != "" {
					return fmt.Errorf("%w; the last good checkpoint is %s (lower the learning rates and -resume)", err, lastGood)
				}
			}
			return err
		}
		bar.update(t.step, losses)
		if t.Log != nil && (t.step%logEvery == 0 || t.step == cfg.Steps) {
			if err := t.Log(map[string]any{"event": "train", "step": t.step, "losses": losses}); err != nil {
				return err
			}
		}
		evalNow := t.Evaluate != nil && ((cfg.EvalEvery > 0 && t.step%cfg.EvalEvery == 0) || t.step == cfg.Steps)
		if evalNow {
			if err := t.evaluate(bar); err != nil {
				return err
			}
		}
		if t.Dir != "" && ((cfg.CheckpointEvery > 0 && t.step%cfg.CheckpointEvery == 0) || t.step == cfg.Steps) {
			path := checkpointPath(t.Dir, t.step)
			if err := SaveCheckpoint(t.Model.Ctx, path, CheckpointInfo{Step: t.step, BestStep: t.best.BestStep, BestScore: t.best.BestScore}); err != nil {
				return err
			}
			if err := pruneCheckpoints(t.Dir, cfg.CheckpointKeep); err != nil {
				return err
			}
			lastGood = path
		}
	}
	bar.finish()
	return t.useBest()
}

func (t *Trainer) evaluate(bar *progress) error {
	evalStart := time.Now()
	elapsed, training := evalStart.Sub(t.started), evalStart.Sub(t.started)-t.evalTime
	score, metrics, err := t.Evaluate(t.Model, t.step)
	t.evalTime += time.Since(evalStart)
	if err != nil {
		return fmt.Errorf("evaluation at iteration %d: %w", t.step, err)
	}
	improved := t.best.BestStep == 0 || score > t.best.BestScore
	if improved {
		t.best.BestStep, t.best.BestScore = t.step, score
		if t.Dir != "" {
			if err := SaveCheckpoint(t.Model.Ctx, t.bestPath(), CheckpointInfo{Step: t.step, BestStep: t.step, BestScore: score, Extra: metrics}); err != nil {
				return err
			}
		}
	}
	bar.note(fmt.Sprintf("eval @%d: score %.4f (best %.4f @%d)", t.step, score, t.best.BestScore, t.best.BestStep))
	if t.Log != nil {
		// Wall-clock seconds since this Train call began (a resumed run counts from its resume),
		// with and without the time spent in earlier evaluations: time-to-accuracy curves.
		return t.Log(map[string]any{"event": "eval", "step": t.step, "score": score, "metrics": metrics, "best_step": t.best.BestStep,
			"elapsed_s": elapsed.Seconds(), "train_s": training.Seconds()})
	}
	return nil
}

func (t *Trainer) bestPath() string { return t.Dir + string(os.PathSeparator) + "best.ckpt" }

// useBest switches the model to the best evaluated weights, if they differ from the current ones.
func (t *Trainer) useBest() error {
	if t.Dir == "" || t.best.BestStep == 0 || t.best.BestStep == t.step {
		return nil
	}
	data, err := LoadCheckpoint(t.bestPath())
	if err != nil {
		return err
	}
	return data.assign(t.Model.Ctx)
}

// progress prints step, rate, ETA and the current losses: in place on a terminal, as periodic
// lines otherwise (logs, CI).
type progress struct {
	out        io.Writer
	total      int
	startStep  int
	start      time.Time
	lastPrint  time.Time
	terminal   bool
	lastLosses Losses
	line       string
}

func newProgress(out io.Writer, total, startStep int) *progress {
	p := &progress{out: out, total: total, startStep: startStep, start: time.Now()}
	if f, ok := out.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.terminal = true
		}
	}
	return p
}

func (p *progress) update(step int, l Losses) {
	p.lastLosses = l
	interval := 10 * time.Second
	if p.terminal {
		interval = 250 * time.Millisecond
	}
	if time.Since(p.lastPrint) < interval && step != p.total {
		return
	}
	p.lastPrint = time.Now()
	elapsed := time.Since(p.start)
	done := step - p.startStep
	rate := float64(done) / elapsed.Seconds()
	eta := "?"
	if rate > 0 {
		eta = (time.Duration(float64(p.total-step)/rate) * time.Second).Round(time.Second).String()
	}
	p.line = fmt.Sprintf("%d/%d (%.0f%%) %.2f it/s, ETA %s | D %.4f G %.4f latent %.4f",
		step, p.total, 100*float64(step)/float64(p.total), rate, eta, l.Critic, l.Generator, l.Latent)
	if p.terminal {
		fmt.Fprintf(p.out, "\r\033[K%s", p.line)
	} else {
		fmt.Fprintln(p.out, p.line)
	}
}

func (p *progress) note(msg string) {
	if p.terminal {
		fmt.Fprintf(p.out, "\r\033[K%s\n%s", msg, p.line)
	} else {
		fmt.Fprintln(p.out, msg)
	}
}

func (p *progress) finish() {
	if p.terminal {
		fmt.Fprintln(p.out)
	}
}

package trainer

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/clustergan/clustergan/internal/atomicfile"
	"github.com/clustergan/clustergan/objectives"
	"github.com/clustergan/clustergan/rundir"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX's idiom for graph code.
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// Losses are one iteration's loss terms by name: "<phase>/<term>" (unweighted) and
// "<phase>/total" (the weighted sum the phase minimised), from the last run of each phase.
type Losses map[string]float64

// Config holds the trainer's settings, read from the context by ConfigFromContext.
type Config struct {
	Steps, BatchSize, NCritic int
	CriticLR, GeneratorLR     float64
	Beta1, Beta2, Epsilon     float64
	EvalEvery                 int
	CheckpointEvery           int
	CheckpointKeep            int
	EvalBatchSize             int
}

// ConfigFromContext reads the trainer's parameters (Params) and checks each against its range;
// the error names the first parameter out of range.
func ConfigFromContext(ctx *context.Context) (Config, error) {
	r := Params.Reader(ctx)
	c := Config{
		Steps:           r.Int(ParamSteps),
		BatchSize:       r.Int(ParamBatchSize),
		NCritic:         r.Int(ParamNCritic),
		CriticLR:        r.Float(ParamCriticLearningRate),
		GeneratorLR:     r.Float(ParamGeneratorLearningRate),
		Beta1:           r.Float(ParamAdamBeta1),
		Beta2:           r.Float(ParamAdamBeta2),
		Epsilon:         r.Float(ParamAdamEpsilon),
		EvalEvery:       r.Int(ParamEvalEvery),
		CheckpointEvery: r.Int(ParamCheckpointEvery),
		CheckpointKeep:  r.Int(ParamCheckpointKeep),
		EvalBatchSize:   r.Int(ParamEvalBatchSize),
	}
	return c, r.Err()
}

// Evaluator scores the model on held-out data during training; higher is better. The trainer
// keeps the checkpoint with the best score ("best.ckpt").
type Evaluator func(m *Model, step int) (score float64, metrics map[string]float64, err error)

// Trainer runs an objective's phases, iteration after iteration: for each phase, Repeat
// updates of its players' variables by its own optimiser, each on a fresh batch.
type Trainer struct {
	Model *Model
	// Objective says what each phase minimises and updates (objectives.ClusterGAN, ...).
	Objective objectives.Objective
	Config    Config
	// TrainX is the training split, n × DataDim row-major; it stays on the device.
	TrainX []float32
	// Dir holds checkpoints ("checkpoint-<step>.ckpt", "best.ckpt"); "" disables them.
	Dir string
	// Out receives the progress bar and messages (nil = discard).
	Out io.Writer
	// Log receives one record per logged iteration and per evaluation (may be nil).
	Log func(rundir.Record) error
	// Evaluate, if set, runs every Config.EvalEvery iterations and at the end.
	Evaluate Evaluator
	// LogEvery is how often losses are logged (iterations; default: about 200 records a run).
	LogEvery int
	// KeepFinal: the model keeps its final weights after Train, even when an evaluation was
	// better (the official protocol evaluates each run's final weights).
	KeepFinal bool

	step     int
	best     CheckpointInfo
	started  time.Time     // when this session's Train began
	evalTime time.Duration // time spent in Evaluate since then
	// elapsed and trained sum the earlier sessions' time in Train (from the checkpoint
	// restored), with and without evaluations.
	elapsed, trained time.Duration
	running          bool
	// lastGood is the newest checkpoint verified finite: written by this trainer (values
	// checked before writing) or restored (checked when read).
	lastGood     string
	lastGoodStep int
	phases       []objectives.Phase
	lossNames    []string // the iteration graph's outputs, in order
	iterExec     *context.Exec
	trainData    *tensors.Tensor
}

// Step returns the number of generator iterations done.
func (t *Trainer) Step() int { return t.step }

// BestStep and BestScore describe the best evaluation so far (BestStep 0: none yet).
func (t *Trainer) BestStep() int { return t.best.BestStep }

// BestScore is the best evaluation score so far.
func (t *Trainer) BestScore() float64 { return t.best.BestScore }

// Restore loads the newest usable checkpoint in t.Dir, if any, before training starts, and
// returns its path ("" if there is none). A damaged checkpoint (checksum, truncation,
// non-finite values) is set aside as "<name>.damaged" with one line to t.Out, and the one
// before it is used. The learning rates are the configured ones, not the checkpoint's, so that
// a run resumed with other learning rates uses them (unchanged settings give the same values).
func (t *Trainer) Restore() (string, error) {
	if t.Dir == "" {
		return "", nil
	}
	paths, err := listCheckpoints(t.Dir)
	if err != nil {
		return "", err
	}
	damaged := 0
	for i := len(paths) - 1; i >= 0; i-- {
		path := paths[i]
		data, err := LoadCheckpoint(path)
		var dmg *DamagedError
		if errors.As(err, &dmg) {
			aside := path + damagedSuffix
			if err := os.Rename(path, aside); err != nil {
				return "", err
			}
			damaged++
			next := "none is left"
			if i > 0 {
				next = "resuming from " + paths[i-1] + " if it is sound"
			}
			fmt.Fprintf(t.out(), "%v; set aside as %s, %s\n", err, filepath.Base(aside), next)
			continue
		}
		if err != nil {
			return "", err
		}
		if !data.Checksummed {
			fmt.Fprintf(t.out(), "checkpoint %s has no checksum (written before checkpoints had one): its structure and values were checked, its bytes could not be\n", path)
		}
		if err := t.useConfiguredLearningRates(data); err != nil {
			return "", fmt.Errorf("%s: %w", path, err)
		}
		// Variables that already exist (the RNG state, say) take their values now; the others when
		// the training graph creates them.
		if err := data.assignExisting(t.Model.Ctx); err != nil {
			return "", fmt.Errorf("%s: %w", path, err)
		}
		t.Model.Ctx.SetLoader(data)
		t.step = data.Info.Step
		t.best = CheckpointInfo{BestStep: data.Info.BestStep, BestScore: data.Info.BestScore}
		t.elapsed = seconds(data.Info.ElapsedSeconds)
		t.trained = seconds(data.Info.TrainSeconds)
		t.lastGood, t.lastGoodStep = path, data.Info.Step
		return path, nil
	}
	if damaged > 0 {
		return "", fmt.Errorf("no usable checkpoint in %s (%d damaged, set aside as *%s): resume again to train from the start",
			t.Dir, damaged, damagedSuffix)
	}
	return "", nil
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func (t *Trainer) out() io.Writer {
	if t.Out == nil {
		return io.Discard
	}
	return t.Out
}

// useConfiguredLearningRates drops the optimisers' learning-rate variables from a checkpoint
// about to be restored: GoMLX's Adam keeps its learning rate in a variable, which would
// otherwise come back from the checkpoint and hide a learning rate changed on resume. The
// variables are then created with the configured values, as in a fresh run. A change is
// reported in one line.
func (t *Trainer) useConfiguredLearningRates(data *checkpointData) error {
	suffix := context.ScopeSeparator + optimizers.Scope
	for key, value := range data.Tensors {
		scope, name := context.SplitScope(key)
		if name != optimizers.ParamLearningRate || !strings.HasSuffix(scope, suffix) {
			continue
		}
		group := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSuffix(scope, suffix), context.ScopeSeparator), "_optimizer")
		configured := t.learningRate(group)
		var old float32 // the variable's dtype is the loss's, float32 in this trainer
		switch value.DType() {
		case dtypes.Float32:
			old = tensors.ToScalar[float32](value)
		case dtypes.Float64:
			old = float32(tensors.ToScalar[float64](value))
		default:
			return fmt.Errorf("learning rate %s has dtype %s", key, value.DType())
		}
		if float32(configured) != old {
			fmt.Fprintf(t.out(), "%s optimiser: learning rate %g (the checkpoint's was %g)\n", group, configured, old)
		}
		delete(data.Tensors, key)
	}
	return nil
}

// learningRate is the configured learning rate of an optimiser group.
func (t *Trainer) learningRate(group string) float64 {
	if group == objectives.CriticOptimizer {
		return t.Config.CriticLR
	}
	return t.Config.GeneratorLR
}

// Elapsed is the wall-clock time spent in Train, evaluations included, summed over every
// session of the run up to its latest checkpoint and this session (work after an interrupted
// session's last checkpoint is done again, and counted once).
func (t *Trainer) Elapsed() time.Duration {
	elapsed, _ := t.times()
	return elapsed
}

// times returns Elapsed, and Elapsed without the time spent in evaluations.
func (t *Trainer) times() (elapsed, trained time.Duration) {
	if !t.running {
		return t.elapsed, t.trained
	}
	session := time.Since(t.started)
	return t.elapsed + session, t.trained + session - t.evalTime
}

// Phases returns the objective's phases for the model's context, checked (built once).
func (t *Trainer) Phases() ([]objectives.Phase, error) {
	if t.phases != nil {
		return t.phases, nil
	}
	if t.Objective == nil {
		return nil, errors.New("trainer: no objective")
	}
	phases, err := t.Objective.Phases(t.Model.Ctx, &t.Model.Nets, t.Config.NCritic)
	if err == nil {
		err = objectives.Validate(phases)
	}
	if err != nil {
		return nil, err
	}
	t.phases, t.lossNames = phases, objectives.TermNames(phases)
	return phases, nil
}

// optimizer returns the Adam of one optimiser group, each with its own state scope: the
// critic's, and the one G and E share.
func (t *Trainer) optimizer(group string) optimizers.Interface {
	cfg := t.Config
	return optimizers.Adam().Scope(group+"_adam").LearningRate(t.learningRate(group)).
		Betas(cfg.Beta1, cfg.Beta2).Epsilon(cfg.Epsilon).Done()
}

// buildIteration is the graph of one iteration: every phase in order, each run Repeat times
// on a fresh batch and updating only its players. Its outputs are the loss terms of the last
// run of each phase, in the order of t.lossNames.
func (t *Trainer) buildIteration(ctx *context.Context, trainX *Node) []*Node {
	opts := map[string]optimizers.Interface{}
	var outputs []*Node
	for _, p := range t.phases {
		opt, ok := opts[p.Optimizer]
		if !ok {
			opt = t.optimizer(p.Optimizer)
			opts[p.Optimizer] = opt
		}
		var total *Node
		var values []*Node
		for range max(p.Repeat, 1) {
			total, values = t.phaseStep(ctx, trainX, p, opt)
		}
		outputs = append(append(outputs, values...), total)
	}
	for i, o := range outputs {
		outputs[i] = ConvertDType(StopGradient(o), dtypes.Float64)
	}
	return outputs
}

// phaseStep builds one update of phase p on a fresh batch; it returns the phase's loss and its
// terms' unweighted values.
func (t *Trainer) phaseStep(ctx *context.Context, trainX *Node, p objectives.Phase, opt optimizers.Interface) (*Node, []*Node) {
	b := objectives.NewBatch(ctx, &t.Model.Nets, trainX, t.Config.BatchSize, p)
	total, values := objectives.Loss(b, p.Terms)
	updateOnly(ctx.In(p.Optimizer+"_optimizer"), opt, total, p.Updates...)
	return total, values
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

// ErrDiverged is wrapped by the error Train returns when a loss, a weight or an optimiser's
// state becomes NaN or infinite (a *DivergedError).
var ErrDiverged = errors.New("training diverged")

// DivergedError describes a divergence and names the newest checkpoint verified finite, from
// which training can continue (with lower learning rates).
type DivergedError struct {
	Step int    // the iteration at which it was found
	What string // "loss critic/total is NaN", "variable /critic/... holds NaN or infinite values"
	// Checkpoint is the newest checkpoint verified finite ("" if there is none), of iteration
	// CheckpointStep; it is also the newest checkpoint in the directory, the one a resume uses.
	Checkpoint     string
	CheckpointStep int
}

func (e *DivergedError) Error() string {
	s := fmt.Sprintf("%v at iteration %d: %s", ErrDiverged, e.Step, e.What)
	if e.Checkpoint != "" {
		return s + fmt.Sprintf("; the last checkpoint verified finite is %s (iteration %d)", e.Checkpoint, e.CheckpointStep)
	}
	return s + "; no checkpoint verified finite exists"
}

func (e *DivergedError) Unwrap() error { return ErrDiverged }

// RunStep runs one iteration and returns its losses.
func (t *Trainer) RunStep() (Losses, error) {
	if _, err := t.Phases(); err != nil {
		return nil, err
	}
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
		return nil, err
	}
	l := make(Losses, len(out))
	for i, o := range out {
		l[t.lossNames[i]] = tensors.ToScalar[float64](o)
		o.MustFinalizeAll()
	}
	t.step++
	for _, name := range t.lossNames {
		if v := l[name]; math.IsNaN(v) || math.IsInf(v, 0) {
			return l, &DivergedError{Step: t.step, What: fmt.Sprintf("loss %s is %v", name, v)}
		}
	}
	return l, nil
}

// Train runs iterations until Config.Steps, with progress, periodic evaluation and atomic
// checkpoints. After it returns, the model holds the best evaluated weights (when an Evaluator
// is set and KeepFinal is not), else the last ones.
//
// A NaN or infinite loss stops training at once; weights and optimiser state are checked
// before every evaluation, every checkpoint and at the end, and non-finite values stop it too:
// the error is a *DivergedError naming the newest checkpoint verified finite.
func (t *Trainer) Train() error {
	cfg := t.Config
	if t.Dir != "" {
		if err := os.MkdirAll(t.Dir, 0o755); err != nil {
			return err
		}
		// Only this trainer writes here (its run directory is locked), so a temporary file is
		// what an interrupted write left.
		removed, err := atomicfile.RemoveStale(t.Dir)
		if err != nil {
			return err
		}
		if len(removed) > 0 {
			fmt.Fprintf(t.out(), "removed %d temporary file(s) left by an interrupted checkpoint write in %s\n", len(removed), t.Dir)
		}
	}
	logEvery := t.LogEvery
	if logEvery <= 0 {
		logEvery = max(1, cfg.Steps/200)
	}
	if _, err := t.Phases(); err != nil {
		return err
	}
	bar := newProgress(t.out(), cfg.Steps, t.step, t.lossNames)
	t.started, t.evalTime, t.running = time.Now(), 0, true
	defer func() {
		t.elapsed, t.trained = t.times()
		t.running = false
	}()
	for t.step < cfg.Steps {
		losses, err := t.RunStep()
		if err != nil {
			bar.finish()
			return t.diverged(err)
		}
		bar.update(t.step, losses)
		if t.Log != nil && (t.step%logEvery == 0 || t.step == cfg.Steps) {
			if err := t.Log(&rundir.TrainRecord{Step: t.step, Losses: losses}); err != nil {
				return err
			}
		}
		evalNow := t.Evaluate != nil && ((cfg.EvalEvery > 0 && t.step%cfg.EvalEvery == 0) || t.step == cfg.Steps)
		checkpointNow := t.Dir != "" && ((cfg.CheckpointEvery > 0 && t.step%cfg.CheckpointEvery == 0) || t.step == cfg.Steps)
		if evalNow || (t.step == cfg.Steps && !checkpointNow) {
			if err := FiniteCheck(t.Model.Ctx); err != nil {
				bar.finish()
				return t.diverged(err)
			}
		}
		if evalNow {
			if err := t.evaluate(bar); err != nil {
				bar.finish()
				return t.diverged(err)
			}
		}
		if checkpointNow {
			path := checkpointPath(t.Dir, t.step)
			if err := t.save(path, CheckpointInfo{Step: t.step, BestStep: t.best.BestStep, BestScore: t.best.BestScore}); err != nil {
				bar.finish()
				return t.diverged(err)
			}
			if err := pruneCheckpoints(t.Dir, cfg.CheckpointKeep); err != nil {
				return err
			}
			t.lastGood, t.lastGoodStep = path, t.step
		}
	}
	bar.finish()
	return t.useBest()
}

// save writes a checkpoint with the time totals.
func (t *Trainer) save(path string, info CheckpointInfo) error {
	elapsed, trained := t.times()
	info.ElapsedSeconds, info.TrainSeconds = elapsed.Seconds(), trained.Seconds()
	return SaveCheckpoint(t.Model.Ctx, path, info)
}

// diverged turns a NaN loss or a non-finite variable into a *DivergedError naming the newest
// checkpoint verified finite; other errors pass unchanged.
func (t *Trainer) diverged(err error) error {
	var div *DivergedError
	var nonFinite *NonFiniteError
	switch {
	case errors.As(err, &div):
	case errors.As(err, &nonFinite):
		div = &DivergedError{Step: t.step, What: nonFinite.Error()}
	default:
		return err
	}
	div.Checkpoint, div.CheckpointStep = t.lastGood, t.lastGoodStep
	return div
}

func (t *Trainer) evaluate(bar *progress) error {
	evalStart := time.Now()
	elapsed, training := t.times()
	score, metrics, err := t.Evaluate(t.Model, t.step)
	t.evalTime += time.Since(evalStart)
	if err != nil {
		return fmt.Errorf("evaluation at iteration %d: %w", t.step, err)
	}
	improved := t.best.BestStep == 0 || score > t.best.BestScore
	if improved {
		t.best.BestStep, t.best.BestScore = t.step, score
		if t.Dir != "" {
			if err := t.save(t.bestPath(), CheckpointInfo{Step: t.step, BestStep: t.step, BestScore: score, Extra: metrics}); err != nil {
				return err
			}
		}
	}
	bar.note(fmt.Sprintf("eval @%d: score %.4f (best %.4f @%d)", t.step, score, t.best.BestScore, t.best.BestStep))
	if t.Log != nil {
		// Wall-clock seconds in Train over every session of the run, with and without the time
		// spent in earlier evaluations: time-to-accuracy curves.
		return t.Log(&rundir.EvalRecord{Step: t.step, Score: score, Metrics: metrics, BestStep: t.best.BestStep,
			ElapsedSeconds: elapsed.Seconds(), TrainSeconds: training.Seconds()})
	}
	return nil
}

func (t *Trainer) bestPath() string { return t.Dir + string(os.PathSeparator) + "best.ckpt" }

// useBest switches the model to the best evaluated weights, if they differ from the current ones.
func (t *Trainer) useBest() error {
	if t.KeepFinal || t.Dir == "" || t.best.BestStep == 0 || t.best.BestStep == t.step {
		return nil
	}
	data, err := LoadCheckpoint(t.bestPath())
	if err != nil {
		return err
	}
	// A resumed session that found training finished has not created the networks' variables
	// yet: those take the best values when a graph creates them.
	if err := data.assignExisting(t.Model.Ctx); err != nil {
		return err
	}
	t.Model.Ctx.SetLoader(data)
	return nil
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
	totals     []string // the "<phase>/total" losses shown
}

func newProgress(out io.Writer, total, startStep int, lossNames []string) *progress {
	p := &progress{out: out, total: total, startStep: startStep, start: time.Now()}
	for _, name := range lossNames {
		if strings.HasSuffix(name, "/total") {
			p.totals = append(p.totals, name)
		}
	}
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
	p.line = fmt.Sprintf("%d/%d (%.0f%%) %.2f it/s, ETA %s |", step, p.total, 100*float64(step)/float64(p.total), rate, eta)
	for _, name := range p.totals {
		p.line += fmt.Sprintf(" %s %.4f", strings.TrimSuffix(name, "/total"), l[name])
	}
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

// Package runner runs clustering methods (package methods) on a data set and keeps each run as
// a self-describing directory (package rundir; style.md #12):
//
//	settings.txt   every hyper-parameter, in -set syntax (re-applied by -resume)
//	run.json       dataset, split, methods, seed, build, data files, start time
//	metrics.jsonl  one record per line, tagged with the method (losses, evaluations, results)
//	results.json   the results table, rewritten atomically after each method finishes
//	<method>_losses.png, <method>_validation.png (and .svg)   curves from metrics.jsonl
//	<method>/      the method's checkpoints, its settings and its figures
//	lock           held while a process works in the directory (rundir.LockFile)
//
// A run directory has one owner at a time (its lock): a second Run on it, a -resume of a run
// another process holds, is refused naming the owner. A resumed run takes its dataset, split,
// methods and settings from its own record; see Config.
//
// The programs in experiments/ only parse flags and call Run.
package runner

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/clustergan/clustergan/datasets"
	"github.com/clustergan/clustergan/internal/atomicfile"
	"github.com/clustergan/clustergan/internal/panics"
	"github.com/clustergan/clustergan/methods"
	"github.com/clustergan/clustergan/rundir"
	"github.com/clustergan/clustergan/trainer"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Splits the results can be computed on.
var validSplits = []string{"test", "validation", "train", "all"}

// Config says what to run.
type Config struct {
	Dataset     string
	Methods     []string
	Split       string // evaluation split: "test" (default), "validation", "train" or "all"
	DataOptions datasets.Options

	RunsDir string // parent of new run directories (default "runs")
	// RunName is the new run's directory name inside RunsDir, a plain name; default
	// "<dataset>-<yyyymmdd-hhmmss>", with "-2", "-3", ... when that exists already.
	RunName string
	// ResumeDir is an existing run directory to continue. The run's record decides what it
	// runs: Dataset, Split, Methods and Preset, when empty, are the record's (run.json), and
	// Ctx is replaced by DefaultContext with the run's settings.txt. Values given must agree
	// with the record (Methods may name more methods, which are added), and so must each
	// parameter in FlagSet: otherwise Run fails naming both values. Changes are ResumeSet's.
	ResumeDir string
	// ResumeSet changes settings of the resumed run on purpose, in -set syntax
	// ("critic_learning_rate=1e-5"): applied after settings.txt, written back to it, recorded in
	// run.json (Info.Resumes) and used by everything still to run (the optimisers take the
	// new learning rates).
	ResumeSet string
	// Lock, when set, is the caller's lock on the run directory (a sweep's, on its point): Run
	// neither takes nor releases it. Without ResumeDir, the new run's directory
	// RunsDir/RunName is Lock's, which exists and holds no run yet.
	Lock *rundir.Lock

	Ctx *context.Context // hyper-parameters (from methods.DefaultContext, presets and -set)
	// ParamsSet are the parameters set explicitly (preset and -set), recorded in run.json;
	// FlagSet those of them set on the command line (-set), which must all be used.
	ParamsSet, FlagSet []string
	// Preset names the settings preset, for the results table.
	Preset string

	Out        io.Writer                        // progress and the results table (default os.Stdout)
	NewBackend func() (backends.Backend, error) // GoMLX backend factory, called at most once
}

// DefaultContext declares every parameter of a run (methods.DefaultContext).
func DefaultContext() *context.Context { return methods.DefaultContext() }

// Names lists the registered methods.
func Names() []string { return methods.Names() }

// Validate checks cfg and fills defaults; errors list the valid values.
func (cfg *Config) Validate() error {
	if cfg.Ctx == nil {
		return errors.New("runner: Config.Ctx is nil (use runner.DefaultContext())")
	}
	if cfg.RunName != "" && !plainName(cfg.RunName) {
		return fmt.Errorf("-name: %q must be a plain directory name inside -runs (no %q, %q or \"..\")", cfg.RunName, "/", `\`)
	}
	if cfg.ResumeSet != "" && cfg.ResumeDir == "" {
		return errors.New("-resume_set: changes the settings of a resumed run; give -resume=DIR too (a new run takes -set)")
	}
	if _, err := datasets.Get(cfg.Dataset); err != nil {
		return fmt.Errorf("-dataset: %w", err)
	}
	if len(cfg.Methods) == 0 {
		return fmt.Errorf("-methods: empty; valid values: %s, all", strings.Join(methods.Names(), ", "))
	}
	expanded, err := expandMethods(cfg.Methods)
	if err != nil {
		return err
	}
	cfg.Methods = expanded
	if cfg.Split == "" {
		cfg.Split = "test"
	}
	if !contains(validSplits, cfg.Split) {
		return fmt.Errorf("-split: unknown split %q; valid values: %s", cfg.Split, strings.Join(validSplits, ", "))
	}
	if cfg.RunsDir == "" {
		cfg.RunsDir = "runs"
	}
	if cfg.Out == nil {
		cfg.Out = os.Stdout
	}
	if err := methods.CheckParams(cfg.Ctx); err != nil {
		return err
	}
	for _, name := range cfg.Methods {
		m, _ := methods.Get(name)
		if err := m.Validate(cfg.Ctx); err != nil {
			return fmt.Errorf("method %q: %w", name, err)
		}
	}
	_, err = cfg.unusedSettings()
	return err
}

// expandMethods checks method names and expands "all".
func expandMethods(names []string) ([]string, error) {
	var expanded []string
	for _, name := range names {
		if name == "all" {
			expanded = append(expanded, methods.Names()...)
			continue
		}
		if _, err := methods.Get(name); err != nil {
			return nil, fmt.Errorf("-methods: %w, all", err)
		}
		expanded = append(expanded, name)
	}
	return dedup(expanded), nil
}

// unusedSettings checks the explicitly set recipe parameters (term weights, a method's own
// settings) against the methods of the run: one that no method reads is an error when -set
// gave it, and a notice when a preset did; one that some methods read and others ignore is a
// notice for each method that ignores it. It returns the notices.
func (cfg *Config) unusedSettings() ([]string, error) {
	recipeParams := map[string]bool{}
	for _, name := range methods.Names() {
		m, _ := methods.Get(name)
		for _, p := range m.Params() {
			recipeParams[p] = true
		}
	}
	usedBy := map[string][]string{}
	for _, name := range cfg.Methods {
		m, _ := methods.Get(name)
		for _, p := range m.Params() {
			usedBy[p] = append(usedBy[p], name)
		}
	}
	var notices []string
	ignored := map[string][]string{} // method → recipe parameters it ignores
	for _, p := range dedup(cfg.ParamsSet) {
		if !recipeParams[p] || isZero(cfg.Ctx, p) {
			continue
		}
		if len(usedBy[p]) == 0 {
			if contains(cfg.FlagSet, p) {
				return nil, fmt.Errorf("-set: parameter %q is set but no method of this run (%s) uses it", p, strings.Join(cfg.Methods, ", "))
			}
			notices = append(notices, fmt.Sprintf("note: %s = %v from the preset is used by no method of this run", p, value(cfg.Ctx, p)))
			continue
		}
		for _, name := range cfg.Methods {
			if !contains(usedBy[p], name) {
				ignored[name] = append(ignored[name], p)
			}
		}
	}
	for _, name := range cfg.Methods {
		if ps := ignored[name]; len(ps) > 0 {
			notices = append(notices, fmt.Sprintf("note: %s ignores %s (not part of its recipe)", name, strings.Join(ps, ", ")))
		}
	}
	return notices, nil
}

func value(ctx *context.Context, p string) any {
	v, _ := ctx.GetParam(p)
	return v
}

// isZero reports whether a numeric parameter is 0 (a term weight that is off).
func isZero(ctx *context.Context, p string) bool {
	switch v := value(ctx, p).(type) {
	case float64:
		return v == 0
	case int:
		return v == 0
	}
	return false
}

// Run runs every method of cfg, writes the run directory and prints the results table. The
// directory is locked while Run works in it. When a run that Run created fails with nothing
// worth keeping (no finished method, no checkpoint), its directory is removed.
func Run(cfg Config) (*rundir.Results, error) {
	var (
		s   *session
		err error
	)
	if cfg.ResumeDir != "" {
		s, err = openResume(&cfg)
	} else if err = cfg.Validate(); err == nil {
		s, err = createRun(&cfg)
	}
	if err != nil {
		return nil, err
	}
	defer s.close()
	results, err := s.run(cfg)
	if err != nil && s.lock.Created() && !worthKeeping(s.dir) {
		if rmErr := s.lock.RemoveDir(); rmErr == nil {
			fmt.Fprintf(cfg.Out, "Removed run directory %s: the run failed before anything worth keeping was written\n", s.dir)
			if results != nil {
				results.Dir = ""
			}
		}
	} else if err != nil && s.lock.Lost() == nil {
		fmt.Fprintf(cfg.Out, "Run directory %s kept: -resume=%s continues it\n", s.dir, s.dir)
	}
	return results, err
}

// session is one Run's hold on its run directory.
type session struct {
	dir      string
	lock     *rundir.Lock
	ownLock  bool            // taken by Run, released by close
	previous *rundir.Results // finished results of earlier sessions
	info     *rundir.Info    // the run's record
	resume   *rundir.Resume  // this session's entry, when resuming
	changed  bool            // ResumeSet changed settings.txt
	// dataFromRecord: the data directory is the one run.json records.
	dataFromRecord bool
}

func (s *session) close() {
	if s.ownLock {
		s.lock.Release()
	}
}

// guard stops a method's logging, and so its training, once the lock is lost: another process
// owns the directory then.
func (s *session) guard(log func(rundir.Record) error) func(rundir.Record) error {
	return func(rec rundir.Record) error {
		if err := s.lock.Lost(); err != nil {
			return err
		}
		return log(rec)
	}
}

func (s *session) run(cfg Config) (*rundir.Results, error) {
	dir := s.dir
	seed := runSeed(cfg.Ctx)
	cfg.DataOptions.Seed = seed

	fmt.Fprintf(cfg.Out, "Run directory: %s\n", dir)
	notices, _ := cfg.unusedSettings()
	for _, n := range notices {
		fmt.Fprintln(cfg.Out, n)
	}
	// This process owns the directory: a temporary file is what an interrupted write left.
	for _, d := range append([]string{dir}, cfg.Methods...) {
		if d != dir {
			d = filepath.Join(dir, d)
		}
		removed, err := atomicfile.RemoveStale(d)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if len(removed) > 0 {
			fmt.Fprintf(cfg.Out, "Removed %d temporary file(s) left by an interrupted write in %s\n", len(removed), d)
		}
	}
	if s.dataFromRecord {
		fmt.Fprintf(cfg.Out, "Reading data from %s, the run's data directory (run.json)\n", cfg.DataOptions.Dir)
	}
	start := time.Now()
	data, err := datasets.Load(cfg.Dataset, cfg.DataOptions)
	if err != nil {
		return nil, err
	}
	eval := pickSplit(data, cfg.Split)
	if eval == nil || eval.N() == 0 {
		return nil, fmt.Errorf("dataset %q has no %q split", cfg.Dataset, cfg.Split)
	}
	fmt.Fprintf(cfg.Out, "Loaded %s in %s: evaluating on the %s split (%d examples, %d features)\n",
		cfg.Dataset, time.Since(start).Round(time.Millisecond), cfg.Split, eval.N(), eval.Dim())
	if err := s.recordData(cfg, data); err != nil {
		return nil, err
	}

	results := &rundir.Results{Dir: dir, Dataset: cfg.Dataset, Split: cfg.Split, N: eval.N(), Seed: seed}
	if s.previous != nil {
		results.Backend = s.previous.Backend
	}
	log, err := rundir.OpenMetrics(filepath.Join(dir, rundir.MetricsFile))
	if err != nil {
		return nil, err
	}
	defer log.Close()

	backend := lazyBackend(cfg.NewBackend, results)
	for _, name := range cfg.Methods {
		if rows := s.previous.RowsOf(name); len(rows) > 0 {
			fmt.Fprintf(cfg.Out, "%s: finished in a previous session, keeping its results\n", name)
			results.Rows = append(results.Rows, rows...)
			continue
		}
		method, _ := methods.Get(name)
		methodDir := filepath.Join(dir, name)
		if err := os.MkdirAll(methodDir, 0o755); err != nil {
			return results, err
		}
		env := &methods.Env{
			Ctx: cfg.Ctx, Dataset: cfg.Dataset, Data: data, Eval: eval, Dir: methodDir, RunDir: dir, Out: cfg.Out,
			Resume: cfg.ResumeDir != "", Seed: seed, Backend: backend, Log: s.guard(log.Logger(name)),
		}
		methodStart := time.Now()
		outcome, err := runMethod(method, env)
		if err != nil {
			return results, fmt.Errorf("method %q: %w", name, withAdvice(err, dir, cfg.Ctx))
		}
		wall := time.Since(methodStart)
		for _, row := range outcome.Rows {
			results.Rows = append(results.Rows, rundir.ResultRow{
				Name: row.Name(), Method: row.Method, Recipe: row.Recipe, Inference: row.Inference,
				Metrics: row.Metrics, Generation: row.Generation, Extra: row.Extra,
				TrainSeconds: outcome.TrainTime.Seconds(), WallSeconds: wall.Seconds(),
				Published: methods.Published(cfg.Dataset, row, cfg.Ctx),
			})
		}
		// Written after every method, so a later failure never loses finished results.
		if err := s.writeResults(results); err != nil {
			return results, err
		}
		if err := log.Sync(); err != nil {
			return results, err
		}
		if err := writeMethodFigures(env, outcome, eval); err != nil {
			// Figures help reading a run; a failure to draw one does not lose the results.
			fmt.Fprintf(cfg.Out, "%s: figures not all written: %v\n", name, err)
		}
		if err := WriteCurves(dir, dir, name, reportedStep(outcome), cfg.Split, methods.Published(cfg.Dataset, outcome.Rows[0], cfg.Ctx)); err != nil {
			fmt.Fprintf(cfg.Out, "%s: curves not drawn: %v\n", name, err)
		}
	}
	if err := s.writeResults(results); err != nil {
		return results, err
	}
	fmt.Fprintln(cfg.Out)
	PrintTable(cfg.Out, results, cfg.Ctx, cfg.Preset)
	return results, nil
}

// writeResults writes results.json while the directory is still this process's.
func (s *session) writeResults(r *rundir.Results) error {
	if err := s.lock.Lost(); err != nil {
		return err
	}
	return rundir.WriteResults(s.dir, r)
}

// withAdvice completes a divergence's error with the command that continues the run from the
// checkpoint it names, with lower learning rates (a tenth of the run's, as an example). The
// mnist program resumes any run directory, a sweep's points included.
func withAdvice(err error, dir string, ctx *context.Context) error {
	var div *trainer.DivergedError
	if !errors.As(err, &div) {
		return err
	}
	tc, _ := trainer.ConfigFromContext(ctx) // the run's settings were checked before it trained
	critic, gen := tc.CriticLR, tc.GeneratorLR
	lower := fmt.Sprintf("%s=%g; %s=%g", trainer.ParamCriticLearningRate, critic/10, trainer.ParamGeneratorLearningRate, gen/10)
	if div.Checkpoint == "" {
		return fmt.Errorf("%w; start a new run with lower learning rates, e.g. a tenth: -set=%q (with the run's other settings)", err, lower)
	}
	return fmt.Errorf("%w; to continue from it with lower learning rates, e.g. a tenth: go run ./experiments/mnist -resume=%s -resume_set=%q",
		err, dir, lower)
}

// worthKeeping reports whether a failed run's directory holds something a resume would use:
// a finished method's results or a checkpoint.
func worthKeeping(dir string) bool {
	if r, err := rundir.ReadResults(dir); err == nil && len(r.Rows) > 0 {
		return true
	}
	ckpts, _ := filepath.Glob(filepath.Join(dir, "*", methods.CheckpointsDir, "*.ckpt"))
	return len(ckpts) > 0
}

// runMethod turns a panic inside a method (GoMLX reports graph-building errors by panicking)
// into an error.
func runMethod(m methods.Method, env *methods.Env) (*methods.Outcome, error) {
	var outcome *methods.Outcome
	var runErr error
	if err := panics.Catch(func() { outcome, runErr = m.Run(env) }); err != nil {
		return nil, err
	}
	if runErr != nil {
		return nil, runErr
	}
	if outcome == nil || len(outcome.Rows) == 0 {
		return nil, errors.New("returned no results")
	}
	return outcome, nil
}

func lazyBackend(factory func() (backends.Backend, error), results *rundir.Results) func() (backends.Backend, error) {
	var once sync.Once
	var b backends.Backend
	var err error
	return func() (backends.Backend, error) {
		once.Do(func() {
			if factory == nil {
				err = errors.New("no GoMLX backend factory configured")
				return
			}
			b, err = factory()
			if err == nil {
				results.Backend = b.Name()
			}
		})
		return b, err
	}
}

func pickSplit(s *datasets.Splits, split string) *datasets.Dataset {
	switch split {
	case "train":
		return s.Train
	case "validation":
		return s.Validation
	case "all":
		return s.All()
	default:
		return s.Test
	}
}

// plainName reports whether name is a single path element (it cannot leave -runs).
func plainName(name string) bool {
	return name != "." && name != ".." && !strings.ContainsAny(name, `/\`) && filepath.Base(name) == name
}

// settingsPath writes a parameter path as settings.txt does: scoped paths start with "/".
func settingsPath(p string) string {
	if strings.Contains(p, context.ScopeSeparator) && !strings.HasPrefix(p, context.ScopeSeparator) {
		return context.ScopeSeparator + p
	}
	return p
}

// timeNow names new runs (a variable for tests).
var timeNow = time.Now

// createRun creates and locks a new run directory, or takes the one cfg.Lock holds, and
// writes its settings.txt and run.json.
func createRun(cfg *Config) (*session, error) {
	s := &session{lock: cfg.Lock}
	if s.lock != nil {
		s.dir = filepath.Join(cfg.RunsDir, cfg.RunName)
		if filepath.Clean(s.dir) != filepath.Clean(s.lock.Dir()) {
			return nil, fmt.Errorf("runner: Config.Lock holds %s, not the run directory %s", s.lock.Dir(), s.dir)
		}
		if _, err := os.Stat(filepath.Join(s.dir, rundir.SettingsFile)); err == nil {
			return nil, fmt.Errorf("run directory %s holds a run already: resume it", s.dir)
		}
	} else {
		if err := os.MkdirAll(cfg.RunsDir, 0o755); err != nil {
			return nil, err
		}
		var err error
		if s.lock, err = createDir(cfg); err != nil {
			return nil, err
		}
		s.dir, s.ownLock = s.lock.Dir(), true
	}
	fail := func(err error) (*session, error) {
		if s.ownLock {
			s.lock.RemoveDir()
		}
		return nil, err
	}
	if err := rundir.WriteSettings(filepath.Join(s.dir, rundir.SettingsFile), cfg.Ctx); err != nil {
		return fail(err)
	}
	dataDir := cfg.DataOptions.Dir
	if dataDir == "" {
		dataDir = os.Getenv(datasets.EnvDataDir)
	}
	s.info = &rundir.Info{
		Dataset: cfg.Dataset, Split: cfg.Split, Methods: cfg.Methods, Preset: cfg.Preset,
		Seed:      runSeed(cfg.Ctx),
		ParamsSet: cfg.ParamsSet, DataDir: dataDir,
		Build: rundir.CurrentBuild(), GoVersion: runtime.Version(), Started: time.Now().UTC(),
	}
	if err := rundir.WriteInfo(s.dir, s.info); err != nil {
		return fail(err)
	}
	return s, nil
}

// createDir creates the new run's directory exclusively: a name given must not exist; the
// default name gets a suffix when another run took it (two runs started in the same second).
func createDir(cfg *Config) (*rundir.Lock, error) {
	if cfg.RunName != "" {
		dir := filepath.Join(cfg.RunsDir, cfg.RunName)
		l, err := rundir.CreateDir(dir)
		if errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("run directory %s already exists: pick another -name, or -resume it", dir)
		}
		return l, err
	}
	base := fmt.Sprintf("%s-%s", cfg.Dataset, timeNow().Format("20060102-150405"))
	for i := 1; i <= 1000; i++ {
		name := base
		if i > 1 {
			name = fmt.Sprintf("%s-%d", base, i)
		}
		l, err := rundir.CreateDir(filepath.Join(cfg.RunsDir, name))
		if !errors.Is(err, fs.ErrExist) {
			return l, err
		}
	}
	return nil, fmt.Errorf("%s: 1000 runs named %s-* exist already; give -name", cfg.RunsDir, base)
}

// openResume locks cfg.ResumeDir, reads the run's record and makes cfg the run's own: its
// dataset, split, methods and settings, with ResumeSet's changes. Values cfg gives that
// contradict the record are errors naming both.
func openResume(cfg *Config) (*session, error) {
	dir := cfg.ResumeDir
	s := &session{dir: dir, lock: cfg.Lock}
	if s.lock == nil {
		l, err := rundir.LockDir(dir)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("-resume: run directory %s does not exist", dir)
		}
		if err != nil {
			return nil, fmt.Errorf("-resume: %w", err)
		}
		s.lock, s.ownLock = l, true
	} else if filepath.Clean(s.lock.Dir()) != filepath.Clean(dir) {
		return nil, fmt.Errorf("runner: Config.Lock holds %s, not the run directory %s", s.lock.Dir(), dir)
	}
	if err := s.readRecord(cfg); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

func (s *session) readRecord(cfg *Config) error {
	dir := s.dir
	info, err := rundir.ReadInfo(dir)
	if err != nil {
		return fmt.Errorf("-resume: %s is not a run directory: %w", dir, err)
	}
	s.info = info
	where := filepath.Join(dir, rundir.InfoFile)
	contradicts := func(flag, given, recorded string) error {
		if recorded == "" {
			recorded = "none"
		}
		return fmt.Errorf("-%s=%s contradicts the run's record: %s has %s %s", flag, given, where, flag, recorded)
	}
	if cfg.Dataset != "" && cfg.Dataset != info.Dataset {
		return contradicts("dataset", cfg.Dataset, info.Dataset)
	}
	if cfg.Split != "" && cfg.Split != info.Split {
		return contradicts("split", cfg.Split, info.Split)
	}
	if cfg.Preset != "" && cfg.Preset != info.Preset {
		return contradicts("preset", cfg.Preset, info.Preset)
	}
	methodList := append([]string(nil), info.Methods...)
	var added []string
	if len(cfg.Methods) > 0 {
		given, err := expandMethods(cfg.Methods)
		if err != nil {
			return err
		}
		for _, m := range info.Methods {
			if !contains(given, m) {
				return fmt.Errorf("-methods=%s contradicts the run's record: %s has methods %s (-methods may add methods on resume, not leave any out)",
					strings.Join(cfg.Methods, ","), where, strings.Join(info.Methods, ","))
			}
		}
		for _, m := range given {
			if !contains(methodList, m) {
				methodList = append(methodList, m)
				added = append(added, m)
			}
		}
	}

	settings := filepath.Join(dir, rundir.SettingsFile)
	ctx := DefaultContext()
	if err := rundir.ReadSettings(ctx, settings); err != nil {
		return fmt.Errorf("-resume: %s is not a run directory: %w", dir, err)
	}
	recorded := rundir.SettingsMap(rundir.FormatSettings(ctx))
	if cfg.Ctx != nil {
		given := rundir.SettingsMap(rundir.FormatSettings(cfg.Ctx))
		for _, p := range dedup(cfg.FlagSet) {
			p = settingsPath(p)
			if given[p] != recorded[p] {
				has := "has " + p + "=" + recorded[p]
				if _, ok := recorded[p]; !ok {
					has = "has no value for " + p
				}
				return fmt.Errorf("-set: %s=%s contradicts the run's settings: %s %s (-resume_set changes settings on resume)",
					p, given[p], settings, has)
			}
		}
	}
	var changes []rundir.Change
	if cfg.ResumeSet != "" {
		set, err := rundir.ApplySettings(ctx, cfg.ResumeSet, "-resume_set")
		if err != nil {
			return err
		}
		now := rundir.SettingsMap(rundir.FormatSettings(ctx))
		for _, p := range dedup(set) {
			if p = settingsPath(p); now[p] != recorded[p] {
				changes = append(changes, rundir.Change{Param: p, From: recorded[p], To: now[p]})
			}
		}
	}

	cfg.Dataset, cfg.Split, cfg.Methods, cfg.Preset = info.Dataset, info.Split, methodList, info.Preset
	cfg.Ctx, cfg.ParamsSet, cfg.FlagSet = ctx, info.ParamsSet, nil
	if cfg.DataOptions.Dir == "" && info.DataDir != "" {
		cfg.DataOptions.Dir = info.DataDir
		s.dataFromRecord = true
	}
	if info.Synthetic != nil {
		// The recorded mixture decides; a program's explicit one must be the same.
		if given := cfg.DataOptions.Synthetic; given != nil {
			g := *given
			if g.Seed == 0 {
				g.Seed = info.Synthetic.Seed
			}
			if g != *info.Synthetic {
				return fmt.Errorf("the synthetic mixture %+v contradicts the run's record: %s has %+v",
					*given, filepath.Join(dir, rundir.InfoFile), *info.Synthetic)
			}
		}
		cfg.DataOptions.Synthetic = info.Synthetic
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	s.resume = &rundir.Resume{Started: time.Now().UTC(), Build: rundir.CurrentBuild(), GoVersion: runtime.Version(),
		Set: changes, AddedMethods: added}
	s.changed = len(changes) > 0

	previous, err := rundir.ReadResults(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("-resume %s: %w", dir, err)
	}
	s.previous = previous
	return nil
}

// recordData writes the data set's files (path and SHA-256) into run.json; a resumed run's
// files must hash as recorded (a moved file is noted), and the session is recorded with them.
func (s *session) recordData(cfg Config, data *datasets.Splits) error {
	var now []rundir.DataFile
	for _, f := range data.Files {
		now = append(now, rundir.DataFile{Role: f.Role, Path: f.Path, SHA256: f.SHA256})
	}
	if s.resume == nil {
		s.info.Data, s.info.Synthetic = now, data.Synthetic
		return rundir.WriteInfo(s.dir, s.info)
	}
	moved, err := rundir.CheckData(s.info.Data, now)
	if err != nil {
		return fmt.Errorf("-resume %s: %w (the run would continue on other data)", s.dir, err)
	}
	for _, f := range moved {
		fmt.Fprintf(cfg.Out, "Data file %s now read from %s (same SHA-256 as recorded)\n", f.Role, f.Path)
	}
	for _, c := range s.resume.Set {
		fmt.Fprintf(cfg.Out, "Changed on resume: %s=%s (was %s)\n", c.Param, c.To, c.From)
	}
	for _, m := range s.resume.AddedMethods {
		fmt.Fprintf(cfg.Out, "Method added on resume: %s\n", m)
	}
	s.resume.DataMoved = moved
	if s.changed {
		if err := rundir.WriteSettings(filepath.Join(s.dir, rundir.SettingsFile), cfg.Ctx); err != nil {
			return err
		}
	}
	s.info.Methods = cfg.Methods
	s.info.Resumes = append(s.info.Resumes, *s.resume)
	return rundir.WriteInfo(s.dir, s.info)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func dedup(list []string) []string {
	var out []string
	for _, x := range list {
		if !contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// reportedStep is the iteration whose weights the outcome's first row reports (0: none).
func reportedStep(out *methods.Outcome) int {
	step, _ := out.Rows[0].Extra["selected_step"].(int)
	return step
}

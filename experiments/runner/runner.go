// Package runner runs clustering methods (package methods) on a data set and keeps each run as
// a self-describing directory (package rundir; style.md #12):
//
//	settings.txt   every hyper-parameter, in -set syntax (re-applied by -resume)
//	run.json       dataset, split, methods, seed, build, data files, start time
//	metrics.jsonl  one record per line, tagged with the method (losses, evaluations, results)
//	results.json   the results table, rewritten atomically after each method finishes
//	<method>_losses.png, <method>_validation.png (and .svg)   curves from metrics.jsonl
//	<method>/      the method's checkpoints, its settings and its figures
//
// The programs in experiments/ only parse flags and call Run.
package runner

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/clustergan/clustergan/datasets"
	"github.com/clustergan/clustergan/internal/panics"
	"github.com/clustergan/clustergan/methods"
	"github.com/clustergan/clustergan/rundir"
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

	RunsDir   string // parent of new run directories (default "runs")
	RunName   string // default "<dataset>-<yyyymmdd-hhmmss>"
	ResumeDir string // an existing run directory to continue; its settings.txt is re-applied

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
	if _, err := datasets.Get(cfg.Dataset); err != nil {
		return fmt.Errorf("-dataset: %w", err)
	}
	if len(cfg.Methods) == 0 {
		return fmt.Errorf("-methods: empty; valid values: %s, all", strings.Join(methods.Names(), ", "))
	}
	var expanded []string
	for _, name := range cfg.Methods {
		if name == "all" {
			expanded = append(expanded, methods.Names()...)
			continue
		}
		if _, err := methods.Get(name); err != nil {
			return fmt.Errorf("-methods: %w, all", err)
		}
		expanded = append(expanded, name)
	}
	cfg.Methods = dedup(expanded)
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
	_, err := cfg.unusedSettings()
	return err
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

// Run runs every method of cfg, writes the run directory and prints the results table.
func Run(cfg Config) (*rundir.Results, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	dir, previous, err := prepareDir(&cfg)
	if err != nil {
		return nil, err
	}
	seed := runSeed(cfg.Ctx)
	cfg.DataOptions.Seed = seed

	fmt.Fprintf(cfg.Out, "Run directory: %s\n", dir)
	notices, _ := cfg.unusedSettings()
	for _, n := range notices {
		fmt.Fprintln(cfg.Out, n)
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
	if err := recordData(dir, data); err != nil {
		return nil, err
	}

	results := &rundir.Results{Dir: dir, Dataset: cfg.Dataset, Split: cfg.Split, N: eval.N(), Seed: seed}
	if previous != nil {
		results.Backend = previous.Backend
	}
	log, err := rundir.OpenMetrics(filepath.Join(dir, rundir.MetricsFile))
	if err != nil {
		return nil, err
	}
	defer log.Close()

	backend := lazyBackend(cfg.NewBackend, results)
	for _, name := range cfg.Methods {
		if rows := previous.RowsOf(name); len(rows) > 0 {
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
			Resume: cfg.ResumeDir != "", Seed: seed, Backend: backend, Log: log.Logger(name),
		}
		methodStart := time.Now()
		outcome, err := runMethod(method, env)
		if err != nil {
			return results, fmt.Errorf("method %q: %w", name, err)
		}
		wall := time.Since(methodStart)
		for _, row := range outcome.Rows {
			results.Rows = append(results.Rows, rundir.ResultRow{
				Name: row.Name(), Method: row.Method, Recipe: row.Recipe, Inference: row.Inference,
				Metrics: row.Metrics, Generation: row.Generation, Extra: row.Extra,
				TrainSeconds: outcome.TrainTime.Seconds(), WallSeconds: wall.Seconds(),
				Published: PublishedFor(cfg.Dataset, row, cfg.Ctx),
			})
		}
		// Written after every method, so a later failure never loses finished results.
		if err := rundir.WriteResults(dir, results); err != nil {
			return results, err
		}
		if err := log.Sync(); err != nil {
			return results, err
		}
		if err := writeMethodFigures(env, outcome, eval); err != nil {
			// Figures help reading a run; a failure to draw one does not lose the results.
			fmt.Fprintf(cfg.Out, "%s: figures not all written: %v\n", name, err)
		}
		if err := WriteCurves(dir, name, reportedStep(outcome), cfg.Split); err != nil {
			fmt.Fprintf(cfg.Out, "%s: curves not drawn: %v\n", name, err)
		}
	}
	if err := rundir.WriteResults(dir, results); err != nil {
		return results, err
	}
	fmt.Fprintln(cfg.Out)
	PrintTable(cfg.Out, results, cfg.Ctx, cfg.Preset)
	return results, nil
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

// prepareDir creates a new run directory, or re-opens cfg.ResumeDir: its settings.txt is
// re-applied to cfg.Ctx and its finished results are returned.
func prepareDir(cfg *Config) (string, *rundir.Results, error) {
	if cfg.ResumeDir != "" {
		dir := cfg.ResumeDir
		if err := rundir.ReadSettings(cfg.Ctx, filepath.Join(dir, rundir.SettingsFile)); err != nil {
			return "", nil, fmt.Errorf("-resume %s: not a run directory: %w", dir, err)
		}
		previous, err := rundir.ReadResults(dir)
		if errors.Is(err, os.ErrNotExist) {
			return dir, nil, nil
		}
		if err != nil {
			return "", nil, fmt.Errorf("-resume %s: %w", dir, err)
		}
		return dir, previous, nil
	}
	name := cfg.RunName
	if name == "" {
		name = fmt.Sprintf("%s-%s", cfg.Dataset, time.Now().Format("20060102-150405"))
	}
	dir := filepath.Join(cfg.RunsDir, name)
	if _, err := os.Stat(dir); err == nil {
		return "", nil, fmt.Errorf("run directory %s already exists: pick another -name, or -resume it", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", nil, err
	}
	if err := rundir.WriteSettings(filepath.Join(dir, rundir.SettingsFile), cfg.Ctx); err != nil {
		return "", nil, err
	}
	info := rundir.Info{
		Dataset: cfg.Dataset, Split: cfg.Split, Methods: cfg.Methods, Preset: cfg.Preset,
		Seed:      runSeed(cfg.Ctx),
		ParamsSet: cfg.ParamsSet, Build: rundir.CurrentBuild(), GoVersion: runtime.Version(), Started: time.Now().UTC(),
	}
	if err := rundir.WriteInfo(dir, &info); err != nil {
		return "", nil, err
	}
	return dir, nil, nil
}

// recordData adds the data set's files (path and SHA-256) to run.json.
func recordData(dir string, data *datasets.Splits) error {
	info, err := rundir.ReadInfo(dir)
	if err != nil {
		return err
	}
	info.Data = nil
	for _, f := range data.Files {
		info.Data = append(info.Data, rundir.DataFile{Role: f.Role, Path: f.Path, SHA256: f.SHA256})
	}
	return rundir.WriteInfo(dir, info)
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

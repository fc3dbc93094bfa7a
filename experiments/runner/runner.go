// Package runner runs clustering methods on a dataset and reports them side by side.
//
// Every run is a self-describing directory (style.md #12):
//
//	settings.txt   every hyper-parameter, in -set syntax (re-applied by -resume)
//	run.json       dataset, split, methods, seed, git commit, Go version, start time
//	metrics.jsonl  one JSON record per line, tagged with the method (losses, evaluations)
//	results.json   the results table, rewritten atomically after each method finishes
//	<method>_losses.png, <method>_validation.png   training curves from metrics.jsonl
//	<method>/      whatever the method writes (checkpoints, images)
//
// The mains in experiments/ only parse flags and call Run.
package runner

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/clustergan/clustergan/datasets"
	"github.com/clustergan/clustergan/experiments/plots"
	"github.com/clustergan/clustergan/internal/atomicfile"
	"github.com/clustergan/clustergan/internal/panics"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// ParamSeed is the run's random seed (int, default 1): it seeds k-means, GoMLX's RNG and
// synthetic data, so the same seed and settings reproduce a run.
const ParamSeed = "seed"

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

	Ctx       *context.Context // hyper-parameters (from DefaultContext, presets and -set)
	ParamsSet []string         // parameters set explicitly, recorded in run.json

	Out        io.Writer                        // progress and the results table (default os.Stdout)
	NewBackend func() (backends.Backend, error) // GoMLX backend factory, called at most once
}

// Report is the outcome of a run: the rows of the results table, as written to results.json.
type Report struct {
	Dir     string      `json:"dir"`
	Dataset string      `json:"dataset"`
	Split   string      `json:"split"`
	N       int         `json:"n"`
	Seed    int64       `json:"seed"`
	Backend string      `json:"backend,omitempty"`
	Rows    []ReportRow `json:"rows"`
}

// ReportRow is a Row plus timings and the published value to compare against.
type ReportRow struct {
	Row
	TrainSeconds float64    `json:"train_seconds"`
	WallSeconds  float64    `json:"wall_seconds"`
	Paper        *Published `json:"paper,omitempty"`
}

// Validate checks cfg and fills defaults; errors list the valid values.
func (cfg *Config) Validate() error {
	if cfg.Ctx == nil {
		return errors.New("runner: Config.Ctx is nil (use runner.DefaultContext())")
	}
	if _, err := datasets.Get(cfg.Dataset); err != nil {
		return fmt.Errorf("-dataset: %w", err)
	}
	if len(cfg.Methods) == 0 {
		return fmt.Errorf("-methods: empty; valid values: %s, all", strings.Join(Names(), ", "))
	}
	var expanded []string
	for _, name := range cfg.Methods {
		if name == "all" {
			expanded = append(expanded, Names()...)
			continue
		}
		if _, err := Get(name); err != nil {
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
	if seed := context.GetParamOr(cfg.Ctx, ParamSeed, int(1)); seed < 0 {
		return fmt.Errorf("parameter %q: must be ≥ 0, got %d", ParamSeed, seed)
	}
	for _, name := range cfg.Methods {
		m, _ := Get(name)
		if v, ok := m.(Validator); ok {
			if err := v.Validate(cfg.Ctx); err != nil {
				return fmt.Errorf("method %q: %w", name, err)
			}
		}
	}
	return nil
}

// Run runs every method of cfg, writes the run directory and prints the results table.
func Run(cfg Config) (*Report, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	dir, previous, err := prepareDir(&cfg)
	if err != nil {
		return nil, err
	}
	seed := int64(context.GetParamOr(cfg.Ctx, ParamSeed, int(1)))
	cfg.DataOptions.Seed = seed

	fmt.Fprintf(cfg.Out, "Run directory: %s\n", dir)
	start := time.Now()
	loader, _ := datasets.Get(cfg.Dataset)
	data, err := loader(cfg.DataOptions)
	if err != nil {
		return nil, fmt.Errorf("loading dataset %q: %w", cfg.Dataset, err)
	}
	eval := pickSplit(data, cfg.Split)
	if eval == nil || eval.N() == 0 {
		return nil, fmt.Errorf("dataset %q has no %q split", cfg.Dataset, cfg.Split)
	}
	fmt.Fprintf(cfg.Out, "Loaded %s in %s: evaluating on the %s split (%d examples, %d features)\n",
		cfg.Dataset, time.Since(start).Round(time.Millisecond), cfg.Split, eval.N(), eval.Dim())

	report := &Report{Dir: dir, Dataset: cfg.Dataset, Split: cfg.Split, N: eval.N(), Seed: seed}
	if previous != nil {
		report.Backend = previous.Backend
	}
	metricsFile, err := os.OpenFile(filepath.Join(dir, "metrics.jsonl"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	defer metricsFile.Close()
	var logMu sync.Mutex

	backend := lazyBackend(cfg.NewBackend, report)
	for _, name := range cfg.Methods {
		if rows := previous.rowsOf(name); len(rows) > 0 {
			fmt.Fprintf(cfg.Out, "%s: finished in a previous session, keeping its results\n", name)
			report.Rows = append(report.Rows, rows...)
			continue
		}
		method, _ := Get(name)
		methodDir := filepath.Join(dir, name)
		if err := os.MkdirAll(methodDir, 0o755); err != nil {
			return report, err
		}
		env := &Env{
			Ctx: cfg.Ctx, Dataset: cfg.Dataset, Data: data, Eval: eval, Dir: methodDir, Out: cfg.Out,
			Resume: cfg.ResumeDir != "", Seed: seed, Backend: backend,
			Log: func(record map[string]any) error {
				logMu.Lock()
				defer logMu.Unlock()
				tagged := map[string]any{"method": name, "time": time.Now().UTC().Format(time.RFC3339)}
				for k, v := range record {
					tagged[k] = v
				}
				line, err := json.Marshal(tagged)
				if err != nil {
					return err
				}
				_, err = metricsFile.Write(append(line, '\n'))
				return err
			},
		}
		methodStart := time.Now()
		outcome, err := runMethod(method, env)
		if err != nil {
			return report, fmt.Errorf("method %q: %w", name, err)
		}
		wall := time.Since(methodStart)
		for _, row := range outcome.Rows {
			report.Rows = append(report.Rows, ReportRow{
				Row: row, TrainSeconds: outcome.TrainTime.Seconds(), WallSeconds: wall.Seconds(),
				Paper: PublishedFor(cfg.Dataset, row.Method),
			})
		}
		// Written after every method, so a later failure never loses finished results.
		if err := writeJSONAtomic(filepath.Join(dir, "results.json"), report); err != nil {
			return report, err
		}
		if err := metricsFile.Sync(); err != nil {
			return report, err
		}
		if _, err := plots.CurvesFromMetrics(filepath.Join(dir, "metrics.jsonl"), dir); err != nil {
			fmt.Fprintf(cfg.Out, "%s: curves not drawn: %v\n", name, err)
		}
	}
	if err := writeJSONAtomic(filepath.Join(dir, "results.json"), report); err != nil {
		return report, err
	}
	fmt.Fprintln(cfg.Out)
	PrintTable(cfg.Out, report)
	return report, nil
}

// runMethod turns a panic inside a method (GoMLX reports graph-building errors by panicking)
// into an error.
func runMethod(m Method, env *Env) (*Outcome, error) {
	var outcome *Outcome
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

func lazyBackend(factory func() (backends.Backend, error), report *Report) func() (backends.Backend, error) {
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
				report.Backend = b.Name()
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

// runInfo is run.json.
type runInfo struct {
	Dataset   string    `json:"dataset"`
	Split     string    `json:"split"`
	Methods   []string  `json:"methods"`
	Seed      int64     `json:"seed"`
	ParamsSet []string  `json:"params_set,omitempty"`
	GitCommit string    `json:"git_commit,omitempty"`
	GoVersion string    `json:"go_version"`
	Started   time.Time `json:"started"`
}

// prepareDir creates a new run directory, or re-opens cfg.ResumeDir: its settings.txt is
// re-applied to cfg.Ctx and its finished results are returned.
func prepareDir(cfg *Config) (string, *Report, error) {
	if cfg.ResumeDir != "" {
		dir := cfg.ResumeDir
		settings, err := os.ReadFile(filepath.Join(dir, "settings.txt"))
		if err != nil {
			return "", nil, fmt.Errorf("-resume %s: not a run directory: %w", dir, err)
		}
		if _, err := ApplySettings(cfg.Ctx, string(settings), filepath.Join(dir, "settings.txt")); err != nil {
			return "", nil, fmt.Errorf("-resume: %w", err)
		}
		var previous Report
		if data, err := os.ReadFile(filepath.Join(dir, "results.json")); err == nil {
			if err := json.Unmarshal(data, &previous); err != nil {
				return "", nil, fmt.Errorf("-resume %s: results.json: %w", dir, err)
			}
		}
		return dir, &previous, nil
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
	if err := atomicfile.WriteBytes(filepath.Join(dir, "settings.txt"), []byte(FormatSettings(cfg.Ctx))); err != nil {
		return "", nil, err
	}
	info := runInfo{
		Dataset: cfg.Dataset, Split: cfg.Split, Methods: cfg.Methods,
		Seed:      int64(context.GetParamOr(cfg.Ctx, ParamSeed, int(1))),
		ParamsSet: cfg.ParamsSet, GitCommit: gitCommit(), GoVersion: runtime.Version(), Started: time.Now().UTC(),
	}
	if err := writeJSONAtomic(filepath.Join(dir, "run.json"), info); err != nil {
		return "", nil, err
	}
	return dir, nil, nil
}

func (r *Report) rowsOf(method string) []ReportRow {
	if r == nil {
		return nil
	}
	var rows []ReportRow
	for _, row := range r.Rows {
		if row.Method == method || strings.HasPrefix(row.Method, method+" ") {
			rows = append(rows, row)
		}
	}
	return rows
}

// gitCommit returns the commit the program was built from, or of the working directory.
func gitCommit() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	out, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		return ""
	}
	commit := strings.TrimSpace(string(out))
	if status, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(status) > 0 {
		commit += "+dirty"
	}
	return commit
}

func writeJSONAtomic(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteBytes(path, append(data, '\n'))
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

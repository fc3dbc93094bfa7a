package main

import (
	"errors"
	"fmt"
	"github.com/clustergan/clustergan/sweeps"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/clustergan/clustergan/datasets"
	"github.com/clustergan/clustergan/experiments/runner"
	"github.com/clustergan/clustergan/rundir"
	"github.com/gomlx/gomlx/backends"
)

// LogsDir is the sub-directory of a sweep directory that holds one progress log per point.
const LogsDir = "logs"

// Settings is settings text in rundir.ApplySettings syntax and the name it is reported under.
type Settings struct {
	Text, Source string
}

// Options says what sweep to run.
type Options struct {
	Dir  string // the sweep directory: one run directory per point, named Point.DirName()
	Grid *sweeps.Grid
	// Base is applied to runner.DefaultContext() before each point's settings (a preset, then
	// -set overrides); a point's settings win over it.
	Base []Settings

	Dataset     string
	Methods     []string // default: the "# methods:" header of the Base texts, else kmeans
	Split       string
	DataOptions datasets.Options

	Shard    sweeps.Shard
	Parallel int // points run at once in this process (default 1)

	// NewBackend creates the GoMLX backend. It is called at most once per sweep: all points of
	// the process share that backend, so that P concurrent points divide its threads instead of
	// each starting its own pool (see Run).
	NewBackend func() (backends.Backend, error)
	Out        io.Writer // one line per point (default os.Stdout); with Parallel 1 also the runs' progress
}

// Status of a point's run directory.
type Status string

const (
	StatusNew      Status = "new"      // no run directory yet
	StatusResume   Status = "resume"   // a run directory without every method's results
	StatusFinished Status = "finished" // every method has rows in results.json: skipped
)

// Planned is one point of the sweep with the configuration it runs with.
type Planned struct {
	Point   sweeps.Point
	Dir     string // its run directory
	Status  Status
	InShard bool
	config  runner.Config
}

// Summary counts what a call of Run did in its shard.
type Summary struct {
	Points, InShard, Skipped, Resumed, Started, Failed int
}

// Plan expands the grid and checks every point up front (all shards' points, so that a bad
// value fails on every machine before any time is spent): each point's settings must apply to
// runner.DefaultContext() after Base (unknown names and bad values fail, naming the point), the
// runner's and methods' validation must pass, and an existing run directory must hold the
// same settings as the point.
func Plan(opts Options) ([]Planned, error) {
	if opts.Grid == nil {
		return nil, errors.New("sweep: no grid")
	}
	if opts.Dir == "" {
		return nil, errors.New("sweep: no sweep directory (-dir)")
	}
	points, err := opts.Grid.Points()
	if err != nil {
		return nil, err
	}
	methods := opts.Methods
	if len(methods) == 0 {
		methods = []string{"kmeans"}
		for _, b := range opts.Base {
			if strings.Contains(b.Text, "# methods:") {
				methods = strings.Split(runner.PresetMethods(b.Text), ",")
			}
		}
	}
	var plan []Planned
	for _, p := range points {
		where := fmt.Sprintf("%s: point %d (%s)", opts.Grid.Source, p.Index, p.Text())
		ctx := runner.DefaultContext()
		var set []string
		for _, b := range opts.Base {
			more, err := rundir.ApplySettings(ctx, b.Text, b.Source)
			if err != nil {
				return nil, err
			}
			set = append(set, more...)
		}
		more, err := rundir.ApplySettings(ctx, p.Text(), where)
		if err != nil {
			return nil, err
		}
		cfg := runner.Config{
			Dataset: opts.Dataset, Methods: append([]string(nil), methods...), Split: opts.Split,
			DataOptions: opts.DataOptions, RunsDir: opts.Dir, RunName: p.DirName(),
			Ctx: ctx, ParamsSet: append(set, more...),
		}
		if err := cfg.Validate(); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		pl := Planned{Point: p, Dir: filepath.Join(opts.Dir, p.DirName()), InShard: opts.Shard.Includes(p.Index), config: cfg}
		if pl.Status, err = dirStatus(pl.Dir, cfg); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		plan = append(plan, pl)
	}
	return plan, nil
}

// dirStatus classifies a point's run directory, and checks that an existing one was run with
// the point's settings (a resumed run re-applies its own settings.txt, so a changed preset or
// grid would otherwise go unnoticed).
func dirStatus(dir string, cfg runner.Config) (Status, error) {
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return StatusNew, nil
	}
	old, err := os.ReadFile(filepath.Join(dir, "settings.txt"))
	if errors.Is(err, os.ErrNotExist) {
		if _, err := os.Stat(filepath.Join(dir, "results.json")); err == nil {
			return "", fmt.Errorf("run directory %s has results.json but no settings.txt", dir)
		}
		// Killed between creating the directory and writing settings.txt: nothing to keep.
		return StatusNew, nil
	}
	if err != nil {
		return "", err
	}
	want := rundir.SettingsMap(rundir.FormatSettings(cfg.Ctx))
	have := rundir.SettingsMap(string(old))
	var diffs []string
	for k, v := range want {
		if hv, ok := have[k]; ok && hv != v {
			diffs = append(diffs, fmt.Sprintf("%s=%s there, %s now", k, hv, v))
		}
	}
	if len(diffs) > 0 {
		sort.Strings(diffs)
		return "", fmt.Errorf("run directory %s was started with other settings (%s): move it away, or restore the preset and grid it was run with",
			dir, strings.Join(diffs, "; "))
	}
	if finished(dir, cfg.Methods) {
		return StatusFinished, nil
	}
	return StatusResume, nil
}

// finished reports whether dir's results.json has rows of every method.
func finished(dir string, methods []string) bool {
	results, err := rundir.ReadResults(dir)
	if err != nil {
		return false
	}
	for _, m := range methods {
		if len(results.RowsOf(m)) == 0 {
			return false
		}
	}
	return true
}

// Run plans the sweep (see Plan) and runs the points of opts.Shard that are not finished, in
// index order, opts.Parallel at a time, each through runner.Run in this process: new points get
// a new run directory, unfinished ones are resumed from their checkpoints (runner's ResumeDir).
// Each point's progress goes to Dir/logs/<point>.log (appended across sessions). A point that
// fails does not stop the others; Run returns their errors joined.
//
// Threads: all points share one backend (opts.NewBackend is called once). With the pure-Go
// backend every computation runs on goroutines of this process, so GOMAXPROCS (default: the
// number of CPUs) bounds the CPU use of all P points together; P > 1 only overlaps one point's
// serial parts (data loading, k-means, figures) with another's graph executions. With XLA, the
// one PJRT client's thread pool is likewise shared. Separate processes on one machine (shards)
// each size their pools to the whole machine: give each GOMAXPROCS = cores / processes.
func Run(opts Options) (Summary, error) {
	if opts.Out == nil {
		opts.Out = os.Stdout
	}
	if opts.Parallel < 1 {
		opts.Parallel = 1
	}
	plan, err := Plan(opts)
	if err != nil {
		return Summary{}, err
	}
	var sum Summary
	var todo []Planned
	for _, pl := range plan {
		sum.Points++
		if !pl.InShard {
			continue
		}
		sum.InShard++
		switch pl.Status {
		case StatusFinished:
			sum.Skipped++
		case StatusResume:
			sum.Resumed++
			todo = append(todo, pl)
		default:
			sum.Started++
			todo = append(todo, pl)
		}
	}
	fmt.Fprintf(opts.Out, "sweep %s: %d points, shard %s has %d: %d finished, %d to resume, %d to start (%d at a time)\n",
		opts.Dir, sum.Points, opts.Shard, sum.InShard, sum.Skipped, sum.Resumed, sum.Started, opts.Parallel)
	if len(todo) == 0 {
		return sum, nil
	}
	if err := os.MkdirAll(filepath.Join(opts.Dir, LogsDir), 0o755); err != nil {
		return sum, err
	}
	newBackend := sync.OnceValues(func() (backends.Backend, error) {
		if opts.NewBackend == nil {
			return nil, errors.New("no GoMLX backend factory configured")
		}
		return opts.NewBackend()
	})

	var mu sync.Mutex // guards opts.Out, errs and sum.Failed
	var errs []error
	jobs := make(chan Planned)
	var wg sync.WaitGroup
	for range min(opts.Parallel, len(todo)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for pl := range jobs {
				start := time.Now()
				err := runPoint(pl, opts, newBackend, &mu)
				mu.Lock()
				if err != nil {
					sum.Failed++
					errs = append(errs, fmt.Errorf("point %d (%s): %w", pl.Point.Index, pl.Point.DirName(), err))
					fmt.Fprintf(opts.Out, "point %d %s: FAILED after %s: %v\n", pl.Point.Index, pl.Point.DirName(), time.Since(start).Round(time.Second), err)
				} else {
					fmt.Fprintf(opts.Out, "point %d %s: done in %s\n", pl.Point.Index, pl.Point.DirName(), time.Since(start).Round(time.Second))
				}
				mu.Unlock()
			}
		}()
	}
	for _, pl := range todo {
		jobs <- pl
	}
	close(jobs)
	wg.Wait()
	return sum, errors.Join(errs...)
}

func runPoint(pl Planned, opts Options, newBackend func() (backends.Backend, error), outMu *sync.Mutex) error {
	logFile, err := os.OpenFile(filepath.Join(opts.Dir, LogsDir, pl.Point.DirName()+".log"),
		os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer logFile.Close()
	cfg := pl.config
	cfg.Out = logFile
	if opts.Parallel == 1 {
		cfg.Out = io.MultiWriter(logFile, lockedWriter{opts.Out, outMu})
	}
	cfg.NewBackend = newBackend
	if pl.Status == StatusResume {
		cfg.ResumeDir = pl.Dir
	} else if _, err := os.Stat(pl.Dir); err == nil {
		// A directory without settings.txt (see dirStatus) holds nothing: start it afresh.
		if err := os.RemoveAll(pl.Dir); err != nil {
			return err
		}
	}
	outMu.Lock()
	fmt.Fprintf(opts.Out, "point %d %s: %s\n", pl.Point.Index, pl.Point.DirName(), map[Status]string{
		StatusNew: "starting", StatusResume: "resuming"}[pl.Status])
	outMu.Unlock()
	_, err = runner.Run(cfg)
	return err
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

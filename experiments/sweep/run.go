package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/clustergan/clustergan/datasets"
	"github.com/clustergan/clustergan/experiments/runner"
	"github.com/clustergan/clustergan/rundir"
	"github.com/clustergan/clustergan/sweeps"
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
	// Wait: after its other points, wait for the points other processes hold, running those
	// whose owner stops without finishing them (its lock goes stale). Without Wait they are
	// left to their owners.
	Wait bool

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

// Summary counts what a call of Run did in its shard: Skipped points were finished (before,
// or by another process meanwhile), Resumed and Started ones this process ran, Owned ones it
// left to the other processes that held them (without Options.Wait).
type Summary struct {
	Points, InShard, Skipped, Resumed, Started, Failed, Owned int
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
	info, _ := rundir.ReadInfo(dir) // settings changed on resume (-resume_set) are recorded there
	var diffs []string
	for k, v := range want {
		hv, ok := have[k]
		if !ok || hv == v {
			continue
		}
		if from, changed := info.Original(k); changed && from == v {
			continue
		}
		diffs = append(diffs, fmt.Sprintf("%s=%s there, %s now", k, hv, v))
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

// PollEvery is how often a waiting sweep looks again at the points other processes hold.
var PollEvery = time.Second

// Run plans the sweep (see Plan) and runs the points of opts.Shard that are not finished, in
// index order, opts.Parallel at a time, each through runner.Run in this process: new points get
// a new run directory, unfinished ones are resumed from their checkpoints (runner's ResumeDir).
// Each point's progress goes to Dir/logs/<point>.log (appended across sessions). A point that
// fails does not stop the others; Run returns their errors joined.
//
// Several processes may run one sweep, the same shard or others, on one machine or on many
// sharing the directory: a point is run by the process that holds its run directory's lock
// (rundir.LockDir). A process takes the lock before it touches a point, looks at the point's
// status again under it (another process may have finished it meanwhile), and never removes
// a directory. Points another process holds are skipped with a line saying so; with
// opts.Wait they are taken up again at the end, until each is finished by its owner or
// taken over from an owner that stopped (its lock gone stale).
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
	planned := map[Status]int{}
	for _, pl := range plan {
		sum.Points++
		if !pl.InShard {
			continue
		}
		sum.InShard++
		planned[pl.Status]++
		if pl.Status == StatusFinished {
			sum.Skipped++
		} else {
			todo = append(todo, pl)
		}
	}
	fmt.Fprintf(opts.Out, "sweep %s: %d points, shard %s has %d: %d finished, %d to resume, %d to start (%d at a time)\n",
		opts.Dir, sum.Points, opts.Shard, sum.InShard, planned[StatusFinished], planned[StatusResume], planned[StatusNew], opts.Parallel)
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

	var mu sync.Mutex // guards opts.Out, errs, sum and owned
	var errs []error
	var owned []Planned
	say := func(pl Planned, format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(opts.Out, "point %d %s: %s\n", pl.Point.Index, pl.Point.DirName(), fmt.Sprintf(format, args...))
	}
	// do runs one point; it reports false when another process holds it.
	do := func(pl Planned, quiet bool) bool {
		start := time.Now()
		outcome, err := runPoint(pl, opts, newBackend, &mu, say)
		mu.Lock()
		defer mu.Unlock()
		var held *rundir.HeldError
		switch {
		case errors.As(err, &held):
			if !quiet {
				what := "left to it"
				if opts.Wait {
					what = "coming back to it later"
				}
				fmt.Fprintf(opts.Out, "point %d %s: skipped for now: %v; %s\n", pl.Point.Index, pl.Point.DirName(), err, what)
			}
			return false
		case err != nil:
			sum.Failed++
			errs = append(errs, fmt.Errorf("point %d (%s): %w", pl.Point.Index, pl.Point.DirName(), err))
			fmt.Fprintf(opts.Out, "point %d %s: FAILED after %s: %v\n", pl.Point.Index, pl.Point.DirName(), time.Since(start).Round(time.Second), err)
		case outcome == StatusFinished:
			sum.Skipped++
			fmt.Fprintf(opts.Out, "point %d %s: finished by another process\n", pl.Point.Index, pl.Point.DirName())
		default:
			if outcome == StatusResume {
				sum.Resumed++
			} else {
				sum.Started++
			}
			fmt.Fprintf(opts.Out, "point %d %s: done in %s\n", pl.Point.Index, pl.Point.DirName(), time.Since(start).Round(time.Second))
		}
		return true
	}

	jobs := make(chan Planned)
	var wg sync.WaitGroup
	for range min(opts.Parallel, len(todo)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for pl := range jobs {
				if !do(pl, false) {
					mu.Lock()
					owned = append(owned, pl)
					mu.Unlock()
				}
			}
		}()
	}
	for _, pl := range todo {
		jobs <- pl
	}
	close(jobs)
	wg.Wait()

	if opts.Wait && len(owned) > 0 {
		fmt.Fprintf(opts.Out, "sweep %s: waiting for %d point(s) other processes hold\n", opts.Dir, len(owned))
		sort.Slice(owned, func(i, j int) bool { return owned[i].Point.Index < owned[j].Point.Index })
		for len(owned) > 0 {
			var still []Planned
			for _, pl := range owned {
				if !do(pl, true) {
					still = append(still, pl)
				}
			}
			if owned = still; len(owned) > 0 {
				time.Sleep(PollEvery)
			}
		}
	}
	sum.Owned = len(owned)
	return sum, errors.Join(errs...)
}

// claim creates and locks a point's run directory, or locks the existing one.
func claim(dir string) (*rundir.Lock, error) {
	for range 5 {
		l, err := rundir.CreateDir(dir)
		if !errors.Is(err, fs.ErrExist) {
			return l, err
		}
		l, err = rundir.LockDir(dir)
		if !errors.Is(err, fs.ErrNotExist) {
			return l, err
		}
		// Removed meanwhile by the process that created it (its run failed with nothing to keep).
	}
	return nil, fmt.Errorf("run directory %s keeps appearing and disappearing", dir)
}

// runPoint takes the point's lock, looks at its status again under it and runs it if it is
// not finished. It returns the status the point had under the lock; a *rundir.HeldError when
// another process holds it.
func runPoint(pl Planned, opts Options, newBackend func() (backends.Backend, error), outMu *sync.Mutex,
	say func(Planned, string, ...any)) (Status, error) {
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return "", err
	}
	lock, err := claim(pl.Dir)
	if err != nil {
		return "", err
	}
	defer lock.Release()
	status, err := dirStatus(pl.Dir, pl.config)
	if err != nil || status == StatusFinished {
		return status, err
	}
	logFile, err := os.OpenFile(filepath.Join(opts.Dir, LogsDir, pl.Point.DirName()+".log"),
		os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return status, err
	}
	defer logFile.Close()
	cfg := pl.config
	cfg.Out = logFile
	if opts.Parallel == 1 {
		cfg.Out = io.MultiWriter(logFile, lockedWriter{opts.Out, outMu})
	}
	cfg.NewBackend = newBackend
	cfg.Lock = lock
	if status == StatusResume {
		cfg.ResumeDir = pl.Dir
	}
	say(pl, map[Status]string{StatusNew: "starting", StatusResume: "resuming"}[status])
	_, err = runner.Run(cfg)
	return status, err
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

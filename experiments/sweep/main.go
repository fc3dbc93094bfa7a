// Command sweep runs a grid of runs (a sweep) and aggregates run directories into reports.
//
//	go run ./experiments/sweep -grid="beta_c=1,10; seed=1..3" -dir=runs/my-sweep \
//	    -preset=experiments/mnist/presets/default.settings
//	go run ./experiments/sweep -grid=file:experiments/sweep/beta.sweep -dir=runs/beta ...
//	go run ./experiments/sweep ... -shard=2/8            # one of 8 machines (Slurm array, k8s Job)
//	go run ./experiments/sweep ... -parallel=2           # two points at once in this process
//	go run ./experiments/sweep -report=runs/beta         # report.md, report.csv, heatmaps
//
// Starting the same command again skips finished points and resumes unfinished ones from their
// checkpoints. Grid syntax: see sweeps.ParseGrid. Flags only; the work is in
// experiments/sweeps.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/clustergan/clustergan/backend"
	"github.com/clustergan/clustergan/datasets"
	"github.com/clustergan/clustergan/experiments/runner"
	"github.com/clustergan/clustergan/experiments/sweeps"
	"github.com/gomlx/gomlx/backends"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "sweep: %v\n", err)
		os.Exit(2)
	}
}

func run(args []string) error {
	flags := flag.NewFlagSet("sweep", flag.ContinueOnError)
	grid := flags.String("grid", "", `the grid, "beta_n=0,10; beta_c=1,10; seed=1..3", or "file:PATH" (syntax: package experiments/sweeps)`)
	dir := flags.String("dir", "", "sweep directory: one run directory per point (required to run)")
	preset := flags.String("preset", "", `settings file applied before each point, e.g. experiments/mnist/presets/default.settings; its "# methods:" line gives the default methods`)
	set := flags.String("set", "", `parameter overrides for every point, applied after -preset: "name=value;..." or "file:PATH"`)
	methods := flags.String("methods", "", "comma-separated methods (default: the preset's, else kmeans); valid: "+strings.Join(runner.Names(), ", ")+", all")
	dataset := flags.String("dataset", "mnist", "dataset: "+strings.Join(datasets.Names(), ", "))
	split := flags.String("split", "test", "split the metrics are computed on: test, validation, train, all")
	dataDir := flags.String("data_dir", "", "directory with the dataset files (default $CLUSTERGAN_DATA_DIR, then the Go module cache, then download)")
	download := flags.Bool("download", true, "download missing dataset files (SHA-256 verified) into the user cache dir")
	shard := flags.String("shard", "", "run only shard i of n (i/n, 0 ≤ i < n): the points whose index mod n is i")
	parallel := flags.Int("parallel", 1, "points run at once in this process; they share one backend and its threads")
	list := flags.Bool("list", false, "list the points of the shard with their status, and exit")
	report := flags.String("report", "", "aggregate the run directories under this directory instead of running")
	reportOut := flags.String("report_out", "", "where -report writes report.md, report.csv and heatmaps (default: the -report directory)")
	heatmap := flags.String("heatmap", "beta_n,beta_c", "two parameters for the heatmaps of -report, rows,columns (empty: none)")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil // -h: the usage is printed already
		}
		return err
	}
	if flags.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q (flags only; see -help)", flags.Args())
	}

	if *report != "" {
		out := *reportOut
		if out == "" {
			out = *report
		}
		var x, y string
		if *heatmap != "" {
			var ok bool
			if y, x, ok = strings.Cut(*heatmap, ","); !ok || x == "" || y == "" {
				return fmt.Errorf("-heatmap: %q must be two parameters, rows,columns (e.g. beta_n,beta_c)", *heatmap)
			}
		}
		_, files, err := sweeps.WriteReport(*report, out, x, y)
		for _, f := range files {
			fmt.Println("wrote", f)
		}
		return err
	}

	if *grid == "" {
		return fmt.Errorf("-grid: required (e.g. -grid=\"beta_c=1,10; seed=1..3\" or -grid=file:PATH)")
	}
	g, err := sweeps.ReadGrid(*grid)
	if err != nil {
		return err
	}
	sh, err := sweeps.ParseShard(*shard)
	if err != nil {
		return err
	}
	if *parallel < 1 {
		return fmt.Errorf("-parallel: must be ≥ 1, got %d", *parallel)
	}
	var base []sweeps.Settings
	if *preset != "" {
		text, err := os.ReadFile(*preset)
		if err != nil {
			return fmt.Errorf("-preset: %w", err)
		}
		base = append(base, sweeps.Settings{Text: string(text), Source: *preset})
	}
	if *set != "" {
		base = append(base, sweeps.Settings{Text: *set, Source: "-set"})
	}
	opts := sweeps.Options{
		Dir: *dir, Grid: g, Base: base, Dataset: *dataset, Split: *split,
		DataOptions: datasets.Options{Dir: *dataDir, AllowDownload: *download},
		Shard:       sh, Parallel: *parallel, Out: os.Stdout,
		NewBackend: func() (backends.Backend, error) { return backend.New(os.Stderr) },
	}
	if *methods != "" {
		opts.Methods = strings.Split(*methods, ",")
	}
	if *list {
		plan, err := sweeps.Plan(opts)
		if err != nil {
			return err
		}
		for _, p := range plan {
			if p.InShard {
				fmt.Printf("%4d  %-8s  %s\n", p.Point.Index, p.Status, p.Dir)
			}
		}
		return nil
	}
	sum, err := sweeps.Run(opts)
	fmt.Printf("sweep: %d of %d points in shard %s; %d were finished, %d resumed, %d started, %d failed\n",
		sum.InShard, sum.Points, sh, sum.Skipped, sum.Resumed, sum.Started, sum.Failed)
	return err
}

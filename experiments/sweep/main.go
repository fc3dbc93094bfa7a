// Command sweep runs a grid of runs (a sweep) and aggregates run directories into reports.
//
//	go run ./experiments/sweep -grid="beta_c=1,10; seed=1..3" -dir=runs/my-sweep \
//	    -preset=experiments/mnist/presets/default.settings
//	go run ./experiments/sweep -grid=file:experiments/sweep/mnist-ablation.sweep -dir=runs/mnist-ablation/gan ...
//	go run ./experiments/sweep ... -shard=2/8            # one of 8 machines
//	go run ./experiments/sweep ... -shard=auto           # the shard of a Slurm array task or k8s Indexed Job
//	go run ./experiments/sweep ... -parallel=2           # two points at once in this process
//	go run ./experiments/sweep -report=runs/mnist-ablation -where="beta_x=10"  # report.md, report.csv, heatmaps
//
// Starting the same command again skips finished points and resumes unfinished ones from their
// checkpoints. Any number of processes may run one sweep directory at once: each point is run
// by the one process that holds its lock. Examples for schedulers are in slurm/ and k8s/.
// Grid syntax: see sweeps.ParseGrid; shards: sweeps.ParseShard; reports: sweeps.WriteReport.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/clustergan/clustergan/backend"
	"github.com/clustergan/clustergan/datasets"
	"github.com/clustergan/clustergan/experiments/runner"
	"github.com/clustergan/clustergan/rundir"
	"github.com/clustergan/clustergan/sweeps"
	"github.com/gomlx/gomlx/backends"
)

func main() {
	rundir.ReleaseOnSignal(os.Stderr, "sweep")
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
	common := runner.RegisterFlags(flags, "the preset's, else kmeans")
	dataset := flags.String("dataset", "mnist", "data set: "+strings.Join(datasets.Names(), ", "))
	shard := flags.String("shard", "", "run only shard i of n (i/n, 0 ≤ i < n): the points whose index mod n is i; "+
		"auto: from a Slurm job array's or a Kubernetes Indexed Job's environment (see sweeps.ShardFromEnv)")
	wait := flags.Bool("wait", true, "after this process's other points, wait for the points other processes hold, and run those they leave unfinished")
	parallel := flags.Int("parallel", 1, "points run at once in this process; they share one backend and its threads")
	list := flags.Bool("list", false, "list the points of the shard with their status, and exit")
	report := flags.String("report", "", "aggregate the run directories under this directory instead of running")
	reportOut := flags.String("report_out", "", "where -report writes report.md, report.csv and heatmaps (default: the -report directory)")
	heatmap := flags.String("heatmap", "beta_n,beta_c", "two parameters for the heatmaps of -report, rows,columns (empty: none)")
	where := flags.String("where", "", `-report only the runs whose settings match, "name=value;name=value" (values as settings.txt writes them)`)
	if ok, err := runner.ParseFlags(flags, args); !ok {
		return err
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
		_, files, err := sweeps.WriteReport(*report, out, x, y, rundir.SettingsMap(strings.ReplaceAll(*where, ";", "\n")))
		for _, f := range files {
			fmt.Println("wrote", f)
		}
		if err == nil {
			// Unreadable runs are listed in report.md; say so here too.
			_, skipped, _ := sweeps.AggregateDir(*report, rundir.SettingsMap(strings.ReplaceAll(*where, ";", "\n")))
			for _, e := range skipped {
				fmt.Println("skipped (unreadable):", e)
			}
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
	var base []Settings
	if *preset != "" {
		text, err := os.ReadFile(*preset)
		if err != nil {
			return fmt.Errorf("-preset: %w", err)
		}
		base = append(base, Settings{Text: string(text), Source: *preset})
	}
	if *set != "" {
		base = append(base, Settings{Text: *set, Source: "-set"})
	}
	opts := Options{
		Dir: *dir, Grid: g, Base: base, Dataset: *dataset, Split: *common.Split,
		DataOptions: common.DataOptions(), Methods: common.MethodList(),
		Shard: sh, Parallel: *parallel, Wait: *wait, Out: os.Stdout,
		NewBackend: func() (backends.Backend, error) { return backend.New(os.Stderr) },
	}
	if *list {
		plan, err := Plan(opts)
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
	sum, err := Run(opts)
	fmt.Printf("sweep: %d of %d points in shard %s; %d were finished, %d resumed, %d started, %d failed",
		sum.InShard, sum.Points, sh, sum.Skipped, sum.Resumed, sum.Started, sum.Failed)
	if sum.Owned > 0 {
		fmt.Printf(", %d left to the processes that hold them", sum.Owned)
	}
	fmt.Println()
	return err
}

// Command mnist runs clustering methods on MNIST and prints them side by side with the
// published numbers.
//
//	go run ./experiments/mnist                      # the default preset
//	go run ./experiments/mnist -preset=quick        # a smoke run
//	go run ./experiments/mnist -set="seed=2"        # override any parameter
//	go run ./experiments/mnist -resume=runs/NAME    # continue an interrupted run
//	go run ./experiments/mnist -resume=runs/NAME -resume_set="critic_learning_rate=1e-5"
//
// -resume continues a run as its record says (dataset, split, methods, settings); flags that
// contradict the record are errors, and -resume_set changes settings on purpose, recorded.
//
//	go run ./experiments/mnist -params              # every parameter: type, default, range, meaning
//
// Flags only; the work is in package experiments/runner.
package main

import (
	"embed"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/clustergan/clustergan/backend"
	"github.com/clustergan/clustergan/experiments/runner"
	"github.com/clustergan/clustergan/methods"
	"github.com/clustergan/clustergan/rundir"
	"github.com/gomlx/gomlx/backends"
)

//go:embed presets/*.settings
var presetFiles embed.FS

func presetNames() []string {
	entries, _ := presetFiles.ReadDir("presets")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".settings"))
	}
	sort.Strings(names)
	return names
}

func main() {
	rundir.ReleaseOnSignal(os.Stderr, "mnist")
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "mnist: %v\n", err)
		os.Exit(2)
	}
}

// paramsFlag is -params: a boolean flag ("-params" lists the parameters) that also takes
// "-params=markdown" (the reference list of docs/parameters.md).
type paramsFlag string

func (f *paramsFlag) String() string   { return string(*f) }
func (f *paramsFlag) IsBoolFlag() bool { return true }
func (f *paramsFlag) Set(s string) error {
	switch s {
	case "true", "text":
		*f = "text"
	case "false", "":
		*f = ""
	case "markdown":
		*f = "markdown"
	default:
		return fmt.Errorf("want -params, -params=text or -params=markdown")
	}
	return nil
}

// run is the program: it writes to stdout and returns the error main prints, one line, before
// it exits with status 2.
func run(args []string, stdout io.Writer) error {
	flags := flag.NewFlagSet("mnist", flag.ContinueOnError)
	common := runner.RegisterFlags(flags, "the preset's")
	preset := flags.String("preset", "default", "settings preset: "+strings.Join(presetNames(), ", "))
	set := flags.String("set", "", `parameter overrides, "name=value;/scope/name=value" or "file:PATH"; -params lists them`)
	runsDir := flags.String("runs", "runs", "parent directory of run directories")
	name := flags.String("name", "", "run directory name (default <dataset>-<date>-<time>)")
	resume := flags.String("resume", "", "continue the run in this directory from its latest checkpoint, with its own dataset, split, methods and settings")
	resumeSet := flags.String("resume_set", "", `with -resume: change settings for the rest of the run, "name=value;..." (recorded in its run.json), e.g. lower learning rates after a divergence`)
	var listParams paramsFlag
	flags.Var(&listParams, "params", "list every parameter (type, default, value after -preset and -set, allowed values, meaning, "+
		"scopes) and exit; -params=markdown writes the reference list of docs/parameters.md")
	if ok, err := runner.ParseFlags(flags, args); !ok {
		return err
	}

	if listParams == "markdown" {
		return runner.WriteParamsMarkdown(stdout)
	}
	ctx := runner.DefaultContext()
	presetText, err := presetFiles.ReadFile("presets/" + *preset + ".settings")
	if err != nil {
		return fmt.Errorf("-preset: unknown preset %q; valid values: %s", *preset, strings.Join(presetNames(), ", "))
	}
	paramsSet, err := rundir.ApplySettings(ctx, string(presetText), "preset "+*preset)
	if err != nil {
		return err
	}
	flagSet, err := rundir.ApplySettings(ctx, *set, "-set")
	if err != nil {
		return err
	}
	paramsSet = append(paramsSet, flagSet...)
	if listParams == "text" {
		if err := methods.CheckParams(ctx); err != nil {
			return err
		}
		return runner.WriteParams(stdout, ctx)
	}

	methodList := common.MethodList()
	if methodList == nil && *resume == "" {
		methodList = strings.Split(runner.PresetMethods(string(presetText)), ",")
	}
	cfg := runner.Config{
		Dataset:     *common.Dataset,
		Methods:     methodList,
		Split:       *common.Split,
		DataOptions: common.DataOptions(),
		RunsDir:     *runsDir,
		RunName:     *name,
		ResumeDir:   *resume,
		ResumeSet:   *resumeSet,
		Ctx:         ctx,
		ParamsSet:   paramsSet,
		FlagSet:     flagSet,
		Preset:      *preset,
		Out:         stdout,
		NewBackend:  func() (backends.Backend, error) { return backend.New(os.Stderr) },
	}
	if *resume != "" {
		// The run's record decides; only the flags given are checked against it.
		given := map[string]bool{}
		flags.Visit(func(f *flag.Flag) { given[f.Name] = true })
		if given["name"] {
			return fmt.Errorf("-name=%s: a resumed run keeps its directory %s; give -name or -resume, not both", *name, *resume)
		}
		for flagName, value := range map[string]*string{"dataset": &cfg.Dataset, "split": &cfg.Split, "preset": &cfg.Preset} {
			if !given[flagName] {
				*value = ""
			}
		}
	}
	_, err = runner.Run(cfg)
	return err
}

package runner

import (
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/clustergan/clustergan/backend"
	"github.com/clustergan/clustergan/datasets"
	"github.com/clustergan/clustergan/methods"
	"github.com/clustergan/clustergan/rundir"
	"github.com/gomlx/gomlx/backends"
)

// Program is one experiment program (experiments/mnist, experiments/fashion, ...): the data
// sets it runs on, its presets and the help that teaches it. The mains only describe
// themselves and call Main; Run is the program, which tests call too.
type Program struct {
	Name     string   // "mnist": the directory under experiments/ and the prefix of errors
	Datasets []string // the data sets it accepts; the first is the default
	// Presets holds the presets as "presets/<name>.settings"; DefaultPreset names the one used
	// without -preset.
	Presets       fs.FS
	DefaultPreset string
	// Synopsis says in a few lines what the program does.
	Synopsis string
	// Examples are command lines with a short comment each: {command, comment}.
	Examples [][2]string
	// Data says where the data come from and how to get them.
	Data string
	// Flags, if set, adds the program's own flags and returns a function that applies them to
	// the run's configuration once parsed (the synthetic mixture's settings).
	Flags func(fs *flag.FlagSet) func(cfg *Config) error
}

// Main runs the program on the command line and exits: 0 on success and after -h, 2 with one
// line on stderr on any error.
func (p Program) Main() {
	rundir.ReleaseOnSignal(os.Stderr, p.Name)
	if err := p.Run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", p.Name, err)
		os.Exit(2)
	}
}

// presetNames lists the program's presets, sorted.
func (p Program) presetNames() []string {
	entries, _ := fs.ReadDir(p.Presets, "presets")
	var names []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".settings"); ok {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
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

// environment are the variables every program reads, for -h.
var environment = [][2]string{
	{backend.EnvVar, `the GoMLX backend: "go" or "` + backend.GoConfig + `" (pure Go, any machine), "xla:cuda" or ` +
		`"xla:/abs/path/pjrt_c_api_cuda_plugin.so" (XLA on a GPU). Unset: XLA when it starts, else pure Go (one line says why)`},
	{backend.DotBlockEnvVar, fmt.Sprintf("the pure-Go backend's matrix block side, a power of two from 4 to 128 (default %d; "+
		"64 repeats results recorded before that default)", backend.GoDotBlock)},
	{datasets.EnvDataDir, "the directory holding the data files when -data_dir is not given"},
	{"GOMLX_NO_AUTO_INSTALL", "set to 1 to keep GoMLX from downloading its XLA plugin"},
}

// usage writes the program's help: synopsis, examples, flags, environment and run directories.
func (p Program) usage(w io.Writer, flags *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: go run ./experiments/%s [flags]\n\n%s\n\nExamples:\n", p.Name, strings.TrimSpace(p.Synopsis))
	for _, e := range p.Examples {
		fmt.Fprintf(w, "  %s\n      %s\n", e[0], e[1])
	}
	fmt.Fprintf(w, "\nData: %s\n\nFlags:\n", strings.TrimSpace(p.Data))
	flags.SetOutput(w)
	flags.PrintDefaults()
	fmt.Fprintln(w, "\nEnvironment:")
	for _, e := range environment {
		fmt.Fprintf(w, "  %s\n      %s\n", e[0], e[1])
	}
	fmt.Fprintf(w, "\nRun directories: each run writes <runs>/<dataset>-<date>-<time>/ (or -name): settings.txt, run.json,\n"+
		"metrics.jsonl, results.json, curves, and one directory per method with its checkpoints and figures.\n"+
		"-resume=DIR continues a run from its latest checkpoint, with its own record. Presets: %s.\n",
		strings.Join(p.presetNames(), ", "))
}

// Run is the program: it parses args, runs the methods and prints the results table to
// stdout (-h prints the help there). It returns the error Main prints on one line.
func (p Program) Run(args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet(p.Name, flag.ContinueOnError)
	flags.SetOutput(io.Discard) // errors come back as one line; -h prints the help below
	common := RegisterFlags(flags, "the preset's")
	dataset := flags.String("dataset", p.Datasets[0], "data set: "+strings.Join(p.Datasets, ", "))
	if len(p.Datasets) == 1 {
		flags.Lookup("dataset").Usage = "data set (this program runs " + p.Datasets[0] + " only)"
	}
	preset := flags.String("preset", p.DefaultPreset, "settings preset: "+strings.Join(p.presetNames(), ", "))
	set := flags.String("set", "", `parameter overrides, "name=value;/scope/name=value" or "file:PATH"; -params lists them`)
	runsDir := flags.String("runs", "runs", "parent directory of run directories")
	name := flags.String("name", "", "run directory name (default <dataset>-<date>-<time>)")
	resume := flags.String("resume", "", "continue the run in this directory from its latest checkpoint, with its own dataset, split, methods and settings")
	resumeSet := flags.String("resume_set", "", `with -resume: change settings for the rest of the run, "name=value;..." (recorded in its run.json), e.g. lower learning rates after a divergence`)
	var listParams paramsFlag
	flags.Var(&listParams, "params", "list every parameter (type, default, value after -preset and -set, allowed values, meaning, "+
		"scopes) and exit; -params=markdown writes the reference list of docs/parameters.md")
	export := flags.String("export", "", "copy the trained models of this run directory (weights only) into -export_to, and exit")
	exportTo := flags.String("export_to", "", "with -export: the directory to write, loadable as a run directory (methods.LoadModel)")
	redraw := flags.String("redraw", "", "draw the curves of this run directory again with this program's code into -redraw_to, and exit")
	redrawTo := flags.String("redraw_to", "", "with -redraw: the directory to draw into")
	var own func(*Config) error
	if p.Flags != nil {
		own = p.Flags(flags)
	}
	if err := flags.Parse(args); err != nil {
		if err == flag.ErrHelp {
			p.usage(stdout, flags)
			return nil
		}
		return err
	}
	if flags.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %s (flags only; see -h)", strings.Join(flags.Args(), " "))
	}
	if !contains(p.Datasets, *dataset) {
		return fmt.Errorf("-dataset=%s: this program runs %s; for other data sets see the programs in experiments/", *dataset, strings.Join(p.Datasets, ", "))
	}

	if listParams == "markdown" {
		return WriteParamsMarkdown(stdout)
	}
	if *export != "" || *exportTo != "" {
		return exportModels(stdout, *export, *exportTo)
	}
	if *redraw != "" || *redrawTo != "" {
		if *redraw == "" || *redrawTo == "" {
			return fmt.Errorf("-redraw and -redraw_to go together: -redraw=RUNDIR -redraw_to=DIR")
		}
		return Redraw(*redraw, *redrawTo)
	}
	ctx := DefaultContext()
	presetText, err := fs.ReadFile(p.Presets, path.Join("presets", *preset+".settings"))
	if err != nil {
		return fmt.Errorf("-preset: unknown preset %q; valid values: %s", *preset, strings.Join(p.presetNames(), ", "))
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
		return WriteParams(stdout, ctx)
	}

	methodList := common.MethodList()
	if methodList == nil && *resume == "" {
		methodList = strings.Split(PresetMethods(string(presetText)), ",")
	}
	cfg := Config{
		Dataset:     *dataset,
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
		NewBackend:  func() (backends.Backend, error) { return backend.New(stderr) },
	}
	if own != nil {
		if err := own(&cfg); err != nil {
			return err
		}
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
	_, err = Run(cfg)
	return err
}

// exportModels copies every model trained in the run directory runDir into dst
// (methods.ExportModel).
func exportModels(out io.Writer, runDir, dst string) error {
	if runDir == "" || dst == "" {
		return fmt.Errorf("-export and -export_to go together: -export=RUNDIR -export_to=DIR")
	}
	info, err := rundir.ReadInfo(runDir)
	if err != nil {
		return fmt.Errorf("-export: %w", err)
	}
	exported := 0
	for _, m := range info.Methods {
		if _, err := os.Stat(filepath.Join(runDir, m, methods.SettingsFile)); err != nil {
			continue // trains no model (k-means)
		}
		if err := methods.ExportModel(runDir, m, dst); err != nil {
			return err
		}
		fmt.Fprintf(out, "exported %s of %s into %s\n", m, runDir, dst)
		exported++
	}
	if exported == 0 {
		return fmt.Errorf("-export: %s holds no trained model", runDir)
	}
	return nil
}

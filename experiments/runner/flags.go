package runner

import (
	"errors"
	"flag"
	"strings"

	"github.com/clustergan/clustergan/datasets"
)

// Flags are the command-line flags every experiment program shares: what to run and where the
// data come from (each program adds -dataset with the data sets it runs).
type Flags struct {
	Methods, Split, DataDir *string
	Download                *bool
}

// RegisterFlags adds the shared flags to fs; methodsDefault says, in the help, which methods
// run when -methods is empty.
func RegisterFlags(fs *flag.FlagSet, methodsDefault string) *Flags {
	return &Flags{
		Methods: fs.String("methods", "", "comma-separated methods (default: "+methodsDefault+"); valid: "+
			strings.Join(Names(), ", ")+", all"),
		Split: fs.String("split", "test", "split the metrics are computed on: "+strings.Join(validSplits, ", ")),
		DataDir: fs.String("data_dir", "", "directory holding the data set's files; every file must be there (default $"+
			datasets.EnvDataDir+"; without either: the Go module cache for MNIST, then the download cache, then a checksummed download)"),
		Download: fs.Bool("download", true, "download missing dataset files (checksum-verified) into the user cache dir"),
	}
}

// DataOptions are the dataset options the flags give.
func (f *Flags) DataOptions() datasets.Options {
	return datasets.Options{Dir: *f.DataDir, AllowDownload: *f.Download}
}

// MethodList returns the -methods list, or nil when the flag is empty.
func (f *Flags) MethodList() []string {
	if *f.Methods == "" {
		return nil
	}
	return strings.Split(*f.Methods, ",")
}

// ParseFlags parses args into fs for a flags-only program. It reports whether the program
// should go on: false after -h (the usage is printed already).
func ParseFlags(fs *flag.FlagSet, args []string) (bool, error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return false, nil
		}
		return false, err
	}
	if fs.NArg() > 0 {
		return false, errors.New("unexpected arguments " + strings.Join(fs.Args(), " ") + " (flags only; see -help)")
	}
	return true, nil
}

// PresetMethods returns the methods a preset names in a "# methods: a,b" header line, or
// "kmeans" when it names none.
func PresetMethods(text string) string {
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if rest, ok := strings.CutPrefix(line, "# methods:"); ok {
			return strings.Join(strings.Fields(strings.ReplaceAll(rest, ",", " ")), ",")
		}
	}
	return "kmeans"
}

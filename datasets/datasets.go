// Package datasets loads the data sets of the ClusterGAN experiments (MNIST, Fashion-MNIST,
// Fashion-5, 10x_73k, Pendigits) and generates synthetic Gaussian mixtures, all as row-major
// float32 matrices with their true labels.
//
// A data directory (Options.Dir, which the experiment programs fill from their -data_dir flag,
// else the environment variable CLUSTERGAN_DATA_DIR) must hold every file of the data set:
// a missing file is an error, never a reason to take it from elsewhere. Without one, files are
// searched in the Go module cache (MNIST), then in the download cache, and downloaded only
// when Options.AllowDownload is set; every download is checked against a checksum and written
// atomically into the cache directory.
//
// Every loader reports the files it read with their SHA-256 (Splits.Files), and synthetic data
// its configuration (Splits.Synthetic), so a run can record exactly what it was trained on.
//
// Each data set registers itself under a name (see Names); Load(name, opts) loads one.
package datasets

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/clustergan/clustergan/internal/registry"
)

// EnvDataDir is the environment variable that gives the default Options.Dir: a directory
// holding the data files (for example train-images-idx3-ubyte.gz or pendigits.tra).
const EnvDataDir = "CLUSTERGAN_DATA_DIR"

// Dataset holds n examples as a row-major float32 matrix.
type Dataset struct {
	Name string
	// X holds N()*Dim() values, one example per row.
	X []float32
	// Shape is the shape of one example, e.g. {28, 28, 1} for images or {16} for vectors;
	// Dim() is its product.
	Shape []int
	// Labels are the true classes in [0, NumClasses); nil for unlabeled data.
	Labels     []int
	NumClasses int
}

// Dim is the number of features of one example: the product of Shape.
func (d *Dataset) Dim() int {
	dim := 1
	for _, s := range d.Shape {
		dim *= s
	}
	return dim
}

// N is the number of examples.
func (d *Dataset) N() int {
	dim := d.Dim()
	if dim == 0 {
		return 0
	}
	return len(d.X) / dim
}

// Row returns example i, sharing memory with X.
func (d *Dataset) Row(i int) []float32 {
	dim := d.Dim()
	return d.X[i*dim : (i+1)*dim : (i+1)*dim]
}

// Subset returns a copy holding the examples idx, in that order.
func (d *Dataset) Subset(idx []int) *Dataset {
	dim := d.Dim()
	out := &Dataset{
		Name:       d.Name,
		X:          make([]float32, 0, len(idx)*dim),
		Shape:      slices.Clone(d.Shape),
		NumClasses: d.NumClasses,
	}
	if d.Labels != nil {
		out.Labels = make([]int, 0, len(idx))
	}
	for _, i := range idx {
		out.X = append(out.X, d.Row(i)...)
		if d.Labels != nil {
			out.Labels = append(out.Labels, d.Labels[i])
		}
	}
	return out
}

// rows returns examples [from, to) sharing memory with d.
func (d *Dataset) rows(from, to int) *Dataset {
	dim := d.Dim()
	out := &Dataset{Name: d.Name, X: d.X[from*dim : to*dim : to*dim], Shape: slices.Clone(d.Shape), NumClasses: d.NumClasses}
	if d.Labels != nil {
		out.Labels = d.Labels[from:to:to]
	}
	return out
}

// Validate checks that X holds whole rows, that there is one label per example and that each
// label lies in [0, NumClasses).
func (d *Dataset) Validate() error {
	dim := d.Dim()
	if dim <= 0 {
		return fmt.Errorf("dataset %q: shape %v has no features", d.Name, d.Shape)
	}
	if len(d.X)%dim != 0 {
		return fmt.Errorf("dataset %q: %d values are not a whole number of %d-feature rows", d.Name, len(d.X), dim)
	}
	if d.Labels == nil {
		return nil
	}
	if len(d.Labels) != d.N() {
		return fmt.Errorf("dataset %q: %d labels for %d examples", d.Name, len(d.Labels), d.N())
	}
	for i, l := range d.Labels {
		if l < 0 || l >= d.NumClasses {
			return fmt.Errorf("dataset %q: label %d of example %d is outside [0, %d)", d.Name, l, i, d.NumClasses)
		}
	}
	return nil
}

// Splits are the train, validation and test parts of one data set; Validation may be nil.
type Splits struct {
	Train, Validation, Test *Dataset
	// ValidationInTrain says that Validation is a part of Train rather than held out (the
	// official 10x_73k split validates on the last 5000 of its training examples); All then
	// leaves Validation out.
	ValidationInTrain bool
	// Files lists every file the splits were read from, one entry per file read.
	Files []FileInfo
	// Synthetic is the configuration that generated the data; nil for data read from files.
	Synthetic *SyntheticConfig
}

// FileInfo records one file a loader read, so a run can name its exact input.
type FileInfo struct {
	// Role says what the file holds within its data set, e.g. "train-images" or "labels".
	Role string
	// Path is the absolute path of the file read.
	Path string
	// SHA256 is the hex SHA-256 of the file's bytes as stored (a gzipped file's compressed
	// bytes, as sha256sum prints it).
	SHA256 string
}

// All returns the concatenation train + validation + test (the nil ones skipped, and
// validation when it is part of train), as the papers report clustering scores on all
// examples.
func (s *Splits) All() *Dataset {
	var parts []*Dataset
	for _, p := range []*Dataset{s.Train, s.Validation, s.Test} {
		if p != nil && !(p == s.Validation && s.ValidationInTrain) {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return nil
	}
	total := 0
	labeled := true
	for _, p := range parts {
		total += len(p.X)
		labeled = labeled && p.Labels != nil
	}
	out := &Dataset{
		Name:       parts[0].Name,
		X:          make([]float32, 0, total),
		Shape:      slices.Clone(parts[0].Shape),
		NumClasses: parts[0].NumClasses,
	}
	for _, p := range parts {
		out.X = append(out.X, p.X...)
		if labeled {
			out.Labels = append(out.Labels, p.Labels...)
		}
	}
	return out
}

// Options tell a Loader where to find its files and how to build synthetic data.
type Options struct {
	// Dir is the directory holding the data files; "" means the value of CLUSTERGAN_DATA_DIR.
	// When a directory is given it must hold every file the data set needs, and a missing
	// file is an error naming them all; only when both are empty are the Go module cache
	// (MNIST) and the download cache searched, and missing files downloaded.
	Dir string
	// CacheDir receives downloads; "" means os.UserCacheDir()/clustergan.
	CacheDir string
	// AllowDownload lets loaders fetch missing files from their canonical mirror.
	AllowDownload bool
	// Seed seeds synthetic data when Synthetic is nil.
	Seed int64
	// Synthetic overrides the configuration of the "synthetic" data set; its Seed, when 0,
	// is the Seed above. nil means DefaultSyntheticConfig() with Seed above.
	Synthetic *SyntheticConfig

	// dirFrom names what set Dir, for error messages.
	dirFrom string
}

// withDefaults fills Dir from CLUSTERGAN_DATA_DIR and CacheDir from the user cache directory.
// A missing user cache directory is not an error here: it only matters when a cached or
// downloaded file is needed, and then the lookup says so.
func (o Options) withDefaults() Options {
	if o.dirFrom == "" {
		if o.Dir != "" {
			o.dirFrom = "-data_dir"
		} else if o.Dir = os.Getenv(EnvDataDir); o.Dir != "" {
			o.dirFrom = "$" + EnvDataDir
		}
	}
	if o.CacheDir == "" {
		if base, err := os.UserCacheDir(); err == nil {
			o.CacheDir = filepath.Join(base, "clustergan")
		}
	}
	return o
}

// dirSource names what set Dir: the -data_dir flag (Options.Dir) or CLUSTERGAN_DATA_DIR.
func (o Options) dirSource() string {
	if o.dirFrom == "" {
		return "-data_dir"
	}
	return o.dirFrom
}

// Loader loads one data set.
type Loader func(opts Options) (*Splits, error)

var loaders = registry.New[Loader]("dataset")

// Register adds a data set under name; it panics on a duplicate name.
func Register(name string, l Loader) { loaders.Register(name, l) }

// Names returns the registered data set names, sorted.
func Names() []string { return loaders.Names() }

// Get returns the loader registered as name, or an error listing the valid names.
func Get(name string) (Loader, error) { return loaders.Get(name) }

// Load loads the data set registered as name.
func Load(name string, opts Options) (*Splits, error) {
	l, err := Get(name)
	if err != nil {
		return nil, err
	}
	splits, err := l(opts)
	if err != nil {
		return nil, fmt.Errorf("loading dataset %q: %w", name, err)
	}
	return splits, nil
}

package datasets

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// PendigitsBaseURL is the UCI repository folder of the Pen-Based Recognition of Handwritten
// Digits data set. A variable so tests can serve the files from a local server.
var PendigitsBaseURL = "https://archive.ics.uci.edu/ml/machine-learning-databases/pendigits/"

const (
	// PendigitsFeatures is the number of features: eight (x, y) pen positions in 0..100.
	PendigitsFeatures = 16
	// PendigitsValidationSize is the number of .tra examples held out for validation: the last
	// 1000, the examples the official ClusterGAN code validates on (pendigit/__init__.py,
	// line 34: X_train[-1000:]). A departure: the official code also trains on them (its
	// train() samples all 7494 rows of .tra, lines 9 and 26), so its validation scores are on
	// training examples; here they are left out of training, which sees the first 6494 rows,
	// and train, validation and test are disjoint. The test set (.tes) and the set of all
	// examples (.tra + .tes, its load_all) are the same as the official ones.
	PendigitsValidationSize = 1000
	pendigitsMaxValue       = 100
	pendigitsClasses        = 10
	// The UCI documentation gives 7494 training and 3498 test examples; a download must match.
	pendigitsTrainCount = 7494
	pendigitsTestCount  = 3498
)

// The UCI repository publishes no checksums and none could be confirmed, so the files carry
// none: the SHA-256 of the first download is recorded beside it (a ".sha256" file) and checked
// on every later use, and a download must hold the documented number of examples.
var (
	pendigitsTrainFile = remoteFile{Name: "pendigits.tra"}
	pendigitsTestFile  = remoteFile{Name: "pendigits.tes"}
)

var pendigitsSource = &fileSource{
	dataset: "pendigits",
	baseURL: func() string { return PendigitsBaseURL },
	// The official code names them pendigits.tra.txt and pendigits.tes.txt.
	altNames: map[string][]string{
		"pendigits.tra": {"pendigits.tra.txt"},
		"pendigits.tes": {"pendigits.tes.txt"},
	},
	validate: func(path string, f remoteFile) error {
		want := pendigitsTestCount
		if f == pendigitsTrainFile {
			want = pendigitsTrainCount
		}
		d, err := ReadPendigits(path)
		if err != nil {
			return err
		}
		if d.N() != want {
			return fmt.Errorf("%s holds %d examples, the UCI documentation says %d", path, d.N(), want)
		}
		return nil
	},
}

// LoadPendigits loads Pendigits: train = pendigits.tra less its last 1000 examples,
// validation = those 1000 (which the official code also trains on: see
// PendigitsValidationSize), test = pendigits.tes; features scaled by 1/100 into [0, 1],
// Shape {16}, 10 classes. With a data directory (opts.Dir or CLUSTERGAN_DATA_DIR) both files
// must be there (also accepted under the official names pendigits.tra.txt and
// pendigits.tes.txt); without one they are searched in the download cache and downloaded from
// UCI if opts.AllowDownload.
func LoadPendigits(opts Options) (*Splits, error) {
	locs, err := pendigitsSource.locate(opts.withDefaults(), []remoteFile{pendigitsTrainFile, pendigitsTestFile})
	if err != nil {
		return nil, err
	}
	train, trainInfo, err := readPendigitsFile(locs[0], "train")
	if err != nil {
		return nil, err
	}
	test, testInfo, err := readPendigitsFile(locs[1], "test")
	if err != nil {
		return nil, err
	}
	n := train.N()
	if n <= PendigitsValidationSize {
		return nil, fmt.Errorf("pendigits: %s holds %d examples, need more than the %d held out for validation", locs[0].path, n, PendigitsValidationSize)
	}
	return &Splits{
		Train:      train.rows(0, n-PendigitsValidationSize),
		Validation: train.rows(n-PendigitsValidationSize, n),
		Test:       test,
		Files:      []FileInfo{trainInfo, testInfo},
	}, nil
}

// readPendigitsFile reads the Pendigits file at loc, hashing it on the way.
func readPendigitsFile(loc location, role string) (*Dataset, FileInfo, error) {
	var d *Dataset
	var parseErr error // Names the file and the data set already.
	info, err := readVerified(loc, role, func(r io.Reader, _ int64) error {
		d, parseErr = ParsePendigits(r, loc.path)
		return parseErr
	})
	if err != nil {
		if err != parseErr {
			err = fmt.Errorf("pendigits: %w", err)
		}
		return nil, FileInfo{}, err
	}
	return d, info, nil
}

// ReadPendigits reads a UCI Pendigits file (see ParsePendigits).
func ReadPendigits(path string) (*Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("pendigits: %w", err)
	}
	defer f.Close()
	return ParsePendigits(f, path)
}

// ParsePendigits parses UCI Pendigits text: one example a line, 16 comma-separated integers in
// 0..100 (spaces around them allowed) and then the digit 0..9. Blank lines are skipped.
// Features are divided by 100. Errors name the file (name) and the line.
func ParsePendigits(r io.Reader, name string) (*Dataset, error) {
	d := &Dataset{Name: "pendigits", Shape: []int{PendigitsFeatures}, Labels: []int{}, NumClasses: pendigitsClasses}
	scanner := bufio.NewScanner(r)
	for line := 1; scanner.Scan(); line++ {
		text := strings.TrimSpace(scanner.Text())
		if text == "" {
			continue
		}
		fields := strings.Split(text, ",")
		if len(fields) != PendigitsFeatures+1 {
			return nil, fmt.Errorf("pendigits %s line %d: %d fields, want %d features and a label", name, line, len(fields), PendigitsFeatures)
		}
		for i, field := range fields {
			v, err := strconv.Atoi(strings.TrimSpace(field))
			if err != nil {
				return nil, fmt.Errorf("pendigits %s line %d: field %d %q is not an integer", name, line, i+1, field)
			}
			if i == PendigitsFeatures {
				if v < 0 || v >= pendigitsClasses {
					return nil, fmt.Errorf("pendigits %s line %d: label %d is not a digit 0..9", name, line, v)
				}
				d.Labels = append(d.Labels, v)
				continue
			}
			if v < 0 || v > pendigitsMaxValue {
				return nil, fmt.Errorf("pendigits %s line %d: feature %d = %d is outside 0..%d", name, line, i+1, v, pendigitsMaxValue)
			}
			d.X = append(d.X, float32(v)/pendigitsMaxValue)
		}
	}
	if err := scanner.Err(); err != nil {
		return nil, fmt.Errorf("pendigits %s: %w", name, err)
	}
	if len(d.Labels) == 0 {
		return nil, fmt.Errorf("pendigits %s: no examples", name)
	}
	return d, nil
}

func init() {
	Register("pendigits", LoadPendigits)
}

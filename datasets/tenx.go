package datasets

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// TenX73kDataURL is where the official ClusterGAN README ("Datasets") shares the data of the
// paper, this data set in its folder 10x_73k. No checksum is published, so the files are never
// downloaded here: put them in the directory -data_dir (or CLUSTERGAN_DATA_DIR) names.
const TenX73kDataURL = "https://drive.google.com/open?id=1XnGkSamF5DiwnpHFG0OexmoqAwe27ucR"

// The 10x_73k data set: 73,233 single cells (rows) × 720 genes, in 8 cell types, split as the
// official 10x_73k/__init__.py does (lines 9-11, 28-31): np.random.seed(0), a permutation of
// the cells, train = its first 60000, test = the other 13233; validation = the last 5000 of
// train (line 56), which the training also sees.
const (
	TenX73kCells          = 73233
	TenX73kGenes          = 720
	TenX73kClasses        = 8
	TenX73kTrainSize      = 60000
	TenX73kValidationSize = 5000
	// TenX73kSplitSeed is the numpy seed of the official permutation.
	TenX73kSplitSeed = 0
)

// TenX73kLabelMap maps the values of labels.txt (0..9, of which 3 and 5 do not occur) to the 8
// classes, as the official Gene_ClusterGAN.py, _eval_cluster, line 208 does:
// {0: 0, 1: 1, 2: 2, 4: 3, 6: 4, 7: 5, 8: 6, 9: 7}. -1 marks values that are no class.
var TenX73kLabelMap = [10]int{0, 1, 2, -1, 3, -1, 4, 5, 6, 7}

// The official file names (10x_73k/__init__.py, lines 21 and 37); gzipped copies are accepted
// too, as scipy.io.mmread reads them.
var (
	tenXMatrixFile = remoteFile{Name: "sub_set-720.mtx"}
	tenXLabelsFile = remoteFile{Name: "labels.txt"}
)

var tenXSource = &fileSource{
	dataset:      "10x_73k",
	manualSource: TenX73kDataURL + " (the official ClusterGAN data, folder 10x_73k)",
	altNames: map[string][]string{
		tenXMatrixFile.Name: {tenXMatrixFile.Name + ".gz"},
		tenXLabelsFile.Name: {tenXLabelsFile.Name + ".gz"},
	},
}

// tenXSpec is the shape and split of a 10x_73k-like data set; tests use small ones.
type tenXSpec struct {
	cells, genes, train, validation int
	seed                            uint32
}

var tenX73k = tenXSpec{
	cells: TenX73kCells, genes: TenX73kGenes, train: TenX73kTrainSize, validation: TenX73kValidationSize, seed: TenX73kSplitSeed,
}

// LoadTenX73k loads 10x_73k from sub_set-720.mtx (a Matrix Market coordinate matrix of cells ×
// genes) and labels.txt (one label a line), raw or gzipped. They are looked up in the data
// directory (opts.Dir or CLUSTERGAN_DATA_DIR), else in the cache directory's 10x_73k folder;
// they are never downloaded (see TenX73kDataURL).
//
// Preprocessing as the official code (10x_73k/__init__.py, lines 23-26): x -> log2(1 + x) / m,
// m the largest log2(1 + x) of the whole matrix, so values lie in [0, 1]. Values are held as
// float32 while reading, which is exact for integer counts below 2^24. Labels are mapped to
// 0..7 by TenX73kLabelMap. The split is the official one, reproduced exactly (numpyPermutation):
// Train holds 60000 cells, Validation its last 5000 (Splits.ValidationInTrain), Test 13233.
func LoadTenX73k(opts Options) (*Splits, error) {
	return loadTenX(opts.withDefaults(), tenX73k)
}

func loadTenX(opts Options, spec tenXSpec) (*Splits, error) {
	locs, err := tenXSource.locate(opts, []remoteFile{tenXMatrixFile, tenXLabelsFile})
	if err != nil {
		return nil, err
	}
	matrixLoc, labelsLoc := locs[0], locs[1]
	// pos[c] is the row of file row c in the permuted order: train first, then test.
	pos := make([]int, spec.cells)
	for k, c := range numpyPermutation(spec.seed, spec.cells) {
		pos[c] = k
	}

	var labels []int
	labelsInfo, err := readVerified(labelsLoc, "labels", func(r io.Reader, _ int64) error {
		content, _, err := decompressed(r)
		if err != nil {
			return fmt.Errorf("%s: %w", labelsLoc.path, err)
		}
		labels, err = parseTenXLabels(content, labelsLoc.path, spec.cells)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("10x_73k: %w", err)
	}
	y := make([]int, spec.cells)
	for c, l := range labels {
		y[pos[c]] = l
	}

	var x []float32
	matrixInfo, err := readVerified(matrixLoc, "matrix", func(r io.Reader, _ int64) error {
		content, _, err := decompressed(r)
		if err != nil {
			return fmt.Errorf("matrix market %s: %w", matrixLoc.path, err)
		}
		return ParseMatrixMarket(content, matrixLoc.path, func(h MatrixMarketHeader) error {
			if h.Rows != spec.cells || h.Cols != spec.genes {
				return fmt.Errorf("the matrix is %d × %d, want %d cells × %d genes", h.Rows, h.Cols, spec.cells, spec.genes)
			}
			x = make([]float32, spec.cells*spec.genes)
			return nil
		}, func(row, col int, v float64) error {
			if !(v >= 0 && v <= math.MaxFloat32) {
				return fmt.Errorf("value %g is not a count in [0, %g]", v, math.MaxFloat32)
			}
			// Repeated coordinates add up, as scipy's coo_matrix.toarray does.
			x[pos[row]*spec.genes+col] += float32(v)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("10x_73k: %w", err)
	}
	if err := log2Scale(x); err != nil {
		return nil, fmt.Errorf("10x_73k: %s: %w", matrixLoc.path, err)
	}

	all := &Dataset{Name: "10x_73k", X: x, Shape: []int{spec.genes}, Labels: y, NumClasses: TenX73kClasses}
	return &Splits{
		Train:             all.rows(0, spec.train),
		Validation:        all.rows(spec.train-spec.validation, spec.train),
		Test:              all.rows(spec.train, spec.cells),
		ValidationInTrain: true,
		Files:             []FileInfo{matrixInfo, labelsInfo},
	}, nil
}

// log2Scale replaces each x by log2(1 + x) / max log2(1 + x), in float64 before rounding.
func log2Scale(x []float32) error {
	var largest float32
	for _, v := range x {
		largest = max(largest, v)
	}
	switch {
	case largest == 0:
		return fmt.Errorf("every value is zero: log2(1 + x) / max cannot be scaled")
	case math.IsInf(float64(largest), 1):
		return fmt.Errorf("repeated entries add up to more than %g", math.MaxFloat32)
	}
	// log2 is increasing, so the largest log2(1 + x) is log2(1 + largest x).
	scale := math.Log2(1 + float64(largest))
	for i, v := range x {
		if v != 0 {
			x[i] = float32(math.Log2(1+float64(v)) / scale)
		}
	}
	return nil
}

// parseTenXLabels reads labels.txt as np.loadtxt(...).astype(int) does: one number a line
// (written by np.savetxt as e.g. 4.000000000000000000e+00), blank lines and '#' comments
// skipped; each must be integral and a key of TenX73kLabelMap. It returns the mapped labels and
// stops at more than want of them.
func parseTenXLabels(r io.Reader, name string, want int) ([]int, error) {
	var labels []int
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		text, _, _ := strings.Cut(sc.Text(), "#")
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		if strings.ContainsAny(text, " \t,") {
			return nil, fmt.Errorf("%s line %d: %q holds more than one value; want one label a line", name, line, text)
		}
		v, err := strconv.ParseFloat(text, 64)
		if err != nil || v != math.Trunc(v) || v < 0 || v >= float64(len(TenX73kLabelMap)) || TenX73kLabelMap[int(v)] < 0 {
			return nil, fmt.Errorf("%s line %d: label %q is not one of the official classes 0, 1, 2, 4, 6, 7, 8, 9", name, line, text)
		}
		if len(labels) == want {
			return nil, fmt.Errorf("%s holds more than %d labels, want one per cell", name, want)
		}
		labels = append(labels, TenX73kLabelMap[int(v)])
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(labels) != want {
		return nil, fmt.Errorf("%s holds %d labels, want one per cell, %d", name, len(labels), want)
	}
	return labels, nil
}

func init() {
	Register("10x_73k", LoadTenX73k)
}

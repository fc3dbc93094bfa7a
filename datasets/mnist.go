package datasets

import (
	"fmt"
)

// MNISTBaseURL is Google's mirror of Yann LeCun's MNIST files (the original site now requires
// authentication). A variable so tests can serve the files from a local server.
var MNISTBaseURL = "https://storage.googleapis.com/cvdf-datasets/mnist/"

// Names of the four IDX files, shared by MNIST and Fashion-MNIST.
const (
	trainImagesFile = "train-images-idx3-ubyte.gz"
	trainLabelsFile = "train-labels-idx1-ubyte.gz"
	testImagesFile  = "t10k-images-idx3-ubyte.gz"
	testLabelsFile  = "t10k-labels-idx1-ubyte.gz"
)

// mnistFiles are the canonical MNIST files with their SHA-256, computed from the copies in
// the GoMNIST module (whose MD5s equal the ones torchvision publishes, e.g.
// f68b3c2dcbeaaa9fbdd348bbdeb94873 for the training images).
var mnistFiles = [4]remoteFile{
	{Name: trainImagesFile, SHA256: "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"},
	{Name: trainLabelsFile, SHA256: "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"},
	{Name: testImagesFile, SHA256: "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"},
	{Name: testLabelsFile, SHA256: "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"},
}

// MNISTValidationSize is the number of training images held out for validation: the last
// 5000 of the 60000, as in the official ClusterGAN code (TensorFlow's read_data_sets), which
// leaves 55000 for training.
const MNISTValidationSize = 5000

var mnistSource = &fileSource{
	dataset:   "mnist",
	baseURL:   func() string { return MNISTBaseURL },
	extraDirs: goMNISTDataDirs,
	rawNames:  true,
}

// LoadMNIST loads MNIST: train = the first 55000 training images, validation = the last 5000,
// test = the 10000 test images; pixels in [0, 1], Shape {28, 28, 1}, 10 classes. Files are
// searched in opts.Dir (or CLUSTERGAN_DATA_DIR), raw or gzipped, then in the GoMNIST module in
// the Go module cache, then in the download cache, and downloaded if opts.AllowDownload.
func LoadMNIST(opts Options) (*Splits, error) {
	return loadIDXSplits(mnistSource, mnistFiles, opts.withDefaults(), "mnist", 10, MNISTValidationSize)
}

// loadIDXSplits finds and reads the four IDX files of src and splits the training set.
func loadIDXSplits(src *fileSource, files [4]remoteFile, opts Options, name string, numClasses, validationSize int) (*Splits, error) {
	var paths [4]string
	for i, f := range files {
		p, err := src.findFile(opts, f)
		if err != nil {
			return nil, err
		}
		paths[i] = p
	}
	train, err := readImagesAndLabels(paths[0], paths[1], name, numClasses)
	if err != nil {
		return nil, err
	}
	test, err := readImagesAndLabels(paths[2], paths[3], name, numClasses)
	if err != nil {
		return nil, err
	}
	n := train.N()
	if n <= validationSize {
		return nil, fmt.Errorf("%s: %s holds %d images, need more than the %d held out for validation", name, paths[0], n, validationSize)
	}
	return &Splits{
		Train:      train.rows(0, n-validationSize),
		Validation: train.rows(n-validationSize, n),
		Test:       test,
	}, nil
}

// readImagesAndLabels reads an IDX image file (rank 3: count, rows, columns) and its label
// file (rank 1), checking that the counts agree and each label is below numClasses. Pixels are
// scaled by 1/255.
func readImagesAndLabels(imagesPath, labelsPath, name string, numClasses int) (*Dataset, error) {
	images, err := ReadIDX(imagesPath)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(images.Dims) != 3 {
		return nil, fmt.Errorf("%s: %s has dimensions %v, want 3 (images, rows, columns)", name, imagesPath, images.Dims)
	}
	labels, err := ReadIDX(labelsPath)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(labels.Dims) != 1 {
		return nil, fmt.Errorf("%s: %s has dimensions %v, want 1 (labels)", name, labelsPath, labels.Dims)
	}
	if images.Dims[0] != labels.Dims[0] {
		return nil, fmt.Errorf("%s: %s holds %d images but %s holds %d labels", name, imagesPath, images.Dims[0], labelsPath, labels.Dims[0])
	}
	d := &Dataset{
		Name:       name,
		X:          make([]float32, len(images.Data)),
		Shape:      []int{images.Dims[1], images.Dims[2], 1},
		Labels:     make([]int, len(labels.Data)),
		NumClasses: numClasses,
	}
	for i, b := range images.Data {
		d.X[i] = float32(b) / 255
	}
	for i, b := range labels.Data {
		if int(b) >= numClasses {
			return nil, fmt.Errorf("%s: %s: label %d of example %d is not below %d", name, labelsPath, b, i, numClasses)
		}
		d.Labels[i] = int(b)
	}
	return d, nil
}

func init() {
	Register("mnist", LoadMNIST)
}

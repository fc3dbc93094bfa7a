package datasets

import (
	"fmt"
	"io"
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

// MNISTValidationSize is the number of training images held out for validation: the first
// 5000 of the 60000, leaving the last 55000 for training, as in the official ClusterGAN code.
// Its mnist/__init__.py and fashion/__init__.py (line 5) load the data with TensorFlow's
// input_data.read_data_sets, i.e. tensorflow/contrib/learn/python/learn/datasets/mnist.py,
// read_data_sets (validation_size=5000): validation_images = train_images[:validation_size],
// train_images = train_images[validation_size:].
const MNISTValidationSize = 5000

var mnistSource = &fileSource{
	dataset:   "mnist",
	baseURL:   func() string { return MNISTBaseURL },
	extraDirs: goMNISTDataDirs,
	rawNames:  true,
}

// LoadMNIST loads MNIST: validation = the first 5000 training images, train = the other 55000,
// test = the 10000 test images (see MNISTValidationSize); pixels in [0, 1], Shape {28, 28, 1},
// 10 classes. With a data directory (opts.Dir or CLUSTERGAN_DATA_DIR) the four files, raw or
// gzipped, must all be there; without one they are searched in the GoMNIST module in the Go
// module cache, then in the download cache, and downloaded if opts.AllowDownload.
func LoadMNIST(opts Options) (*Splits, error) {
	return loadIDXSplits(mnistSource, mnistFiles, opts.withDefaults(), "mnist", 10, MNISTValidationSize)
}

// loadIDXSplits finds and reads the four IDX files of src and splits the training set, the
// first validationSize images for validation.
func loadIDXSplits(src *fileSource, files [4]remoteFile, opts Options, name string, numClasses, validationSize int) (*Splits, error) {
	locs, err := src.locate(opts, files[:])
	if err != nil {
		return nil, err
	}
	train, trainFiles, err := readImagesAndLabels(locs[0], locs[1], "train", name, numClasses)
	if err != nil {
		return nil, err
	}
	test, testFiles, err := readImagesAndLabels(locs[2], locs[3], "test", name, numClasses)
	if err != nil {
		return nil, err
	}
	n := train.N()
	if n <= validationSize {
		return nil, fmt.Errorf("%s: %s holds %d images, need more than the %d held out for validation", name, locs[0].path, n, validationSize)
	}
	return &Splits{
		Train:      train.rows(validationSize, n),
		Validation: train.rows(0, validationSize),
		Test:       test,
		Files:      append(trainFiles, testFiles...),
	}, nil
}

// readImagesAndLabels reads an IDX image file (rank 3: count, rows, columns) and its label
// file (rank 1), checking that the counts agree and each label is below numClasses, and
// returns the files' provenance with roles split+"-images" and split+"-labels". Pixels are
// scaled by 1/255.
func readImagesAndLabels(imagesLoc, labelsLoc location, split, name string, numClasses int) (*Dataset, []FileInfo, error) {
	imagesPath, labelsPath := imagesLoc.path, labelsLoc.path
	var images, labels *IDX
	imagesInfo, err := readVerified(imagesLoc, split+"-images", func(r io.Reader, size int64) (err error) {
		images, err = decodeIDX(r, size, imagesPath)
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(images.Dims) != 3 {
		return nil, nil, fmt.Errorf("%s: %s has dimensions %v, want 3 (images, rows, columns)", name, imagesPath, images.Dims)
	}
	labelsInfo, err := readVerified(labelsLoc, split+"-labels", func(r io.Reader, size int64) (err error) {
		labels, err = decodeIDX(r, size, labelsPath)
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(labels.Dims) != 1 {
		return nil, nil, fmt.Errorf("%s: %s has dimensions %v, want 1 (labels)", name, labelsPath, labels.Dims)
	}
	if images.Dims[0] != labels.Dims[0] {
		return nil, nil, fmt.Errorf("%s: %s holds %d images but %s holds %d labels", name, imagesPath, images.Dims[0], labelsPath, labels.Dims[0])
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
			return nil, nil, fmt.Errorf("%s: %s: label %d of example %d is not below %d", name, labelsPath, b, i, numClasses)
		}
		d.Labels[i] = int(b)
	}
	return d, []FileInfo{imagesInfo, labelsInfo}, nil
}

func init() {
	Register("mnist", LoadMNIST)
}

package datasets

// FashionMNISTBaseURL is the data folder of the Fashion-MNIST repository. A variable so tests
// can serve the files from a local server.
var FashionMNISTBaseURL = "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/"

// fashionFiles carry MD5s, not SHA-256: the zalandoresearch/fashion-mnist README publishes
// only MD5s (the same ones torchvision checks), and no SHA-256 could be confirmed.
var fashionFiles = [4]remoteFile{
	{Name: trainImagesFile, MD5: "8d4fb7e6c68d591d4c3dfef9ec88bf0d"},
	{Name: trainLabelsFile, MD5: "25c81989df183df01b3e8a0aad5dffbe"},
	{Name: testImagesFile, MD5: "bef4ecab320f06d8554ea6380940ec79"},
	{Name: testLabelsFile, MD5: "bb300cfdad3c16e7a12a480ee83cd310"},
}

var fashionSource = &fileSource{
	dataset:  "fashion-mnist",
	baseURL:  func() string { return FashionMNISTBaseURL },
	rawNames: true,
}

// LoadFashionMNIST loads Fashion-MNIST (10 classes) with the same format, file rules (less
// GoMNIST) and split as LoadMNIST: validation = the first 5000 training images, train = the
// other 55000, test = 10000, as the official fashion/__init__.py gets them from TensorFlow's
// read_data_sets (see MNISTValidationSize).
func LoadFashionMNIST(opts Options) (*Splits, error) {
	return loadIDXSplits(fashionSource, fashionFiles, opts.withDefaults(), "fashion-mnist", 10, MNISTValidationSize)
}

// Fashion5Labels maps the ten Fashion-MNIST classes (0 T-shirt/top, 1 trouser, 2 pullover,
// 3 dress, 4 coat, 5 sandal, 6 shirt, 7 sneaker, 8 bag, 9 ankle boot) to the five of
// Fashion-5: 0 {T-shirt/top, dress}, 1 {trouser}, 2 {pullover, coat, shirt}, 3 {sandal,
// sneaker, ankle boot}, 4 {bag}. It is the official map_labels of Image_ClusterGAN.py,
// _eval_cluster, line 247: {0:0, 1:1, 2:2, 3:0, 4:2, 5:3, 6:2, 7:3, 8:4, 9:3}.
var Fashion5Labels = [10]int{0, 1, 2, 0, 2, 3, 2, 3, 4, 3}

// Fashion5ClassNames names the Fashion-5 classes, indexed by label.
var Fashion5ClassNames = [5]string{"T-shirt/top, dress", "trouser", "pullover, coat, shirt", "sandal, sneaker, ankle boot", "bag"}

// LoadFashion5 loads Fashion-MNIST with its labels merged into five classes (Fashion5Labels);
// the official code trains on the same images and merges the labels when it scores
// (Image_ClusterGAN.py, lines 246-248).
func LoadFashion5(opts Options) (*Splits, error) {
	splits, err := LoadFashionMNIST(opts)
	if err != nil {
		return nil, err
	}
	for _, d := range []*Dataset{splits.Train, splits.Validation, splits.Test} {
		d.Name = "fashion5"
		d.NumClasses = len(Fashion5ClassNames)
		for i, l := range d.Labels {
			d.Labels[i] = Fashion5Labels[l]
		}
	}
	return splits, nil
}

func init() {
	Register("fashion-mnist", LoadFashionMNIST)
	Register("fashion5", LoadFashion5)
}

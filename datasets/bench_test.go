package datasets

import (
	"path/filepath"
	"testing"
)

// BenchmarkReadIDXMNISTTrainImages reads the 47 MB (9.9 MB gzipped) MNIST training images.
func BenchmarkReadIDXMNISTTrainImages(b *testing.B) {
	var path string
	for _, d := range goMNISTDataDirs() {
		if p := filepath.Join(d, trainImagesFile); isFile(p) {
			path = p
			break
		}
	}
	if path == "" {
		b.Fatal("the GoMNIST module is not in the module cache")
	}
	for b.Loop() {
		if _, err := ReadIDX(path); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadMNIST loads the three MNIST splits from the GoMNIST module copy.
func BenchmarkLoadMNIST(b *testing.B) {
	b.Setenv(EnvDataDir, "")
	opts := Options{CacheDir: b.TempDir()}
	for b.Loop() {
		if _, err := LoadMNIST(opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSyntheticDefault generates the default synthetic data set.
func BenchmarkSyntheticDefault(b *testing.B) {
	cfg := DefaultSyntheticConfig()
	for b.Loop() {
		if _, err := Synthetic(cfg); err != nil {
			b.Fatal(err)
		}
	}
}

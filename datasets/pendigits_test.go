package datasets

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// pendigitsLines returns n lines in the UCI layout (values right-aligned in 3 columns): line i
// has features (i+j) mod 101 and label i mod 10.
func pendigitsLines(n int) string {
	var b strings.Builder
	for i := range n {
		for j := range PendigitsFeatures {
			fmt.Fprintf(&b, "%3d,", (i+j)%101)
		}
		fmt.Fprintf(&b, "%2d\n", i%10)
	}
	return b.String()
}

func TestParsePendigits(t *testing.T) {
	// The first two lines of the UCI pendigits.tra file, as published.
	const text = "  47,100, 27, 81, 57, 37, 26,  0,  0, 23, 56, 53,100, 90, 40, 98, 8\n" +
		"   0, 89, 27,100, 42, 75, 29, 45, 15, 15, 37,  0, 69,  2,100,  6, 2\n\n"
	d, err := ParsePendigits(strings.NewReader(text), "pendigits.tra")
	require.NoError(t, err)
	require.NoError(t, d.Validate())
	require.Equal(t, 2, d.N())
	require.Equal(t, []int{16}, d.Shape)
	require.Equal(t, []int{8, 2}, d.Labels)
	require.InDeltaSlice(t, []float32{.47, 1, .27, .81, .57, .37, .26, 0, 0, .23, .56, .53, 1, .90, .40, .98}, d.Row(0), 1e-7)
	require.Equal(t, float32(0.06), d.Row(1)[15])

	for _, c := range []struct{ text, want string }{
		{"1,2,3\n", "pendigits f.tra line 1: 3 fields, want 16 features and a label"},
		{pendigitsLines(2) + "\n" + strings.Replace(pendigitsLines(1), " 10,", "  x,", 1), `pendigits f.tra line 4: field 11 "  x" is not an integer`},
		{strings.Replace(pendigitsLines(1), "  5,", "101,", 1), "pendigits f.tra line 1: feature 6 = 101 is outside 0..100"},
		{strings.Replace(pendigitsLines(1), "  5,", " -1,", 1), "pendigits f.tra line 1: feature 6 = -1 is outside 0..100"},
		{strings.TrimSuffix(pendigitsLines(1), " 0\n") + "10\n", "pendigits f.tra line 1: label 10 is not a digit 0..9"},
		{"\n\n", "pendigits f.tra: no examples"},
	} {
		_, err := ParsePendigits(strings.NewReader(c.text), "f.tra")
		require.EqualError(t, err, c.want)
	}
}

func TestLoadPendigits(t *testing.T) {
	t.Setenv(EnvDataDir, "")
	dir := t.TempDir()
	const nTrain, nTest = PendigitsValidationSize + 7, 5
	writeFile(t, dir, "pendigits.tra", []byte(pendigitsLines(nTrain)))
	// The official code's file name is accepted too.
	writeFile(t, dir, "pendigits.tes.txt", []byte(pendigitsLines(nTest)))
	s, err := LoadPendigits(Options{Dir: dir, CacheDir: t.TempDir()})
	require.NoError(t, err)
	require.Equal(t, 7, s.Train.N())
	require.Equal(t, PendigitsValidationSize, s.Validation.N())
	require.Equal(t, nTest, s.Test.N())
	require.Equal(t, 7, s.Validation.Labels[0]) // Line 8 of .tra.
	require.Equal(t, float32(7)/100, s.Validation.Row(0)[0])
	require.Equal(t, nTrain+nTest, s.All().N())
	for _, d := range []*Dataset{s.Train, s.Validation, s.Test} {
		require.NoError(t, d.Validate())
	}

	require.Equal(t, []FileInfo{
		{Role: "train", Path: filepath.Join(dir, "pendigits.tra"), SHA256: sha256Hex([]byte(pendigitsLines(nTrain)))},
		{Role: "test", Path: filepath.Join(dir, "pendigits.tes.txt"), SHA256: sha256Hex([]byte(pendigitsLines(nTest)))},
	}, s.Files)

	empty := t.TempDir()
	_, err = LoadPendigits(Options{Dir: empty, CacheDir: t.TempDir()})
	require.ErrorContains(t, err, "pendigits: data directory "+empty+" (set by -data_dir) lacks pendigits.tra or pendigits.tra.txt, pendigits.tes or pendigits.tes.txt; download them from "+PendigitsBaseURL)

	// A parse error names the file once, with the data set.
	bad := t.TempDir()
	writeFile(t, bad, "pendigits.tra", []byte("1,2\n"))
	writeFile(t, bad, "pendigits.tes", []byte(pendigitsLines(1)))
	_, err = LoadPendigits(Options{Dir: bad})
	require.EqualError(t, err, "pendigits "+filepath.Join(bad, "pendigits.tra")+" line 1: 2 fields, want 16 features and a label")
}

func TestPendigitsDownload(t *testing.T) {
	t.Setenv(EnvDataDir, "")
	server := newFileServer(t, map[string][]byte{
		"pendigits.tra": []byte(pendigitsLines(pendigitsTrainCount)),
		"pendigits.tes": []byte(pendigitsLines(pendigitsTestCount)),
	})
	saved := PendigitsBaseURL
	PendigitsBaseURL = server.URL + "/"
	t.Cleanup(func() { PendigitsBaseURL = saved })
	cache := t.TempDir()
	opts := Options{CacheDir: cache, AllowDownload: true}
	s, err := LoadPendigits(opts)
	require.NoError(t, err)
	require.Equal(t, pendigitsTrainCount-PendigitsValidationSize, s.Train.N())
	require.Equal(t, pendigitsTestCount, s.Test.N())
	tra := filepath.Join(cache, "pendigits", "pendigits.tra")
	require.Equal(t, FileInfo{Role: "train", Path: tra, SHA256: sha256Hex([]byte(pendigitsLines(pendigitsTrainCount)))}, s.Files[0])
	// The first download's SHA-256 is recorded and guards later uses.
	require.FileExists(t, tra+".sha256")
	require.NoError(t, os.WriteFile(tra, []byte(pendigitsLines(pendigitsTrainCount+1)), 0o644))
	_, err = LoadPendigits(opts)
	require.ErrorContains(t, err, "recorded SHA-256 of "+tra)

	// A download with the wrong number of examples is rejected and not cached.
	server.files["pendigits.tra"] = []byte(pendigitsLines(10))
	cache = t.TempDir()
	_, err = LoadPendigits(Options{CacheDir: cache, AllowDownload: true})
	require.ErrorContains(t, err, "holds 10 examples, the UCI documentation says 7494")
	require.Empty(t, dirEntries(t, filepath.Join(cache, "pendigits")))
}

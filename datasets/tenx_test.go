package datasets

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// A 10-cell, 4-gene data set split like the official one: seed 0 permutes the cells as
// [2 8 4 9 1 6 7 3 0 5], so train = cells 2 8 4 9 1 6 7, validation = its last two, cells 6 7,
// and test = cells 3 0 5.
var smallTenX = tenXSpec{cells: 10, genes: 4, train: 7, validation: 2, seed: 0}

// smallTenXFiles returns a matrix where cell c has count [1 3 7 15][c%4] in gene c%4 (cell 9's
// 3 written as 1 + 2, a repeated coordinate) and labels.txt as np.savetxt writes it, cell c
// labelled [0 1 2 4 6 7 8 9 0 1][c].
func smallTenXFiles() (matrix, labels []byte) {
	counts := [4]int{1, 3, 7, 15}
	var m strings.Builder
	m.WriteString("%%MatrixMarket matrix coordinate integer general\n%\n10 4 11\n")
	for c := range 10 {
		g := c % 4
		if c == 9 {
			fmt.Fprintf(&m, "%d %d 1\n%d %d 2\n", c+1, g+1, c+1, g+1)
			continue
		}
		fmt.Fprintf(&m, "%d %d %d\n", c+1, g+1, counts[g])
	}
	var l strings.Builder
	for _, v := range []int{0, 1, 2, 4, 6, 7, 8, 9, 0, 1} {
		fmt.Fprintf(&l, "%.18e\n", float64(v))
	}
	return []byte(m.String()), []byte(l.String())
}

// smallTenXRow is the preprocessed row of cell c: log2(1 + count) / log2(1 + 15).
func smallTenXRow(c int) []float32 {
	row := make([]float32, 4)
	row[c%4] = [4]float32{0.25, 0.5, 0.75, 1}[c%4]
	return row
}

func TestLoadTenX(t *testing.T) {
	t.Setenv(EnvDataDir, "")
	matrix, labels := smallTenXFiles()
	mapped := []int{0, 1, 2, 3, 4, 5, 6, 7, 0, 1} // TenX73kLabelMap of the labels above.
	for _, gz := range []bool{false, true} {
		t.Run(fmt.Sprintf("gzip=%v", gz), func(t *testing.T) {
			dir := t.TempDir()
			m, l, suffix := matrix, labels, ""
			if gz {
				m, l, suffix = gzipBytes(t, matrix), gzipBytes(t, labels), ".gz"
			}
			writeFile(t, dir, "sub_set-720.mtx"+suffix, m)
			writeFile(t, dir, "labels.txt"+suffix, l)
			s, err := loadTenX(Options{Dir: dir}.withDefaults(), smallTenX)
			require.NoError(t, err)
			for name, c := range map[string]struct {
				d     *Dataset
				cells []int
			}{
				"train":      {s.Train, []int{2, 8, 4, 9, 1, 6, 7}},
				"validation": {s.Validation, []int{6, 7}},
				"test":       {s.Test, []int{3, 0, 5}},
			} {
				require.NoError(t, c.d.Validate(), name)
				require.Equal(t, "10x_73k", c.d.Name)
				require.Equal(t, []int{4}, c.d.Shape)
				require.Equal(t, TenX73kClasses, c.d.NumClasses)
				require.Equal(t, len(c.cells), c.d.N(), name)
				for k, cell := range c.cells {
					require.Equal(t, smallTenXRow(cell), c.d.Row(k), "%s row %d (cell %d)", name, k, cell)
					require.Equal(t, mapped[cell], c.d.Labels[k], "%s row %d (cell %d)", name, k, cell)
				}
			}
			require.True(t, s.ValidationInTrain)
			all := s.All()
			require.Equal(t, 10, all.N(), "the validation cells are counted once")
			require.Equal(t, []FileInfo{
				{Role: "matrix", Path: filepath.Join(dir, "sub_set-720.mtx"+suffix), SHA256: sha256Hex(m)},
				{Role: "labels", Path: filepath.Join(dir, "labels.txt"+suffix), SHA256: sha256Hex(l)},
			}, s.Files)
		})
	}

	t.Run("from the cache directory without a data directory", func(t *testing.T) {
		cache := t.TempDir()
		dir := filepath.Join(cache, "10x_73k")
		require.NoError(t, os.Mkdir(dir, 0o755))
		writeFile(t, dir, "sub_set-720.mtx", matrix)
		writeFile(t, dir, "labels.txt.gz", gzipBytes(t, labels))
		s, err := loadTenX(Options{CacheDir: cache}.withDefaults(), smallTenX)
		require.NoError(t, err)
		require.Equal(t, filepath.Join(dir, "labels.txt.gz"), s.Files[1].Path)
	})

	replace := func(data []byte, old, new string) []byte {
		require.Contains(t, string(data), old)
		return []byte(strings.Replace(string(data), old, new, 1))
	}
	for _, c := range []struct {
		name            string
		matrix, labels  []byte
		wantFile, wantE string
	}{
		{"too few labels", matrix, labels[:len(labels)-25], "labels.txt", "holds 9 labels, want one per cell, 10"},
		{"too many labels", matrix, append(labels, "1\n"...), "labels.txt", "holds more than 10 labels, want one per cell"},
		{"label 3 is no class", matrix, replace(labels, "4.0", "3.0"), "labels.txt", `line 4: label "3.000000000000000000e+00" is not one of the official classes 0, 1, 2, 4, 6, 7, 8, 9`},
		{"fractional label", matrix, replace(labels, "4.0", "4.5"), "labels.txt", `line 4: label "4.500000000000000000e+00" is not one of the official classes`},
		{"two columns", matrix, replace(labels, "\n", " 1\n"), "labels.txt", `line 1: "0.000000000000000000e+00 1" holds more than one value`},
		{"wrong shape", replace(matrix, "10 4 11", "10 5 11"), labels, "sub_set-720.mtx", "line 3: the matrix is 10 × 5, want 10 cells × 4 genes"},
		{"negative count", replace(matrix, "1 1 1\n", "1 1 -1\n"), labels, "sub_set-720.mtx", "line 4: value -1 is not a count in [0, 3.4"},
		{"all zero", []byte("%%MatrixMarket matrix coordinate real general\n10 4 1\n1 1 0\n"), labels, "sub_set-720.mtx", "every value is zero"},
		{"corrupt gzip", []byte{0x1f, 0x8b, 1, 2}, labels, "sub_set-720.mtx", "corrupt gzip stream"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "sub_set-720.mtx", c.matrix)
			writeFile(t, dir, "labels.txt", c.labels)
			_, err := loadTenX(Options{Dir: dir}.withDefaults(), smallTenX)
			require.ErrorContains(t, err, "10x_73k: ")
			require.ErrorContains(t, err, filepath.Join(dir, c.wantFile))
			require.ErrorContains(t, err, c.wantE)
		})
	}
}

func TestLoadTenX73k(t *testing.T) {
	t.Setenv(EnvDataDir, "")
	t.Run("data directory lacks a file", func(t *testing.T) {
		dir, cache := t.TempDir(), t.TempDir()
		writeFile(t, dir, "labels.txt", []byte("0\n"))
		_, err := Load("10x_73k", Options{Dir: dir, CacheDir: cache, AllowDownload: true})
		require.EqualError(t, err, `loading dataset "10x_73k": 10x_73k: data directory `+dir+
			" (set by -data_dir) lacks sub_set-720.mtx or sub_set-720.mtx.gz; get them from "+TenX73kDataURL+
			" (the official ClusterGAN data, folder 10x_73k) into it, or leave -data_dir and $CLUSTERGAN_DATA_DIR empty to search "+filepath.Join(cache, "10x_73k"))
	})
	t.Run("never downloaded", func(t *testing.T) {
		cache := t.TempDir()
		_, err := LoadTenX73k(Options{CacheDir: cache, AllowDownload: true})
		require.EqualError(t, err, "10x_73k: sub_set-720.mtx, labels.txt not found; looked in "+filepath.Join(cache, "10x_73k")+
			". Set -data_dir or $CLUSTERGAN_DATA_DIR to a directory holding them, or put them in "+filepath.Join(cache, "10x_73k")+
			"; get them from "+TenX73kDataURL+" (the official ClusterGAN data, folder 10x_73k); no checksum is published, so they are never downloaded automatically")
		require.Empty(t, dirEntries(t, filepath.Join(cache, "10x_73k")))
	})
	t.Run("the shape is checked before the matrix is allocated", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir, "labels.txt", []byte(strings.Repeat("4\n", TenX73kCells)))
		// A small file claiming many more cells than 73233 must not cost their memory.
		writeFile(t, dir, "sub_set-720.mtx", []byte("%%MatrixMarket matrix coordinate integer general\n2000000000 720 1\n1 1 1\n"))
		var err error
		alloc := heapGrowth(func() { _, err = LoadTenX73k(Options{Dir: dir}) })
		require.ErrorContains(t, err, "the matrix is 2000000000 × 720, want 73233 cells × 720 genes")
		require.Less(t, alloc, uint64(16<<20), "the dense matrix would be 211 MB")
	})
}

func TestParseTenXLabels(t *testing.T) {
	text := "# cell types\n0\n1.0\n\n2.000000000000000000e+00  \n4 # a comment\n6\n7\n8\n9\n"
	got, err := parseTenXLabels(strings.NewReader(text), "labels.txt", 8)
	require.NoError(t, err)
	require.Equal(t, []int{0, 1, 2, 3, 4, 5, 6, 7}, got)
	for v, class := range TenX73kLabelMap {
		_, err := parseTenXLabels(strings.NewReader(fmt.Sprintf("%d\n", v)), "labels.txt", 1)
		if class < 0 {
			require.ErrorContains(t, err, "labels.txt line 1: label")
		} else {
			require.NoError(t, err)
		}
	}
	for _, bad := range []string{"-1", "10", "nan", "inf", "x", "1,2"} {
		_, err := parseTenXLabels(strings.NewReader(bad+"\n"), "labels.txt", 1)
		require.ErrorContains(t, err, "labels.txt line 1:", bad)
	}
}

func TestLog2Scale(t *testing.T) {
	// log2(1 + x) / log2(1 + 15), by hand.
	x := []float32{0, 1, 3, 7, 15}
	require.NoError(t, log2Scale(x))
	require.Equal(t, []float32{0, 0.25, 0.5, 0.75, 1}, x)
	// log2(2) / log2(3) = 0.63092975357...
	x = []float32{1, 2, 0}
	require.NoError(t, log2Scale(x))
	require.InDeltaSlice(t, []float32{0.6309297535714574, 1, 0}, x, 1e-7)
	require.ErrorContains(t, log2Scale([]float32{0, 0}), "every value is zero")
}

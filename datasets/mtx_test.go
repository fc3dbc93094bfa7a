package datasets

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

type mtxEntry struct {
	row, col int
	value    float64
}

// parseMTXString parses text and returns the header and the entries in file order.
func parseMTXString(text string) (MatrixMarketHeader, []mtxEntry, error) {
	var h MatrixMarketHeader
	var entries []mtxEntry
	err := ParseMatrixMarket(strings.NewReader(text), "m.mtx",
		func(got MatrixMarketHeader) error { h = got; return nil },
		func(row, col int, v float64) error { entries = append(entries, mtxEntry{row, col, v}); return nil })
	return h, entries, err
}

func TestParseMatrixMarket(t *testing.T) {
	t.Run("integer", func(t *testing.T) {
		// As scipy.io.mmwrite writes it, with a comment, blank lines and a repeated coordinate.
		text := "%%MatrixMarket matrix coordinate integer general\n%\n% written by hand\n\n3 4 4\n1 1 5\n3 4 2\r\n\n2 2 17\n1 1 1\n"
		h, entries, err := parseMTXString(text)
		require.NoError(t, err)
		require.Equal(t, MatrixMarketHeader{Field: "integer", Rows: 3, Cols: 4, Entries: 4}, h)
		require.Equal(t, []mtxEntry{{0, 0, 5}, {2, 3, 2}, {1, 1, 17}, {0, 0, 1}}, entries)
	})
	t.Run("real, keywords in any case", func(t *testing.T) {
		text := "%%MatrixMarket MATRIX Coordinate Real General\n2 2 3\n1 2 1.5e0\n2\t1\t-0.25\n 2 2  3\n"
		h, entries, err := parseMTXString(text)
		require.NoError(t, err)
		require.Equal(t, "real", h.Field)
		require.Equal(t, []mtxEntry{{0, 1, 1.5}, {1, 0, -0.25}, {1, 1, 3}}, entries)
	})
	t.Run("no entries", func(t *testing.T) {
		_, entries, err := parseMTXString("%%MatrixMarket matrix coordinate real general\n5 5 0\n")
		require.NoError(t, err)
		require.Empty(t, entries)
	})

	const banner = "%%MatrixMarket matrix coordinate real general\n"
	for _, c := range []struct{ name, text, want string }{
		{"empty", "", "matrix market m.mtx: empty file: want the banner %%MatrixMarket matrix coordinate real general"},
		{"no banner", "3 3 1\n1 1 1\n", `matrix market m.mtx line 1: not a Matrix Market banner: want "%%MatrixMarket matrix coordinate real general"`},
		{"short banner", "%%MatrixMarket matrix coordinate real\n", "line 1: not a Matrix Market banner"},
		{"vector", "%%MatrixMarket vector coordinate real general\n", `line 1: object "vector" is not supported: only matrix`},
		{"dense", "%%MatrixMarket matrix array real general\n", `line 1: format "array" is not supported: only coordinate (sparse)`},
		{"pattern", "%%MatrixMarket matrix coordinate pattern general\n", `line 1: field "pattern" is not supported: only real and integer`},
		{"complex", "%%MatrixMarket matrix coordinate complex general\n", `field "complex" is not supported`},
		{"symmetric", "%%MatrixMarket matrix coordinate real symmetric\n", `line 1: symmetry "symmetric" is not supported: only general`},
		{"no size line", banner + "% only a comment\n\n", "matrix market m.mtx: truncated: no size line after the banner"},
		{"size fields", banner + "3 3\n", "line 2: size line has 2 fields, want 3 (rows, columns, entries)"},
		{"negative size", banner + "3 -3 1\n", `line 2: size "-3" is not an integer in [0, 2147483647]`},
		{"huge size", banner + "3 3 99999999999\n", `line 2: size "99999999999" is not an integer in [0, 2147483647]`},
		{"no elements", banner + "0 3 0\n", "line 2: matrix of 0 × 3 has no elements"},
		{"too many entries", banner + "2 2 1\n1 1 1\n2 2 1\n", "line 4: more entries than the 1 the size line announces"},
		{"truncated", banner + "2 2 3\n1 1 1\n2 2 1\n", "matrix market m.mtx: truncated: 2 of the 3 entries the size line announces"},
		{"row 0", banner + "3 3 1\n0 1 1\n", `line 3: row "0" is not an integer in [1, 3]`},
		{"row too large", banner + "3 3 1\n4 1 1\n", `line 3: row "4" is not an integer in [1, 3]`},
		{"column too large", banner + "3 3 1\n1 9 1\n", `line 3: column "9" is not an integer in [1, 3]`},
		{"signed index", banner + "3 3 1\n+1 1 1\n", `row "+1" is not an integer in [1, 3]`},
		{"two fields", banner + "3 3 1\n1 1\n", "line 3: 2 fields, want 3 (row, column, value)"},
		{"four fields", banner + "3 3 1\n1 1 1 1\n", "line 3: 4 fields, want 3 (row, column, value)"},
		{"fraction in integer field", "%%MatrixMarket matrix coordinate integer general\n3 3 1\n1 1 1.5\n", `line 3: value "1.5" is not an integer`},
		{"nan", banner + "3 3 1\n1 1 nan\n", `line 3: value "nan" is not a decimal number`},
		{"hexadecimal", banner + "3 3 1\n1 1 0x1p3\n", `value "0x1p3" is not a decimal number`},
		{"infinite", banner + "3 3 1\n1 1 1e999\n", `line 3: value "1e999" is not a finite decimal number`},
		{"garbage value", banner + "3 3 1\n1 1 1-e\n", `line 3: value "1-e" is not a finite decimal number`},
		{"overlong line", banner + "% " + strings.Repeat("x", mtxMaxLine) + "\n3 3 0\n", "matrix market m.mtx line 2: longer than 65536 bytes"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := parseMTXString(c.text)
			require.ErrorContains(t, err, c.want)
			require.ErrorContains(t, err, "m.mtx")
		})
	}

	t.Run("callback errors stop the parse", func(t *testing.T) {
		text := banner + "3 3 2\n1 1 1\n2 2 2\n"
		err := ParseMatrixMarket(strings.NewReader(text), "m.mtx",
			func(MatrixMarketHeader) error { return errors.New("wrong shape") }, nil)
		require.EqualError(t, err, "matrix market m.mtx line 2: wrong shape")
		calls := 0
		err = ParseMatrixMarket(strings.NewReader(text), "m.mtx", func(MatrixMarketHeader) error { return nil },
			func(row, col int, v float64) error {
				calls++
				return fmt.Errorf("refused %d %d %g", row, col, v)
			})
		require.EqualError(t, err, "matrix market m.mtx line 3: refused 0 0 1")
		require.Equal(t, 1, calls)
	})
}

// A header claiming two billion entries over a short stream costs memory in proportion to the
// stream, not to the claim.
func TestParseMatrixMarketHostileHeader(t *testing.T) {
	text := "%%MatrixMarket matrix coordinate real general\n2147483647 2147483647 2147483647\n1 1 1\n"
	var err error
	alloc := heapGrowth(func() {
		err = ParseMatrixMarket(strings.NewReader(text), "m.mtx", func(MatrixMarketHeader) error { return nil },
			func(int, int, float64) error { return nil })
	})
	require.ErrorContains(t, err, "truncated: 1 of the 2147483647 entries")
	require.Less(t, alloc, uint64(1<<20))
}

func FuzzParseMatrixMarket(f *testing.F) {
	f.Add("%%MatrixMarket matrix coordinate integer general\n% c\n3 4 3\n1 1 5\n3 4 2\n1 1 1\n")
	f.Add("%%MatrixMarket matrix coordinate real general\n2 2 2\n1 2 1.5e0\n2 1 -0.25\n")
	f.Add("%%MatrixMarket matrix coordinate real general\n2147483647 2147483647 2147483647\n1 1 1\n")
	f.Add("%%MatrixMarket matrix coordinate real general\n2 2 1\n3 1 1\n")
	f.Add("%%MatrixMarket matrix coordinate real general\n2 2\n")
	f.Add("")
	const maxElements = 1 << 12
	f.Fuzz(func(t *testing.T, text string) {
		var h MatrixMarketHeader
		var dense []float64
		entries := 0
		err := ParseMatrixMarket(strings.NewReader(text), "fuzz", func(got MatrixMarketHeader) error {
			if int64(got.Rows)*int64(got.Cols) > maxElements {
				return errors.New("too large")
			}
			h, dense = got, make([]float64, got.Rows*got.Cols)
			return nil
		}, func(row, col int, v float64) error {
			if row < 0 || row >= h.Rows || col < 0 || col >= h.Cols {
				t.Fatalf("entry (%d, %d) outside %d × %d", row, col, h.Rows, h.Cols)
			}
			dense[row*h.Cols+col] += v
			entries++
			return nil
		})
		if err == nil && entries != h.Entries {
			t.Fatalf("%d entries accepted, the size line says %d", entries, h.Entries)
		}
	})
}

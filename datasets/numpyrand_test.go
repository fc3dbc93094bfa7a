package datasets

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMT19937(t *testing.T) {
	// The C++ standard's check of std::mt19937 ([rand.predef]): seeded with the default 5489
	// (init_genrand, as numpy's rk_seed), its 10000th output is 4123659995.
	m := newMT19937(5489)
	var v uint32
	for range 10000 {
		v = m.Uint32()
	}
	require.Equal(t, uint32(4123659995), v)
}

func TestNumpyPermutation(t *testing.T) {
	// np.random.seed(seed); np.random.permutation(n), as numpy's legacy RandomState prints
	// them (whole permutations, or their first entries for the longer ones).
	for _, c := range []struct {
		seed uint32
		n    int
		want []int
	}{
		{0, 10, []int{2, 8, 4, 9, 1, 6, 7, 3, 0, 5}},
		{1, 5, []int{2, 1, 4, 0, 3}},
		{42, 12, []int{10, 9, 0, 8, 5, 2, 1, 11, 4, 7, 3, 6}},
		{42, 100, []int{83, 53, 70, 45, 44, 39, 22, 80}},
		{3, 1000, []int{642, 762, 909, 199, 586, 797, 652, 755}},
	} {
		got := numpyPermutation(c.seed, c.n)
		require.Equal(t, c.want, got[:len(c.want)], "seed %d, n %d", c.seed, c.n)
	}
	require.Empty(t, numpyPermutation(0, 0))
	require.Equal(t, []int{0}, numpyPermutation(0, 1))

	// The official 10x_73k permutation, np.random.seed(0); np.random.permutation(73233), as
	// numpy 1.24 prints it: its start, the boundary between train and test (60000), its end,
	// and the SHA-256 of the whole permutation as little-endian int64
	// (hashlib.sha256(p.astype('<i8').tobytes())).
	perm := numpyPermutation(TenX73kSplitSeed, TenX73kCells)
	require.Equal(t, []int{40162, 12789, 26782, 28858, 61806, 35245, 49539, 50144, 63725, 19276}, perm[:10])
	require.Equal(t, []int{42267, 4867, 36879, 19232, 33057, 16884, 31413, 3271, 70338, 46393}, perm[TenX73kTrainSize-5:TenX73kTrainSize+5])
	require.Equal(t, []int{21243, 45891, 42613, 43567, 68268}, perm[TenX73kCells-5:])
	buf := make([]byte, 8*len(perm))
	for i, p := range perm {
		binary.LittleEndian.PutUint64(buf[8*i:], uint64(p))
	}
	require.Equal(t, "6866c82f7aa28b16539b315119fe13d8debefdcf25640bd2dba09c8557c407b5", sha256Hex(buf))
}

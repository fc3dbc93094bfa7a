package datasets

// The official 10x_73k split is np.random.seed(0); np.random.permutation(73233). numpy freezes
// the stream of its legacy RandomState (NEP 19), so the split is reproduced exactly here with
// the same Mersenne Twister (randomkit's rk_state, seeded by rk_seed, i.e. the reference
// init_genrand) and the same Fisher-Yates shuffle (RandomState.shuffle swaps x[i] with
// x[rk_interval(i)] for i = n-1 down to 1; rk_interval masks 32-bit outputs to the smallest
// covering power of two minus one and rejects values above i). The tests compare the result
// with numpy's own output.

const (
	mtN       = 624
	mtM       = 397
	mtMatrixA = 0x9908b0df
	mtUpper   = 0x80000000
	mtLower   = 0x7fffffff
)

// mt19937 is the 32-bit Mersenne Twister of numpy's legacy RandomState.
type mt19937 struct {
	key [mtN]uint32
	pos int
}

// newMT19937 seeds the generator as np.random.seed(seed) does for an integer seed.
func newMT19937(seed uint32) *mt19937 {
	m := &mt19937{pos: mtN}
	m.key[0] = seed
	for i := 1; i < mtN; i++ {
		prev := m.key[i-1]
		m.key[i] = 1812433253*(prev^(prev>>30)) + uint32(i)
	}
	return m
}

// Uint32 returns the next 32-bit output.
func (m *mt19937) Uint32() uint32 {
	if m.pos == mtN {
		for i := range mtN {
			y := m.key[i]&mtUpper | m.key[(i+1)%mtN]&mtLower
			next := m.key[(i+mtM)%mtN] ^ y>>1
			if y&1 != 0 {
				next ^= mtMatrixA
			}
			m.key[i] = next
		}
		m.pos = 0
	}
	y := m.key[m.pos]
	m.pos++
	y ^= y >> 11
	y ^= y << 7 & 0x9d2c5680
	y ^= y << 15 & 0xefc60000
	y ^= y >> 18
	return y
}

// interval returns a value uniform in [0, max] as randomkit's rk_interval does.
func (m *mt19937) interval(max uint32) uint32 {
	if max == 0 {
		return 0
	}
	mask := max
	mask |= mask >> 1
	mask |= mask >> 2
	mask |= mask >> 4
	mask |= mask >> 8
	mask |= mask >> 16
	for {
		if v := m.Uint32() & mask; v <= max {
			return v
		}
	}
}

// numpyPermutation returns np.random.seed(seed); np.random.permutation(n) for
// 0 <= n <= 2^32.
func numpyPermutation(seed uint32, n int) []int {
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	rng := newMT19937(seed)
	for i := n - 1; i > 0; i-- {
		j := rng.interval(uint32(i))
		perm[i], perm[j] = perm[j], perm[i]
	}
	return perm
}

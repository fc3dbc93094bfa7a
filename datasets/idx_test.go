package datasets

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

// idxBytes encodes an IDX file of unsigned bytes with the given dimensions and payload.
func idxBytes(dims []uint32, payload []byte) []byte {
	var b bytes.Buffer
	b.Write([]byte{0, 0, idxTypeUint8, byte(len(dims))})
	for _, d := range dims {
		_ = binary.Write(&b, binary.BigEndian, d)
	}
	b.Write(payload)
	return b.Bytes()
}

func gzipBytes(t testing.TB, data []byte) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, err := zw.Write(data)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return b.Bytes()
}

func writeFile(t testing.TB, dir, name string, data []byte) string {
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, data, 0o644))
	return p
}

func TestReadIDX(t *testing.T) {
	dir := t.TempDir()
	payload := []byte{0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255}
	valid := idxBytes([]uint32{2, 3, 2}, payload)

	t.Run("raw and gzip", func(t *testing.T) {
		for name, data := range map[string][]byte{"a.idx": valid, "a.idx.gz": gzipBytes(t, valid)} {
			got, err := ReadIDX(writeFile(t, dir, name, data))
			require.NoError(t, err, name)
			require.Equal(t, []int{2, 3, 2}, got.Dims, name)
			require.Equal(t, payload, got.Data, name)
		}
	})

	// Each case: file content, and a fragment the error must contain besides the file name.
	cases := []struct {
		name, want string
		data       []byte
	}{
		{"empty", "truncated header", nil},
		{"wrong magic", "bad magic", append([]byte{1}, valid[1:]...)},
		{"float type", "unsupported element type 0x0D (float32)", append([]byte{0, 0, 0x0D}, valid[3:]...)},
		{"unknown type", "unknown element type 0x42", append([]byte{0, 0, 0x42}, valid[3:]...)},
		{"rank 0", "rank 0 out of range [1, 4]", []byte{0, 0, 8, 0}},
		{"rank 5", "rank 5 out of range [1, 4]", idxBytes([]uint32{1, 1, 1, 1, 1}, []byte{7})},
		{"zero dimension", "dimension 1 of [2 0 2] is zero", idxBytes([]uint32{2, 0, 2}, nil)},
		{"truncated dimensions", "expected 12 bytes of dimensions, found 6", valid[:10]},
		{"truncated payload", "truncated file: header claims dimensions [2 3 2], 12 bytes of data, but the 23-byte file holds 7 after its 16-byte header", valid[:len(valid)-5]},
		{"trailing data", "trailing data after the 12-byte payload", append(bytes.Clone(valid), 9)},
		{"claims more than the file", "18 bytes of data, but the 28-byte file holds 12", idxBytes([]uint32{3, 3, 2}, payload)},
		{"product overflows", "21267647932558653966460912964485513216 bytes of data, but the 32-byte file", idxBytes([]uint32{1 << 31, 1 << 31, 1 << 31, 1 << 31}, payload)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := writeFile(t, dir, "bad.idx", c.data)
			_, err := ReadIDX(p)
			require.ErrorContains(t, err, p)
			require.ErrorContains(t, err, c.want)
		})
		t.Run(c.name+" gzip", func(t *testing.T) {
			p := writeFile(t, dir, "bad.idx.gz", gzipBytes(t, c.data))
			_, err := ReadIDX(p)
			require.ErrorContains(t, err, p)
			// A gzip file's size says nothing about its content: a lie is found when the
			// stream ends early.
			switch c.name {
			case "claims more than the file":
				require.ErrorContains(t, err, "truncated payload: expected 18 bytes, found 12")
				return
			case "truncated payload":
				require.ErrorContains(t, err, "truncated payload: expected 12 bytes, found 7")
				return
			case "product overflows":
				require.ErrorContains(t, err, "21267647932558653966460912964485513216 bytes of data, more than the limit of 1073741824 bytes")
				return
			}
			require.ErrorContains(t, err, c.want)
		})
	}

	t.Run("corrupt gzip", func(t *testing.T) {
		gz := gzipBytes(t, valid)
		flipped := bytes.Clone(gz)
		flipped[len(flipped)-6] ^= 0xff // Inside the CRC-32 trailer.
		p := writeFile(t, dir, "crc.idx.gz", flipped)
		_, err := ReadIDX(p)
		require.ErrorContains(t, err, p)
		require.ErrorContains(t, err, "checksum")

		p = writeFile(t, dir, "cut.idx.gz", gz[:len(gz)/2])
		_, err = ReadIDX(p)
		require.ErrorContains(t, err, p)

		p = writeFile(t, dir, "header.idx.gz", []byte{0x1f, 0x8b, 1, 2})
		_, err = ReadIDX(p)
		require.ErrorContains(t, err, p)
		require.ErrorContains(t, err, "corrupt gzip stream")
	})

	t.Run("missing file", func(t *testing.T) {
		_, err := ReadIDX(filepath.Join(dir, "nope.idx"))
		require.ErrorContains(t, err, "nope.idx")
	})
}

// heapGrowth returns how many bytes f allocates in total.
func heapGrowth(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// A header claiming 2^31 MNIST images must be rejected before anything of that size is
// allocated, in raw and in gzip files, and a gzip header whose claim is under the limit but
// far above the content must cost memory in proportion to the content, not to the claim.
func TestReadIDXHostileHeader(t *testing.T) {
	dir := t.TempDir()
	hostile := idxBytes([]uint32{1 << 31, 28, 28}, make([]byte, 84))
	require.Len(t, hostile, 100)
	raw := writeFile(t, dir, "hostile.idx", hostile)
	gz := writeFile(t, dir, "hostile.idx.gz", gzipBytes(t, hostile))
	// 1<<20 images of 28×28 claim 822 MB, under DefaultIDXLimit.
	underLimit := writeFile(t, dir, "underlimit.idx.gz", gzipBytes(t, idxBytes([]uint32{1 << 20, 28, 28}, make([]byte, 84))))

	const maxAlloc = 4 << 20 // bytes; the claims are 1.7e12 and 8.2e8.
	for _, c := range []struct{ path, want string }{
		{raw, "1683627180032 bytes of data, but the 100-byte file holds 84"},
		{gz, "more than the limit of"},
		{underLimit, "truncated payload: expected 822083584 bytes, found 84"},
	} {
		var err error
		alloc := heapGrowth(func() { _, err = ReadIDX(c.path) })
		require.ErrorContains(t, err, c.path)
		require.ErrorContains(t, err, c.want)
		require.Less(t, alloc, uint64(maxAlloc), "%s allocated %d bytes", c.path, alloc)
	}
	allocs := testing.AllocsPerRun(10, func() { _, _ = ReadIDX(raw) })
	require.Less(t, allocs, 30.0)
}

func TestParseIDXLimit(t *testing.T) {
	data := idxBytes([]uint32{4, 4}, make([]byte, 16))
	_, err := ParseIDX(bytes.NewReader(data), "small", 15)
	require.EqualError(t, err, "idx small: header claims dimensions [4 4], 16 bytes of data, more than the limit of 15 bytes")
	got, err := ParseIDX(bytes.NewReader(data), "small", 16)
	require.NoError(t, err)
	require.Len(t, got.Data, 16)
	// limit <= 0 means DefaultIDXLimit.
	_, err = ParseIDX(bytes.NewReader(data), "small", 0)
	require.NoError(t, err)
}

// The payload arrives in chunks larger than idxChunk without loss.
func TestParseIDXLargePayload(t *testing.T) {
	n := 3*idxChunk + 17
	payload := make([]byte, n)
	for i := range payload {
		payload[i] = byte(i * 7)
	}
	got, err := ParseIDX(bytes.NewReader(idxBytes([]uint32{uint32(n)}, payload)), "large", 0)
	require.NoError(t, err)
	require.Equal(t, payload, got.Data)
}

func FuzzParseIDX(f *testing.F) {
	valid := idxBytes([]uint32{2, 3, 2}, []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
	f.Add(valid)
	f.Add(idxBytes([]uint32{5}, []byte{1, 2, 3, 4, 5}))
	f.Add(idxBytes([]uint32{1, 1, 1, 1}, []byte{1}))
	f.Add(valid[:len(valid)-3])
	f.Add(append(bytes.Clone(valid), 1))
	f.Add(idxBytes([]uint32{1 << 31, 28, 28}, make([]byte, 84)))
	f.Add(idxBytes([]uint32{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, nil))
	f.Add([]byte{0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0})
	f.Add([]byte{0, 0, 8, 9})
	f.Add([]byte{})
	const limit = 1 << 16
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ParseIDX(bytes.NewReader(data), "fuzz", limit)
		if err != nil {
			if got != nil {
				t.Fatalf("result %v with error %v", got, err)
			}
			return
		}
		if len(got.Dims) < 1 || len(got.Dims) > idxMaxRank {
			t.Fatalf("rank %d accepted", len(got.Dims))
		}
		size := 1
		for _, d := range got.Dims {
			if d <= 0 {
				t.Fatalf("dimension %d accepted", d)
			}
			size *= d
		}
		if size != len(got.Data) || size > limit {
			t.Fatalf("dims %v with %d bytes of data", got.Dims, len(got.Data))
		}
		// A valid file is exactly header + payload.
		if want := 4 + 4*len(got.Dims) + size; len(data) != want {
			t.Fatalf("accepted %d bytes, want %d", len(data), want)
		}
	})
}

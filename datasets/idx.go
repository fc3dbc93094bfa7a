package datasets

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
)

// IDX is the content of an IDX file (the format of MNIST and Fashion-MNIST) of unsigned
// bytes: Dims[0] is usually the number of examples, Data holds the product of Dims bytes,
// row-major.
type IDX struct {
	Dims []int
	Data []byte
}

// DefaultIDXLimit is the largest payload ReadIDX accepts (and ParseIDX when given limit <= 0):
// far above MNIST's 47 MB, far below what a hostile header could claim.
const DefaultIDXLimit int64 = 1 << 30

const (
	idxTypeUint8 = 0x08
	idxMaxRank   = 4
	// idxChunk bounds how much memory one read step may add beyond the bytes actually
	// received, so a header lying about the size costs at most this much before the stream
	// ends.
	idxChunk = 1 << 20
)

// idxTypeNames names the element types of the IDX format, for error messages.
var idxTypeNames = map[byte]string{
	0x08: "unsigned byte", 0x09: "signed byte", 0x0B: "int16", 0x0C: "int32", 0x0D: "float32", 0x0E: "float64",
}

// ReadIDX reads an IDX file of unsigned bytes, gzip-compressed (detected by the magic bytes
// 1f 8b) or raw. For a raw file the header's claimed size is checked against the file size
// before anything is allocated.
func ReadIDX(path string) (*IDX, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("idx: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("idx %s: %w", path, err)
	}
	return decodeIDX(f, info.Size(), path)
}

// decodeIDX implements ReadIDX on the bytes r of a file of size bytes named name.
func decodeIDX(r io.Reader, size int64, name string) (*IDX, error) {
	content, gzipped, err := decompressed(r)
	if err != nil {
		return nil, fmt.Errorf("idx %s: %w", name, err)
	}
	if gzipped {
		return parseIDX(content, name, DefaultIDXLimit, false)
	}
	return parseIDX(content, name, min(size, DefaultIDXLimit), true)
}

// decompressed returns the content of the stream r: a gzip reader over it when r starts with
// the gzip magic bytes 1f 8b, else r itself (buffered). A gzip reader checks the stream's
// CRC-32 and length when it reaches the end, so callers read to EOF.
func decompressed(r io.Reader) (content io.Reader, gzipped bool, err error) {
	br := bufio.NewReader(r)
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, false, fmt.Errorf("corrupt gzip stream: %w", err)
		}
		return zr, true, nil
	}
	return br, false, nil
}

// ParseIDX parses an IDX stream of unsigned bytes; name identifies it in errors. The payload
// (the product of the dimensions) may not exceed limit bytes (limit <= 0 means
// DefaultIDXLimit). Memory grows with the bytes actually read, never with the size the header
// claims, and the stream must end exactly after the payload.
func ParseIDX(r io.Reader, name string, limit int64) (*IDX, error) {
	if limit <= 0 {
		limit = DefaultIDXLimit
	}
	return parseIDX(r, name, limit, false)
}

// parseIDX implements ParseIDX; limitIsFileSize makes the size error speak of the file size.
func parseIDX(r io.Reader, name string, limit int64, limitIsFileSize bool) (*IDX, error) {
	var header [4]byte
	if n, err := io.ReadFull(r, header[:]); err != nil {
		return nil, fmt.Errorf("idx %s: truncated header: expected 4 magic bytes, found %d: %w", name, n, readErr(err))
	}
	if header[0] != 0 || header[1] != 0 {
		return nil, fmt.Errorf("idx %s: bad magic % x: an IDX file starts with two zero bytes", name, header)
	}
	if typ := header[2]; typ != idxTypeUint8 {
		if tn, ok := idxTypeNames[typ]; ok {
			return nil, fmt.Errorf("idx %s: unsupported element type 0x%02X (%s); only unsigned byte 0x08 is supported", name, typ, tn)
		}
		return nil, fmt.Errorf("idx %s: unknown element type 0x%02X; only unsigned byte 0x08 is supported", name, typ)
	}
	rank := int(header[3])
	if rank < 1 || rank > idxMaxRank {
		return nil, fmt.Errorf("idx %s: rank %d out of range [1, %d]", name, rank, idxMaxRank)
	}
	var dimBytes [4 * idxMaxRank]byte
	if n, err := io.ReadFull(r, dimBytes[:4*rank]); err != nil {
		return nil, fmt.Errorf("idx %s: truncated header: expected %d bytes of dimensions, found %d: %w", name, 4*rank, n, readErr(err))
	}
	headerLen := int64(4 + 4*rank)
	fileSize := limit
	if limitIsFileSize {
		limit = max(0, fileSize-headerLen)
	}
	for i := range rank {
		if binary.BigEndian.Uint32(dimBytes[4*i:]) == 0 {
			return nil, fmt.Errorf("idx %s: dimension %d of %v is zero", name, i, claimedDims(dimBytes[:4*rank]))
		}
	}
	dims := make([]int, rank)
	total := int64(1)
	for i := range dims {
		d := int64(binary.BigEndian.Uint32(dimBytes[4*i:]))
		// total*d <= limit without overflow: limit fits int64 and total <= limit.
		if total > limit/d {
			claimed := claimedSize(dimBytes[:4*rank])
			if limitIsFileSize {
				return nil, fmt.Errorf("idx %s: truncated file: header claims dimensions %v, %s bytes of data, but the %d-byte file holds %d after its %d-byte header",
					name, claimedDims(dimBytes[:4*rank]), claimed, fileSize, limit, headerLen)
			}
			return nil, fmt.Errorf("idx %s: header claims dimensions %v, %s bytes of data, more than the limit of %d bytes", name, claimedDims(dimBytes[:4*rank]), claimed, limit)
		}
		total *= d
		dims[i] = int(d)
	}
	data, err := readPayload(r, total)
	if err != nil {
		return nil, fmt.Errorf("idx %s (dimensions %v): %w", name, dims, err)
	}
	var extra [1]byte
	if n, err := io.ReadFull(r, extra[:]); n > 0 {
		return nil, fmt.Errorf("idx %s: trailing data after the %d-byte payload of dimensions %v", name, total, dims)
	} else if err != io.EOF {
		// A gzip stream reports a bad checksum or a truncated trailer only here.
		return nil, fmt.Errorf("idx %s: reading past the payload: %w", name, err)
	}
	return &IDX{Dims: dims, Data: data}, nil
}

// readPayload reads exactly total bytes in bounded chunks, growing the buffer geometrically
// with what actually arrives.
func readPayload(r io.Reader, total int64) ([]byte, error) {
	data := make([]byte, 0, min(total, idxChunk))
	for int64(len(data)) < total {
		step := int(min(total-int64(len(data)), idxChunk))
		if cap(data)-len(data) < step {
			newCap := min(max(2*cap(data), len(data)+step), int(total))
			grown := make([]byte, len(data), newCap)
			copy(grown, data)
			data = grown
		}
		start := len(data)
		data = data[:start+step]
		n, err := io.ReadFull(r, data[start:])
		if err != nil {
			return nil, fmt.Errorf("truncated payload: expected %d bytes, found %d: %w", total, start+n, readErr(err))
		}
	}
	return data, nil
}

// readErr turns the EOF errors of io.ReadFull into a plain cause and keeps real I/O errors.
func readErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// claimedSize is the product of the raw dimensions, exact even where it overflows int64.
func claimedSize(b []byte) string {
	size := big.NewInt(1)
	for i := 0; i < len(b); i += 4 {
		size.Mul(size, big.NewInt(int64(binary.BigEndian.Uint32(b[i:]))))
	}
	return size.String()
}

// claimedDims decodes the raw dimensions for error messages.
func claimedDims(b []byte) []uint32 {
	out := make([]uint32, len(b)/4)
	for i := range out {
		out[i] = binary.BigEndian.Uint32(b[4*i:])
	}
	return out
}

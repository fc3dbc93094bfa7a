package datasets

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// MatrixMarketHeader is what the banner and size line of a coordinate Matrix Market file say.
type MatrixMarketHeader struct {
	// Field is "real" or "integer".
	Field string
	// Rows and Cols are the matrix dimensions.
	Rows, Cols int
	// Entries is the number of entry lines the size line announces.
	Entries int
}

const (
	// mtxMaxLine bounds one line; entry lines are a few dozen bytes.
	mtxMaxLine = 1 << 16
	// mtxMaxDim bounds each number of the size line, so products of two fit an int64.
	mtxMaxDim = math.MaxInt32
)

// ParseMatrixMarket parses a Matrix Market file (NIST's exchange format, as scipy.io.mmwrite
// writes it) in the coordinate format with real or integer values and general symmetry: the
// banner "%%MatrixMarket matrix coordinate real general" (keywords after the first are
// case-insensitive), comment lines starting with '%', the size line "rows cols entries", then
// one "row col value" line per entry, 1-based. Blank lines are skipped. header is called once
// with the size line before any entry, and entry once per entry with the 0-based row and
// column; an error from either stops the parse and is returned with the file (name) and line.
// Memory does not depend on what the header claims: callers allocate after checking it.
func ParseMatrixMarket(r io.Reader, name string, header func(MatrixMarketHeader) error, entry func(row, col int, value float64) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), mtxMaxLine)
	line := 0
	fail := func(format string, args ...any) error {
		return fmt.Errorf("matrix market %s line %d: %s", name, line, fmt.Sprintf(format, args...))
	}
	// next advances to the next line that is neither blank nor a comment.
	next := func() bool {
		for sc.Scan() {
			line++
			b := sc.Bytes()
			if len(b) > 0 && b[0] == '%' {
				continue
			}
			for _, c := range b {
				if c != ' ' && c != '\t' && c != '\r' {
					return true
				}
			}
		}
		return false
	}
	// ended explains why the scanner stopped: a read error (a corrupt gzip stream, an overlong
	// line) or else the end of the file, which what describes.
	ended := func(what string) error {
		if err := sc.Err(); err != nil {
			if errors.Is(err, bufio.ErrTooLong) {
				return fmt.Errorf("matrix market %s line %d: longer than %d bytes", name, line+1, mtxMaxLine)
			}
			return fmt.Errorf("matrix market %s: %w", name, err)
		}
		return fmt.Errorf("matrix market %s: %s", name, what)
	}

	if !sc.Scan() {
		return ended("empty file: want the banner %%MatrixMarket matrix coordinate real general")
	}
	line++
	banner := strings.Fields(sc.Text())
	if len(banner) != 5 || banner[0] != "%%MatrixMarket" {
		return fail("not a Matrix Market banner: want \"%%%%MatrixMarket matrix coordinate real general\"")
	}
	object, format := strings.ToLower(banner[1]), strings.ToLower(banner[2])
	field, symmetry := strings.ToLower(banner[3]), strings.ToLower(banner[4])
	switch {
	case object != "matrix":
		return fail("object %q is not supported: only matrix", banner[1])
	case format != "coordinate":
		return fail("format %q is not supported: only coordinate (sparse)", banner[2])
	case field != "real" && field != "integer":
		return fail("field %q is not supported: only real and integer", banner[3])
	case symmetry != "general":
		return fail("symmetry %q is not supported: only general", banner[4])
	}

	if !next() {
		return ended("truncated: no size line after the banner")
	}
	var size [3]int
	fields := mtxFields(sc.Bytes(), make([][]byte, 0, 4))
	if len(fields) != 3 {
		return fail("size line has %d fields, want 3 (rows, columns, entries)", len(fields))
	}
	for i, f := range fields {
		v, ok := parseUint(f, mtxMaxDim)
		if !ok {
			return fail("size %q is not an integer in [0, %d]", f, mtxMaxDim)
		}
		size[i] = v
	}
	h := MatrixMarketHeader{Field: field, Rows: size[0], Cols: size[1], Entries: size[2]}
	if h.Rows == 0 || h.Cols == 0 {
		return fail("matrix of %d × %d has no elements", h.Rows, h.Cols)
	}
	if err := header(h); err != nil {
		return fail("%v", err)
	}

	count := 0
	for next() {
		count++
		if count > h.Entries {
			return fail("more entries than the %d the size line announces", h.Entries)
		}
		fields = mtxFields(sc.Bytes(), fields[:0])
		if len(fields) != 3 {
			return fail("%d fields, want 3 (row, column, value)", len(fields))
		}
		row, ok := parseUint(fields[0], h.Rows)
		if !ok || row == 0 {
			return fail("row %q is not an integer in [1, %d]", fields[0], h.Rows)
		}
		col, ok := parseUint(fields[1], h.Cols)
		if !ok || col == 0 {
			return fail("column %q is not an integer in [1, %d]", fields[1], h.Cols)
		}
		value, err := parseMTXValue(fields[2], field == "integer")
		if err != nil {
			return fail("%v", err)
		}
		if err := entry(row-1, col-1, value); err != nil {
			return fail("%v", err)
		}
	}
	if sc.Err() != nil || count < h.Entries {
		return ended(fmt.Sprintf("truncated: %d of the %d entries the size line announces", count, h.Entries))
	}
	return nil
}

// mtxFields splits b at spaces and tabs into out, without copying.
func mtxFields(b []byte, out [][]byte) [][]byte {
	start := -1
	for i, c := range b {
		if c == ' ' || c == '\t' || c == '\r' {
			if start >= 0 {
				out = append(out, b[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		out = append(out, b[start:])
	}
	return out
}

// parseUint parses decimal digits (no sign) into a value at most max.
func parseUint(b []byte, max int) (int, bool) {
	if len(b) == 0 {
		return 0, false
	}
	v := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = 10*v + int(c-'0')
		if v > max {
			return 0, false
		}
	}
	return v, true
}

// parseMTXValue parses an entry value: a decimal integer for the integer field, else a
// finite decimal number (hexadecimal, "inf" and "nan" are not Matrix Market numbers).
func parseMTXValue(b []byte, integer bool) (float64, error) {
	if integer {
		v, err := strconv.ParseInt(string(b), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("value %q is not an integer", b)
		}
		return float64(v), nil
	}
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
			return 0, fmt.Errorf("value %q is not a decimal number", b)
		}
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, fmt.Errorf("value %q is not a finite decimal number", b)
	}
	return v, nil
}

package trainer

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/clustergan/clustergan/internal/atomicfile"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// A checkpoint file holds every variable of a context (network weights, both optimisers'
// state, the RNG state) plus a small JSON header. It is written to a temporary file, synced and
// renamed, so a crash at any moment leaves either the previous checkpoint or the new one, never
// a torn file; what a disk or a copy damages later, the checksum catches.
//
// Layout: magic "CGC2", uint32 header length (little-endian), JSON header, the variables' raw
// bytes in header order, and the SHA-256 of everything before it (32 bytes). Files written
// before checksums existed (magic "CGCK", no trailer) still load: their structure and values
// are checked, their bytes cannot be (LoadCheckpoint reports Checksummed false).

const (
	checkpointMagic   = "CGC2"
	checkpointMagicV1 = "CGCK"
)

// CheckpointInfo is a checkpoint's JSON header.
type CheckpointInfo struct {
	Step      int                `json:"step"`                 // generator iterations done
	BestStep  int                `json:"best_step,omitempty"`  // step of the best validation purity so far
	BestScore float64            `json:"best_score,omitempty"` // that purity
	Extra     map[string]float64 `json:"extra,omitempty"`
	// ElapsedSeconds and TrainSeconds are the wall-clock time spent in Train up to this
	// checkpoint, summed over every session of the run, with and without evaluations.
	ElapsedSeconds float64         `json:"elapsed_seconds,omitempty"`
	TrainSeconds   float64         `json:"train_seconds,omitempty"`
	Variables      []checkpointVar `json:"variables"`
}

type checkpointVar struct {
	Scope  string       `json:"scope"`
	Name   string       `json:"name"`
	DType  dtypes.DType `json:"dtype"`
	Dims   []int        `json:"dims"`
	Offset int64        `json:"offset"`
	Length int64        `json:"length"`
}

// DamagedError says that a checkpoint file cannot be used: its checksum does not match, it is
// truncated or malformed, or it holds non-finite values.
type DamagedError struct {
	Path, Reason string
}

func (e *DamagedError) Error() string { return "checkpoint " + e.Path + " is damaged: " + e.Reason }

// NonFiniteError says that a variable holds NaN or ±Inf.
type NonFiniteError struct {
	Variable string // "scope/name"
}

func (e *NonFiniteError) Error() string {
	return "variable " + e.Variable + " holds NaN or infinite values"
}

// SaveCheckpoint writes every variable of ctx to path atomically. It refuses, with a
// *NonFiniteError and without writing, when a variable holds NaN or ±Inf: a checkpoint is
// always a state training can continue from.
func SaveCheckpoint(ctx *context.Context, path string, info CheckpointInfo) error {
	info.Variables = nil
	var blobs [][]byte
	var offset int64
	for v := range ctx.IterVariables() {
		value, err := v.Value()
		if err != nil {
			return fmt.Errorf("checkpoint %s: variable %s: %w", path, v.ScopeAndName(), err)
		}
		var data []byte
		if err := value.ConstBytes(func(b []byte) { data = append([]byte(nil), b...) }); err != nil {
			return fmt.Errorf("checkpoint %s: variable %s: %w", path, v.ScopeAndName(), err)
		}
		shape := value.Shape()
		if !allFinite(shape.DType, data) {
			return &NonFiniteError{Variable: context.JoinScope(v.Scope(), v.Name())}
		}
		info.Variables = append(info.Variables, checkpointVar{
			Scope: v.Scope(), Name: v.Name(), DType: shape.DType, Dims: shape.Dimensions,
			Offset: offset, Length: int64(len(data)),
		})
		blobs = append(blobs, data)
		offset += int64(len(data))
	}
	header, err := json.Marshal(info)
	if err != nil {
		return err
	}
	err = atomicfile.Write(path, func(out io.Writer) error {
		h := sha256.New()
		w := io.MultiWriter(out, h)
		if _, err := io.WriteString(w, checkpointMagic); err != nil {
			return err
		}
		if err := binary.Write(w, binary.LittleEndian, uint32(len(header))); err != nil {
			return err
		}
		if _, err := w.Write(header); err != nil {
			return err
		}
		for _, b := range blobs {
			if _, err := w.Write(b); err != nil {
				return err
			}
		}
		_, err := out.Write(h.Sum(nil))
		return err
	})
	if err != nil {
		return fmt.Errorf("checkpoint %s: %w", path, err)
	}
	return nil
}

// FiniteCheck returns a *NonFiniteError naming the first variable of ctx that holds NaN or
// ±Inf (weights, optimiser moments), or nil.
func FiniteCheck(ctx *context.Context) error {
	for v := range ctx.IterVariables() {
		value, err := v.Value()
		if err != nil {
			return err
		}
		ok := true
		if err := value.ConstBytes(func(b []byte) { ok = allFinite(value.DType(), b) }); err != nil {
			return err
		}
		if !ok {
			return &NonFiniteError{Variable: context.JoinScope(v.Scope(), v.Name())}
		}
	}
	return nil
}

// allFinite reports whether raw values (in the machine's byte order, as tensors hold them)
// are all finite: no exponent field is all ones. Integer types are always finite.
func allFinite(dtype dtypes.DType, b []byte) bool {
	e := binary.NativeEndian
	switch dtype {
	case dtypes.Float32:
		for i := 0; i+4 <= len(b); i += 4 {
			if e.Uint32(b[i:])&0x7f800000 == 0x7f800000 {
				return false
			}
		}
	case dtypes.Float64:
		for i := 0; i+8 <= len(b); i += 8 {
			if e.Uint64(b[i:])&0x7ff0000000000000 == 0x7ff0000000000000 {
				return false
			}
		}
	case dtypes.Float16:
		for i := 0; i+2 <= len(b); i += 2 {
			if e.Uint16(b[i:])&0x7c00 == 0x7c00 {
				return false
			}
		}
	case dtypes.BFloat16:
		for i := 0; i+2 <= len(b); i += 2 {
			if e.Uint16(b[i:])&0x7f80 == 0x7f80 {
				return false
			}
		}
	}
	return true
}

// checkpointData is a loaded checkpoint: header plus tensors by "scope/name".
type checkpointData struct {
	Info    CheckpointInfo
	Tensors map[string]*tensors.Tensor
	// Checksummed is false for a file written before checkpoints carried a checksum.
	Checksummed bool
}

// LoadCheckpoint reads a checkpoint file and verifies it: its checksum, its structure (every
// byte accounted for) and that every value is finite. A file that fails is reported as a
// *DamagedError; other errors are I/O errors.
func LoadCheckpoint(path string) (*checkpointData, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	stat, err := f.Stat()
	if err != nil {
		return nil, err
	}
	damaged := func(format string, args ...any) error {
		return &DamagedError{Path: path, Reason: fmt.Sprintf(format, args...)}
	}
	h := sha256.New()
	br := bufio.NewReader(f)
	r := io.TeeReader(br, h) // the trailer is read from br: it is not part of the sum
	magic := make([]byte, 4)
	if _, err := io.ReadFull(r, magic); err != nil {
		return nil, damaged("shorter than its magic number (truncated)")
	}
	trailer := int64(sha256.Size)
	switch string(magic) {
	case checkpointMagic:
	case checkpointMagicV1:
		trailer = 0
	default:
		return nil, damaged("not a clustergan checkpoint (bad magic)")
	}
	var headerLen uint32
	if err := binary.Read(r, binary.LittleEndian, &headerLen); err != nil {
		return nil, damaged("truncated header")
	}
	if int64(headerLen) > stat.Size()-8-trailer {
		return nil, damaged("header length %d exceeds the file size %d (truncated?)", headerLen, stat.Size())
	}
	header := make([]byte, headerLen)
	if _, err := io.ReadFull(r, header); err != nil {
		return nil, damaged("truncated header: %v", err)
	}
	data := &checkpointData{Tensors: map[string]*tensors.Tensor{}, Checksummed: trailer > 0}
	if err := json.Unmarshal(header, &data.Info); err != nil {
		return nil, damaged("header: %v", err)
	}
	var offset int64
	for _, v := range data.Info.Variables {
		shape := shapes.Make(v.DType, v.Dims...)
		if v.Offset != offset || v.Length != int64(shape.Memory()) {
			return nil, damaged("variable %s/%s: bad size or offset", v.Scope, v.Name)
		}
		offset += v.Length
	}
	if want := 8 + int64(headerLen) + offset + trailer; stat.Size() != want {
		return nil, damaged("%d bytes, its header accounts for %d (truncated or appended to)", stat.Size(), want)
	}
	for _, v := range data.Info.Variables {
		t := tensors.FromShape(shapes.Make(v.DType, v.Dims...))
		var readErr error
		finite := true
		if err := t.MutableBytes(func(b []byte) {
			if _, readErr = io.ReadFull(r, b); readErr == nil {
				finite = allFinite(v.DType, b)
			}
		}); err != nil {
			return nil, err
		}
		if readErr != nil {
			return nil, fmt.Errorf("checkpoint %s: variable %s/%s: %w", path, v.Scope, v.Name, readErr)
		}
		if !finite {
			return nil, damaged("variable %s/%s holds NaN or infinite values", v.Scope, v.Name)
		}
		data.Tensors[context.JoinScope(v.Scope, v.Name)] = t
	}
	if trailer > 0 {
		sum := h.Sum(nil)
		stored := make([]byte, sha256.Size)
		if _, err := io.ReadFull(br, stored); err != nil {
			return nil, fmt.Errorf("checkpoint %s: %w", path, err)
		}
		if !bytes.Equal(sum, stored) {
			return nil, damaged("its SHA-256 does not match its content (a changed byte)")
		}
	}
	return data, nil
}

// LoadVariable implements context.Loader: variables created after SetLoader take their values
// from the checkpoint.
func (c *checkpointData) LoadVariable(_ *context.Context, scope, name string) (*tensors.Tensor, bool) {
	key := context.JoinScope(scope, name)
	t, ok := c.Tensors[key]
	if ok {
		delete(c.Tensors, key)
	}
	return t, ok
}

// DeleteVariable implements context.Loader.
func (c *checkpointData) DeleteVariable(_ *context.Context, scope, name string) error {
	delete(c.Tensors, context.JoinScope(scope, name))
	return nil
}

// assignExisting sets the values of the variables ctx already has and leaves the others for
// LoadVariable.
func (c *checkpointData) assignExisting(ctx *context.Context) error {
	for key, t := range c.Tensors {
		scope, name := context.SplitScope(key)
		if v := ctx.GetVariableByScopeAndName(scope, name); v != nil {
			if !v.Shape().Equal(t.Shape()) {
				return fmt.Errorf("checkpoint variable %s has shape %s, model has %s", key, t.Shape(), v.Shape())
			}
			if err := v.SetValue(t); err != nil {
				return err
			}
			delete(c.Tensors, key)
		}
	}
	return nil
}

const checkpointPrefix = "checkpoint-"

// damagedSuffix is appended to the name of a checkpoint found damaged: it is kept for
// inspection, and never loaded or counted again.
const damagedSuffix = ".damaged"

func checkpointPath(dir string, step int) string {
	return filepath.Join(dir, fmt.Sprintf("%s%09d.ckpt", checkpointPrefix, step))
}

// listCheckpoints returns the step checkpoints in dir, oldest first.
func listCheckpoints(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	var paths []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), checkpointPrefix) && strings.HasSuffix(e.Name(), ".ckpt") {
			paths = append(paths, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(paths)
	return paths, nil
}

// LatestCheckpoint returns the newest step checkpoint in dir, or "" if there is none.
func LatestCheckpoint(dir string) (string, error) {
	paths, err := listCheckpoints(dir)
	if err != nil || len(paths) == 0 {
		return "", err
	}
	return paths[len(paths)-1], nil
}

func pruneCheckpoints(dir string, keep int) error {
	paths, err := listCheckpoints(dir)
	if err != nil {
		return err
	}
	for len(paths) > keep {
		if err := os.Remove(paths[0]); err != nil {
			return err
		}
		paths = paths[1:]
	}
	return nil
}

// SaveWeights writes to dst a checkpoint holding only the variables of src under the given
// scopes (the networks' weights, without optimiser state or RNG state): a trained model to
// ship, which loads as the model's checkpoint but cannot resume training.
func SaveWeights(src, dst string, scopes ...string) error {
	data, err := LoadCheckpoint(src)
	if err != nil {
		return err
	}
	ctx := context.New().Checked(false)
	keys := make([]string, 0, len(data.Tensors))
	for key := range data.Tensors {
		keys = append(keys, key)
	}
	sort.Strings(keys) // a deterministic file
	kept := 0
	for _, key := range keys {
		scope, name := context.SplitScope(key)
		for _, s := range scopes {
			if scope == s || strings.HasPrefix(scope, s+context.ScopeSeparator) {
				ctx.InAbsPath(scope).VariableWithValue(name, data.Tensors[key])
				kept++
				break
			}
		}
	}
	if kept == 0 {
		return fmt.Errorf("checkpoint %s has no variable under %v", src, scopes)
	}
	info := data.Info
	info.Extra = nil
	return SaveCheckpoint(ctx, dst, info)
}

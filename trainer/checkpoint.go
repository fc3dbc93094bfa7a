package trainer

import (
	"bufio"
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
// a torn file. Layout: "CGCK", uint32 header length, JSON header, raw variable bytes.

const checkpointMagic = "CGCK"

// CheckpointInfo is a checkpoint's JSON header.
type CheckpointInfo struct {
	Step      int                `json:"step"`                 // generator iterations done
	BestStep  int                `json:"best_step,omitempty"`  // step of the best validation purity so far
	BestScore float64            `json:"best_score,omitempty"` // that purity
	Extra     map[string]float64 `json:"extra,omitempty"`
	Variables []checkpointVar    `json:"variables"`
}

type checkpointVar struct {
	Scope  string       `json:"scope"`
	Name   string       `json:"name"`
	DType  dtypes.DType `json:"dtype"`
	Dims   []int        `json:"dims"`
	Offset int64        `json:"offset"`
	Length int64        `json:"length"`
}

// SaveCheckpoint writes every variable of ctx to path atomically.
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
	err = atomicfile.Write(path, func(w io.Writer) error {
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
		return nil
	})
	if err != nil {
		return fmt.Errorf("checkpoint %s: %w", path, err)
	}
	return nil
}

// checkpointData is a loaded checkpoint: header plus tensors by "scope/name".
type checkpointData struct {
	Info    CheckpointInfo
	Tensors map[string]*tensors.Tensor
}

// LoadCheckpoint reads a checkpoint file, validating its structure.
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
	r := bufio.NewReader(f)
	magic := make([]byte, 4)
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != checkpointMagic {
		return nil, fmt.Errorf("checkpoint %s: not a clustergan checkpoint (bad magic)", path)
	}
	var headerLen uint32
	if err := binary.Read(r, binary.LittleEndian, &headerLen); err != nil {
		return nil, fmt.Errorf("checkpoint %s: truncated header", path)
	}
	if int64(headerLen) > stat.Size() {
		return nil, fmt.Errorf("checkpoint %s: header length %d exceeds file size %d", path, headerLen, stat.Size())
	}
	header := make([]byte, headerLen)
	if _, err := io.ReadFull(r, header); err != nil {
		return nil, fmt.Errorf("checkpoint %s: truncated header: %w", path, err)
	}
	data := &checkpointData{Tensors: map[string]*tensors.Tensor{}}
	if err := json.Unmarshal(header, &data.Info); err != nil {
		return nil, fmt.Errorf("checkpoint %s: header: %w", path, err)
	}
	payload := stat.Size() - 8 - int64(headerLen)
	for _, v := range data.Info.Variables {
		shape := shapes.Make(v.DType, v.Dims...)
		if v.Offset < 0 || v.Length != int64(shape.Memory()) || v.Offset+v.Length > payload {
			return nil, fmt.Errorf("checkpoint %s: variable %s/%s: bad size or offset (file truncated?)", path, v.Scope, v.Name)
		}
		t := tensors.FromShape(shape)
		var readErr error
		if err := t.MutableBytes(func(b []byte) { _, readErr = io.ReadFull(r, b) }); err != nil {
			return nil, err
		}
		if readErr != nil {
			return nil, fmt.Errorf("checkpoint %s: variable %s/%s: %w", path, v.Scope, v.Name, readErr)
		}
		data.Tensors[context.JoinScope(v.Scope, v.Name)] = t
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

// assign sets the values of ctx's existing variables from the checkpoint (used to switch to
// the best model after training). Variables absent from ctx are an error.
func (c *checkpointData) assign(ctx *context.Context) error {
	for key, t := range c.Tensors {
		scope, name := context.SplitScope(key)
		v := ctx.GetVariableByScopeAndName(scope, name)
		if v == nil {
			return fmt.Errorf("checkpoint variable %s not in the model", key)
		}
		if !v.Shape().Equal(t.Shape()) {
			return fmt.Errorf("checkpoint variable %s has shape %s, model has %s", key, t.Shape(), v.Shape())
		}
		if err := v.SetValue(t); err != nil {
			return err
		}
	}
	return nil
}

const checkpointPrefix = "checkpoint-"

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

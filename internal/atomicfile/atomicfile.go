// Package atomicfile writes files so that a reader, or a crash, sees either the previous file
// or the complete new one, never a partial file: results, checkpoints and figures of a run.
package atomicfile

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"regexp"
)

// Write creates or replaces path with what fill writes: into a temporary file in the same
// directory, which is flushed, synced, given mode 0644 and renamed over path. If fill or any
// step fails, path is untouched and the temporary file removed.
func Write(path string, fill func(w io.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	w := bufio.NewWriterSize(tmp, 1<<20)
	if err = fill(w); err != nil {
		return err
	}
	if err = w.Flush(); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	// CreateTemp makes the file private; run outputs are meant to be shared.
	if err = os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// WriteBytes is Write for content already in memory.
func WriteBytes(path string, data []byte) error {
	return Write(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// tempName matches the temporary files Write creates: "." + base + ".tmp" + digits.
var tempName = regexp.MustCompile(`^\..+\.tmp[0-9]+$`)

// RemoveStale removes the temporary files that interrupted Writes left in dir (not in its
// sub-directories) and returns their paths. Call it only where no other Write can be under way
// (a directory this process owns).
func RemoveStale(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, e := range entries {
		if e.Type().IsRegular() && tempName.MatchString(e.Name()) {
			path := filepath.Join(dir, e.Name())
			if err := os.Remove(path); err != nil {
				return removed, err
			}
			removed = append(removed, path)
		}
	}
	return removed, nil
}

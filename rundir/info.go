package rundir

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/clustergan/clustergan/datasets"
)

// Info is run.json: what ran, on which data, from which build.
type Info struct {
	Dataset   string   `json:"dataset"`
	Split     string   `json:"split"`
	Methods   []string `json:"methods"`
	Preset    string   `json:"preset,omitempty"`
	Seed      int64    `json:"seed"`
	ParamsSet []string `json:"params_set,omitempty"`
	// DataDir is the data directory the run was started with (-data_dir, else
	// $CLUSTERGAN_DATA_DIR; "" for the default places): a resume reads from it unless told
	// otherwise.
	DataDir string `json:"data_dir,omitempty"`
	// Data lists the files the data set was read from, with their SHA-256.
	Data []DataFile `json:"data,omitempty"`
	// Synthetic is the configuration that generated a synthetic data set (seed included): a
	// resume generates the same data from it.
	Synthetic *datasets.SyntheticConfig `json:"synthetic,omitempty"`
	Build     Build                     `json:"build"`
	GoVersion string                    `json:"go_version"`
	Started   time.Time                 `json:"started"`
	// Resumes records each later session that continued the run, in order.
	Resumes []Resume `json:"resumes,omitempty"`
}

// Resume is one session that continued a run: which build, and what it changed on purpose.
type Resume struct {
	Started   time.Time `json:"started"`
	Build     Build     `json:"build"`
	GoVersion string    `json:"go_version"`
	// Set lists the settings changed for the rest of the run (-resume_set), with the values
	// they had; settings.txt holds the new ones.
	Set []Change `json:"set,omitempty"`
	// AddedMethods are methods the run did not have before.
	AddedMethods []string `json:"added_methods,omitempty"`
	// DataMoved lists data files now read from another path, with the same SHA-256.
	DataMoved []DataFile `json:"data_moved,omitempty"`
}

// Change is one setting changed on resume, values as settings.txt writes them.
type Change struct {
	Param string `json:"param"`
	From  string `json:"from"`
	To    string `json:"to"`
}

// Original returns the value a parameter had before the first change on resume, and whether it
// was changed at all (false for a nil Info).
func (info *Info) Original(param string) (string, bool) {
	if info == nil {
		return "", false
	}
	for _, r := range info.Resumes {
		for _, c := range r.Set {
			if c.Param == param {
				return c.From, true
			}
		}
	}
	return "", false
}

// CheckData compares the data files a run recorded with those read now, by role. A file
// whose SHA-256 differs, or a role missing on either side, is an error naming the file, both
// paths and both hashes: continuing would mix two data sets. Files with the same hash read from
// another path are returned (a moved data directory).
func CheckData(recorded, now []DataFile) (moved []DataFile, err error) {
	byRole := map[string]DataFile{}
	for _, f := range now {
		byRole[f.Role] = f
	}
	seen := map[string]bool{}
	var problems []error
	for _, old := range recorded {
		seen[old.Role] = true
		cur, ok := byRole[old.Role]
		switch {
		case !ok:
			problems = append(problems, fmt.Errorf("data file %s (%s) was not read this time", old.Role, old.Path))
		case cur.SHA256 != old.SHA256:
			problems = append(problems, fmt.Errorf("data file %s changed: %s had SHA-256 %s, %s has %s",
				old.Role, old.Path, short(old.SHA256), cur.Path, short(cur.SHA256)))
		case cur.Path != old.Path:
			moved = append(moved, cur)
		}
	}
	for _, cur := range now {
		if !seen[cur.Role] {
			problems = append(problems, fmt.Errorf("data file %s (%s) is not in the run's record", cur.Role, cur.Path))
		}
	}
	if len(problems) > 0 {
		msg := problems[0].Error()
		for _, p := range problems[1:] {
			msg += "; " + p.Error()
		}
		return nil, errors.New(msg)
	}
	return moved, nil
}

func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12] + "…"
	}
	return hash
}

// DataFile is one input file of a run.
type DataFile struct {
	Role   string `json:"role"` // e.g. "train-images"
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// Build identifies the program that ran, from the binary's own build information (never from
// the working directory, which may be another repository).
type Build struct {
	Module   string `json:"module,omitempty"`
	Version  string `json:"version,omitempty"`  // module version ("(devel)" for a checkout)
	Commit   string `json:"commit,omitempty"`   // vcs.revision, when built with VCS stamping
	Modified bool   `json:"modified,omitempty"` // vcs.modified: built from a dirty tree
	Time     string `json:"time,omitempty"`     // vcs.time
}

// CurrentBuild reads the running binary's build information. Binaries built without VCS
// stamping (go run and go test stamp none) leave Commit empty.
func CurrentBuild() Build {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return Build{}
	}
	b := Build{Module: info.Main.Path, Version: info.Main.Version}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Commit = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		case "vcs.time":
			b.Time = s.Value
		}
	}
	return b
}

// WriteInfo writes dir's run.json atomically.
func WriteInfo(dir string, info *Info) error { return WriteJSON(filepath.Join(dir, InfoFile), info) }

// ReadInfo reads dir's run.json.
func ReadInfo(dir string) (*Info, error) {
	path := filepath.Join(dir, InfoFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var info Info
	if err := json.Unmarshal(data, &info); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &info, nil
}

package rundir

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"
)

// Info is run.json: what ran, on which data, from which build.
type Info struct {
	Dataset   string   `json:"dataset"`
	Split     string   `json:"split"`
	Methods   []string `json:"methods"`
	Preset    string   `json:"preset,omitempty"`
	Seed      int64    `json:"seed"`
	ParamsSet []string `json:"params_set,omitempty"`
	// Data lists the files the data set was read from, with their SHA-256.
	Data      []DataFile `json:"data,omitempty"`
	Build     Build      `json:"build"`
	GoVersion string     `json:"go_version"`
	Started   time.Time  `json:"started"`
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

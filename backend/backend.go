// Package backend chooses the GoMLX backend for every clustergan program, notebook and test.
//
// Programs call New: it honours GOMLX_BACKEND, otherwise tries XLA (GoMLX's default, which may
// install its PJRT plugin when online) and falls back to the pure-Go backend with one line saying
// why. Tests call ForTests, which never touches XLA.
package backend

import (
	"fmt"
	"io"
	"math/bits"
	"os"
	"strconv"
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
// fastest (see README, "Backends"). "dotgeneral_large" (every product through the blocked
// kernel) adds nothing with GoDotBlock's blocks, and panics on integer products, for which v0.26
// sets no block size (docs/benchmarks.md, "Backend configuration").
const GoConfig = "go:parallelism=-1"

// GoDotBlock is the side of the square blocks in which the pure-Go backend multiplies float32
// matrices, unless DotBlockEnvVar says otherwise.
//
// GoMLX v0.26 sizes the blocks for a 16 KiB L1 budget (64×64 float32, tuned on one desktop CPU)
// and sends a product to its blocked kernel only when its output has more than 16 blocks, so
// most of our batch-64 products ran its unblocked triple loop. 16×16 blocks cut 5–39% of a
// training iteration's time on our 2-core machine, 28% for the default preset (docs/benchmarks.md,
// "Matrix block size"; BenchmarkIterationBackendConfig in trainer/ re-measures it). XLA ignores it.
const GoDotBlock = 16

// DotBlockEnvVar overrides GoDotBlock: a power of two from 4 to 128. Results quoted in the docs
// from before 16 became the default were computed with GoMLX's 64, and repeat exactly only with
// CLUSTERGAN_GO_DOT_BLOCK=64 (other block sides sum in another order).
const DotBlockEnvVar = "CLUSTERGAN_GO_DOT_BLOCK"

// setDotBlock sets the pure-Go backend's float32 block side from DotBlockEnvVar, else GoDotBlock.
// GoMLX reads it both when a graph is built and when it runs, so it is set before a backend is
// returned, and must not change while graphs exist (New is called once per program).
func setDotBlock() error {
	side := GoDotBlock
	if v, ok := os.LookupEnv(DotBlockEnvVar); ok && v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 4 || n > 128 || n&(n-1) != 0 {
			return fmt.Errorf("%s=%q: want a power of two from 4 to 128 (the pure-Go backend's matrix block side; default %d)", DotBlockEnvVar, v, GoDotBlock)
		}
		side = n
	}
	simplego.DotGeneralTargetBlockLog2Dim[dtypes.Float32] = bits.Len(uint(side)) - 1
	return nil
}

// EnvVar is the environment variable GoMLX reads for the backend configuration.
const EnvVar = backends.ConfigEnvVar

// New returns the backend for a program, printing at most one line to w about the choice.
func New(w io.Writer) (backends.Backend, error) {
	if err := setDotBlock(); err != nil {
		return nil, err
	}
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
	if err := setDotBlock(); err != nil {
		return nil, err
	}
	return simplego.New(strings.TrimPrefix(GoConfig, "go:"))
})

// ForTests returns a process-wide pure-Go backend in the safe configuration, with the matrix
// block side of New. It never starts or installs XLA, whatever GOMLX_BACKEND says.
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

package backend

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestForTestsIsPureGo(t *testing.T) {
	b := ForTests()
	require.Equal(t, "SimpleGo (go)", b.Name())
	require.Same(t, b, ForTests()) // one per process
}

// New honours GOMLX_BACKEND and turns GoMLX's panics on bad configurations into errors that
// name the variable. (The XLA path is not exercised: tests never start XLA.)
func TestNewHonoursEnv(t *testing.T) {
	var out bytes.Buffer
	t.Setenv(EnvVar, GoConfig)
	b, err := New(&out)
	require.NoError(t, err)
	require.Equal(t, "SimpleGo (go)", b.Name())
	require.Empty(t, out.String(), "no fallback message when the backend is chosen explicitly")

	t.Setenv(EnvVar, "no-such-backend")
	_, err = New(&out)
	require.ErrorContains(t, err, `GOMLX_BACKEND="no-such-backend"`)

	t.Setenv(EnvVar, "go:parallelism=many")
	_, err = New(&out)
	require.ErrorContains(t, err, "parallelism")
}

func TestFirstLine(t *testing.T) {
	require.Equal(t, "a", firstLine("a\nb"))
	long := string(bytes.Repeat([]byte("x"), 500))
	require.Len(t, []rune(firstLine(long)), 161)
}

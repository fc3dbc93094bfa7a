package panics

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCatch(t *testing.T) {
	require.NoError(t, Catch(func() {}))
	require.EqualError(t, Catch(func() { panic("bad shape") }), "bad shape")
	sentinel := errors.New("sentinel")
	require.ErrorIs(t, Catch(func() { panic(sentinel) }), sentinel)
}

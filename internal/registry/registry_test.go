package registry

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRegistry(t *testing.T) {
	r := New[int]("widget")
	r.Register("b", 2)
	r.Register("a", 1)
	require.Equal(t, []string{"a", "b"}, r.Names())
	v, err := r.Get("b")
	require.NoError(t, err)
	require.Equal(t, 2, v)
	_, err = r.Get("c")
	require.EqualError(t, err, `unknown widget "c"; valid values: a, b`)
	require.PanicsWithValue(t, `registry: widget "a" registered twice`, func() { r.Register("a", 3) })
	require.Panics(t, func() { r.Register("", 3) })
}

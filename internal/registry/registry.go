// Package registry is the one registry type behind every pluggable concept of clustergan
// (priors, losses, architectures, datasets, methods), so that all of them share one spelling:
// Register panics on duplicates, Names is sorted for flag help, and Get fails listing the
// valid names.
package registry

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Registry maps names to values of one concept (for example "prior").
type Registry[T any] struct {
	concept string
	mu      sync.RWMutex
	entries map[string]T
}

// New returns an empty registry; concept names the kind of thing it holds in error messages.
func New[T any](concept string) *Registry[T] {
	return &Registry[T]{concept: concept, entries: make(map[string]T)}
}

// Register adds name. It panics on an empty or duplicate name: both are programming errors
// caught at init time.
func (r *Registry[T]) Register(name string, value T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if name == "" {
		panic(fmt.Sprintf("registry: empty %s name", r.concept))
	}
	if _, dup := r.entries[name]; dup {
		panic(fmt.Sprintf("registry: %s %q registered twice", r.concept, name))
	}
	r.entries[name] = value
}

// Names returns the registered names, sorted.
func (r *Registry[T]) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.entries))
	for name := range r.entries {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Get returns the value registered as name, or an error that lists the valid names.
func (r *Registry[T]) Get(name string) (T, error) {
	r.mu.RLock()
	value, found := r.entries[name]
	r.mu.RUnlock()
	if !found {
		var zero T
		return zero, fmt.Errorf("unknown %s %q; valid values: %s", r.concept, name, strings.Join(r.Names(), ", "))
	}
	return value, nil
}

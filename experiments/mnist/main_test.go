package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Bad command lines fail with an error that names the flag and lists the valid values, before
// any data is loaded or any directory written.
func TestBadFlags(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"-preset=fast"}, []string{`-preset: unknown preset "fast"`, "default", "paper", "quick"}},
		{[]string{"-methods=kmeans,magic"}, []string{`-methods: unknown method "magic"`, "clustergan", "kmeans"}},
		{[]string{"-dataset=cifar"}, []string{`-dataset: unknown dataset "cifar"`, "mnist", "synthetic"}},
		{[]string{"-set=train_steps=-5"}, []string{`"train_steps": must be ≥ 1`}},
		{[]string{"-set=batch_sizes=64"}, []string{`"batch_sizes"`, "batch_size"}},
		{[]string{"-split=dev"}, []string{`-split: unknown split "dev"`}},
		{[]string{"extra"}, []string{"unexpected arguments"}},
	} {
		err := run(append([]string{"-runs=" + dir}, c.args...))
		require.Error(t, err, "%v", c.args)
		for _, w := range c.want {
			require.ErrorContains(t, err, w, "%v", c.args)
		}
	}
}

func TestPresetsParse(t *testing.T) {
	for _, name := range presetNames() {
		t.Run(name, func(t *testing.T) {
			// -params prints the parameters after the preset is applied; an invalid preset fails.
			require.NoError(t, run([]string{"-preset=" + name, "-params"}))
		})
	}
}

package sweeps

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func texts(t *testing.T, g *Grid) []string {
	t.Helper()
	points, err := g.Points()
	require.NoError(t, err)
	out := make([]string, len(points))
	for i, p := range points {
		require.Equal(t, i, p.Index)
		out[i] = p.Text()
	}
	return out
}

func TestParseGridProductOrder(t *testing.T) {
	g, err := ParseGrid("# the paper's ablation\nbeta_n=0,10; beta_c=1,10\n\nseed=1..2", "test")
	require.NoError(t, err)
	require.Equal(t, 8, g.Size())
	// Nested loops in the order written, the last axis innermost.
	require.Equal(t, []string{
		"beta_n=0;beta_c=1;seed=1", "beta_n=0;beta_c=1;seed=2", "beta_n=0;beta_c=10;seed=1", "beta_n=0;beta_c=10;seed=2",
		"beta_n=10;beta_c=1;seed=1", "beta_n=10;beta_c=1;seed=2", "beta_n=10;beta_c=10;seed=1", "beta_n=10;beta_c=10;seed=2",
	}, texts(t, g))
}

func TestParseGridValues(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string
	}{
		{"seed=3..5", []string{"seed=3", "seed=4", "seed=5"}},
		{"seed=-1..0,7", []string{"seed=-1", "seed=0", "seed=7"}},
		{"seed=4..4", []string{"seed=4"}},
		{"mlp_hidden=[256,256], [64]", []string{"mlp_hidden=256,256", "mlp_hidden=64"}},
		{"generator/lr = 1e-3 ,2e-4", []string{"generator/lr=1e-3", "generator/lr=2e-4"}},
		{"x=1.5..2", []string{"x=1.5..2"}}, // not an integer range: a plain value
		{"zip(a=1,2,3; b=x,y,z); c=0,1", []string{
			"a=1;b=x;c=0", "a=1;b=x;c=1", "a=2;b=y;c=0", "a=2;b=y;c=1", "a=3;b=z;c=0", "a=3;b=z;c=1"}},
		{"c=0,1\nzip(a=1,1; b=x,y)", []string{"c=0;a=1;b=x", "c=0;a=1;b=y", "c=1;a=1;b=x", "c=1;a=1;b=y"}},
	} {
		g, err := ParseGrid(c.text, "test")
		require.NoError(t, err, c.text)
		require.Equal(t, c.want, texts(t, g), c.text)
	}
}

// Every error names the source and line, and the item that is wrong.
func TestParseGridErrors(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string
	}{
		{"seed=1..3\nbeta_n", []string{"sweep.txt:2", `item "beta_n"`, "want name=value"}},
		{"seed=5..1", []string{`item "seed=5..1"`, "a ≤ b"}},
		{"seed=1..100000", []string{"at most 10000 values"}},
		{"beta_n=0,,10", []string{`item "beta_n=0,,10"`, `parameter "beta_n": empty value`}},
		{"beta_n=", []string{"empty value"}},
		{"be ta=1", []string{`bad parameter name "be ta"`}},
		{"seed=1;seed=2", []string{`item "seed=2"`, `parameter "seed" already set by item "seed=1"`}},
		{"zip(a=1,2; b=3)", []string{`zip lists differ in length: a has 2 values, b has 1`}},
		{"zip(a=1,2; a=3,4)", []string{`parameter "a" appears twice`}},
		{"zip(a=1; zip(b=1))", []string{"zip groups do not nest"}},
		{"zip(a=1,2", []string{`unclosed "(" or "["`}},
		{"zip()", []string{"empty zip group"}},
		{"mlp=[1,2", []string{`unclosed "(" or "["`}},
		{"a=1]", []string{`unbalanced ']'`}},
		{"# only a comment\n", []string{"sweep.txt: the grid has no parameters"}},
	} {
		_, err := ParseGrid(c.text, "sweep.txt")
		require.Error(t, err, c.text)
		for _, w := range c.want {
			require.ErrorContains(t, err, w, c.text)
		}
	}
	g, err := ParseGrid("seed=1,2,1", "test")
	require.NoError(t, err)
	_, err = g.Points()
	require.ErrorContains(t, err, `points 0 (seed=1) and 2 (seed=1) map to the same directory name "seed=1"`)
}

func TestReadGridFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "b.sweep")
	require.NoError(t, os.WriteFile(path, []byte("# header\nbeta_c=1,10\nseed=1..2\n"), 0o644))
	g, err := ReadGrid("file:" + path)
	require.NoError(t, err)
	require.Equal(t, 4, g.Size())
	require.Equal(t, path, g.Source)
	_, err = ReadGrid("file:" + path + ".missing")
	require.ErrorContains(t, err, ".missing")
	g, err = ReadGrid("seed=1")
	require.NoError(t, err)
	require.Equal(t, "-grid", g.Source)
}

func TestDirName(t *testing.T) {
	for _, c := range []struct {
		settings []Setting
		want     string
	}{
		{[]Setting{{"beta_n", "10"}, {"beta_c", "1"}, {"seed", "2"}}, "beta_n=10,beta_c=1,seed=2"},
		{[]Setting{{"generator/lr", "1e-3"}}, "generator.lr=1e-3"},
		{[]Setting{{"mlp_hidden", "256,256"}}, "mlp_hidden=256_256"},
		{[]Setting{{"prior", "../../etc"}, {"x", "a b/c:d*"}}, "prior=.._.._etc,x=a_b_c_d_"},
		{[]Setting{{"lr", "-2.5e+3"}}, "lr=-2.5e+3"},
	} {
		require.Equal(t, c.want, Point{Settings: c.settings}.DirName())
	}
	long := Point{Settings: []Setting{{"a", string(make([]byte, 500))}}}.DirName()
	require.Len(t, long, maxDirName)
	// Names that sanitise alike are caught before anything runs.
	g, err := ParseGrid("x=a b,a_b", "test")
	require.NoError(t, err)
	_, err = g.Points()
	require.ErrorContains(t, err, `same directory name "x=a_b"`)
}

// Shards 0..n−1 together run every point exactly once, whatever n, and split them evenly.
func TestShardPartition(t *testing.T) {
	g, err := ParseGrid("a=1..7; b=1..3", "test") // 21 points
	require.NoError(t, err)
	points, err := g.Points()
	require.NoError(t, err)
	for _, n := range []int{1, 2, 3, 4, 5, 21, 30} {
		count := map[int]int{}
		for i := range n {
			sh, err := ParseShard(fmt.Sprintf("%d/%d", i, n))
			require.NoError(t, err)
			inShard := 0
			for _, p := range points {
				if sh.Includes(p.Index) {
					count[p.Index]++
					inShard++
				}
			}
			require.InDelta(t, float64(len(points))/float64(n), inShard, 1, "shard %d/%d", i, n)
		}
		require.Len(t, count, len(points), "n=%d", n)
		for idx, c := range count {
			require.Equal(t, 1, c, "point %d with n=%d", idx, n)
		}
	}
	sh, err := ParseShard("")
	require.NoError(t, err)
	require.Equal(t, Shard{0, 1}, sh)
	for _, bad := range []string{"3/3", "-1/2", "1", "a/b", "0/0"} {
		_, err := ParseShard(bad)
		require.ErrorContains(t, err, fmt.Sprintf("-shard: %q must be i/n", bad))
	}
}

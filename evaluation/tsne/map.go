package tsne

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// MinMapPoints is the fewest points Map embeds: t-SNE's perplexity must lie in [1, (n−1)/3].
const MinMapPoints = 4

// exactMaxPoints is the largest map Map embeds with exact t-SNE; above it Barnes–Hut is used.
const exactMaxPoints = 1000

// Map embeds labelled rows in the plane for a scatter plot: latents holds n = len(labels) rows
// of dim values; above maxPoints rows, a subsample of maxPoints is embedded, stratified by label
// and reproducible from seed, which also seeds t-SNE. It uses the default perplexity (lowered to
// (n−1)/3 for small maps) and Barnes–Hut above 1000 points, and returns the n'×2 embedding with
// the labels of its rows. It fails when the lengths disagree, dim < 1, maxPoints or the rows are
// fewer than MinMapPoints, or a label is negative.
func Map(latents []float32, dim int, labels []int, maxPoints int, seed int64) (xy []float64, subLabels []int, err error) {
	switch {
	case dim < 1:
		return nil, nil, fmt.Errorf("dim = %d, must be >= 1", dim)
	case len(latents) != len(labels)*dim:
		return nil, nil, fmt.Errorf("%d latent values for %d labels of dimension %d, want %d", len(latents), len(labels), dim, len(labels)*dim)
	case maxPoints < MinMapPoints:
		return nil, nil, fmt.Errorf("maxPoints = %d, must be >= %d", maxPoints, MinMapPoints)
	case len(labels) < MinMapPoints:
		return nil, nil, fmt.Errorf("%d points, t-SNE needs at least %d", len(labels), MinMapPoints)
	}
	for i, l := range labels {
		if l < 0 {
			return nil, nil, fmt.Errorf("labels[%d] = %d, labels must be >= 0", i, l)
		}
	}
	rows := stratifiedSample(labels, maxPoints, seed)
	x := make([]float32, 0, len(rows)*dim)
	subLabels = make([]int, len(rows))
	for i, r := range rows {
		x = append(x, latents[r*dim:(r+1)*dim]...)
		subLabels[i] = labels[r]
	}
	n := len(rows)
	cfg := Config{Seed: seed, Perplexity: min(DefaultPerplexity, float64(n-1)/3)}
	if n > exactMaxPoints {
		cfg.Theta = DefaultTheta
	}
	res, err := Embed(x, dim, cfg)
	if err != nil {
		return nil, nil, err
	}
	return res.Y, subLabels, nil
}

// stratifiedSample returns the sorted indices of at most maxPoints rows: all rows when they fit,
// otherwise from each label a share proportional to its count (largest remainders round, ties
// to the smaller label), drawn at random from seed.
func stratifiedSample(labels []int, maxPoints int, seed int64) []int {
	n := len(labels)
	if n <= maxPoints {
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		return all
	}
	groups := map[int][]int{}
	for i, l := range labels {
		groups[l] = append(groups[l], i)
	}
	keys := make([]int, 0, len(groups))
	for l := range groups {
		keys = append(keys, l)
	}
	slices.Sort(keys)
	quota := make(map[int]int, len(keys))
	type remainder struct {
		label int
		frac  float64
	}
	rems := make([]remainder, 0, len(keys))
	left := maxPoints
	for _, l := range keys {
		exact := float64(maxPoints) * float64(len(groups[l])) / float64(n)
		quota[l] = int(exact)
		left -= quota[l]
		rems = append(rems, remainder{l, exact - math.Floor(exact)})
	}
	slices.SortStableFunc(rems, func(a, b remainder) int {
		switch {
		case a.frac > b.frac:
			return -1
		case a.frac < b.frac:
			return 1
		}
		return 0
	})
	for i := 0; left > 0; i++ {
		quota[rems[i%len(rems)].label]++
		left--
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x57a7))
	var picked []int
	for _, l := range keys {
		g := groups[l]
		rng.Shuffle(len(g), func(i, j int) { g[i], g[j] = g[j], g[i] })
		picked = append(picked, g[:quota[l]]...)
	}
	slices.Sort(picked)
	return picked
}
